"""Agenda pages: the week, month and list views, events, calendars and their feeds.

Every calendar and event is reached through calendar/policies.py; every change goes through
calendar/actions.py.
"""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from preau.calendar import actions, feeds, ical, layers, policies, selectors
from preau.calendar.forms import CalendarForm, EventForm
from preau.calendar.models import FeedToken
from preau.core.actor import (
    SESSION_ESTABLISHMENT_KEY,
    Actor,
    selected_child,
)
from preau.portal.selectors import is_service_enabled

VIEWS = ("week", "month", "list")
LIST_DAYS = 30


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def _writable_event(actor: Actor, public_id: UUID) -> Any:
    """An event the actor may change; 404 for one they only read, as for one they cannot see."""
    found = policies.access_event(actor, public_id)
    if not policies.can_write(actor, found.calendar):
        raise Http404
    return found


def _managed_calendar(actor: Actor, public_id: UUID) -> Any:
    """A calendar the actor may rename or delete; 404 otherwise."""
    found = policies.access_calendar(actor, public_id)
    if not policies.can_manage_calendar(actor, found):
        raise Http404
    return found


def _range(view: str, day: date) -> tuple[date, int, date, date]:
    """First day shown, number of days, and the days before and after for navigation."""
    if view == "month":
        first_of_month = day.replace(day=1)
        first = first_of_month - timedelta(days=first_of_month.weekday())
        days_in_month = month_calendar.monthrange(day.year, day.month)[1]
        last = first_of_month + timedelta(days=days_in_month - 1)
        last += timedelta(days=6 - last.weekday())
        previous = (first_of_month - timedelta(days=1)).replace(day=1)
        following = first_of_month + timedelta(days=days_in_month)
        return first, (last - first).days + 1, previous, following
    if view == "list":
        return day, LIST_DAYS, day - timedelta(days=LIST_DAYS), day + timedelta(days=LIST_DAYS)
    first = day - timedelta(days=day.weekday())
    return first, 7, first - timedelta(days=7), first + timedelta(days=7)


