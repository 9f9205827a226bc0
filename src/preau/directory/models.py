"""The directory: academies, establishments, school years, classes, groups and who belongs where.

The establishment is the tenant: every row it owns carries a non-null ``establishment`` key, and
every query of such rows is scoped by one (see policies.py).
"""

import re
import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

UAI_PATTERN = re.compile(r"^\d{7}[A-Z]$")
UAI_KEY_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # 23 letters: no I, O, Q


def uai_check_letter(digits: str) -> str:
    """The control letter of a UAI: the 7 digits modulo 23, mapped to the national alphabet."""
    return UAI_KEY_LETTERS[int(digits) % 23]


def validate_uai(value: str) -> None:
    if not UAI_PATTERN.match(value or "") or uai_check_letter(value[:7]) != value[7]:
        raise ValidationError(
            _("« %(value)s » n'est pas un UAI valide (7 chiffres et une lettre de contrôle)."),
            code="invalid_uai",
            params={"value": value},
        )


class PublicIdModel(models.Model):
    """Rows addressed in URLs carry an unguessable public id; the integer key stays internal."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class Academy(PublicIdModel):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("nom"), max_length=120)

    class Meta:
        verbose_name = _("académie")
        verbose_name_plural = _("académies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EstablishmentKind(models.TextChoices):
    PRIMARY = "ecole", _("École")
    COLLEGE = "college", _("Collège")
    LYCEE = "lycee", _("Lycée")
    VOCATIONAL = "lycee_pro", _("Lycée professionnel")


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Une couleur s'écrit #RRVVBB."))


class Establishment(PublicIdModel):
    uai = models.CharField(_("UAI"), max_length=8, unique=True, validators=[validate_uai])
    name = models.CharField(_("nom"), max_length=160)
    kind = models.CharField(_("type"), max_length=16, choices=EstablishmentKind.choices)
    academy = models.ForeignKey(
        Academy, on_delete=models.PROTECT, related_name="establishments", verbose_name=_("académie")
    )
    city = models.CharField(_("commune"), max_length=120, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    # Branding, applied as CSS custom properties on every page of the establishment.
    primary_colour = models.CharField(
        _("couleur principale"), max_length=7, default="#1d4e89", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("couleur d'accent"), max_length=7, default="#f2a541", validators=[hex_colour]
    )
    logo = models.ImageField(_("logo"), upload_to="branding/", blank=True)
    welcome_text = models.TextField(_("texte d'accueil"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolYear(models.Model):
    """A national school year (e.g. 2026-2027)."""

    label = models.CharField(_("libellé"), max_length=9, unique=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))

    class Meta:
        verbose_name = _("année scolaire")
        verbose_name_plural = _("années scolaires")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def bounds_for(cls, day: date) -> tuple[str, date, date]:
        """The label and dates of the school year containing ``day`` (1 Sept to 31 Aug)."""
        first = day.year if day.month >= 9 else day.year - 1
        return f"{first}-{first + 1}", date(first, 9, 1), date(first + 1, 8, 31)

    @classmethod
    def current(cls) -> "SchoolYear":
        label, start, end = cls.bounds_for(timezone.localdate())
        year, _created = cls.objects.get_or_create(
            label=label, defaults={"start_date": start, "end_date": end}
        )
        return year


class PeriodKind(models.TextChoices):
    TRIMESTER = "trimester", _("Trimestre")
    SEMESTER = "semester", _("Semestre")


class Period(models.Model):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    kind = models.CharField(_("type"), max_length=16, choices=PeriodKind.choices)
    number = models.PositiveSmallIntegerField(_("numéro"))
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("période")
        verbose_name_plural = _("périodes")
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year", "number"], name="period_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Subject(PublicIdModel):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    code = models.CharField(_("code national"), max_length=16)
    label = models.CharField(_("libellé"), max_length=120)
    short_label = models.CharField(_("libellé court"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("matière")
        verbose_name_plural = _("matières")
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "code"], name="subject_unique_code")
        ]

    def __str__(self) -> str:
        return self.label


class Level(models.Model):
    """A year level (6e … Tle), with its MEF code when known."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    label = models.CharField(_("libellé"), max_length=40)
    mef = models.CharField(_("MEF"), max_length=11, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"))

    class Meta:
        verbose_name = _("niveau")
        verbose_name_plural = _("niveaux")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.label


class SchoolClass(PublicIdModel):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    name = models.CharField(_("nom"), max_length=40)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, verbose_name=_("niveau"))
    head_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="classes_headed",
        verbose_name=_("professeur principal"),
    )

    class Meta:
        verbose_name = _("classe")
        verbose_name_plural = _("classes")
        ordering = ["level__order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year", "name"], name="class_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TeachingGroup(PublicIdModel):
    """Students taught together, inside a class (half-class) or across classes (an option)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    name = models.CharField(_("nom"), max_length=60)
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupMembership", related_name="teaching_groups"
    )

    class Meta:
        verbose_name = _("groupe")
        verbose_name_plural = _("groupes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year", "name"], name="group_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE)
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "student"], name="group_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.group}"


class Enrolment(models.Model):
    """A student in a class for a school year."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="enrolments"
    )

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year", "establishment"], name="enrolment_one_class"
            )
        ]
        indexes = [models.Index(fields=["establishment", "school_year", "school_class"])]

    def __str__(self) -> str:
        return f"{self.student} · {self.school_class}"


