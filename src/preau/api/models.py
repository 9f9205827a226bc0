"""Personal access tokens: how a person's own scripts and apps call the REST API as them.

Only a SHA-256 hash of the secret is stored; the secret itself is shown once, at creation.
"""

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "preau_"  # noqa: S105 - the public marker of our tokens, not a secret
# Characters of the token kept in clear, so that a person can tell their tokens apart.
DISPLAY_PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
# last_used_at is bookkeeping: refreshed at most this often, so most token calls write nothing.
LAST_USED_PRECISION = timedelta(minutes=5)


class Scope(models.TextChoices):
    """What a token may do. Session requests (the person in their browser) may do everything."""

    READ_PROFILE = "read:profile", _("Lire mon profil, mes établissements et mes enfants")
    READ_DIRECTORY = "read:directory", _("Lire les classes et les élèves que je peux voir")
    READ_TIMETABLE = "read:timetable", _("Lire mon emploi du temps ou celui de mes enfants")
    READ_HOMEWORK = "read:homework", _("Lire le travail à faire")
    READ_MARKS = "read:marks", _("Lire les notes publiées et les moyennes")
    READ_ATTENDANCE = "read:attendance", _("Lire les absences et les retards")
    READ_MESSAGES = (
        "read:messages",
        _("Lire la liste de mes conversations (objet, date, non lus), jamais les messages"),
    )
    READ_DRIVE = "read:drive", _("Lire et télécharger mes fichiers et ceux partagés avec moi")
    MANAGE_TOKENS = "manage:tokens", _("Lister et révoquer mes jetons d'accès")
    # Passwords of the HTTP Basic clients (see preau.accounts.basic).
    DAV_FILES = "dav:files", _("Accéder à mes fichiers depuis un gestionnaire de fichiers (WebDAV)")
    DAV_CALENDARS = "dav:calendars", _("Synchroniser mes agendas avec un téléphone (CalDAV)")


def hash_secret(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PersonalAccessTokenQuerySet(models.QuerySet):
    def usable(self) -> "PersonalAccessTokenQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class PersonalAccessToken(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_tokens",
        verbose_name=_("personne"),
    )
    name = models.CharField(_("nom"), max_length=80)
    token_prefix = models.CharField(_("début du jeton"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("droits"), default=list)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = PersonalAccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'accès personnel")
        verbose_name_plural = _("jetons d'accès personnels")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def grants(self, scope: str) -> bool:
        return scope in self.scopes
