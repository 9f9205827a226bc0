"""The notification centre, the bell, the preferences, the quiet hours and unsubscribing."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from preau.directory.policies import access_administered_establishment
from preau.notifications import actions, selectors
from preau.notifications.emails import read_unsubscribe_token
from preau.notifications.forms import PreferencesForm, QuietHoursForm
from preau.notifications.models import Kind, NotificationPreference
from preau.notifications.policies import access_notification


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    page = selectors.centre_page(request.user, request.GET.get("page"))
    return render(request, "notifications/index.html", {"page": page})


@login_required
@require_GET
@never_cache
def bell(request: HttpRequest) -> HttpResponse:
    """The unread count, for htmx to put in the header (the user and one count query).

    Rendered without the page's context processors: it needs neither the actor nor the menu.
    """
    count = selectors.unread_count(request.user)
    return HttpResponse(render_to_string("notifications/bell.html", {"count": count}))


@login_required
@require_GET
def open_notification(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Mark the notification read and go where it points (a portal path only)."""
    notification = access_notification(request.user, public_id)
    actions.do_mark_read(user=request.user, notification=notification)
    if notification.url and actions.is_portal_path(notification.url):
        return redirect(notification.url)
    return redirect("notifications:index")


@login_required
@require_POST
def mark_read(request: HttpRequest, public_id: UUID) -> HttpResponse:
    notification = access_notification(request.user, public_id)
    actions.do_mark_read(user=request.user, notification=notification)
    return redirect("notifications:index")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    actions.do_mark_all_read(user=request.user)
    messages.success(request, _("Toutes les notifications sont marquées comme lues."))
    return redirect("notifications:index")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    preference = NotificationPreference.objects.filter(person=request.user).first()
    form = PreferencesForm(request.POST or None, preference=preference)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.do_update_preferences(
            user=request.user,
            email_immediate=form.kinds("immediate"),
            email_digest=form.kinds("digest"),
            quiet_start=data["quiet_start"],
            quiet_end=data["quiet_end"],
            quiet_weekends=data["quiet_weekends"],
        )
        messages.success(request, _("Vos préférences de notification sont enregistrées."))
        return redirect("notifications:preferences")
    establishment = request.actor.establishment
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "quiet_hours": actions.quiet_hours_of(establishment) if establishment else None,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def quiet_hours(request: HttpRequest, public_id: UUID) -> HttpResponse:
    establishment = access_administered_establishment(request.actor, public_id)
    current = actions.quiet_hours_of(establishment)
    form = QuietHoursForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.do_update_quiet_hours(
            actor=request.actor,
            establishment=establishment,
            start=data["start"],
            end=data["end"],
            weekends=data["weekends"],
        )
        messages.success(request, _("Les heures calmes sont enregistrées."))
        return redirect("notifications:quiet_hours", establishment.public_id)
    return render(
        request,
        "notifications/quiet_hours.html",
        {"establishment": establishment, "form": form},
        status=400 if form.is_bound else 200,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest) -> HttpResponse:
    """Stop e-mails of some kinds, from the signed link of an e-mail, without logging in.

    GET only shows a confirmation (mail scanners follow links); POST unsubscribes, from our
    form or from the mail client's one-click (RFC 8058). The signed token is the only
    authority used, never a session, hence no CSRF token.
    """
    token = request.POST.get("t") or request.GET.get("t") or ""
    try:
        person_id, kinds = read_unsubscribe_token(token)
        person = get_user_model().objects.get(public_id=person_id, is_active=True)
    except (signing.BadSignature, get_user_model().DoesNotExist, ValidationError):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    labels = [Kind(k).label for k in kinds]
    if request.method == "POST":
        actions.do_unsubscribe(person=person, kinds=kinds)
        return render(request, "notifications/unsubscribe_done.html", {"labels": labels})
    return render(request, "notifications/unsubscribe.html", {"token": token, "labels": labels})
