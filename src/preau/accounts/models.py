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
    # Whether a confirmed TOTP device exists: read on every administration page, so kept on the
    # row the authentication middleware loads anyway (set by the enrolment actions only).
    has_totp = models.BooleanField(_("double authentification"), default=False, editable=False)
    # When the person lost their last membership (the right to an account): the account is
    # deleted three months later unless a membership reopens, which clears it.
    left_at = models.DateTimeField(_("départ"), null=True, blank=True, editable=False)

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


class TotpDevice(models.Model):
    """A person's authenticator app (RFC 6238, 6 digits, 30 s). One per person.

    ``last_step`` is the last time step whose code was accepted: a code is refused at or before
    it, so that a code seen over a shoulder cannot be used again within its window.
    """

    person = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="totp_device", verbose_name=_("personne")
    )
    secret = models.CharField(_("secret"), max_length=64)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("application d'authentification")
        verbose_name_plural = _("applications d'authentification")

    def __str__(self) -> str:
        return f"{self.person} · TOTP"


class RecoveryCode(models.Model):
    """A single-use code to pass the second factor without the phone; only its keyed hash."""

    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("personne")
    )
    code_hash = models.CharField(_("empreinte du code"), max_length=64)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("code de secours")
        verbose_name_plural = _("codes de secours")
        indexes = [models.Index(fields=["person", "used_at"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.created_at:%Y-%m-%d}"


class AccountSession(models.Model):
    """One signed-in session of a person, as they see it in « Mes sessions et appareils ».

    Written when the session starts (the ``user_logged_in`` signal), never on ordinary pages;
    the last activity is kept in the cache. ``device`` is a random identifier kept in a
    long-lived cookie of the browser: how « a new device » is recognised. Ended sessions stay
    (``ended_at``) so that a device's first appearance is remembered.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="account_sessions", verbose_name=_("personne")
    )
    session_key = models.CharField(max_length=40, db_index=True)
    device = models.CharField(max_length=64)
    user_agent = models.CharField(_("navigateur"), max_length=300, blank=True)
    address = models.GenericIPAddressField(_("adresse"), null=True, blank=True)
    started_at = models.DateTimeField(_("ouverte le"), default=timezone.now)
    ended_at = models.DateTimeField(_("fermée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["person", "ended_at"]),
            models.Index(fields=["person", "device", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.started_at:%Y-%m-%d %H:%M}"


class Passkey(models.Model):
    """A WebAuthn credential (a passkey) of a person: logs them in without a password, and counts
    as both factors (the device, unlocked by the person's fingerprint, face or PIN)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="passkeys", verbose_name=_("personne")
    )
    name = models.CharField(_("nom"), max_length=60)
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url, as browsers send it
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("clé d'accès")
        verbose_name_plural = _("clés d'accès")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.person} · {self.name}"
