"""Changes to calendars and events. Each action runs in one transaction, bumps the calendar's
version (the CalDAV ctag), writes an audit row for the shared calendars, and tells the audience
of a class, group, workspace or establishment calendar about a new event once committed.
Callers have checked access through the policies."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from preau.audit.actions import record, snapshot
from preau.calendar import ical
from preau.calendar.models import Calendar, CalendarKind, Event, FeedToken
from preau.core.actor import current_school_year
from preau.directory.models import (
    Enrolment,
    Establishment,
    GroupMembership,
    Guardianship,
    Membership,
    SchoolClass,
    TeachingAssignment,
    TeachingGroup,
)
from preau.groups.models import Workspace, WorkspaceMember
from preau.notifications.actions import notify
from preau.notifications.models import Kind
from preau.portal.panel_cache import bump_scope

User = get_user_model()
EVENT_FIELDS = ["title", "location", "start", "end", "all_day", "rrule", "profiles"]


class Conflict(Exception):
    """Another event of the calendar already has this UID or resource name."""


# -- calendars ----------------------------------------------------------------------------------


def ensure_personal_calendar(*, actor: Any, establishment: Establishment) -> Calendar:
    """The person's first personal calendar there, created the first time it is needed."""
    user = getattr(actor, "user", actor)
    calendar = (
        Calendar.objects.filter(kind=CalendarKind.PERSONAL, owner=user, establishment=establishment)
        .order_by("id")
        .first()
    )
    if calendar is None:
        calendar = Calendar.objects.create(
            establishment=establishment,
            kind=CalendarKind.PERSONAL,
            owner=user,
            name=_("Mon agenda"),
        )
    return calendar


def shared_calendar(
    *,
    establishment: Establishment,
    school_class: SchoolClass | None = None,
    group: TeachingGroup | None = None,
    workspace: Workspace | None = None,
) -> Calendar:
    """The calendar of a class, a teaching group, a group workspace or (none given) the
    establishment, created on first use."""
    if school_class is not None:
        target: dict[str, Any] = {"kind": CalendarKind.CLASS, "school_class": school_class}
    elif group is not None:
        target = {"kind": CalendarKind.GROUP, "group": group}
    elif workspace is not None:
        target = {"kind": CalendarKind.WORKSPACE, "workspace": workspace}
    else:
        target = {"kind": CalendarKind.ESTABLISHMENT}
    calendar, _created = Calendar.objects.get_or_create(establishment=establishment, **target)
    return calendar


def do_create_calendar(*, actor: Any, name: str) -> Calendar:
    """Another personal calendar of the acting person in their establishment."""
    return Calendar.objects.create(
        establishment=actor.establishment,
        kind=CalendarKind.PERSONAL,
        owner=actor.user,
        name=name.strip()[:80],
    )


def do_rename_calendar(*, actor: Any, calendar: Calendar, name: str) -> Calendar:
    with transaction.atomic():
        calendar.name = name.strip()[:80]
        calendar.version = F("version") + 1
        calendar.save(update_fields=["name", "version"])
        calendar.refresh_from_db(fields=["version"])
    return calendar


def do_delete_calendar(*, actor: Any, calendar: Calendar) -> None:
    """Delete a personal calendar and its events."""
    calendar.delete()


def _touch(calendar: Calendar) -> None:
    """A change in the calendar: a new ctag, and the home panels of its establishment."""
    Calendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1)
    bump_scope("calendar", [calendar.establishment_id])


# -- events ---------------------------------------------------------------------------------------


def _audit(actor: Any, event: Event, action: str, before: Any, after: Any) -> None:
    if event.calendar.kind != CalendarKind.PERSONAL:
        record(
            actor=actor,
            establishment=event.establishment,
            action=f"calendar.event.{action}",
            target=event,
            before=before,
            after=after,
        )


def audience_of(calendar: Calendar, profiles: list[str] | None = None) -> QuerySet:
    """The people a shared calendar reaches (one query): a class's or group's students, their
    guardians and teachers; a workspace's members; the establishment's members of this year in
    the event's profiles (all of them when none)."""
    establishment_id = calendar.establishment_id
    year = current_school_year()
    if calendar.kind == CalendarKind.WORKSPACE:
        members = WorkspaceMember.objects.filter(
            establishment_id=establishment_id, workspace_id=calendar.workspace_id
        )
        return User.objects.filter(pk__in=members.values("person"), is_active=True)
    if calendar.kind == CalendarKind.ESTABLISHMENT:
        members = Membership.objects.filter(
            establishment_id=establishment_id, school_year=year, is_active=True
        )
        if profiles:
            members = members.filter(profile__in=profiles)
        return User.objects.filter(pk__in=members.values("person"), is_active=True)
    if calendar.kind == CalendarKind.CLASS:
        students = Enrolment.objects.filter(
            establishment_id=establishment_id, school_class_id=calendar.school_class_id
        ).values("student")
        teachers = TeachingAssignment.objects.filter(
            establishment_id=establishment_id, school_class_id=calendar.school_class_id
        ).values("teacher")
    elif calendar.kind == CalendarKind.GROUP:
        students = GroupMembership.objects.filter(
            establishment_id=establishment_id, group_id=calendar.group_id
        ).values("student")
        teachers = TeachingAssignment.objects.filter(
            establishment_id=establishment_id, group_id=calendar.group_id
        ).values("teacher")
    else:
        return User.objects.none()
    guardians = Guardianship.objects.filter(student__in=students).values("guardian")
    return User.objects.filter(
        Q(pk__in=students) | Q(pk__in=guardians) | Q(pk__in=teachers), is_active=True
    )


