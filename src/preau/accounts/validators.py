"""Password rules after CNIL deliberation 2022-100 (case 2: with login attempt limiting).

At least 8 characters from at least three of the four kinds (lower case, upper case, digits,
special characters). Login throttling (accounts.throttle) supplies the attempt limiting that this
case of the recommendation requires.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 8
MIN_KINDS = 3


def character_kinds(password: str) -> int:
    kinds = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(kinds)


class CnilPasswordValidator:
    def validate(self, password: str, user: object = None) -> None:
        if len(password) < MIN_LENGTH or character_kinds(password) < MIN_KINDS:
            raise ValidationError(self.get_help_text(), code="password_too_weak")

    def get_help_text(self) -> str:
        return _(
            "Le mot de passe doit compter au moins %(length)d caractères et mélanger au moins "
            "trois types parmi : minuscules, majuscules, chiffres et caractères spéciaux."
        ) % {"length": MIN_LENGTH}
