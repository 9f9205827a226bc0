from django.urls import path

from preau.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_verify, name="login_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("activate/", views.activate, name="activate"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="language"),
    path("security/", views.security, name="security"),
    path("passkeys/login/options/", views.passkey_login_options, name="passkey_login_options"),
    path("passkeys/login/", views.passkey_login, name="passkey_login"),
    path(
        "passkeys/register/options/",
        views.passkey_register_options,
        name="passkey_register_options",
    ),
    path("passkeys/register/", views.passkey_register, name="passkey_register"),
    path("passkeys/<uuid:public_id>/rename/", views.passkey_rename, name="passkey_rename"),
    path("passkeys/<uuid:public_id>/delete/", views.passkey_delete, name="passkey_delete"),
    path("security/code/", views.second_factor, name="second_factor"),
    path("security/totp/", views.totp_enrol, name="totp_enrol"),
    path("security/totp/remove/", views.totp_remove, name="totp_remove"),
    path("security/recovery-codes/", views.recovery_codes_renew, name="recovery_codes_renew"),
    path("security/sessions/<uuid:public_id>/revoke/", views.session_revoke, name="session_revoke"),
    path(
        "security/sessions/revoke-others/",
        views.sessions_revoke_others,
        name="sessions_revoke_others",
    ),
]
