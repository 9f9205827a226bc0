"""Pages of the accounts app: login (password, then the second factor), logout, activation,
password reset, the profile and the account's security (authenticator, sessions)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from preau.accounts import actions, passkeys, policies, sessions, throttle, twofactor
from preau.accounts.backends import find_account
from preau.accounts.forms import (
    ActivationForm,
    EmailChangeForm,
    LanguageForm,
    LoginForm,
    ProfilePasswordForm,
    ResetRequestForm,
    SecondFactorForm,
    TotpConfirmForm,
)
from preau.audit.actions import record_login

BACKEND = "preau.accounts.backends.UsernameOrEmailBackend"
User = get_user_model()


class LoginView(auth_views.LoginView):
    """Django's login view (it rotates the session key and checks ``next``) with our form.

    A person with an authenticator is not logged in after the password: the session remembers
    them for a few minutes and the code page (login_verify) finishes the login.
    """

    authentication_form = LoginForm
    template_name = "accounts/login.html"

    def form_valid(self, form: LoginForm) -> HttpResponse:
        user = form.get_user()
        if not user.has_totp:
            return super().form_valid(form)
        # A fresh key for the step between password and code, as Django does at login.
        self.request.session.cycle_key()
        twofactor.set_pending(self.request.session, user, BACKEND)
        query = urlencode({"next": self.get_success_url()})
        return redirect(f"{reverse('accounts:login_verify')}?{query}")


def _safe_next(
    request: HttpRequest, fallback: str = "portal:home", target: str | None = None
) -> str:
    if target is None:
        target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


@sensitive_post_parameters("code")
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code of the authenticator app or a recovery code."""
    pending = twofactor.pending_user_id(request.session)
    user = None
    if pending is not None:
        user = User.objects.filter(pk=pending[0], is_active=True).first()
    if user is None:
        twofactor.clear_pending(request.session)
        messages.error(
            request, _("La connexion a expiré : saisissez à nouveau votre mot de passe.")
        )
        return redirect("accounts:login")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_check_second_factor(
                request=request, user=user, code=form.cleaned_data["code"]
            )
        except actions.SecondFactorRefused as refusal:
            form.add_error("code", refusal.message)
        else:
            twofactor.clear_pending(request.session)
            login(request, user, backend=pending[1])
            twofactor.mark_verified(request.session)
            return redirect(_safe_next(request))
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "next": _safe_next(request), "action": reverse("accounts:login_verify")},
    )


logout_view = auth_views.LogoutView.as_view()


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    actions.do_logout_everywhere(actor=request.actor)
    # This session ends too: simpler to reason about than re-logging it in, and a stolen
    # session cannot survive by being the one that clicked.
    logout(request)
    messages.success(request, _("Vous êtes déconnecté de toutes vos sessions, y compris celle-ci."))
    return redirect("accounts:login")


@sensitive_post_parameters("code", "new_password1", "new_password2")
def activate(request: HttpRequest) -> HttpResponse:
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        address = actions.client_address(request)
        person = find_account(data["username"])
        attempt = throttle.attempt_for(identifier=data["username"], person=person, address=address)
        wait = throttle.seconds_to_wait(attempt)
        if wait:
            form.add_error(None, throttle.refusal_message(wait))
        else:
            try:
                user = actions.do_activate_account(
                    username=data["username"], code=data["code"], password=data["new_password1"]
                )
            except actions.ActivationRefused:
                throttle.note_failure(attempt)
                record_login(
                    person=person, username_tried=data["username"], succeeded=False, address=address
                )
                form.add_error(None, str(actions.INVALID_ACTIVATION))
            except ValidationError as error:
                form.add_error("new_password1", error)
            else:
                throttle.note_success(attempt)
                record_login(
                    person=user, username_tried=data["username"], succeeded=True, address=address
                )
                messages.success(request, _("Votre compte est activé. Bienvenue sur Préau !"))
                if user.has_totp:
                    request.session.cycle_key()
                    twofactor.set_pending(request.session, user, BACKEND)
                    return redirect("accounts:login_verify")
                login(request, user, backend=BACKEND)
                return redirect("portal:home")
    return render(request, "accounts/activate.html", {"form": form})


# -- password reset by e-mail (Django's views, our templates) ------------------------------------
# The same "check your mailbox" page follows known and unknown addresses alike.

