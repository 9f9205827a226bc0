"""The CAS server: the services that may ask for tickets, and the tickets given to them.

A ``CasService`` belongs to one establishment or to one academy (all its establishments): only
members of that establishment (or of one of the academy's establishments) get a ticket for it,
and it receives the attributes its release policy names, no more. A service URL is recognised by
an exact prefix or by an anchored regular expression, checked when the service is saved.

Tickets follow the CAS protocol: a service ticket (ST) or proxy ticket (PT) is single use and
lives seconds; a proxy-granting ticket (PGT) lives as long as the login session it came from and
is stored only as a hash, since it is a long-lived bearer credential. Every ticket remembers the
session it was issued in, so that logging out of Préau reaches the services it logged into.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.core.registrations import one_owner
from preau.directory.models import Academy, Establishment, PublicIdModel


class MatchKind(models.TextChoices):
    PREFIX = "prefix", _("préfixe exact")
    REGEX = "regex", _("expression régulière")


class Attribute(models.TextChoices):
    """What a service may receive about a person; the value is also the released name."""

    PROFILES = "ENTPersonProfils", _("Profils nationaux")
    UAI = "ENTPersonStructRattachUAI", _("UAI de l'établissement")
    FIRST_NAME = "givenName", _("Prénom")
    LAST_NAME = "sn", _("Nom")
    EMAIL = "mail", _("Adresse e-mail")
    BIRTH_DATE = "ENTPersonDateNaissance", _("Date de naissance")
    DIRECTORY_ID = "ENTPersonJointure", _("Identifiant AAF")
    USERNAME = "uid", _("Identifiant")
    CLASSES = "ENTPersonClasses", _("Classes")


def validate_service_pattern(kind: str, pattern: str) -> None:
    """A pattern must name web addresses and, for a regex, compile and be anchored at both ends.

    An unanchored expression would match a hostile address that merely contains the right one
    (``https://evil.example/?https://school.example/``).
    """
    if kind == MatchKind.PREFIX:
        if not re.match(r"^https?://[^/?#]+/", pattern):
            raise ValidationError(
                _(
                    "Le préfixe doit être une adresse complète en http:// ou https://, avec le "
                    "nom du serveur suivi d'une barre oblique (par ex. https://vie-scolaire.fr/)."
                ),
                code="prefix",
            )
        return
    if not (pattern.startswith("^") and pattern.endswith("$")):
        raise ValidationError(
            _("L'expression régulière doit commencer par ^ et finir par $."), code="anchor"
        )
    if not pattern.startswith("^http"):
        raise ValidationError(
            _("L'expression régulière doit commencer par le protocole (^https://…)."),
            code="scheme",
        )
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValidationError(
            _("Expression régulière invalide : %(error)s"), params={"error": error}, code="regex"
        ) from error


class CasService(PublicIdModel):
    name = models.CharField(_("nom"), max_length=120)
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cas_services",
        verbose_name=_("établissement"),
    )
    academy = models.ForeignKey(
        Academy,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cas_services",
        verbose_name=_("académie"),
    )
    match_kind = models.CharField(
        _("type d'adresse"), max_length=8, choices=MatchKind.choices, default=MatchKind.PREFIX
    )
    pattern = models.CharField(_("adresse du service"), max_length=500)
    attributes = models.JSONField(_("attributs transmis"), default=list, blank=True)
    may_proxy = models.BooleanField(_("peut obtenir des tickets de proxy"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service CAS")
        verbose_name_plural = _("services CAS")
        constraints = [one_owner("cas_service")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        validate_service_pattern(self.match_kind, self.pattern)
        unknown = set(self.attributes) - set(Attribute.values)
        if unknown:
            raise ValidationError(
                _("Attributs inconnus : %(names)s"), params={"names": ", ".join(sorted(unknown))}
            )

    def matches(self, url: str) -> bool:
        if self.match_kind == MatchKind.PREFIX:
            return url.startswith(self.pattern)
        return re.fullmatch(self.pattern, url) is not None

    def attribute_labels(self) -> list[str]:
        labels = dict(Attribute.choices)
        return [str(labels.get(code, code)) for code in self.attributes]


class TicketKind(models.TextChoices):
    SERVICE = "ST", _("ticket de service")
    PROXY = "PT", _("ticket de proxy")


class ServiceTicket(models.Model):
    """A service or proxy ticket: single use, bound to the service address it was issued for."""

    ticket = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=2, choices=TicketKind.choices)
    service = models.ForeignKey(CasService, on_delete=models.CASCADE, related_name="tickets")
    service_url = models.CharField(max_length=2000)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # The establishment the person reaches the service through (the UAI released).
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    from_new_login = models.BooleanField(default=False)
    authenticated_at = models.DateTimeField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    validated_at = models.DateTimeField(null=True, blank=True)
    granting_ticket = models.ForeignKey(
        "ProxyGrantingTicket", on_delete=models.CASCADE, null=True, blank=True
    )
    # The proxies a proxy ticket went through, the most recent first (CAS ``cas:proxies``).
    proxies = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.service_url}"


class ProxyGrantingTicket(models.Model):
    ticket_hash = models.CharField(max_length=64, unique=True)
    service = models.ForeignKey(CasService, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    authenticated_at = models.DateTimeField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # The callback addresses of the chain, the most recent first.
    proxies = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"PGT {self.service_id}"
