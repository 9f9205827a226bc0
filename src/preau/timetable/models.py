"""The timetable (« Emploi du temps »): weekly courses, the school calendar, and lessons.

A ``Course`` is a weekly slot (a class or a group, a subject, teachers, a room, a weekday and
times, every week or week A or B). Its ``Lesson``s are materialised: one stable row per
occurrence, with a UUID that the logbook and the roll call attach to. Lessons are written when
courses are created or imported and rewritten in place when a course changes (see
``generation.py``): a lesson that already carries data is never deleted.

Dates are Paris wall-clock days; a lesson's ``start`` and ``end`` are stored in UTC.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from preau.directory.models import (
    Establishment,
    PublicIdModel,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingGroup,
)


class Zone(models.TextChoices):
    """The three national holiday zones."""

    A = "A", _("Zone A")
    B = "B", _("Zone B")
    C = "C", _("Zone C")


class Weeks(models.TextChoices):
    EVERY = "every", _("Toutes les semaines")
    A = "A", _("Semaine A")
    B = "B", _("Semaine B")


WEEKDAYS = [
    (1, _("Lundi")),
    (2, _("Mardi")),
    (3, _("Mercredi")),
    (4, _("Jeudi")),
    (5, _("Vendredi")),
    (6, _("Samedi")),
    (7, _("Dimanche")),
]


class TimetableSettings(models.Model):
    """An establishment's holiday zone and the start of its week A/B alternation.

    Weeks alternate from ``week_a_start`` (a Monday, week A): each following week with at least
    one school day is the other letter; a week wholly in the holidays does not count. A
    ``WeekOverride`` fixes the letter of one week, and the alternation goes on from it.
    """

    establishment = models.OneToOneField(
        Establishment, on_delete=models.CASCADE, related_name="timetable_settings"
    )
    zone = models.CharField(_("zone de vacances"), max_length=1, choices=Zone.choices)
    week_a_start = models.DateField(_("première semaine A (un lundi)"), null=True, blank=True)

    class Meta:
        verbose_name = _("réglages de l'emploi du temps")
        verbose_name_plural = _("réglages de l'emploi du temps")

    def __str__(self) -> str:
        return f"{self.establishment} · {self.get_zone_display()}"


class WeekOverride(models.Model):
    """The letter of one week, set by the establishment (e.g. after a holiday)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    monday = models.DateField(_("semaine du"))
    week = models.CharField(
        _("semaine"), max_length=1, choices=[(Weeks.A, Weeks.A.label), (Weeks.B, Weeks.B.label)]
    )

    class Meta:
        verbose_name = _("semaine A/B imposée")
        verbose_name_plural = _("semaines A/B imposées")
        ordering = ["monday"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "monday"], name="week_override_unique")
        ]

    def __str__(self) -> str:
        return f"{self.monday} · {self.week}"


class Holiday(models.Model):
    """School holidays of a zone, national data (not owned by an establishment).

    ``first_day`` and ``last_day`` are the first and last days without lessons (the official
    calendar's « fin des cours » is the day before ``first_day``, « reprise » the day after
    ``last_day``).
    """

    zone = models.CharField(_("zone"), max_length=1, choices=Zone.choices)
    label = models.CharField(_("libellé"), max_length=80)
    first_day = models.DateField(_("premier jour"))
    last_day = models.DateField(_("dernier jour"))

    class Meta:
        verbose_name = _("vacances scolaires")
        verbose_name_plural = _("vacances scolaires")
        ordering = ["first_day"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "first_day"], name="holiday_unique_start"),
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="holiday_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_zone_display()})"


class ClosedDayKind(models.TextChoices):
    PUBLIC_HOLIDAY = "public_holiday", _("Jour férié")
    PEDAGOGICAL = "pedagogical", _("Journée pédagogique")
    OTHER = "other", _("Fermeture")


