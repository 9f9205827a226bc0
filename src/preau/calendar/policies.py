"""Who may read and write which calendars and events. The one place these rules live.

Reading: a person reads their own personal calendars; the calendar of the classes and groups
they belong to (students), teach (teachers) or their children belong to (guardians, in every
establishment of their children); the calendar of their establishment (and of their children's);
direction and school life read every class and group calendar of their establishment; a group
workspace's calendar is read by the workspace's members only (not the head, not guardians). An
establishment event aimed at some national profiles is shown to those profiles only (and to
those who write the calendar).

Writing: a personal calendar by its owner; a class or group calendar by its teachers and by the
head, deputy heads and CPE; a workspace's calendar by its animators and members while the
workspace is open and they have the floor (readers and muted members read); the establishment
calendar by the direction, school life and the administrative staff. Another establishment's
calendars do not exist for anyone else (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from preau.calendar.models import Calendar, CalendarKind, Event
from preau.directory.models import Function, GroupMembership, Profile, SchoolClass, TeachingGroup
from preau.directory.policies import get_or_404
from preau.groups.models import Workspace, WorkspaceMember
from preau.groups.policies import POSTING_ROLES, visible_workspaces
from preau.portal.selectors import is_service_enabled

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child

# Who writes to every class and group calendar of their establishment.
CLASS_WRITING_FUNCTIONS = frozenset({Function.HEAD, Function.DEPUTY_HEAD, Function.CPE})
# Who writes to the establishment calendar: by function, or by national profile.
ESTABLISHMENT_WRITING_FUNCTIONS = frozenset(
    {Function.HEAD, Function.DEPUTY_HEAD, Function.CPE, Function.SECRETARY}
)
ESTABLISHMENT_WRITING_PROFILES = frozenset({Profile.DIRECTION, Profile.EDUCATION, Profile.STAFF})


# -- reading calendars -------------------------------------------------------------------------


def _children_here(actor: Actor, establishment_id: int) -> list[Child]:
    return [
        child
        for child in actor.children
        if any(e.establishment_id == establishment_id for e in child.enrolments)
    ]


def _child_condition(child: Child) -> Q:
    """The calendars a guardian reads for one child: its class, groups and establishment."""
    condition = Q(pk__in=[])
    for enrolment in child.enrolments:
        if not enrolment.establishment.is_active:
            continue
        groups = GroupMembership.objects.filter(
            establishment_id=enrolment.establishment_id, student_id=child.student.pk
        ).values("group_id")
        condition |= Q(establishment_id=enrolment.establishment_id) & (
            Q(kind=CalendarKind.ESTABLISHMENT)
            | Q(kind=CalendarKind.CLASS, school_class_id=enrolment.school_class_id)
            | Q(kind=CalendarKind.GROUP, group_id__in=groups)
        )
    return condition


def _workspace_condition(actor: Actor) -> Q:
    """The calendars of the workspaces the actor is a member of (a subquery, no query); none
    when the establishment turned the workspaces off (their calendars close with them)."""
    if actor.establishment is None or not is_service_enabled(actor.establishment, "groups"):
        return Q(pk__in=[])
    return Q(kind=CalendarKind.WORKSPACE, workspace__in=visible_workspaces(actor).values("pk"))


def _shared_condition(actor: Actor) -> Q:
    """Class, group and establishment calendars of the actor's establishment they belong to."""
    establishment = actor.establishment
    condition = Q(kind=CalendarKind.ESTABLISHMENT)
    if actor.sees_whole_establishment:
        condition |= Q(
            kind__in=[CalendarKind.CLASS, CalendarKind.GROUP],
        ) & (
            Q(school_class__school_year=actor.school_year) | Q(group__school_year=actor.school_year)
        )
    class_ids = set(actor.taught_class_ids)
    group_ids = set(actor.taught_group_ids) | set(actor.group_ids)
    if actor.enrolment is not None:
        class_ids.add(actor.enrolment.school_class_id)
    condition |= Q(kind=CalendarKind.CLASS, school_class_id__in=class_ids)
    condition |= Q(kind=CalendarKind.GROUP, group_id__in=group_ids)
    condition |= _workspace_condition(actor)
    return Q(establishment=establishment) & condition


