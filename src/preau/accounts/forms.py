"""Forms of the accounts app. They parse and validate; the actions change the data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from preau.accounts import throttle
from preau.accounts.actions import LoginRefused, do_authenticate, do_check_current_password

# Long enough for an e-mail address, which is accepted instead of the username.
LOGIN_MAX_LENGTH = 254


class LoginForm(AuthenticationForm):
    """Django's login form (fields ``username`` and ``password``) with throttling and audit."""

    username = forms.CharField(
        label=_("Identifiant ou adresse e-mail"),
        max_length=LOGIN_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm narrows the field to the username's length; keep room for e-mails.
        self.fields["username"].max_length = LOGIN_MAX_LENGTH
        self.fields["username"].widget.attrs["maxlength"] = str(LOGIN_MAX_LENGTH)

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            try:
                self.user_cache = do_authenticate(
                    request=self.request, username=username, password=password
                )
            except LoginRefused as refusal:
                raise ValidationError(refusal.message, code=refusal.code) from None
        return self.cleaned_data


class ActivationForm(forms.Form):
    """First login with the code from the school's letter. The code is checked by the action."""

    username = forms.CharField(
        label=_("Identifiant"),
        max_length=150,
        help_text=_("Tel qu'il est écrit sur le courrier de l'établissement."),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    code = forms.CharField(
        label=_("Code d'activation"),
        max_length=20,
        help_text=_("Par exemple ABCD-EFGH-JK. Les tirets et la casse ne comptent pas."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )
    new_password1 = forms.CharField(
        label=_("Nouveau mot de passe"),
        strip=False,
        help_text=password_validation.password_validators_help_text_html,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_new_password2(self) -> str:
        first = self.cleaned_data.get("new_password1")
        second = self.cleaned_data["new_password2"]
        if first and first != second:
            raise ValidationError(
                _("Les deux mots de passe ne sont pas identiques."), code="password_mismatch"
            )
        return second


def current_password_ok(user: Any, password: str) -> bool:
    """The password check of the profile forms, throttled like a login."""
    try:
        return do_check_current_password(user=user, password=password)
    except LoginRefused as refusal:
        raise ValidationError(refusal.message, code=refusal.code) from None


class EmailChangeForm(forms.Form):
    """A new e-mail address; the current password is asked because the address can reset it."""

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        required=False,
        help_text=_("Sert à recevoir un lien si vous oubliez votre mot de passe."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    current_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        kwargs.setdefault("initial", {"email": user.email})
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not current_password_ok(self.user, password):
            raise ValidationError(_("Mot de passe incorrect."), code="password_incorrect")
        return password


class ProfilePasswordForm(PasswordChangeForm):
    """Django's password change form, without grabbing the focus of the whole profile page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        if not current_password_ok(self.user, password):
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return password


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Langue de l'interface"), choices=[("fr", "Français"), ("en", "English")]
    )


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def save(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        # Past the limits nothing is sent, and the page says the same as always: the form
        # reveals neither the accounts nor the limit.
        address = request.META.get("REMOTE_ADDR") if request is not None else None
        if throttle.allow_reset_email(email=self.cleaned_data["email"], address=address):
            super().save(*args, request=request, **kwargs)


class SecondFactorForm(forms.Form):
    """A code of the authenticator app (6 digits) or a recovery code; checked by the action."""

    code = forms.CharField(
        label=_("Code à 6 chiffres de l'application, ou code de secours"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
    )


class TotpConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code à 6 chiffres affiché par l'application"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
