"""Pages of the accounts app: login, logout, activation, password reset and the profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from preau.accounts import actions, throttle
from preau.accounts.backends import find_account
from preau.accounts.forms import (
    ActivationForm,
    EmailChangeForm,
    LanguageForm,
    LoginForm,
    ProfilePasswordForm,
    ResetRequestForm,
)
from preau.audit.actions import record_login

BACKEND = "preau.accounts.backends.UsernameOrEmailBackend"


class LoginView(auth_views.LoginView):
    """Django's login view (it rotates the session key and checks ``next``) with our form."""

    authentication_form = LoginForm
    template_name = "accounts/login.html"


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
                login(request, user, backend=BACKEND)
                record_login(
                    person=user, username_tried=data["username"], succeeded=True, address=address
                )
                messages.success(request, _("Votre compte est activé. Bienvenue sur Préau !"))
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