def visible_calendars(actor: Actor) -> QuerySet[Calendar]:
    """Every calendar the actor may read, in their establishment and their children's."""
    if actor.establishment is None:
        return Calendar.objects.none()
    condition = _shared_condition(actor) | Q(
        kind=CalendarKind.PERSONAL, owner=actor.user, establishment=actor.establishment
    )
    for child in actor.children:
        condition |= _child_condition(child)
    return Calendar.objects.filter(condition).select_related(
        "establishment", "school_class", "group", "workspace"
    )


def agenda_calendars(actor: Actor, child: Child | None) -> QuerySet[Calendar]:
    """The calendars shown together by default: the personal ones, the establishment's and the
    actor's own classes and groups — or, for a guardian, those of the selected child."""
    if actor.establishment is None:
        return Calendar.objects.none()
    personal = Q(kind=CalendarKind.PERSONAL, owner=actor.user, establishment=actor.establishment)
    if child is not None and child.student.pk in actor.child_ids:
        condition = personal | _child_condition(child)
    else:
        establishment = actor.establishment
        class_ids = set(actor.taught_class_ids)
        if actor.enrolment is not None:
            class_ids.add(actor.enrolment.school_class_id)
        group_ids = set(actor.taught_group_ids) | set(actor.group_ids)
        condition = personal | (
            Q(establishment=establishment)
            & (
                Q(kind=CalendarKind.ESTABLISHMENT)
                | Q(kind=CalendarKind.CLASS, school_class_id__in=class_ids)
                | Q(kind=CalendarKind.GROUP, group_id__in=group_ids)
                | _workspace_condition(actor)
            )
        )
    return Calendar.objects.filter(condition).select_related(
        "establishment", "school_class", "group", "workspace"
    )


def access_calendar(actor: Actor, public_id: Any) -> Calendar:
    """A calendar the actor may read, or Http404 (the same for missing and forbidden)."""
    return get_or_404(visible_calendars(actor), public_id)


# -- reading events ------------------------------------------------------------------------------


def reader_profiles(actor: Actor, calendar: Calendar) -> frozenset[str] | None:
    """The national profiles under which the actor reads an establishment calendar, or None
    when they see all its events (those who write it, and every other kind of calendar)."""
    if calendar.kind != CalendarKind.ESTABLISHMENT or can_write(actor, calendar):
        return None
    if actor.establishment is not None and calendar.establishment_id == actor.establishment.pk:
        return actor.profiles
    # A guardian reading their child's school.
    return frozenset({Profile.GUARDIAN})


def shows_event(profiles: frozenset[str] | None, event: Event) -> bool:
    """Whether a reader with these profiles (None: all) sees an establishment event."""
    return profiles is None or not event.profiles or bool(profiles & set(event.profiles))


def access_event(actor: Actor, public_id: Any) -> Event:
    """An event the actor may read, or Http404."""
    event = get_or_404(
        Event.objects.filter(calendar__in=visible_calendars(actor)).select_related(
            "calendar__establishment",
            "calendar__school_class",
            "calendar__group",
            "calendar__workspace",
            "calendar__owner",
        ),
        public_id,
    )
    if not shows_event(reader_profiles(actor, event.calendar), event):
        raise Http404
    return event


# -- writing -------------------------------------------------------------------------------------


def writes_establishment(actor: Actor) -> bool:
    if actor.establishment is None:
        return False
    return bool(actor.functions & ESTABLISHMENT_WRITING_FUNCTIONS) or bool(
        actor.profiles & ESTABLISHMENT_WRITING_PROFILES
    )


def writes_every_class(actor: Actor) -> bool:
    return actor.establishment is not None and bool(actor.functions & CLASS_WRITING_FUNCTIONS)


