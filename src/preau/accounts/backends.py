"""Login by username or e-mail address."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

User = get_user_model()


class UsernameOrEmailBackend(ModelBackend):
    """Accepts a username, or an e-mail address that belongs to exactly one active account.

    Families often share an address; an ambiguous address logs nobody in, and the form then
    asks for the username instead.
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
        username = username.strip()
        user = User.objects.filter(username__iexact=username).first()
        if user is None and "@" in username:
            matches = list(User.objects.filter(email__iexact=username, is_active=True)[:2])
            user = matches[0] if len(matches) == 1 else None
        if user is None:
            # Spend the same time as a real check so that timing does not reveal accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
