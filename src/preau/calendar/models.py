"""Calendars (« Agenda »): personal calendars, and those of a class, a teaching group, a group
workspace and the establishment.

Times are stored in UTC and shown in Europe/Paris. An all-day event runs from midnight (Paris)
of its first day to midnight of the day after its last. Every event also keeps its iCalendar
text (``ical``: the VEVENT, its recurrence rule and exceptions, as a phone sent it or as the
portal built it), so what a CalDAV client stored comes back unchanged; the columns beside it are
what the portal queries and shows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from preau.directory.models import (
    Establishment,
    Profile,
    PublicIdModel,
    SchoolClass,
    TeachingGroup,
)


class CalendarKind(models.TextChoices):
    PERSONAL = "personal", _("Personnel")
    CLASS = "class", _("Classe")
    GROUP = "group", _("Groupe")
    WORKSPACE = "workspace", _("Espace de groupe")
    ESTABLISHMENT = "establishment", _("Établissement")


class Calendar(PublicIdModel):
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, verbose_name=_("établissement")
    )
    kind = models.CharField(_("type"), max_length=16, choices=CalendarKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendars",
        verbose_name=_("propriétaire"),
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        TeachingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    workspace = models.ForeignKey(
        "groups.Workspace", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The name of a personal calendar; the others are named after their class, group or school.
    name = models.CharField(_("nom"), max_length=80, blank=True)
    # Bumped by every change of its events: the CalDAV ctag and sync token.
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")
        ordering = ["kind", "name", "id"]
        indexes = [models.Index(fields=["establishment", "owner"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=CalendarKind.PERSONAL, owner__isnull=False)
                    & Q(school_class__isnull=True, group__isnull=True, workspace__isnull=True)
                )
                | (
                    Q(kind=CalendarKind.CLASS, school_class__isnull=False)
                    & Q(owner__isnull=True, group__isnull=True, workspace__isnull=True)
                )
                | (
                    Q(kind=CalendarKind.GROUP, group__isnull=False)
                    & Q(owner__isnull=True, school_class__isnull=True, workspace__isnull=True)
                )
                | (
                    Q(kind=CalendarKind.WORKSPACE, workspace__isnull=False)
                    & Q(owner__isnull=True, school_class__isnull=True, group__isnull=True)
                )
                | (
                    Q(kind=CalendarKind.ESTABLISHMENT, owner__isnull=True)
                    & Q(school_class__isnull=True, group__isnull=True, workspace__isnull=True)
                ),
                name="calendar_kind_matches_target",
            ),
            models.UniqueConstraint(
                fields=["school_class"],
                condition=Q(kind=CalendarKind.CLASS),
                name="calendar_one_per_class",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(kind=CalendarKind.GROUP),
                name="calendar_one_per_group",
            ),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(kind=CalendarKind.WORKSPACE),
                name="calendar_one_per_workspace",
            ),
            models.UniqueConstraint(
                fields=["establishment"],
                condition=Q(kind=CalendarKind.ESTABLISHMENT),
                name="calendar_one_per_establishment",
            ),
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        if self.kind == CalendarKind.CLASS:
            return self.school_class.name
        if self.kind == CalendarKind.GROUP:
            return self.group.name
        if self.kind == CalendarKind.WORKSPACE:
            return self.workspace.name
        if self.kind == CalendarKind.ESTABLISHMENT:
            return self.establishment.name
        return self.name or str(_("Mon agenda"))

    @property
    def is_personal(self) -> bool:
        return self.kind == CalendarKind.PERSONAL


class Event(PublicIdModel):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="events", verbose_name=_("agenda")
    )
    # The iCalendar UID, and the resource name a CalDAV client chose (``<name>.ics``).
    uid = models.CharField(max_length=255)
    resource = models.CharField(max_length=255)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("lieu"), max_length=200, blank=True)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    all_day = models.BooleanField(_("toute la journée"), default=False)
    rrule = models.CharField(_("répétition"), max_length=500, blank=True)
    # The end of the last occurrence (None: repeats forever); equals ``end`` when not repeated.
    last_end = models.DateTimeField(null=True, blank=True)
    # Establishment events only: empty means the whole establishment.
    profiles = models.JSONField(_("profils"), default=list, blank=True)
    ical = models.TextField()
    etag = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["calendar", "start"]),
            models.Index(fields=["calendar", "last_end"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "uid"], name="calendar_event_uid_unique"),
            models.UniqueConstraint(
                fields=["calendar", "resource"], name="calendar_event_resource_unique"
            ),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="calendar_event_ends"),
        ]

    def __str__(self) -> str:
        return self.title

    def profile_labels(self) -> list[str]:
        names = dict(Profile.choices)
        return [str(names.get(code, code)) for code in self.profiles]


class FeedToken(PublicIdModel):
    """A reader's secret iCalendar address for one calendar. The secret in the address is an
    HMAC of the public id and ``salt``: shown again whenever asked, never stored; a new salt
    and public id (« régénérer ») stop the old address at once."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="feeds")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    salt = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["calendar", "person"], name="calendar_feed_unique")
        ]

    def __str__(self) -> str:
        return f"{self.calendar} · {self.person}"