@login_required
def agenda(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "week"
    day = _day(request.GET.get("date"))
    child = selected_child(request, actor, guardian_home_only=True)
    only = request.GET.get("calendar")
    if only:
        calendars: Any = [policies.access_calendar(actor, only)]
    else:
        calendars = policies.agenda_calendars(actor, child)
    first, count, previous, following = _range(view, day)
    start, end = selectors.day_range(first, count)
    found = layers.occurrences(layers.AgendaQuery(actor, child, start, end, calendars))
    days: dict[date, list[Any]] = {first + timedelta(days=i): [] for i in range(count)}
    for occurrence in found:
        for covered in occurrence.days():
            if covered in days:
                days[covered].append(occurrence)
    today = timezone.localdate()
    if view == "list":
        shown = [(d, items) for d, items in days.items() if items]
    else:
        shown = list(days.items())
    weeks = [shown[i : i + 7] for i in range(0, len(shown), 7)] if view == "month" else []
    return render(
        request,
        "calendar/agenda.html",
        {
            "view": view,
            "day": day,
            "first": first,
            "last": first + timedelta(days=count - 1),
            "days": shown,
            "weeks": weeks,
            "today": today,
            "previous": previous,
            "following": following,
            "only": calendars[0] if only else None,
            "child": child,
            "children": actor.children if actor.home_kind == "guardian" else [],
            "can_add": bool(actor.establishment),
        },
    )


@login_required
def event(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = policies.access_event(actor, public_id)
    occurrence = None
    if found.rrule and request.GET.get("on"):
        # The occurrence the reader clicked in the agenda, for a repeated event.
        start, end = selectors.day_range(_day(request.GET.get("on")), 1)
        occurrence = next(iter(ical.occurrences(found, start, end)), None)
    return render(
        request,
        "calendar/event.html",
        {
            "event": found,
            "occurrence": occurrence,
            "can_write": policies.can_write(actor, found.calendar),
        },
    )


def _event_kwargs(form: EventForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "start": data["start"],
        "end": data["end"],
        "all_day": data.get("all_day", False),
        "description": data.get("description", ""),
        "location": data.get("location", ""),
        "rrule": data.get("rrule", ""),
        "profiles": data.get("profiles") or [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if actor.establishment is None:
        raise Http404
    initial: dict[str, Any] = {}
    if request.GET.get("date"):
        initial["start_date"] = _day(request.GET.get("date"))
    form = EventForm(
        request.POST or None,
        actor=actor,
        initial=initial,
        initial_calendar=request.GET.get("calendar", ""),
    )
    if request.method == "POST" and form.is_valid():
        target = form.target()
        if "calendar" in target:
            calendar = target["calendar"]
        elif target.get("personal"):
            calendar = actions.ensure_personal_calendar(
                actor=actor, establishment=actor.establishment
            )
        else:
            calendar = actions.shared_calendar(establishment=actor.establishment, **target)
        if not policies.can_write(actor, calendar):
            raise Http404
        created = actions.do_add_event(actor=actor, calendar=calendar, **_event_kwargs(form))
        messages.success(request, _("L'événement est ajouté."))
        return redirect("calendar:event", public_id=created.public_id)
    return render(request, "calendar/event_form.html", {"form": form, "event": None})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = _writable_event(actor, public_id)
    form = EventForm(request.POST or None, actor=actor, event=found)
    if request.method == "POST" and form.is_valid():
        actions.do_update_event(actor=actor, event=found, **_event_kwargs(form))
        messages.success(request, _("L'événement est modifié."))
        return redirect("calendar:event", public_id=found.public_id)
    return render(request, "calendar/event_form.html", {"form": form, "event": found})


@login_required
@require_http_methods(["GET", "POST"])
def event_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = _writable_event(actor, public_id)
    if request.method == "POST":
        actions.do_delete_event(actor=actor, event=found)
        messages.success(request, _("L'événement est supprimé."))
        return redirect("calendar:agenda")
    return render(request, "calendar/event_delete.html", {"event": found})


# -- calendars ------------------------------------------------------------------------------------


@login_required
def calendars(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    visible = list(policies.visible_calendars(actor))
    return render(
        request,
        "calendar/calendars.html",
        {"calendars": visible, "can_create": actor.establishment is not None},
    )


@login_required
def calendar_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = policies.access_calendar(actor, public_id)
    feed = FeedToken.objects.filter(calendar=found, person=actor.user).first()
    return render(
        request,
        "calendar/calendar.html",
        {
            "calendar": found,
            "feed_url": feeds.url_of(request, feed) if feed else "",
            "can_write": policies.can_write(actor, found),
            "can_manage": policies.can_manage_calendar(actor, found),
            "caldav_url": request.build_absolute_uri("/caldav/"),
        },
    )


@login_required
@require_POST
def calendar_feed(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Issue the reader's secret address, or replace it (the old one stops working)."""
    actor = request.actor
    found = policies.access_calendar(actor, public_id)
    renew = request.POST.get("renew") == "1"
    actions.do_issue_feed(actor=actor, calendar=found, renew=renew)
    if renew:
        messages.success(request, _("Nouvelle adresse créée : l'ancienne ne fonctionne plus."))
    return redirect("calendar:calendar", public_id=found.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if actor.establishment is None:
        raise Http404
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = actions.do_create_calendar(actor=actor, name=form.cleaned_data["name"])
        messages.success(request, _("L'agenda est créé."))
        return redirect("calendar:calendar", public_id=created.public_id)
    return render(request, "calendar/calendar_form.html", {"form": form, "calendar": None})


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = _managed_calendar(actor, public_id)
    form = CalendarForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        actions.do_rename_calendar(actor=actor, calendar=found, name=form.cleaned_data["name"])
        messages.success(request, _("L'agenda est renommé."))
        return redirect("calendar:calendar", public_id=found.public_id)
    return render(request, "calendar/calendar_form.html", {"form": form, "calendar": found})


@login_required
@require_http_methods(["GET", "POST"])
def calendar_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    found = _managed_calendar(actor, public_id)
    if request.method == "POST":
        actions.do_delete_calendar(actor=actor, calendar=found)
        messages.success(request, _("L'agenda et ses événements sont supprimés."))
        return redirect("calendar:calendars")
    return render(request, "calendar/calendar_delete.html", {"calendar": found})


# -- the secret feed ------------------------------------------------------------------------------


def feed(request: HttpRequest, public_id: UUID, token: str) -> HttpResponse:
    """A calendar's events as its reader sees them now, for calendar apps (no login: the
    address is the secret). A wrong or replaced token, or a reader who lost access: 404."""
    found = (
        FeedToken.objects.filter(public_id=public_id)
        .select_related(
            "calendar__establishment",
            "calendar__school_class",
            "calendar__group",
            "calendar__workspace",
        )
        .select_related("person", "establishment")
        .first()
    )
    if found is None or not feeds.matches(found, token) or not found.person.is_active:
        raise Http404
    reader = Actor(found.person, {SESSION_ESTABLISHMENT_KEY: str(found.establishment.public_id)})
    calendar = policies.visible_calendars(reader).filter(pk=found.calendar_id).first()
    if calendar is None or not is_service_enabled(calendar.establishment, "calendar"):
        raise Http404
    body = ical.feed(str(calendar.label), selectors.feed_events(reader, calendar))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
