"""The médiacentre: a catalogue of digital resources, the licences that assign publishers'
resources, favourites, and the counting of openings.

One ``Resource`` table holds every kind, told apart by ``kind``; what only one kind needs sits in
nullable columns (a link's address, a document's drive file, a publisher's identifiers). A kind
added later (an LTI tool, say) adds a value to ``ResourceKind`` — a change of choices only, which
migrates without touching the rows — and, when it needs more than a launch address, a table of
its own keyed one-to-one on the resource, so that the catalogue, favourites, openings and
statistics serve it unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from preau.bookmarks.models import MAX_URL_LENGTH, link_host, validate_link_url
from preau.directory.models import (
    Academy,
    Establishment,
    Level,
    Profile,
    PublicIdModel,
    SchoolClass,
    TeachingGroup,
)
from preau.drive.models import Node


class ResourceKind(models.TextChoices):
    DOCUMENT = "document", _("Document d'un professeur")
    LINK = "link", _("Lien")
    PUBLISHER = "publisher", _("Ressource d'éditeur")


# The kinds teachers add for their classes and groups; the others are registered in the console.
TEACHER_KINDS = (ResourceKind.DOCUMENT, ResourceKind.LINK)


class IdentifierKind(models.TextChoices):
    """How the national access broker (GAR) names a resource: an ARK (``ark:/…``), the usual
    case for publishers' catalogues, or the distributor's own identifier."""

    ARK = "ark", _("ARK")
    DISTRIBUTOR = "distributor", _("Identifiant du distributeur")


class Resource(PublicIdModel):
    """An entry of the catalogue.

    Owned by an establishment (teachers' documents and links, publishers' resources the school
    registers itself) or by an academy (a publishers' catalogue its establishments license from).
    Seeing it is a separate matter: see policies.py.
    """

    kind = models.CharField(_("type"), max_length=16, choices=ResourceKind.choices)
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    academy = models.ForeignKey(
        Academy, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    subject = models.CharField(_("matière"), max_length=120, blank=True)
    levels = models.ManyToManyField(Level, blank=True, related_name="+", verbose_name=_("niveaux"))
    # A link's address, or a publisher resource's launch address (opened as is: nothing is
    # added to it, no identifier of the person).
    url = models.CharField(
        _("adresse"), max_length=MAX_URL_LENGTH, blank=True, validators=[validate_link_url]
    )
    # A teacher's document: a file of their drive, reached through the drive's own checks.
    drive_file = models.ForeignKey(
        Node,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fichier"),
    )
    publisher = models.CharField(_("éditeur"), max_length=120, blank=True)
    distributor = models.CharField(_("distributeur"), max_length=120, blank=True)
    # The resource's identifier at the national access broker (« idRessource »), of the kind
    # ``identifier_kind`` (« typeIdRessource »).
    identifier = models.CharField(_("identifiant de la ressource"), max_length=200, blank=True)
    identifier_kind = models.CharField(
        _("type d'identifiant"), max_length=16, choices=IdentifierKind.choices, blank=True
    )
    active = models.BooleanField(_("proposée"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ajoutée par"),
    )
    created_at = models.DateTimeField(_("ajoutée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(establishment__isnull=False, academy__isnull=True)
                | Q(establishment__isnull=True, academy__isnull=False),
                name="resource_one_owner",
            ),
            models.UniqueConstraint(
                fields=["academy", "identifier"],
                condition=Q(academy__isnull=False) & ~Q(identifier=""),
                name="resource_unique_identifier_academy",
            ),
            models.UniqueConstraint(
                fields=["establishment", "identifier"],
                condition=Q(establishment__isnull=False) & ~Q(identifier=""),
                name="resource_unique_identifier_establishment",
            ),
        ]
        indexes = [
            models.Index(fields=["establishment", "kind", "active"]),
            models.Index(fields=["academy", "kind"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def host(self) -> str:
        return link_host(self.url) if self.url else ""


class ResourcePlacement(models.Model):
    """A teacher's document or link, placed for one class or one teaching group."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="placements")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        TeachingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(school_class__isnull=False, group__isnull=True)
                | Q(school_class__isnull=True, group__isnull=False),
                name="resource_placement_one_target",
            ),
            models.UniqueConstraint(
                fields=["resource", "school_class"],
                condition=Q(school_class__isnull=False),
                name="resource_placement_unique_class",
            ),
            models.UniqueConstraint(
                fields=["resource", "group"],
                condition=Q(group__isnull=False),
                name="resource_placement_unique_group",
            ),
        ]
        indexes = [
            models.Index(fields=["establishment", "school_class"]),
            models.Index(fields=["establishment", "group"]),
        ]

    def __str__(self) -> str:
        return f"{self.resource} · {self.school_class or self.group}"


