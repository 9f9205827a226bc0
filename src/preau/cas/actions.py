"""Changes made by the CAS server: registering services, issuing and validating tickets, and
ending the services' sessions when a person logs out of Préau.

Ticket rules follow the CAS protocol specification (3.0):
- a service or proxy ticket is valid for one validation attempt only, successful or not; a
  failed attempt deletes it, a successful one marks it validated (kept for single logout);
- it is valid only for the exact service address it was issued for, and only for seconds;
- ``renew`` validation accepts only tickets issued from a login with the password;
- a proxy-granting ticket is delivered to an HTTPS callback whose certificate is verified, and
  only to services allowed to act as proxies.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from preau.audit.actions import snapshot
from preau.cas import policies
from preau.cas.models import CasService, ProxyGrantingTicket, ServiceTicket, TicketKind
from preau.core import registrations

if TYPE_CHECKING:
    from preau.directory.models import Academy, Establishment

logger = logging.getLogger(__name__)

AUDITED_FIELDS = ["name", "match_kind", "pattern", "attributes", "may_proxy"]


class ProtocolError(Exception):
    """A refusal in the CAS protocol's own terms: a code (INVALID_TICKET…) and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _new_ticket(prefix: str) -> str:
    # 256 bits of randomness; the specification asks for at least 32 characters in all.
    return f"{prefix}-{secrets.token_urlsafe(32)}"


def _hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


# -- the registry of services ------------------------------------------------------------------


def do_register_service(
    *,
    actor: Any,
    name: str,
    match_kind: str,
    pattern: str,
    attributes: list[str],
    may_proxy: bool,
    establishment: Establishment | None = None,
    academy: Academy | None = None,
) -> CasService:
    """Register a service for an establishment or an academy; raises ValidationError on a bad
    pattern or attribute, writing nothing."""
    service = CasService(
        name=name,
        match_kind=match_kind,
        pattern=pattern,
        attributes=sorted(set(attributes)),
        may_proxy=may_proxy,
        establishment=establishment,
        academy=academy,
    )
    service.full_clean()
    with transaction.atomic():
        service.save()
        registrations.audit(
            actor=actor,
            registration=service,
            action="cas.service_registered",
            after=snapshot(service, AUDITED_FIELDS),
        )
    return service


def do_update_service(*, actor: Any, service: CasService, **changes: Any) -> CasService:
    before = snapshot(service, AUDITED_FIELDS)
    if "attributes" in changes:
        changes["attributes"] = sorted(set(changes["attributes"]))
    for field, value in changes.items():
        setattr(service, field, value)
    service.full_clean()
    with transaction.atomic():
        service.save(update_fields=list(changes))
        registrations.audit(
            actor=actor,
            registration=service,
            action="cas.service_changed",
            before=before,
            after=snapshot(service, AUDITED_FIELDS),
        )
    return service


def do_remove_service(*, actor: Any, service: CasService) -> None:
    """Remove a service and its tickets: it gets no ticket any more, its proxies none either."""
    with transaction.atomic():
        registrations.audit(
            actor=actor,
            registration=service,
            action="cas.service_removed",
            before=snapshot(service, AUDITED_FIELDS),
        )
        service.delete()


# -- login: issuing service tickets ---------------------------------------------------------------


def do_issue_service_ticket(
    *,
    user: Any,
    service: CasService,
    service_url: str,
    establishment: Establishment,
    session_key: str,
    from_new_login: bool,
) -> str:
    """A new service ticket for ``service_url``; the caller checked the person may use it."""
    now = timezone.now()
    ticket = _new_ticket("ST")
    ServiceTicket.objects.create(
        ticket=ticket,
        kind=TicketKind.SERVICE,
        service=service,
        service_url=service_url,
        user=user,
        establishment=establishment,
        session_key=session_key or "",
        from_new_login=from_new_login,
        authenticated_at=user.last_login or now,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.CAS_SERVICE_TICKET_SECONDS),
    )
    return ticket


def with_ticket(service_url: str, ticket: str) -> str:
    """The service address with ``ticket=`` added to its query string."""
    parts = urlsplit(service_url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), ("ticket", ticket)]
    return urlunsplit(parts._replace(query=urlencode(query)))


# -- validation ----------------------------------------------------------------------------------


