"""Meeting pages: the lists, a campaign as each person sees it, the forms, the schedules (page
and PDF) and the bookings board.

Every campaign, range, slot and booking is reached through meetings/policies.py. Views parse
input and call the actions; a refusal comes back as a message on the campaign's page.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from preau.core.actor import Actor, Child, selected_child
from preau.meetings import actions, policies, selectors
from preau.meetings.actions import MeetingRefused
from preau.meetings.forms import CampaignForm, RangeForm
from preau.meetings.models import Campaign

PAGE_SIZE = 20


def _page(request: HttpRequest, queryset: Any, param: str) -> Any:
    campaigns = queryset.select_related("establishment").order_by("-starts_at", "-id")
    return Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get(param))


def _child(request: HttpRequest, actor: Actor, concerned: list[Child]) -> Child | None:
    """The guardian's child this page is about, among those the campaign concerns: ``?child=``
    (another child answers 404), else the one last chosen when concerned, else the first."""
    if not concerned:
        return None
    child = selected_child(request, actor)
    ids = {c.student.pk for c in concerned}
    if child is not None and child.student.pk in ids:
        return child
    if request.GET.get("child"):
        raise Http404
    return concerned[0]


def _detail_url(campaign: Campaign, **params: Any) -> str:
    url = reverse("meetings:detail", kwargs={"public_id": campaign.public_id})
    params = {key: value for key, value in params.items() if value}
    return f"{url}?{urlencode(params)}" if params else url


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The campaigns of each of the person's roles: a child's, the teacher's, the school's."""
    actor = request.actor
    context: dict[str, Any] = {"can_create": policies.is_organiser(actor)}
    if actor.is_guardian and actor.children:
        child = selected_child(request, actor)
        context.update(
            child=child,
            children=actor.children,
            child_page=_page(request, policies.child_campaigns(actor, child), "cpage"),
            child_extra=f"&child={child.public_id}",
        )
    if actor.is_teacher:
        context["teacher_page"] = _page(request, policies.teacher_campaigns(actor), "page")
    if policies.is_overseer(actor):
        context["establishment_page"] = _page(
            request, policies.establishment_campaigns(actor), "epage"
        )
    return render(request, "meetings/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not policies.is_organiser(actor):
        raise Http404
    classes = (
        policies.campaign_classes_choices(actor)
        .select_related("level")
        .order_by("level__order", "name")
    )
    form = CampaignForm(request.POST or None, classes=classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = actions.do_create_campaign(
                actor=actor,
                establishment=actor.establishment,
                school_year=actor.school_year,
                title=data["title"],
                classes=form.chosen_classes(),
                day=data["day"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                slot_minutes=data["slot_minutes"],
                booking_opens_at=data["booking_opens_at"],
                booking_closes_at=data["booking_closes_at"],
                cancellation_deadline=data["cancellation_deadline"],
            )
        except MeetingRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("La rencontre est créée : les professeurs peuvent ouvrir leurs créneaux."),
            )
            return redirect("meetings:detail", public_id=campaign.public_id)
    return render(request, "meetings/form.html", {"form": form})


@login_required
def detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A campaign: for a guardian, the child's hosts, one host's slots and the family's
    meetings; for a host, their ranges and the form to open one."""
    actor = request.actor
    campaign = policies.access_campaign(actor, public_id)
    context: dict[str, Any] = {
        "campaign": campaign,
        "now": timezone.now(),
        "open_for_booking": campaign.is_open_for_booking(),
        "may_cancel": campaign.may_cancel(),
    }
    concerned = policies.children_concerned(actor, campaign)
    child = _child(request, actor, concerned)
    if child is not None:
        context.update(
            child=child,
            children=concerned,
            family=selectors.family_schedule(actor, campaign),
            hosts=selectors.hosts_for_child(campaign, child),
        )
        chosen = request.GET.get("host")
        if chosen:
            try:
                host_id = uuid.UUID(chosen)
            except ValueError as exc:
                raise Http404 from exc
            slots = selectors.host_slots_for_child(campaign, child, host_id)
            if not slots:
                raise Http404
            busy = [
                (b.slot.starts_at, b.slot.ends_at)
                for b in context["family"]
                if b.guardian_id == actor.user.pk
            ]
            for slot in slots:
                slot.clashes = any(s < slot.ends_at and slot.starts_at < e for s, e in busy)
            context.update(host=slots[0].host, host_slots=slots, room=slots[0].availability.room)
    if policies.can_host(actor, campaign):
        context.update(
            hosting=True,
            ranges=list(policies.own_availabilities(actor, campaign).order_by("starts_at")),
            range_form=RangeForm(),
        )
    context["board"] = policies.sees_board(actor, campaign)
    return render(request, "meetings/detail.html", context)


@login_required
@require_POST
def open_range(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    campaign = policies.access_campaign(actor, public_id)
    if not policies.can_host(actor, campaign):
        raise Http404
    form = RangeForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Indiquez l'heure de début et l'heure de fin de la plage (HH:MM).")
        )
        return redirect(_detail_url(campaign))
    data = form.cleaned_data
    try:
        availability = actions.do_open_availability(
            actor=actor,
            campaign=campaign,
            start_time=data["start_time"],
            end_time=data["end_time"],
            room=data["room"],
            for_all_families=policies.is_organiser(actor),
        )
    except MeetingRefused as refusal:
        messages.error(request, refusal.message)
    else:
        count = availability.slots.count()
        messages.success(
            request,
            _("Plage ouverte : %(count)d créneaux proposés aux familles.") % {"count": count},
        )
    return redirect(_detail_url(campaign))


@login_required
@require_POST
def remove_range(request: HttpRequest, public_id: UUID, range_id: UUID) -> HttpResponse:
    actor = request.actor
    campaign = policies.access_campaign(actor, public_id)
    availability = policies.access_own_availability(actor, campaign, range_id)
    try:
        actions.do_remove_availability(actor=actor, availability=availability)
    except MeetingRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("La plage et ses créneaux sont retirés."))
    return redirect(_detail_url(campaign))


@login_required
@require_POST
def book(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    campaign = policies.access_campaign(actor, public_id)
    concerned = policies.children_concerned(actor, campaign)
    wanted = request.POST.get("child")
    if wanted:
        child = next((c for c in concerned if str(c.public_id) == wanted), None)
    else:
        child = _child(request, actor, concerned)
    if child is None:
        raise Http404
    host = request.POST.get("host", "")
    slot_id = request.POST.get("slot")
    if not slot_id:
        messages.error(request, _("Choisissez un créneau."))
        return redirect(_detail_url(campaign, child=child.public_id, host=host))
    slot = policies.access_bookable_slot(campaign, child, slot_id)
    try:
        actions.do_book(actor=actor, campaign=campaign, slot=slot, student=child.student)
    except MeetingRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(_detail_url(campaign, child=child.public_id, host=host))
    messages.success(
        request,
        _("Rendez-vous réservé à %(time)s avec %(host)s.")
        % {
            "time": timezone.localtime(slot.starts_at).strftime("%H:%M"),
            "host": slot.host.get_full_name(),
        },
    )
    return redirect(_detail_url(campaign, child=child.public_id))


@login_required
@require_POST
def cancel_booking(request: HttpRequest, public_id: UUID, booking_id: UUID) -> HttpResponse:
    actor = request.actor
    campaign = policies.access_campaign(actor, public_id)
    booking = policies.access_family_booking(actor, campaign, booking_id)
    try:
        actions.do_cancel_booking(actor=actor, booking=booking)
    except MeetingRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Rendez-vous annulé : le créneau est de nouveau libre."))
    return redirect(_detail_url(campaign, child=booking.student.public_id))


@login_required
@require_POST
def close_slot(request: HttpRequest, public_id: UUID, slot_id: UUID) -> HttpResponse:
    actor = request.actor
    campaign = policies.access_campaign(actor, public_id)
    slot = policies.access_own_slot(actor, campaign, slot_id)
    try:
        booking = actions.do_close_slot(actor=actor, slot=slot)
    except MeetingRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if booking is not None:
            messages.success(request, _("Créneau annulé : la famille est prévenue."))
        else:
            messages.success(request, _("Créneau retiré."))
    return redirect("meetings:schedule", public_id=campaign.public_id)


def _schedule_context(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    """The family's meetings for a guardian, the host's slots for a host; 404 for anyone else."""
    actor = request.actor
    campaign = policies.access_campaign(actor, public_id)
    context: dict[str, Any] = {"campaign": campaign, "person": actor.user}
    if policies.children_concerned(actor, campaign):
        context["family"] = selectors.family_schedule(actor, campaign)
    if policies.can_host(actor, campaign):
        context["host_slots"] = selectors.host_schedule(campaign, actor.user)
    if "family" not in context and "host_slots" not in context:
        raise Http404
    context["may_cancel"] = campaign.may_cancel()
    context["upcoming"] = campaign.ends_at > timezone.now()
    return context


@login_required
def schedule(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return render(request, "meetings/schedule.html", _schedule_context(request, public_id))


@login_required
def schedule_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The schedule as an A4 PDF, to print or keep on a phone."""
    context = _schedule_context(request, public_id)
    # Imported here: WeasyPrint loads its fonts and libraries on import, which only this needs.
    from weasyprint import HTML

    html = render_to_string("meetings/schedule_pdf.html", context)
    content = HTML(string=html).write_pdf()
    campaign = context["campaign"]
    name = slugify(f"{campaign.title} {request.actor.user.last_name}") or "rendez-vous"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def board(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Every host's slots and who booked them, for the teachers and the school's staff."""
    campaign = policies.access_board(request.actor, public_id)
    rows = selectors.board(campaign)
    context = {
        "campaign": campaign,
        "rows": rows,
        "booked": sum(row.booked for row in rows),
        "slots": sum(len(row.slots) for row in rows),
    }
    return render(request, "meetings/board.html", context)
