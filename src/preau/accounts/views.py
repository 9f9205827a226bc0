"""Pages of the accounts app: login (password, then the second factor), logout, activation,
password reset, the profile and the account's security (authenticator, sessions)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from preau.accounts import actions, policies, sessions, throttle, twofactor
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


def _safe_next(request: HttpRequest, fallback: str = "portal:home") -> str:
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