@dataclass
class Validation:
    """A successful validation: the ticket, and the PGTIOU if a proxy-granting ticket was sent."""

    ticket: ServiceTicket
    pgt_iou: str | None = None


def do_validate_ticket(
    *, ticket: str, service_url: str, renew: bool = False, accept_proxy_tickets: bool = False
) -> ServiceTicket:
    """Consume ``ticket`` for ``service_url``; return it or raise ProtocolError.

    Two or three queries whatever happens: the lookup, the consuming update (or the deletion of
    a ticket refused), so that no ticket survives a validation attempt.
    """
    if not ticket or not service_url:
        raise ProtocolError("INVALID_REQUEST", "Both 'ticket' and 'service' are required.")
    row = (
        ServiceTicket.objects.select_related("service", "user", "establishment")
        .filter(ticket=ticket)
        .first()
    )
    if row is None:
        raise ProtocolError("INVALID_TICKET", f"Ticket {ticket} not recognized.")
    now = timezone.now()
    # Conditional update: of two concurrent validations of one ticket, one only succeeds.
    consumed = ServiceTicket.objects.filter(pk=row.pk, validated_at__isnull=True).update(
        validated_at=now
    )
    if not consumed:
        raise ProtocolError("INVALID_TICKET", f"Ticket {ticket} has already been used.")
    refusal = _refusal(row, service_url, now, renew=renew, accept_proxy=accept_proxy_tickets)
    if refusal is not None:
        ServiceTicket.objects.filter(pk=row.pk).delete()
        raise refusal
    return row


def _refusal(
    row: ServiceTicket, service_url: str, now: Any, *, renew: bool, accept_proxy: bool
) -> ProtocolError | None:
    if row.kind == TicketKind.PROXY and not accept_proxy:
        return ProtocolError(
            "INVALID_TICKET_SPEC", "Proxy tickets are validated at proxyValidate only."
        )
    if now >= row.expires_at:
        return ProtocolError("INVALID_TICKET", f"Ticket {row.ticket} has expired.")
    if row.service_url != service_url:
        return ProtocolError(
            "INVALID_SERVICE", f"Ticket {row.ticket} was not issued for this service."
        )
    if renew and not row.from_new_login:
        return ProtocolError(
            "INVALID_TICKET_SPEC", "The ticket was not issued from a login with credentials."
        )
    if not row.user.is_active:
        return ProtocolError("INVALID_TICKET", f"Ticket {row.ticket} not recognized.")
    return None


def do_validate(
    *,
    ticket: str,
    service_url: str,
    renew: bool = False,
    accept_proxy_tickets: bool = False,
    pgt_url: str = "",
) -> Validation:
    """Validate, and when ``pgt_url`` is given, grant a proxy-granting ticket through it.

    A callback that cannot be reached, fails the certificate check or does not answer 200
    leaves the validation successful, without a PGTIOU (CAS 3.0, section 2.5.4).
    """
    row = do_validate_ticket(
        ticket=ticket,
        service_url=service_url,
        renew=renew,
        accept_proxy_tickets=accept_proxy_tickets,
    )
    if not pgt_url:
        return Validation(row)
    if not row.service.may_proxy:
        raise ProtocolError(
            "UNAUTHORIZED_SERVICE_PROXY", "This service may not obtain proxy-granting tickets."
        )
    if urlsplit(pgt_url).scheme != "https" or not urlsplit(pgt_url).hostname:
        raise ProtocolError("INVALID_PROXY_CALLBACK", "The proxy callback must be an https URL.")
    return Validation(row, _grant_proxy_ticket(row, pgt_url))


def _grant_proxy_ticket(row: ServiceTicket, pgt_url: str) -> str | None:
    pgt, iou = _new_ticket("PGT"), _new_ticket("PGTIOU")
    now = timezone.now()
    granting = ProxyGrantingTicket.objects.create(
        ticket_hash=_hash(pgt),
        service=row.service,
        user=row.user,
        establishment=row.establishment,
        session_key=row.session_key,
        authenticated_at=row.authenticated_at,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.CAS_PROXY_GRANTING_TICKET_SECONDS),
        proxies=[pgt_url, *row.proxies],
    )
    # The row exists before the callback: a service may ask for a proxy ticket from there.
    if _call_back(pgt_url, {"pgtId": pgt, "pgtIou": iou}):
        return iou
    granting.delete()
    return None


