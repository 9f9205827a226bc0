"""Login by username or e-mail address, and the signed-in person read on every request."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

User = get_user_model()
USER_CACHE_TIMEOUT = 300


def user_key(user_id: Any) -> str:
    return f"accounts:user:{user_id}"


def forget_users(user_ids: Any) -> None:
    """Drop the cached copies of these accounts, now and when the transaction commits."""
    keys = [user_key(user_id) for user_id in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def forget_user(user_id: Any) -> None:
    forget_users([user_id])


def forget_saved_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_user(instance.pk)


def find_account(identifier: str) -> User | None:
    """The account a login name designates: a username, or an e-mail address of exactly one
    active account. Families often share an address; an ambiguous one designates nobody.
    """
    identifier = identifier.strip()
    if not identifier:
        return None
    user = User.objects.filter(username__iexact=identifier).first()
    if user is None and "@" in identifier:
        matches = list(User.objects.filter(email__iexact=identifier, is_active=True)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


class UsernameOrEmailBackend(ModelBackend):
    """Accepts a username, or an e-mail address that belongs to exactly one active account.

    An ambiguous address logs nobody in, and the login form then asks for the username instead.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ) -> User | None:
        if not username or password is None:
            return None
        user = find_account(username)
        if user is None:
            # Spend the same time as a real check so that timing does not reveal accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in person, kept in the cache between their requests.

        Every save of the account drops the copy (connected in AccountsConfig.ready), so a
        password change, « log out everywhere » or a deactivation takes effect at the next
        request, as with a database read.
        """
        key = user_key(user_id)
        user = cache.get(key)
        if user is None:
            try:
                user = User._default_manager.get(pk=user_id)
            except User.DoesNotExist:
                return None
            cache.set(key, user, USER_CACHE_TIMEOUT)
        return user if self.user_can_authenticate(user) else None
