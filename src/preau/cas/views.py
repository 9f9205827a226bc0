"""The CAS endpoints (fixed paths, see DESIGN.md): login, logout, validation and proxy.

/cas/login uses Préau's own login page: a person already logged in gets a ticket at once, unless
the service asks ``renew``; ``gateway`` never shows the login page. The validation endpoints are
called by the services' back ends, without cookies; they answer in the protocol's formats.
"""

from __future__ import annotations

import time

from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from preau.cas import actions, policies, protocol
from preau.cas.selectors import released_attributes

# Session keys: when the password was last typed (set at login, see apps.py) and when a
# service asked for ``renew`` (the password must be typed again after that moment).
LOGIN_AT_KEY = "cas_login_at"
RENEW_STARTED_KEY = "cas_renew_started"
# A ticket issued this soon after typing the password is "from a new login".
NEW_LOGIN_SECONDS = 300

TRUE_VALUES = {"true", "1", "yes", "on"}


def _flag(request: HttpRequest, name: str) -> bool:
    # The parameter's presence sets it (CAS 3.0, 2.1.1), except an explicit false.
    value = request.GET.get(name)
    return value is not None and value.strip().lower() not in {"false", "0", "no", "off"}


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "cas/refused.html", {"reason": reason}, status=403)


@never_cache
@require_GET
def login(request: HttpRequest) -> HttpResponse:
    service_url = request.GET.get("service", "")
    renew = _flag(request, "renew")
    # Renew takes precedence: the specification recommends ignoring gateway then.
    gateway = _flag(request, "gateway") and not renew
    session = request.session
    if not service_url:
        if request.user.is_authenticated and not renew:
            return redirect("portal:home")
        return redirect_to_login(request.get_full_path())
    service = policies.service_for_url(service_url)
    if service is None:
        return _refused(
            request,
            _(
                "Ce service n'est pas enregistré auprès de Préau : aucune connexion ne lui est "
                "transmise. Si vous pensez qu'il devrait l'être, prévenez l'administrateur de "
                "l'ENT."
            ),
        )
    login_at = session.get(LOGIN_AT_KEY)
    if renew:
        started = session.get(RENEW_STARTED_KEY)
        if not (started and login_at and login_at > started and request.user.is_authenticated):
            session[RENEW_STARTED_KEY] = time.time()
            return redirect_to_login(request.get_full_path())
        from_new_login = True
    elif not request.user.is_authenticated:
        if gateway:
            return HttpResponseRedirect(service_url)
        return redirect_to_login(request.get_full_path())
    else:
        from_new_login = bool(login_at) and time.time() - login_at < NEW_LOGIN_SECONDS
    establishment = policies.establishment_for(request.actor, service)
    if establishment is None:
        if gateway:
            return HttpResponseRedirect(service_url)
        return _refused(
            request,
            _(
                "Votre compte n'a pas accès à ce service : il est réservé aux membres de "
                "« %(owner)s »."
            )
            % {"owner": service.establishment or service.academy},
        )
    # The password typed counts for one ticket only.
    session.pop(LOGIN_AT_KEY, None)
    session.pop(RENEW_STARTED_KEY, None)
    ticket = actions.do_issue_service_ticket(
        user=request.user,
        service=service,
        service_url=service_url,
        establishment=establishment,
        session_key=session.session_key or "",
        from_new_login=from_new_login,
    )
    return HttpResponseRedirect(actions.with_ticket(service_url, ticket))


@never_cache
@require_GET
def logout(request: HttpRequest) -> HttpResponse:
    """End the Préau session (and with it the services', see apps.py); then go back to the
    ``service`` (CAS 3) or ``url`` (CAS 2) if it is registered."""
    auth_logout(request)
    target = request.GET.get("service") or request.GET.get("url") or ""
    if target and policies.service_for_url(target) is not None:
        return HttpResponseRedirect(target)
    return render(request, "cas/logged_out.html")


def _validate(
    request: HttpRequest, *, accept_proxy_tickets: bool, with_pgt: bool = True
) -> HttpResponse:
    try:
        validation = actions.do_validate(
            ticket=request.GET.get("ticket", ""),
            service_url=request.GET.get("service", ""),
            renew=_flag(request, "renew"),
            accept_proxy_tickets=accept_proxy_tickets,
            pgt_url=request.GET.get("pgtUrl", "") if with_pgt else "",
        )
    except actions.ProtocolError as error:
        return protocol.validation_failure(error.code, error.message)
    return protocol.validation_success(
        validation.ticket, released_attributes(validation.ticket), pgt_iou=validation.pgt_iou
    )


@never_cache
@require_GET
def validate(request: HttpRequest) -> HttpResponse:
    """CAS 1.0: ``yes`` and the username, or ``no``. Service tickets only."""
    try:
        row = actions.do_validate_ticket(
            ticket=request.GET.get("ticket", ""),
            service_url=request.GET.get("service", ""),
            renew=_flag(request, "renew"),
        )
    except actions.ProtocolError:
        return protocol.v1_answer(None)
    return protocol.v1_answer(row.user.username)


@never_cache
@require_GET
def service_validate(request: HttpRequest) -> HttpResponse:
    return _validate(request, accept_proxy_tickets=False)


@never_cache
@require_GET
def proxy_validate(request: HttpRequest) -> HttpResponse:
    return _validate(request, accept_proxy_tickets=True)


@never_cache
@require_GET
def proxy(request: HttpRequest) -> HttpResponse:
    try:
        ticket = actions.do_issue_proxy_ticket(
            pgt=request.GET.get("pgt", ""), target_service=request.GET.get("targetService", "")
        )
    except actions.ProtocolError as error:
        return protocol.proxy_failure(error.code, error.message)
    return protocol.proxy_success(ticket)
