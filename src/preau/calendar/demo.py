"""Demo events (idempotent: an event already there by title is kept): the collège's meetings
and outing, the 4e B's events, personal events of the cast, one that repeats every week, and
the theatre club workspace's rehearsal and show.
Dates are placed relative to today so the demo agenda always has something ahead."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from preau.calendar import actions
from preau.calendar.ical import PARIS
from preau.calendar.models import Event
from preau.core.actor import Actor
from preau.directory.models import Profile
from preau.groups.demo import CLUB
from preau.groups.models import Workspace

if TYPE_CHECKING:
    from preau.demo.cast import Cast


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def _weekday(after: date, weekday: int, weeks: int = 0) -> date:
    """The first given weekday (0 = Monday) after ``after``, ``weeks`` weeks later."""
    return after + timedelta(days=(weekday - after.weekday()) % 7 + 7 * weeks)


def _add(person: Any, calendar: Any, title: str, **fields: Any) -> Event:
    existing = Event.objects.filter(calendar=calendar, title=title).first()
    if existing is not None:
        return existing
    return actions.do_add_event(actor=Actor(person), calendar=calendar, title=title, **fields)


def build(cast: Cast) -> list[Event]:
    today = timezone.localdate()
    return [*_club_events(cast, today), *_establishment_events(cast, today)]


def _club_events(cast: Cast, today: date) -> list[Event]:
    """The theatre club's calendar, when the groups' demo made the club."""
    club = Workspace.objects.filter(
        establishment=cast.moulin, name=CLUB, archived_at__isnull=True
    ).first()
    if club is None:
        return []
    calendar = actions.shared_calendar(establishment=cast.moulin, workspace=club)
    rehearsal = _weekday(today, 2, 1)
    show = _weekday(today, 4, 5)
    return [
        _add(
            cast.garcia,
            calendar,
            "Répétition générale",
            start=_at(rehearsal, 13),
            end=_at(rehearsal, 15),
            location="Salle polyvalente",
            description="Toute la pièce, en costumes.",
        ),
        _add(
            cast.garcia,
            calendar,
            "Représentation du club théâtre",
            start=_at(show, 18),
            end=_at(show, 19, 30),
            location="Salle polyvalente",
            description="Les familles sont les bienvenues.",
        ),
    ]


def _establishment_events(cast: Cast, today: date) -> list[Event]:
    moulin = actions.shared_calendar(establishment=cast.moulin)
    class_4b = actions.shared_calendar(establishment=cast.moulin, school_class=cast.class_4b)
    curie = actions.shared_calendar(establishment=cast.curie)
    bernard = actions.ensure_personal_calendar(actor=cast.bernard, establishment=cast.moulin)
    lea = actions.ensure_personal_calendar(actor=cast.lea, establishment=cast.moulin)
    sophie = actions.ensure_personal_calendar(actor=cast.sophie, establishment=cast.moulin)
    meeting = _weekday(today, 3, 1)
    council = _weekday(today, 1, 2)
    outing = _weekday(today, 4, 3)
    return [
        _add(
            cast.principal_moulin,
            moulin,
            "Réunion parents-professeurs",
            start=_at(meeting, 17),
            end=_at(meeting, 20),
            location="Réfectoire",
            description="Rencontre avec l'équipe pédagogique de chaque classe. "
            "Prenez rendez-vous auprès des professeurs principaux.",
            profiles=[Profile.GUARDIAN, Profile.TEACHER],
        ),
        _add(
            cast.principal_moulin,
            moulin,
            "Journée pédagogique : pas de cours",
            start=_at(_weekday(today, 2, 4), 0),
            end=_at(_weekday(today, 2, 4) + timedelta(days=1), 0),
            all_day=True,
        ),
        _add(
            cast.principal_moulin,
            class_4b,
            "Conseil de classe de la 4e B",
            start=_at(council, 17, 30),
            end=_at(council, 19),
            location="Salle du conseil",
        ),
        _add(
            cast.bernard,
            class_4b,
            "Sortie au Palais de la découverte",
            start=_at(outing, 8, 30),
            end=_at(outing, 16, 30),
            location="Départ devant le collège",
            description="Prévoir un pique-nique. L'autorisation de sortie est à rendre "
            "signée avant lundi.",
        ),
        _add(
            cast.bernard,
            class_4b,
            "Contrôle de mathématiques",
            start=_at(_weekday(today, 3), 10),
            end=_at(_weekday(today, 3), 11),
        ),
        _add(
            cast.bernard,
            bernard,
            "Formation académique : enseigner avec le numérique",
            start=_at(_weekday(today, 2, 1), 14),
            end=_at(_weekday(today, 2, 1), 17),
            location="Rectorat de Versailles",
        ),
        _add(
            cast.lea,
            lea,
            "Entraînement de handball",
            start=_at(_weekday(today, 2, -1), 17),
            end=_at(_weekday(today, 2, -1), 18, 30),
            location="Gymnase Jean Jaurès",
            rrule="FREQ=WEEKLY",
        ),
        _add(
            cast.sophie,
            sophie,
            "Rendez-vous orthodontiste de Léa",
            start=_at(_weekday(today, 5), 9, 30),
            end=_at(_weekday(today, 5), 10),
        ),
        _add(
            cast.principal_curie,
            curie,
            "Forum des métiers",
            start=_at(_weekday(today, 1, 2), 13, 30),
            end=_at(_weekday(today, 1, 2), 17),
            location="CDI",
        ),
    ]