class LicenceAudience(models.TextChoices):
    ESTABLISHMENT = "establishment", _("Tout l'établissement")
    PROFILES = "profiles", _("Des profils")
    CLASSES = "classes", _("Des classes")
    PEOPLE = "people", _("Des personnes")


class Licence(PublicIdModel):
    """A publisher's resource assigned to an establishment's members for a while.

    « Tout l'établissement » means its students and staff: guardians are not given publishers'
    resources (the access broker has no guardian profile for them).
    """

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="licences")
    audience = models.CharField(
        _("affectée à"),
        max_length=16,
        choices=LicenceAudience.choices,
        default=LicenceAudience.ESTABLISHMENT,
    )
    seats = models.PositiveIntegerField(
        _("nombre de licences"),
        null=True,
        blank=True,
        help_text=_("Vide : sans limite de nombre."),
    )
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    reference = models.CharField(_("référence de la commande"), max_length=120, blank=True)
    revoked_at = models.DateTimeField(_("retirée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["-ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="licence_dates_in_order"
            )
        ]
        indexes = [models.Index(fields=["establishment", "revoked_at", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.resource} · {self.starts_on:%d/%m/%Y} - {self.ends_on:%d/%m/%Y}"


class LicenceTarget(models.Model):
    """Whom a licence is assigned to, beyond « tout l'établissement »: one profile, one class
    or one person per row."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="targets")
    profile = models.CharField(_("profil"), max_length=16, choices=Profile.choices, blank=True)
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(~Q(profile="") & Q(school_class__isnull=True, person__isnull=True))
                | (Q(profile="") & Q(school_class__isnull=False, person__isnull=True))
                | (Q(profile="") & Q(school_class__isnull=True, person__isnull=False)),
                name="licence_target_one",
            )
        ]
        indexes = [
            models.Index(fields=["establishment", "profile"]),
            models.Index(fields=["establishment", "school_class"]),
            models.Index(fields=["establishment", "person"]),
        ]

    def __str__(self) -> str:
        return f"{self.licence} · {self.profile or self.school_class or self.person}"


class LicenceSeat(models.Model):
    """A person's first opening of a licensed resource: the seats used are these rows."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="seat_rows")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_opened_at = models.DateTimeField(_("première ouverture"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["licence", "person"], name="licence_seat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.licence} · {self.person}"


class Favourite(models.Model):
    """A resource a person keeps at the top of their catalogue. Personal, like bookmarks: it
    carries no establishment key and leaves with the account."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "resource"], name="favourite_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.resource}"


class OpeningCount(models.Model):
    """How many times a resource was opened on one day, in one establishment, by one profile.

    One counter row per day, incremented in place: no row names a person."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    profile = models.CharField(max_length=16, choices=Profile.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "establishment", "day", "profile"],
                name="opening_count_unique",
            )
        ]
        indexes = [models.Index(fields=["establishment", "day"])]

    def __str__(self) -> str:
        return f"{self.resource} · {self.day} · {self.count}"


class MonthlyReader(models.Model):
    """One row per reader of a resource in a month, so that statistics can leave out figures
    about fewer than five people. ``reader`` is a keyed hash of the person, the resource and the
    month: it changes every month and names nobody."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    reader = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "establishment", "month", "reader"],
                name="monthly_reader_unique",
            )
        ]
        indexes = [models.Index(fields=["establishment", "month"])]

    def __str__(self) -> str:
        return f"{self.resource} · {self.month:%m/%Y}"
