"""Federated login: the start (a button of the login page), the SAML ACS and metadata, the
OpenID Connect callback. A verified identifier logs in the account with that directory id
through the same steps as a password login (throttle, login events, sessions list, then the
authenticator code for an account that has one); anything else ends on a refusal page."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from preau.accounts import actions as account_actions
from preau.accounts import throttle, twofactor
from preau.accounts.views import BACKEND, _safe_next
from preau.audit.actions import record_login
from preau.federation import policies
from preau.federation.models import IdentityProvider

logger = logging.getLogger(__name__)
# A login started and not finished within this time is refused (the provider's page included).
PENDING_VALIDITY = 600
SAML_COOKIE = "preau_saml_request"
SAML_PENDING = "preau:federation:saml"
OIDC_SESSION = "preau.federation.oidc"


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "federation/refused.html", {"message": message}, status=status)


def _unavailable(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        _(
            "Le fournisseur d'identité ne répond pas. Réessayez plus tard ou connectez-vous avec "
            "votre identifiant Préau."
        ),
        status=502,
    )


@require_GET
def start(request: HttpRequest, public_id: str) -> HttpResponse:
    """Send the browser to the provider, remembering where to come back (``next``)."""
    provider = policies.enabled_provider(public_id)
    target = _safe_next(request)
    if provider.is_saml:
        return _start_saml(request, provider, target)
    return _start_oidc(request, provider, target)


def _start_saml(request: HttpRequest, provider: IdentityProvider, target: str) -> HttpResponse:
    from preau.federation import saml

    try:
        authn = saml.authn_request(request, provider, relay_state=target)
    # Metadata without a usable sign-on service, or a signing failure: pysaml2 raises its own
    # classes for each; the person gets the same page, the operators the log line.
    except Exception:
        logger.exception("SAML request to provider %s not built", provider.public_id)
        return _unavailable(request)
    cache.set(f"{SAML_PENDING}:{authn.request_id}", provider.pk, PENDING_VALIDITY)
    response = redirect(authn.location)
    # The provider answers by a cross-site POST, which carries no session cookie (SameSite=Lax):
    # this cookie ties the answer to the browser that asked, against login forgery.
    response.set_cookie(
        SAML_COOKIE,
        signing.dumps(authn.request_id, salt=SAML_COOKIE),
        max_age=PENDING_VALIDITY,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="None" if settings.SESSION_COOKIE_SECURE else "Lax",
    )
    return response


def _start_oidc(request: HttpRequest, provider: IdentityProvider, target: str) -> HttpResponse:
    from preau.federation import openid

    try:
        authorization = openid.authorization(provider, _callback_url(request, provider))
    except openid.OidcRefused as refusal:
        logger.warning("OpenID Connect provider %s: %s", provider.public_id, refusal)
        return _unavailable(request)
    request.session[OIDC_SESSION] = {
        "provider": str(provider.public_id),
        "state": authorization.state,
        "nonce": authorization.nonce,
        "verifier": authorization.code_verifier,
        "next": target,
    }
    return redirect(authorization.url)


def _callback_url(request: HttpRequest, provider: IdentityProvider) -> str:
    return request.build_absolute_uri(
        reverse("federation:oidc_callback", args=[provider.public_id])
    )


# -- the return from the provider -----------------------------------------------------------------


def _throttled(
    request: HttpRequest, provider: IdentityProvider
) -> tuple[object, HttpResponse | None]:
    attempt = throttle.attempt_for(
        identifier=f"federation:{provider.public_id}",
        person=None,
        address=account_actions.client_address(request),
    )
    wait = throttle.seconds_to_wait(attempt)
    return attempt, (_refused(request, throttle.refusal_message(wait), 429) if wait else None)


def _failed(
    request: HttpRequest, provider: IdentityProvider, attempt: object, why: object
) -> HttpResponse:
    logger.info("Federated login through %s refused: %s", provider.public_id, why)
    throttle.note_failure(attempt)
    record_login(
        person=None,
        username_tried=provider.name,
        succeeded=False,
        address=account_actions.client_address(request),
    )
    return _refused(
        request,
        _(
            "La connexion par %(provider)s n'a pas pu être vérifiée. Recommencez depuis la page "
            "de connexion."
        )
        % {"provider": provider.name},
    )


def _log_in(
    request: HttpRequest, provider: IdentityProvider, join_id: str, target: str
) -> HttpResponse:
    """The account of ``join_id``, through the password login's steps after the password."""
    address = account_actions.client_address(request)
    person = policies.account_for(join_id)
    attempt = throttle.attempt_for(
        identifier=f"federation:{provider.public_id}:{join_id}", person=person, address=address
    )
    wait = throttle.seconds_to_wait(attempt)
    if wait:
        record_login(person=person, username_tried=provider.name, succeeded=False, address=address)
        return _refused(request, throttle.refusal_message(wait), 429)
    if person is None or not person.is_active:
        throttle.note_failure(attempt)
        record_login(person=person, username_tried=provider.name, succeeded=False, address=address)
        return _refused(
            request,
            _(
                "Votre identité est confirmée par %(provider)s, mais aucun compte Préau actif ne "
                "lui correspond. Adressez-vous au secrétariat de votre établissement."
            )
            % {"provider": provider.name},
        )
    throttle.note_success(attempt)
    record_login(person=person, username_tried=person.username, succeeded=True, address=address)
    target = _safe_next(request, target=target)
    if person.has_totp:
        request.session.cycle_key()
        twofactor.set_pending(request.session, person, BACKEND)
        return redirect(f"{reverse('accounts:login_verify')}?{urlencode({'next': target})}")
    login(request, person, backend=BACKEND)
    return redirect(target)


