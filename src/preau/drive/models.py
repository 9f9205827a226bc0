"""The drive (« espace de stockage »): spaces holding folders and files, shares, settings.

A **space** belongs to one establishment. A personal space has an owner (one per person per
establishment); a group space has none: it is the shared folder of one group workspace
(``workspace``), whose members reach it by their role (drive/policies.py). Every space
has one root folder; folders and files below it form a tree whose names are unique among
siblings, ignoring case (``name_key``).

Each node keeps its **path**: the public ids of its ancestors and its own, ``/a/b/c/``. A subtree
is then one ``startswith`` filter (a share of a folder covers it; a move rewrites it; a cycle is
a target whose path starts with the moved folder's).

**Trash**: trashing a node marks it and its whole subtree with one ``trash_batch``; restoring
brings the batch back. Trashed files still count in the space's ``used_bytes`` until they are
deleted forever (by hand, or after ``TRASH_DAYS`` by the purge).

File contents live in Django's storage under an unguessable name (``blob``), never under a
public URL: the views serve them after an access check.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment, PublicIdModel, SchoolClass, TeachingGroup

MIB = 1024 * 1024
TRASH_DAYS = 30
# Deep enough for any school's filing; keeps paths (33 characters a level) bounded.
MAX_DEPTH = 30


class SpaceKind(models.TextChoices):
    PERSONAL = "personal", _("Espace personnel")
    GROUP = "group", _("Espace de groupe")


class Space(PublicIdModel):
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, verbose_name=_("établissement")
    )
    kind = models.CharField(
        _("type"), max_length=16, choices=SpaceKind.choices, default=SpaceKind.PERSONAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drive_spaces",
        verbose_name=_("propriétaire"),
    )
    name = models.CharField(_("nom"), max_length=120, blank=True)
    # The group workspace whose shared folder this is (a group space's). The link lives here so
    # that the drive depends on the workspaces and not the other way round.
    workspace = models.OneToOneField(
        "groups.Workspace",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drive_space",
        verbose_name=_("espace de groupe"),
    )
    # A quota set for this space alone (a group space's); else the establishment's settings.
    quota_bytes = models.PositiveBigIntegerField(_("quota"), null=True, blank=True)
    # Sizes of every file of the space, trashed ones included, kept by the actions.
    used_bytes = models.PositiveBigIntegerField(_("espace utilisé"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("espace de stockage")
        verbose_name_plural = _("espaces de stockage")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "owner"],
                condition=Q(kind="personal"),
                name="drive_space_one_personal",
            ),
            models.CheckConstraint(
                condition=Q(kind="group") | Q(owner__isnull=False),
                name="drive_space_personal_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.owner)


class NodeKind(models.TextChoices):
    FOLDER = "folder", _("Dossier")
    FILE = "file", _("Fichier")


class Node(PublicIdModel):
    """A folder or a file of a space."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(_("type"), max_length=8, choices=NodeKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)
    path = models.TextField(editable=False)
    size = models.PositiveBigIntegerField(_("taille"), default=0)
    content_type = models.CharField(_("type de contenu"), max_length=120, blank=True)
    blob = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    modified_at = models.DateTimeField(_("modifié le"), default=timezone.now)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
    )
    trashed_at = models.DateTimeField(_("mis à la corbeille le"), null=True, blank=True)
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trash_batch = models.UUIDField(null=True, blank=True, editable=False)
    # The node put in the trash itself (its subtree went with it).
    trash_root = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("élément")
        verbose_name_plural = _("éléments")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name_key"],
                condition=Q(trashed_at__isnull=True),
                name="drive_node_unique_name",
            ),
            models.UniqueConstraint(
                fields=["space"], condition=Q(parent__isnull=True), name="drive_node_one_root"
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "kind", "name_key"]),
            models.Index(fields=["space", "path"]),
            models.Index(fields=["space", "trash_root", "trashed_at"]),
            models.Index(fields=["establishment", "trash_root", "trashed_at"]),
            models.Index(fields=["space", "kind", "-modified_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_folder(self) -> bool:
        return self.kind == NodeKind.FOLDER

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def is_trashed(self) -> bool:
        return self.trashed_at is not None

    @property
    def ancestor_ids(self) -> list[str]:
        """Public ids (hex) of the node's ancestors, from the root, then of the node itself."""
        return [part for part in self.path.split("/") if part]

    @property
    def extension(self) -> str:
        return self.name.rpartition(".")[2].lower() if "." in self.name else ""

    @property
    def purge_at(self) -> datetime | None:
        if self.trashed_at is None:
            return None
        return self.trashed_at + timedelta(days=TRASH_DAYS)


def path_part(public_id: uuid.UUID) -> str:
    return public_id.hex


class Permission(models.TextChoices):
    READ = "read", _("Lecture")
    EDIT = "edit", _("Modification")


class Share(PublicIdModel):
    """A node shared with one person, a class (its students) or a teaching group (its
    students), to read or to edit. A folder's share covers its whole subtree."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="shares")
    permission = models.CharField(
        _("droit"), max_length=8, choices=Permission.choices, default=Permission.READ
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drive_shares",
        verbose_name=_("personne"),
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("classe"),
    )
    group = models.ForeignKey(
        TeachingGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("groupe"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("partage")
        verbose_name_plural = _("partages")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, school_class__isnull=True, group__isnull=True)
                | Q(person__isnull=True, school_class__isnull=False, group__isnull=True)
                | Q(person__isnull=True, school_class__isnull=True, group__isnull=False),
                name="drive_share_one_grantee",
            ),
            models.UniqueConstraint(
                fields=["node", "person"],
                condition=Q(person__isnull=False),
                name="drive_share_unique_person",
            ),
            models.UniqueConstraint(
                fields=["node", "school_class"],
                condition=Q(school_class__isnull=False),
                name="drive_share_unique_class",
            ),
            models.UniqueConstraint(
                fields=["node", "group"],
                condition=Q(group__isnull=False),
                name="drive_share_unique_group",
            ),
        ]
        indexes = [
            models.Index(fields=["establishment", "person"]),
            models.Index(fields=["establishment", "school_class"]),
            models.Index(fields=["establishment", "group"]),
        ]

    def __str__(self) -> str:
        return f"{self.node} · {self.grantee}"

    @property
    def grantee(self) -> object:
        return self.person or self.school_class or self.group


class DriveSettings(models.Model):
    """An establishment's quotas by national profile, a group workspace's shared folder's, and
    its largest file, in MiB.

    A person holding several profiles in the establishment gets the largest of their quotas.
    """

    DEFAULTS = {
        "student_quota_mb": 500,
        "guardian_quota_mb": 100,
        "teacher_quota_mb": 2048,
        "staff_quota_mb": 2048,
        "group_quota_mb": 1024,
        "max_file_mb": 200,
    }

    establishment = models.OneToOneField(
        Establishment, on_delete=models.CASCADE, related_name="drive_settings"
    )
    student_quota_mb = models.PositiveIntegerField(
        _("quota des élèves (Mo)"), default=DEFAULTS["student_quota_mb"]
    )
    guardian_quota_mb = models.PositiveIntegerField(
        _("quota des responsables (Mo)"), default=DEFAULTS["guardian_quota_mb"]
    )
    teacher_quota_mb = models.PositiveIntegerField(
        _("quota des enseignants (Mo)"), default=DEFAULTS["teacher_quota_mb"]
    )
    staff_quota_mb = models.PositiveIntegerField(
        _("quota des autres personnels (Mo)"), default=DEFAULTS["staff_quota_mb"]
    )
    group_quota_mb = models.PositiveIntegerField(
        _("quota d'un espace de groupe (Mo)"), default=DEFAULTS["group_quota_mb"]
    )
    max_file_mb = models.PositiveIntegerField(
        _("taille maximale d'un fichier (Mo)"), default=DEFAULTS["max_file_mb"]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages de l'espace de stockage")
        verbose_name_plural = _("réglages de l'espace de stockage")

    def __str__(self) -> str:
        return str(self.establishment)
