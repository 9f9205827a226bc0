"""The agenda's homework layer: each homework due in the range as an all-day item."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from preau.calendar.ical import Occurrence
from preau.calendar.layers import AgendaQuery
from preau.logbook import policies
from preau.logbook.models import Homework
from preau.timetable.generation import PARIS


def homework_layer(query: AgendaQuery) -> list[Occurrence]:
    """Homework of the reader's class (a student's, a guardian's child's) or that a teacher
    set, due in the range (1 query)."""
    actor = query.actor
    timetable = policies.reader_timetable(actor, query.child)
    if timetable is not None:
        homework = Homework.objects.filter(lesson__in=policies.timetable_lessons(timetable))
    elif actor.is_teacher:
        homework = Homework.objects.filter(lesson__in=policies.writable_lessons(actor))
    else:
        return []
    first = query.start.astimezone(PARIS).date()
    last = query.end.astimezone(PARIS).date()
    url = reverse("logbook:homework")
    found = []
    for item in homework.filter(due_date__gte=first, due_date__lt=last).select_related(
        "subject", "school_class", "group"
    ):
        start = datetime.combine(item.due_date, time(0), tzinfo=PARIS)
        found.append(
            Occurrence(
                start=start,
                end=start + timedelta(days=1),
                all_day=True,
                title=_("%(subject)s : %(kind)s")
                % {"subject": item.subject.label, "kind": item.get_kind_display()},
                location="",
                url=url,
                source=item.audience.name,
                kind="homework",
            )
        )
    return found