@require_GET
def saml_metadata(request: HttpRequest, public_id: str) -> HttpResponse:
    from preau.federation import saml

    provider = policies.enabled_provider(public_id, IdentityProvider.Kind.SAML)
    return HttpResponse(
        saml.metadata_xml(request, provider), content_type="application/samlmetadata+xml"
    )


@csrf_exempt  # the provider's POST; its proof is the signed response to our own request
@require_POST
def saml_acs(request: HttpRequest, public_id: str) -> HttpResponse:
    from preau.federation import saml

    provider = policies.enabled_provider(public_id, IdentityProvider.Kind.SAML)
    attempt, refusal = _throttled(request, provider)
    if refusal is not None:
        return refusal
    saml_response = request.POST.get("SAMLResponse", "")
    try:
        request_id = saml.in_response_to(saml_response)
        try:
            bound = signing.loads(
                request.COOKIES.get(SAML_COOKIE, ""), salt=SAML_COOKIE, max_age=PENDING_VALIDITY
            )
        except signing.BadSignature as error:
            raise saml.SamlRefused("no login started in this browser") from error
        pending_key = f"{SAML_PENDING}:{request_id}"
        if bound != request_id or cache.get(pending_key) != provider.pk:
            raise saml.SamlRefused("not the request of this browser, or already answered")
        cache.delete(pending_key)
        join_id = saml.verified_join_id(request, provider, saml_response, request_id)
    except saml.SamlRefused as why:
        return _failed(request, provider, attempt, why)
    response = _log_in(request, provider, join_id, request.POST.get("RelayState", ""))
    response.delete_cookie(SAML_COOKIE)
    return response


@require_GET
def oidc_callback(request: HttpRequest, public_id: str) -> HttpResponse:
    from preau.federation import openid

    provider = policies.enabled_provider(public_id, IdentityProvider.Kind.OIDC)
    attempt, refusal = _throttled(request, provider)
    if refusal is not None:
        return refusal
    pending = request.session.pop(OIDC_SESSION, None) or {}
    state = request.GET.get("state", "")
    if (
        pending.get("provider") != str(provider.public_id)
        or not state
        or not secrets.compare_digest(state, pending.get("state", ""))
    ):
        return _failed(request, provider, attempt, "state absent or not this login's")
    if request.GET.get("error") or not request.GET.get("code"):
        return _refused(
            request,
            _(
                "%(provider)s n'a pas confirmé votre identité. Recommencez depuis la page de "
                "connexion."
            )
            % {"provider": provider.name},
        )
    try:
        join_id = openid.verified_join_id(
            provider,
            _callback_url(request, provider),
            request.GET["code"],
            nonce=pending["nonce"],
            code_verifier=pending["verifier"],
        )
    except openid.OidcRefused as why:
        return _failed(request, provider, attempt, why)
    return _log_in(request, provider, join_id, pending.get("next", ""))