def tls_context() -> ssl.SSLContext:
    """Certificates verified against the system's authorities, plus CAS_EXTRA_CA_FILE if set."""
    context = ssl.create_default_context()
    if settings.CAS_EXTRA_CA_FILE:
        context.load_verify_locations(cafile=settings.CAS_EXTRA_CA_FILE)
    return context


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        _NoRedirect(), urllib.request.HTTPSHandler(context=tls_context())
    )


def _call_back(pgt_url: str, params: dict[str, str]) -> bool:
    parts = urlsplit(pgt_url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    url = urlunsplit(parts._replace(query=query))
    try:
        with _opener().open(url, timeout=settings.CAS_CALLBACK_TIMEOUT) as response:
            if response.status == 200:
                return True
            logger.warning("CAS proxy callback %s answered %s", pgt_url, response.status)
    except (OSError, ValueError) as error:
        # OSError covers refused connections, timeouts and certificate failures (SSLError).
        logger.warning("CAS proxy callback %s failed: %s", pgt_url, error)
    return False


# -- proxy tickets ---------------------------------------------------------------------------------


def do_issue_proxy_ticket(*, pgt: str, target_service: str) -> str:
    """A proxy ticket for ``target_service`` from a proxy-granting ticket, or ProtocolError."""
    from preau.core.actor import Actor

    if not pgt or not target_service:
        raise ProtocolError("INVALID_REQUEST", "Both 'pgt' and 'targetService' are required.")
    now = timezone.now()
    granting = (
        ProxyGrantingTicket.objects.select_related("user")
        .filter(ticket_hash=_hash(pgt), expires_at__gt=now)
        .first()
    )
    if granting is None or not granting.user.is_active:
        raise ProtocolError("INVALID_TICKET", "The proxy-granting ticket is not recognized.")
    service = policies.service_for_url(target_service)
    establishment = None
    if service is not None:
        establishment = policies.establishment_for(Actor(granting.user), service)
    if establishment is None:
        raise ProtocolError(
            "UNAUTHORIZED_SERVICE", f"The service {target_service} may not be proxied."
        )
    ticket = _new_ticket("PT")
    ServiceTicket.objects.create(
        ticket=ticket,
        kind=TicketKind.PROXY,
        service=service,
        service_url=target_service,
        user=granting.user,
        establishment=establishment,
        session_key=granting.session_key,
        from_new_login=False,
        authenticated_at=granting.authenticated_at,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.CAS_SERVICE_TICKET_SECONDS),
        granting_ticket=granting,
        proxies=granting.proxies,
    )
    return ticket


# -- single logout ---------------------------------------------------------------------------------


def do_end_session(*, session_key: str) -> int:
    """Forget the session's tickets and tell each service that validated one (asynchronously).

    Returns the number of logout requests enqueued. The proxy-granting tickets of the session
    end with it.
    """
    from preau.cas.tasks import send_logout_requests

    if not session_key:
        return 0
    with transaction.atomic():
        sessions = list(
            ServiceTicket.objects.filter(
                session_key=session_key, validated_at__isnull=False
            ).values_list("service_url", "ticket", "user__username")
        )
        ServiceTicket.objects.filter(session_key=session_key).delete()
        ProxyGrantingTicket.objects.filter(session_key=session_key).delete()
        if sessions:
            requests = [list(item) for item in sessions]
            transaction.on_commit(lambda: send_logout_requests.enqueue(requests))
    return len(sessions)


def do_purge_tickets() -> int:
    """Delete tickets that can no longer be used: expired and never validated, and proxy-
    granting tickets past their life. Validated tickets stay until their session logs out or
    the session's lifetime is over."""
    now = timezone.now()
    session_end = now - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with transaction.atomic():
        expired, _ignored = ServiceTicket.objects.filter(
            expires_at__lt=now, validated_at__isnull=True
        ).delete()
        old, _ignored = ServiceTicket.objects.filter(created_at__lt=session_end).delete()
        granting, _ignored = ProxyGrantingTicket.objects.filter(expires_at__lt=now).delete()
    return expired + old + granting