def _notify(actor: Any, event: Event) -> None:
    calendar = event.calendar
    if calendar.kind == CalendarKind.PERSONAL:
        return
    author = getattr(actor, "user", actor)
    start = event.start.astimezone(ical.PARIS)
    when = start.strftime("%d/%m/%Y") if event.all_day else start.strftime("%d/%m/%Y %H:%M")
    notify(
        recipients=audience_of(calendar, event.profiles).exclude(pk=author.pk),
        establishment=event.establishment,
        kind=Kind.CALENDAR,
        title=event.title,
        body=f"{calendar.label} · {when}",
        url=reverse("calendar:event", kwargs={"public_id": event.public_id}),
        actor=author,
    )


def do_add_event(
    *,
    actor: Any,
    calendar: Calendar,
    title: str,
    start: datetime,
    end: datetime,
    all_day: bool = False,
    description: str = "",
    location: str = "",
    rrule: str = "",
    profiles: list[str] | None = None,
) -> Event:
    """A new event in a calendar, entered in the portal."""
    uid = f"{uuid.uuid4()}@preau"
    text = ical.build(
        uid=uid,
        title=title.strip(),
        description=description.strip(),
        location=location.strip(),
        start=start,
        end=end,
        all_day=all_day,
        rrule=rrule,
    )
    parsed = ical.parse(text)
    with transaction.atomic():
        event = Event(
            calendar=calendar, establishment=calendar.establishment, resource=f"{uid}.ics"
        )
        _fill(event, parsed)
        event.profiles = (
            sorted(set(profiles or [])) if calendar.kind == CalendarKind.ESTABLISHMENT else []
        )
        event.created_by = getattr(actor, "user", actor)
        event.save()
        _touch(calendar)
        _audit(actor, event, "add", None, snapshot(event, EVENT_FIELDS))
        transaction.on_commit(lambda: _notify(actor, event))
    return event


def _fill(event: Event, parsed: ical.Parsed) -> None:
    event.uid = parsed.uid
    event.title = parsed.title
    event.description = parsed.description
    event.location = parsed.location
    event.start = parsed.start
    event.end = parsed.end
    event.all_day = parsed.all_day
    event.rrule = parsed.rrule
    event.last_end = parsed.last_end
    event.ical = parsed.text
    event.etag = ical.etag_of(parsed.text)


def do_update_event(
    *,
    actor: Any,
    event: Event,
    title: str,
    start: datetime,
    end: datetime,
    all_day: bool = False,
    description: str = "",
    location: str = "",
    rrule: str = "",
    profiles: list[str] | None = None,
) -> Event:
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("calendar").get(pk=event.pk)
        before = snapshot(event, EVENT_FIELDS)
        text = ical.build(
            uid=event.uid,
            title=title.strip(),
            description=description.strip(),
            location=location.strip(),
            start=start,
            end=end,
            all_day=all_day,
            rrule=rrule,
            base=event.ical,
        )
        _fill(event, ical.parse(text))
        if event.calendar.kind == CalendarKind.ESTABLISHMENT:
            event.profiles = sorted(set(profiles or []))
        event.save()
        _touch(event.calendar)
        _audit(actor, event, "update", before, snapshot(event, EVENT_FIELDS))
    return event


def do_delete_event(*, actor: Any, event: Event) -> None:
    with transaction.atomic():
        _audit(actor, event, "delete", snapshot(event, EVENT_FIELDS), None)
        _touch(event.calendar)
        event.delete()


def do_store_event(
    *, actor: Any, calendar: Calendar, resource: str, parsed: ical.Parsed, event: Event | None
) -> tuple[Event, bool]:
    """Create or replace an event from a CalDAV client's text (PUT). Returns (event, created)."""
    created = event is None
    try:
        with transaction.atomic():
            if event is None:
                event = Event(
                    calendar=calendar,
                    establishment=calendar.establishment,
                    resource=resource,
                    created_by=getattr(actor, "user", actor),
                )
            elif event.uid != parsed.uid:
                raise Conflict
            _fill(event, parsed)
            event.save()
            _touch(calendar)
            _audit(
                actor, event, "add" if created else "update", None, snapshot(event, EVENT_FIELDS)
            )
            if created:
                transaction.on_commit(lambda: _notify(actor, event))
    except IntegrityError as exc:
        raise Conflict from exc
    return event, created


# -- feeds ----------------------------------------------------------------------------------------


def do_issue_feed(*, actor: Any, calendar: Calendar, renew: bool = False) -> FeedToken:
    """The reader's feed of a calendar; ``renew`` replaces it (the old address stops)."""
    user = getattr(actor, "user", actor)
    with transaction.atomic():
        feed = FeedToken.objects.filter(calendar=calendar, person=user).first()
        if feed is not None and not renew:
            return feed
        if feed is not None:
            feed.delete()
        return FeedToken.objects.create(
            establishment=calendar.establishment,
            calendar=calendar,
            person=user,
            salt=secrets.token_hex(16),
        )
