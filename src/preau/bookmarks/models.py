"""Bookmarks (« signets »): a person's own links in folders, and links an establishment pushes.

Only http(s) links are stored: a ``javascript:`` or ``data:`` link would run in the portal's
origin when clicked, and other schemes (ftp:, file:) open things a school cannot vouch for.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment, Profile, PublicIdModel, SchoolClass

MAX_URL_LENGTH = 2000
# Spaces and control characters: browsers drop some of them (a tab inside "java\tscript:"), so a
# link holding one may not lead where it reads.
_FORBIDDEN_CHARACTERS = re.compile(r"[\s\x00-\x1f\x7f]")
_SCHEMES = ("http", "https")
_url_syntax = URLValidator(schemes=list(_SCHEMES))


def validate_link_url(value: str) -> None:
    """An http or https address, with a host, without credentials, at most 2,000 characters.

    Internationalised domain names (https://éduscol.example/) are accepted as typed.
    """
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(
            _("Un lien ne peut pas dépasser %(max)s caractères."),
            code="url_too_long",
            params={"max": MAX_URL_LENGTH},
        )
    if _FORBIDDEN_CHARACTERS.search(value):
        raise ValidationError(
            _("Un lien ne peut contenir ni espace ni caractère de contrôle."), code="url_spaces"
        )
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ValidationError(_("Ce lien n'est pas une adresse web valide."), code="url") from exc
    if parts.scheme.lower() not in _SCHEMES:
        raise ValidationError(
            _("Seuls les liens commençant par http:// ou https:// sont acceptés."),
            code="url_scheme",
        )
    if "@" in parts.netloc:
        raise ValidationError(
            _("Un lien ne peut pas contenir d'identifiant ni de mot de passe."),
            code="url_credentials",
        )
    _url_syntax(value)


def link_host(url: str) -> str:
    """The host a link leads to, shown beside its title so that a reader sees where it goes."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


class BookmarkFolder(PublicIdModel):
    """A folder of a person's own bookmarks. Personal, like the bookmarks (see Bookmark)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmark_folders"
    )
    name = models.CharField(_("nom"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("dossier de signets")
        verbose_name_plural = _("dossiers de signets")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="bookmark_folder_unique_name")
        ]
        indexes = [models.Index(fields=["owner", "position"])]

    def __str__(self) -> str:
        return self.name


class Bookmark(PublicIdModel):
    """A link a person keeps for themselves.

    It carries no establishment key: it belongs to the person, who is national (one account for
    every school, year after year), not to a school. A pupil who changes school, or a teacher
    who works in two, keeps the same bookmarks; no establishment reads, exports or deletes them,
    and they leave only with the account. Every query of them is scoped by their owner instead.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    folder = models.ForeignKey(
        BookmarkFolder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookmarks",
        verbose_name=_("dossier"),
    )
    title = models.CharField(_("titre"), max_length=200)
    url = models.CharField(_("lien"), max_length=MAX_URL_LENGTH, validators=[validate_link_url])
    description = models.TextField(_("description"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("signet")
        verbose_name_plural = _("signets")
        ordering = ["position", "title"]
        indexes = [models.Index(fields=["owner", "folder", "position"])]

    def __str__(self) -> str:
        return self.title

    @property
    def host(self) -> str:
        return link_host(self.url)


class Audience(models.TextChoices):
    ESTABLISHMENT = "establishment", _("Tout l'établissement")
    PROFILES = "profiles", _("Des profils")
    CLASSES = "classes", _("Des classes")


class PushedBookmark(PublicIdModel):
    """A link an establishment shows on the portal of some of its members.

    Those who may administer the establishment manage them, and so does its librarian
    (« documentaliste », profile National_DOC): curating the school's online resources is part
    of the CDI's work. The CPE does not: school life is attendance and discipline.
    """

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="pushed_bookmarks"
    )
    title = models.CharField(_("titre"), max_length=200)
    url = models.CharField(_("lien"), max_length=MAX_URL_LENGTH, validators=[validate_link_url])
    description = models.TextField(_("description"), max_length=500, blank=True)
    audience = models.CharField(
        _("public"), max_length=16, choices=Audience.choices, default=Audience.ESTABLISHMENT
    )
    classes = models.ManyToManyField(
        SchoolClass,
        through="PushedBookmarkClass",
        related_name="pushed_bookmarks",
        verbose_name=_("classes"),
    )
    position = models.PositiveIntegerField(_("ordre d'affichage"), default=0)
    active = models.BooleanField(_("affiché"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("signet de l'établissement")
        verbose_name_plural = _("signets de l'établissement")
        ordering = ["position", "title"]
        indexes = [models.Index(fields=["establishment", "active", "position"])]

    def __str__(self) -> str:
        return self.title

    @property
    def host(self) -> str:
        return link_host(self.url)


class PushedBookmarkProfile(models.Model):
    """A national profile a pushed bookmark is shown to (audience « profiles »)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    bookmark = models.ForeignKey(
        PushedBookmark, on_delete=models.CASCADE, related_name="profile_rows"
    )
    profile = models.CharField(_("profil"), max_length=16, choices=Profile.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bookmark", "profile"], name="pushed_bookmark_profile_unique"
            )
        ]
        indexes = [models.Index(fields=["establishment", "profile"])]

    def __str__(self) -> str:
        return f"{self.bookmark} · {self.get_profile_display()}"


class PushedBookmarkClass(models.Model):
    """A class a pushed bookmark is shown to (audience « classes »): its students, their
    guardians and its teachers."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    bookmark = models.ForeignKey(
        PushedBookmark, on_delete=models.CASCADE, related_name="class_rows"
    )
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bookmark", "school_class"], name="pushed_bookmark_class_unique"
            )
        ]
        indexes = [models.Index(fields=["establishment", "school_class"])]

    def __str__(self) -> str:
        return f"{self.bookmark} · {self.school_class}"
