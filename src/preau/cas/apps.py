from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _note_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Remember when the password was typed: ``renew`` and ``isFromNewLogin`` depend on it."""
    import time

    from preau.cas.views import LOGIN_AT_KEY

    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = time.time()


def _end_services_sessions(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Single logout: the services this session logged into are told (asynchronously)."""
    from preau.cas.actions import do_end_session

    if request is not None and hasattr(request, "session"):
        do_end_session(session_key=request.session.session_key or "")


class CasConfig(AppConfig):
    name = "preau.cas"
    verbose_name = _("CAS")

    def ready(self) -> None:
        # Django's own login and logout signals: every way in or out of a session (the login
        # page, activation, "log out everywhere") passes through them.
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        user_logged_in.connect(_note_login, dispatch_uid="cas_note_login")
        user_logged_out.connect(_end_services_sessions, dispatch_uid="cas_single_logout")
