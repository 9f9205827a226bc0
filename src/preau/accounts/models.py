"""A person's account: one per person, national, whatever their schools."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. Their schools and roles are Memberships (directory app)."""

    public_id = models.UUIDField(_("identifiant public"), default=uuid.uuid4, unique=True)
    email = models.EmailField(_("adresse e-mail"), blank=True, db_index=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    ine = models.CharField(
        _("INE"), max_length=11, blank=True, help_text=_("Identifiant national élève.")
    )
    directory_id = models.CharField(
        _("identifiant annuaire"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Identifiant de jointure de l'annuaire fédérateur (AAF)."),
    )
    language = models.CharField(
        _("langue"), max_length=8, choices=[("fr", "Français"), ("en", "English")], default="fr"
    )
    # Bumped by "log out of all my sessions": every session hash made before it stops matching.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Same as Django's, with the session epoch mixed in so that sessions can be revoked
        # without changing the password (and Django still checks SECRET_KEY_FALLBACKS through it).
        return salted_hmac(
            "preau.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class ActivationCode(models.Model):
    """A one-time code, handed out on paper by a school, to set a first (or new) password.

    Only a keyed hash of the code is stored (see accounts.codes). A newer code for the same person
    ends the older ones by moving their expiry to the moment it was issued.
    """

    person = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="activation_codes",
        verbose_name=_("personne"),
    )
    establishment = models.ForeignKey(
        "directory.Establishment",
        on_delete=models.CASCADE,
        related_name="activation_codes",
        verbose_name=_("établissement émetteur"),
    )
    code_hash = models.CharField(_("empreinte du code"), max_length=64)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)
    issued_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("émis par"),
    )

    class Meta:
        verbose_name = _("code d'activation")
        verbose_name_plural = _("codes d'activation")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["establishment", "-created_at"]),
            models.Index(fields=["person", "used_at", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.establishment} · {self.created_at:%Y-%m-%d}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
