"""News (« Actualités »): posts of an establishment to an audience, with an image and attachments.

A post reaches the whole establishment, or any of: national profiles, classes, groups, group
workspaces (the members of a workspace, see groups/). It is
shown between ``publish_at`` and ``unpublish_at`` (open-ended when empty). Its body is HTML
sanitised by the actions before it is stored; its files are served by views that check access
first (never from a public media URL).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.directory.models import (
    Establishment,
    Profile,
    PublicIdModel,
    SchoolClass,
    TeachingGroup,
)


def _stored_name(instance: Any, filename: str) -> str:
    """An unguessable path inside the establishment's folder; the extension is ours."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"news/{instance.establishment.public_id}/{uuid.uuid4().hex}.{extension}"


class Post(PublicIdModel):
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, verbose_name=_("établissement")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="news_posts",
        verbose_name=_("auteur"),
    )
    title = models.CharField(_("titre"), max_length=160)
    body = models.TextField(_("texte"), blank=True)
    publish_at = models.DateTimeField(_("publication"), default=timezone.now)
    unpublish_at = models.DateTimeField(_("retrait"), null=True, blank=True)
    pinned = models.BooleanField(_("épinglée"), default=False)
    to_establishment = models.BooleanField(_("tout l'établissement"), default=False)
    classes = models.ManyToManyField(
        SchoolClass, through="PostClass", related_name="+", verbose_name=_("classes")
    )
    groups = models.ManyToManyField(
        TeachingGroup, through="PostGroup", related_name="+", verbose_name=_("groupes")
    )
    workspaces = models.ManyToManyField(
        "groups.Workspace",
        through="PostWorkspace",
        related_name="+",
        verbose_name=_("espaces de groupe"),
    )
    image = models.FileField(_("image"), upload_to=_stored_name, blank=True, max_length=200)
    image_alt = models.CharField(_("description de l'image"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")
        ordering = ["-pinned", "-publish_at", "-id"]
        indexes = [
            models.Index(fields=["establishment", "-publish_at"]),
            models.Index(fields=["establishment", "author"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=models.F("publish_at")),
                name="news_post_unpublished_after_published",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_published(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.publish_at <= now and (self.unpublish_at is None or now < self.unpublish_at)

    def is_scheduled(self, now: Any = None) -> bool:
        return self.publish_at > (now or timezone.now())


class PostProfile(models.Model):
    """A national profile the post is addressed to (all students, all guardians…)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="audience_profiles")
    profile = models.CharField(_("profil"), max_length=16, choices=Profile.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "profile"], name="news_post_profile_unique")
        ]
        indexes = [models.Index(fields=["profile", "post"])]

    def __str__(self) -> str:
        return f"{self.post} · {self.get_profile_display()}"


class PostClass(models.Model):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="audience_classes")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "school_class"], name="news_post_class_unique")
        ]
        indexes = [models.Index(fields=["school_class", "post"])]

    def __str__(self) -> str:
        return f"{self.post} · {self.school_class}"


class PostGroup(models.Model):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="audience_groups")
    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "group"], name="news_post_group_unique")
        ]
        indexes = [models.Index(fields=["group", "post"])]

    def __str__(self) -> str:
        return f"{self.post} · {self.group}"


class PostWorkspace(models.Model):
    """A group workspace the post is addressed to: its members read it."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="audience_workspaces")
    workspace = models.ForeignKey("groups.Workspace", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "workspace"], name="news_post_workspace_unique")
        ]
        indexes = [models.Index(fields=["workspace", "post"])]

    def __str__(self) -> str:
        return f"{self.post} · {self.workspace}"


class PostAttachment(PublicIdModel):
    """A file attached to a post, checked by extension and content before it was stored."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fichier"), upload_to=_stored_name, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    size = models.PositiveBigIntegerField(_("taille"))
    content_type = models.CharField(_("type"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["original_name", "id"]

    def __str__(self) -> str:
        return self.original_name