def can_write(actor: Actor, calendar: Calendar) -> bool:
    """Whether the actor adds, changes and deletes the calendar's events."""
    establishment = actor.establishment
    if establishment is None or calendar.establishment_id != establishment.pk:
        return False
    if calendar.kind == CalendarKind.PERSONAL:
        return calendar.owner_id == actor.user.pk
    if calendar.kind == CalendarKind.ESTABLISHMENT:
        return writes_establishment(actor)
    if calendar.kind == CalendarKind.WORKSPACE:
        return writes_workspace(actor, calendar.workspace_id)
    if writes_every_class(actor):
        return True
    if calendar.kind == CalendarKind.CLASS:
        return calendar.school_class_id in actor.taught_class_ids
    return calendar.group_id in actor.taught_group_ids


def _workspace_writers(actor: Actor) -> QuerySet[WorkspaceMember]:
    """The actor's memberships that let them write a workspace's calendar: animator or member,
    with the floor, in an open workspace of their current establishment."""
    return WorkspaceMember.objects.filter(
        person=actor.user,
        establishment=actor.establishment,
        role__in=list(POSTING_ROLES),
        muted_at__isnull=True,
        workspace__archived_at__isnull=True,
    )


def writes_workspace(actor: Actor, workspace_id: int) -> bool:
    """Whether the actor writes the calendar of this workspace (1 query)."""
    if actor.establishment is None or not actor.is_authenticated:
        return False
    return _workspace_writers(actor).filter(workspace_id=workspace_id).exists()


def writable_workspaces(actor: Actor) -> QuerySet[Workspace]:
    """The workspaces whose calendar the actor writes, by name."""
    if actor.establishment is None or not actor.is_authenticated:
        return Workspace.objects.none()
    return Workspace.objects.filter(
        pk__in=_workspace_writers(actor).values("workspace_id"),
        establishment=actor.establishment,
    ).order_by("name", "id")


def can_manage_calendar(actor: Actor, calendar: Calendar) -> bool:
    """Rename or delete: the owner of a personal calendar."""
    return calendar.kind == CalendarKind.PERSONAL and can_write(actor, calendar)


def writable_classes(actor: Actor) -> QuerySet[SchoolClass]:
    establishment = actor.establishment
    if establishment is None:
        return SchoolClass.objects.none()
    classes = SchoolClass.objects.filter(
        establishment=establishment, school_year=actor.school_year
    ).select_related("level")
    if writes_every_class(actor):
        return classes
    return classes.filter(pk__in=actor.taught_class_ids)


def writable_groups(actor: Actor) -> QuerySet[TeachingGroup]:
    establishment = actor.establishment
    if establishment is None:
        return TeachingGroup.objects.none()
    groups = TeachingGroup.objects.filter(
        establishment=establishment, school_year=actor.school_year
    )
    if writes_every_class(actor):
        return groups
    return groups.filter(pk__in=actor.taught_group_ids)


def personal_calendars(actor: Actor) -> QuerySet[Calendar]:
    """The actor's own personal calendars in their establishment."""
    if actor.establishment is None:
        return Calendar.objects.none()
    return Calendar.objects.filter(
        kind=CalendarKind.PERSONAL, owner=actor.user, establishment=actor.establishment
    ).select_related("establishment")


# -- CalDAV ----------------------------------------------------------------------------------------


def dav_calendars(actor: Actor) -> QuerySet[Calendar]:
    """What a phone syncs: the person's personal calendars in each of their establishments
    (read-write), and, read-only, the calendars of their own classes, groups and establishment
    and those of their children."""
    if actor.establishment is None:
        return Calendar.objects.none()
    condition = Q(
        kind=CalendarKind.PERSONAL,
        owner=actor.user,
        establishment_id__in=[e.pk for e in actor.establishments],
    )
    condition |= Q(pk__in=agenda_calendars(actor, None).values("pk"))
    for child in actor.children:
        condition |= _child_condition(child)
    return Calendar.objects.filter(condition).select_related(
        "establishment", "school_class", "group", "workspace"
    )


def can_write_by_dav(actor: Actor, calendar: Calendar) -> bool:
    """Only personal calendars are written from phones; the shared ones are read-only there."""
    return calendar.kind == CalendarKind.PERSONAL and calendar.owner_id == actor.user.pk
