"""Group workspaces (« Espaces de groupe »): a club, a project, a staff team.

A workspace belongs to one establishment and has members with a role: animators manage the
members and settings and moderate, members take part, readers only read. Each workspace has a
discussion forum (topics and their posts); news posts reach it through the news app's
``PostWorkspace`` audience. Other services (the drive, the calendar) attach to a workspace by
its key and ask ``groups.policies`` who may see and manage it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment, PublicIdModel


class WorkspaceKind(models.TextChoices):
    CLUB = "club", _("Club")
    PROJECT = "project", _("Projet")
    TEAM = "team", _("Équipe")


class Workspace(PublicIdModel):
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, verbose_name=_("établissement")
    )
    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(
        _("type"), max_length=16, choices=WorkspaceKind.choices, default=WorkspaceKind.CLUB
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    # Moved forward by every post, so that lists order by activity without a join.
    last_activity_at = models.DateTimeField(_("dernière activité"), default=timezone.now)
    # An archived workspace is kept read-only for its members.
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("espace de groupe")
        verbose_name_plural = _("espaces de groupe")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "name"],
                condition=Q(archived_at__isnull=True),
                name="groups_workspace_unique_open_name",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Role(models.TextChoices):
    """What a member may do in a workspace (groups/policies.py)."""

    ANIMATOR = "animator", _("Animateur")
    MEMBER = "member", _("Membre")
    READER = "reader", _("Lecteur")


class WorkspaceMember(models.Model):
    """A person in a workspace, with a role. Muted members read but do not post."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_memberships"
    )
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    muted_at = models.DateTimeField(_("réduit au silence le"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    joined_at = models.DateTimeField(_("membre depuis"), default=timezone.now)

    class Meta:
        verbose_name = _("membre d'un espace")
        verbose_name_plural = _("membres des espaces")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "person"], name="groups_member_unique")
        ]
        indexes = [
            models.Index(fields=["person", "establishment"]),
            models.Index(fields=["workspace", "role"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.workspace}"

    @property
    def is_animator(self) -> bool:
        return self.role == Role.ANIMATOR


class Topic(PublicIdModel):
    """A discussion of the forum; its first post is its opening message."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("sujet"), max_length=160)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Kept by the actions so that the topic list needs no aggregate per topic.
    last_post_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(default=0)
    pinned = models.BooleanField(_("épinglé"), default=False)
    locked = models.BooleanField(_("verrouillé"), default=False)

    class Meta:
        verbose_name = _("sujet")
        verbose_name_plural = _("sujets")
        ordering = ["-pinned", "-last_post_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-pinned", "-last_post_at"])]

    def __str__(self) -> str:
        return self.title


class ForumPost(PublicIdModel):
    """A message in a topic; its body is HTML sanitised before it is stored."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Hidden by an animator: shown to animators only, as such.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("message du forum")
        verbose_name_plural = _("messages du forum")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["topic", "created_at"])]

    def __str__(self) -> str:
        return f"{self.topic} · {self.created_at:%Y-%m-%d %H:%M}"


class TopicRead(models.Model):
    """When a person last read a topic: a topic is unread while its last post is newer."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "person"], name="groups_topic_read_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.topic}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("À traiter")
    DISMISSED = "dismissed", _("Classé sans suite")
    HIDDEN = "hidden", _("Message masqué")


class PostReport(PublicIdModel):
    """A member reported a post to the workspace's animators."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="reports")
    post = models.ForeignKey(ForumPost, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("motif"), max_length=1000, blank=True)
    status = models.CharField(
        _("état"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="groups_report_unique")
        ]
        indexes = [models.Index(fields=["workspace", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.post} · {self.reporter}"
