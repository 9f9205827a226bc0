from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "preau.accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from preau.accounts.backends import User, forget_saved_user

        # The signed-in person is cached between requests (backends.get_user).
        post_save.connect(forget_saved_user, sender=User, dispatch_uid="accounts-user-saved")
        post_delete.connect(forget_saved_user, sender=User, dispatch_uid="accounts-user-gone")

        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_record_session, dispatch_uid="accounts-session-started")


def _record_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every login, whatever its path, appears in the person's list of sessions."""
    from preau.accounts import sessions
    from preau.accounts.actions import do_record_session
    from preau.accounts.twofactor import SESSION_DEVICE

    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    device = sessions.device_of(request)
    request.session[SESSION_DEVICE] = device
    do_record_session(request=request, user=user, device=device)