RESET_VALIDITY = {"validity_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)}

password_reset = auth_views.PasswordResetView.as_view(
    form_class=ResetRequestForm,
    template_name="accounts/password_reset_form.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    extra_email_context=RESET_VALIDITY,
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html", extra_context=RESET_VALIDITY
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


# -- the profile -----------------------------------------------------------------------------


@login_required
@sensitive_post_parameters("current_password", "old_password", "new_password1", "new_password2")
def profile(request: HttpRequest) -> HttpResponse:
    """The person's account; POST ``form=email`` or ``form=password`` changes one of them."""
    user = request.user
    which = request.POST.get("form") if request.method == "POST" else None
    email_form = EmailChangeForm(user, request.POST if which == "email" else None)
    password_form = ProfilePasswordForm(user, request.POST if which == "password" else None)
    if which == "email" and email_form.is_valid():
        actions.do_change_email(actor=request.actor, email=email_form.cleaned_data["email"])
        messages.success(request, _("Votre adresse e-mail est enregistrée."))
        return redirect("accounts:profile")
    if which == "password" and password_form.is_valid():
        actions.do_change_password(
            actor=request.actor, password=password_form.cleaned_data["new_password1"]
        )
        # Keeps this session open; the account's other sessions end with the old password.
        update_session_auth_hash(request, user)
        messages.success(request, _("Votre mot de passe est modifié."))
        return redirect("accounts:profile")
    memberships = request.actor.memberships
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": memberships,
            "email_form": email_form,
            "password_form": password_form,
            "language_form": LanguageForm(initial={"language": user.language}),
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie, redirect to ``next``), remembered on the account too."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in {"fr", "en"}:
        actions.do_set_language(actor=request.actor, language=language)
    return response


# -- account security: the second factor, sessions and devices ----------------------------------


@login_required
@sensitive_post_parameters("code")
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then confirm a code.

    The recovery codes are shown once, on the page that follows the confirmation.
    """
    user = request.user
    if user.has_totp:
        return redirect("accounts:security")
    device = actions.do_start_totp(actor=request.actor)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery = actions.do_confirm_totp(actor=request.actor, code=form.cleaned_data["code"])
        except actions.SecondFactorRefused as refusal:
            form.add_error("code", refusal.message)
        else:
            twofactor.mark_verified(request.session)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": recovery, "next": _safe_next(request, "accounts:security")},
            )
    uri = twofactor.provisioning_uri(user, device.secret)
    return render(
        request,
        "accounts/totp_enrol.html",
        {
            "form": form,
            "qr": twofactor.qr_svg(uri),
            "secret": twofactor.grouped_secret(device.secret),
            "required": twofactor.requires_second_factor(request.actor),
            "next": _safe_next(request, "accounts:security"),
        },
    )


@login_required
@sensitive_post_parameters("code")
def second_factor(request: HttpRequest) -> HttpResponse:
    """Ask the signed-in person for a code again: before administration pages, and before a
    mass action from a new device (see docs/security.md)."""
    if not request.user.has_totp:
        query = urlencode({"next": _safe_next(request)})
        return redirect(f"{reverse('accounts:totp_enrol')}?{query}")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_check_second_factor(
                request=request, user=request.user, code=form.cleaned_data["code"]
            )
        except actions.SecondFactorRefused as refusal:
            form.add_error("code", refusal.message)
        else:
            twofactor.mark_verified(request.session)
            return redirect(_safe_next(request))
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "next": _safe_next(request), "action": reverse("accounts:second_factor")},
    )


def _needs_fresh_code(request: HttpRequest) -> HttpResponse | None:
    """A redirect to the code page unless this session passed the second factor just now."""
    if twofactor.verified_recently(request.session, settings.STEP_UP_VALIDITY):
        return None
    query = urlencode({"next": reverse("accounts:security")})
    return redirect(f"{reverse('accounts:second_factor')}?{query}")


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """« Sécurité du compte »: the authenticator, recovery codes, sessions and devices."""
    user = request.user
    rows = list(policies.own_open_sessions(request.actor))
    lines = sessions.session_lines(rows, request.session.session_key)
    recovery_left = user.recovery_codes.filter(used_at__isnull=True).count() if user.has_totp else 0
    return render(
        request,
        "accounts/security.html",
        {
            "lines": lines,
            "passkeys": list(policies.own_passkeys(request.actor)),
            "recovery_left": recovery_left,
            "required": twofactor.requires_second_factor(request.actor),
            "verified": twofactor.is_verified(request.session),
        },
    )


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    if not request.user.has_totp:
        return redirect("accounts:security")
    refusal = _needs_fresh_code(request)
    if refusal is not None:
        return refusal
    recovery = actions.do_renew_recovery_codes(actor=request.actor)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": recovery, "next": reverse("accounts:security")},
    )


@login_required
@require_POST
def totp_remove(request: HttpRequest) -> HttpResponse:
    if twofactor.requires_second_factor(request.actor):
        messages.error(
            request,
            _(
                "Vos fonctions d'administration exigent la double authentification : "
                "elle reste active."
            ),
        )
        return redirect("accounts:security")
    refusal = _needs_fresh_code(request)
    if refusal is not None:
        return refusal
    actions.do_remove_totp(actor=request.actor)
    messages.success(request, _("L'application d'authentification est retirée de votre compte."))
    return redirect("accounts:security")


@login_required
@require_POST
def session_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    account_session = policies.access_account_session(request.actor, public_id)
    if account_session.session_key == request.session.session_key:
        messages.error(request, _("Pour fermer cette session-ci, déconnectez-vous."))
        return redirect("accounts:security")
    actions.do_revoke_session(actor=request.actor, account_session=account_session)
    messages.success(request, _("La session est fermée sur cet appareil."))
    return redirect("accounts:security")


@login_required
@require_POST
def sessions_revoke_others(request: HttpRequest) -> HttpResponse:
    actions.do_revoke_other_sessions(request=request, actor=request.actor)
    messages.success(request, _("Vos autres sessions sont fermées ; celle-ci reste ouverte."))
    return redirect("accounts:security")


# -- passkeys -------------------------------------------------------------------------------------
# The browser side is static/preau/passkeys.js: it fetches the options, calls WebAuthn and posts
# the answer as JSON (with the CSRF token of the page's form).


def _json_body(request: HttpRequest) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@login_required
@require_POST
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    existing = list(policies.own_passkeys(request.actor).values_list("credential_id", flat=True))
    options = passkeys.registration_options(request, request.user, existing)
    return HttpResponse(options, content_type="application/json")


@login_required
@require_POST
def passkey_register(request: HttpRequest) -> HttpResponse:
    data = _json_body(request)
    credential = data.get("credential")
    try:
        if not isinstance(credential, dict):
            raise passkeys.PasskeyRefused
        credential_id, public_key, sign_count = passkeys.verify_registration(request, credential)
    except passkeys.PasskeyRefused:
        return JsonResponse(
            {"error": _("Cette clé d'accès n'a pas pu être enregistrée. Réessayez.")}, status=400
        )
    actions.do_add_passkey(
        actor=request.actor,
        name=str(data.get("name") or ""),
        credential_id=credential_id,
        public_key=public_key,
        sign_count=sign_count,
    )
    messages.success(request, _("La clé d'accès est enregistrée."))
    return JsonResponse({"next": reverse("accounts:security")})


@require_POST
def passkey_login_options(request: HttpRequest) -> HttpResponse:
    return HttpResponse(passkeys.authentication_options(request), content_type="application/json")


@require_POST
def passkey_login(request: HttpRequest) -> HttpResponse:
    """Log in with a passkey: both factors at once. Failures count in the login throttle."""
    data = _json_body(request)
    credential = data.get("credential")
    credential = credential if isinstance(credential, dict) else {}
    passkey = policies.passkey_for_login(passkeys.credential_id_of(credential))
    person = passkey.person if passkey is not None else None
    address = actions.client_address(request)
    attempt = throttle.attempt_for(
        identifier=person.username if person else "passkey", person=person, address=address
    )
    wait = throttle.seconds_to_wait(attempt)
    if wait:
        return JsonResponse({"error": throttle.refusal_message(wait)}, status=429)
    try:
        if passkey is None:
            raise passkeys.PasskeyRefused
        sign_count = passkeys.verify_authentication(
            request, credential, bytes(passkey.public_key), passkey.sign_count
        )
    except passkeys.PasskeyRefused:
        throttle.note_failure(attempt)
        record_login(person=person, username_tried="", succeeded=False, address=address)
        return JsonResponse(
            {"error": _("Cette clé d'accès n'est pas reconnue sur Préau.")}, status=400
        )
    throttle.note_success(attempt)
    actions.do_passkey_used(passkey=passkey, sign_count=sign_count)
    login(request, person, backend=BACKEND)
    twofactor.mark_verified(request.session)
    record_login(person=person, username_tried=person.username, succeeded=True, address=address)
    return JsonResponse({"next": _safe_next(request, target=str(data.get("next") or ""))})


@login_required
@require_POST
def passkey_rename(request: HttpRequest, public_id: str) -> HttpResponse:
    passkey = policies.access_passkey(request.actor, public_id)
    actions.do_rename_passkey(
        actor=request.actor, passkey=passkey, name=request.POST.get("name", "")
    )
    return redirect("accounts:security")


@login_required
@require_POST
def passkey_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    passkey = policies.access_passkey(request.actor, public_id)
    actions.do_delete_passkey(actor=request.actor, passkey=passkey)
    messages.success(request, _("La clé d'accès est supprimée."))
    return redirect("accounts:security")