class ClosedDay(models.Model):
    """A day without lessons in one establishment. Public holidays are computed (calendar.py);
    a row with that kind adds one the computation does not know (e.g. a local holiday)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    day = models.DateField(_("jour"))
    kind = models.CharField(
        _("type"), max_length=16, choices=ClosedDayKind.choices, default=ClosedDayKind.OTHER
    )
    label = models.CharField(_("libellé"), max_length=120)

    class Meta:
        verbose_name = _("jour sans cours")
        verbose_name_plural = _("jours sans cours")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "day"], name="closed_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} · {self.label}"


class Course(PublicIdModel):
    """A weekly slot of the timetable."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("classe"),
    )
    group = models.ForeignKey(
        TeachingGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("groupe"),
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name=_("matière"))
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CourseTeacher",
        related_name="timetable_courses",
        verbose_name=_("enseignants"),
    )
    room = models.CharField(_("salle"), max_length=40, blank=True)
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=WEEKDAYS)
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    weeks = models.CharField(
        _("semaines"), max_length=5, choices=Weeks.choices, default=Weeks.EVERY
    )
    valid_from = models.DateField(_("à partir du"), null=True, blank=True)
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cours")
        verbose_name_plural = _("cours")
        ordering = ["weekday", "start_time", "id"]
        indexes = [models.Index(fields=["establishment", "school_year", "weekday"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(school_class__isnull=False, group__isnull=True)
                | Q(school_class__isnull=True, group__isnull=False),
                name="course_class_xor_group",
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="course_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="course_weekday_iso"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="course_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.audience} · {self.get_weekday_display()} {self.start_time}"

    @property
    def audience(self) -> SchoolClass | TeachingGroup:
        return self.school_class or self.group


class CourseTeacher(models.Model):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    course = models.ForeignKey(Course, on_delete=models.CASCADE)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "teacher"], name="course_teacher_unique")
        ]
        indexes = [models.Index(fields=["establishment", "teacher"])]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.course_id}"


class LessonStatus(models.TextChoices):
    PLANNED = "planned", _("Prévu")
    CANCELLED = "cancelled", _("Annulé")
    MOVED = "moved", _("Déplacé")
    EXTRA = "extra", _("Cours supplémentaire")


class Lesson(PublicIdModel):
    """One occurrence of a course (or an extra lesson, without course).

    ``slot`` is the day the course put it on; it stays when the lesson is moved, so that the
    row — and what the logbook and the roll call attached to it — survives every regeneration.
    A change (cancelled, moved, another room, a replacement teacher) is kept on the row and
    marked in every view; ``room_changed`` tells that the room is not the course's.
    """

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    course = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons"
    )
    slot = models.DateField(null=True, blank=True)
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("classe"),
    )
    group = models.ForeignKey(
        TeachingGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("groupe"),
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name=_("matière"))
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="LessonTeacher",
        related_name="timetable_lessons",
        verbose_name=_("enseignants"),
    )
    date = models.DateField(_("date"))
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    room = models.CharField(_("salle"), max_length=40, blank=True)
    status = models.CharField(
        _("statut"), max_length=16, choices=LessonStatus.choices, default=LessonStatus.PLANNED
    )
    room_changed = models.BooleanField(_("changement de salle"), default=False)
    replacement_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replacement_lessons",
        verbose_name=_("remplaçant"),
    )
    # Where the lesson was before it was moved (UTC); null unless moved.
    moved_from = models.DateTimeField(_("initialement prévu le"), null=True, blank=True)
    change_note = models.CharField(_("message"), max_length=300, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["establishment", "start"]),
            models.Index(fields=["school_class", "start"]),
            models.Index(fields=["group", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(school_class__isnull=False, group__isnull=True)
                | Q(school_class__isnull=True, group__isnull=False),
                name="lesson_class_xor_group",
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="lesson_ends_after_start"),
            models.UniqueConstraint(
                fields=["course", "slot"],
                condition=Q(course__isnull=False),
                name="lesson_one_per_course_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.audience} · {self.date}"

    @property
    def audience(self) -> SchoolClass | TeachingGroup:
        return self.school_class or self.group

    @property
    def is_cancelled(self) -> bool:
        return self.status == LessonStatus.CANCELLED

    @property
    def is_changed(self) -> bool:
        """Anything the course did not plan: shown as a change in every view."""
        return (
            self.status != LessonStatus.PLANNED
            or self.room_changed
            or self.replacement_teacher_id is not None
        )


class LessonTeacher(models.Model):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "teacher"], name="lesson_teacher_unique")
        ]
        indexes = [models.Index(fields=["teacher", "lesson"])]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.lesson_id}"


class TimetableFeed(PublicIdModel):
    """A person's secret iCalendar address for a timetable: their own, or a child's for a
    guardian (``student``). The secret is an HMAC of the public id and ``salt`` (feeds.py):
    never stored, shown again when asked; a new salt and public id stop the old address."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timetable_feeds"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    salt = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "establishment"],
                condition=Q(student__isnull=True),
                name="timetable_feed_own_unique",
            ),
            models.UniqueConstraint(
                fields=["person", "student"],
                condition=Q(student__isnull=False),
                name="timetable_feed_child_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.student or '-'}"
