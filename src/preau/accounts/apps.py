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
