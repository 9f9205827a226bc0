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