class TeachingAssignment(PublicIdModel):
    """A teacher teaches a subject to a class or to a group."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teaching_assignments"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name=_("matière"))
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="teaching_assignments",
        verbose_name=_("classe"),
    )
    group = models.ForeignKey(
        TeachingGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="teaching_assignments",
        verbose_name=_("groupe"),
    )

    class Meta:
        verbose_name = _("service d'enseignement")
        verbose_name_plural = _("services d'enseignement")
        constraints = [
            models.CheckConstraint(
                condition=Q(school_class__isnull=False, group__isnull=True)
                | Q(school_class__isnull=True, group__isnull=False),
                name="assignment_class_xor_group",
            ),
            models.UniqueConstraint(
                fields=["teacher", "subject", "school_class", "group"],
                name="assignment_unique",
            ),
        ]
        indexes = [models.Index(fields=["establishment", "school_year", "teacher"])]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.subject} · {self.school_class or self.group}"


class Profile(models.TextChoices):
    """National profiles, as named by SSO and directory feeds."""

    STUDENT = "National_ELV", _("Élève")
    GUARDIAN = "National_TUT", _("Responsable")
    TEACHER = "National_ENS", _("Enseignant")
    LIBRARIAN = "National_DOC", _("Documentaliste")
    DIRECTION = "National_DIR", _("Direction")
    EDUCATION = "National_EVS", _("Vie scolaire")
    STAFF = "National_ETA", _("Personnel administratif ou technique")
    AUTHORITY = "National_COL", _("Personnel de collectivité")


STAFF_PROFILES = frozenset(
    {
        Profile.TEACHER,
        Profile.LIBRARIAN,
        Profile.DIRECTION,
        Profile.EDUCATION,
        Profile.STAFF,
        Profile.AUTHORITY,
    }
)


class Function(models.TextChoices):
    """Functions held within an establishment; they carry the administrative rights."""

    HEAD = "head", _("Chef d'établissement")
    DEPUTY_HEAD = "deputy_head", _("Adjoint")
    CPE = "cpe", _("CPE")
    ADMINISTRATOR = "administrator", _("Administrateur de l'ENT")
    SECRETARY = "secretary", _("Secrétariat")


class Membership(PublicIdModel):
    """A person's place in an establishment for a school year: a profile and functions."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    profile = models.CharField(_("profil"), max_length=16, choices=Profile.choices)
    functions = models.JSONField(_("fonctions"), default=list, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rattachement")
        verbose_name_plural = _("rattachements")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "establishment", "school_year", "profile"],
                name="membership_unique",
            )
        ]
        indexes = [models.Index(fields=["establishment", "school_year", "profile"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.establishment} · {self.get_profile_display()}"

    def function_labels(self) -> list[str]:
        """The functions in the reader's language (stored as codes)."""
        labels = dict(Function.choices)
        return [str(labels.get(code, code)) for code in self.functions]


class Guardianship(models.Model):
    """A guardian of a student. Not owned by one establishment: a family spans schools."""

    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardianships"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guarded_by"
    )
    relationship = models.CharField(_("lien"), max_length=40, blank=True)
    legal = models.BooleanField(_("responsable légal"), default=True)
    financial = models.BooleanField(_("responsable financier"), default=False)
    contact = models.BooleanField(_("à contacter"), default=True)

    class Meta:
        verbose_name = _("responsabilité")
        verbose_name_plural = _("responsabilités")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianship_unique"),
            models.CheckConstraint(
                condition=~Q(guardian=models.F("student")), name="guardianship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student}"


class AcademyAdministrator(models.Model):
    """A person who administers the establishments of an academy (rectorat)."""

    academy = models.ForeignKey(Academy, on_delete=models.CASCADE, related_name="administrators")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="academy_roles"
    )

    class Meta:
        verbose_name = _("administrateur d'académie")
        verbose_name_plural = _("administrateurs d'académie")
        constraints = [
            models.UniqueConstraint(fields=["academy", "person"], name="academy_admin_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.academy}"


class ClosedYear(models.Model):
    """A school year an establishment has closed (the rollover): kept to read, never written
    (directory/years.py refuses the writes of the services into it)."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="closed_years"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("archivée le"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("année scolaire archivée")
        verbose_name_plural = _("années scolaires archivées")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year"], name="closed_year_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.establishment} · {self.school_year}"
