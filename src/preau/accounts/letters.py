"""Printable activation letters: one A4 page per person, for families without e-mail.

The administration console issues the codes and prints them in one go::

    letters = do_issue_activation_letters(
        actor=request.actor,
        people=people,
        establishment=establishment,
        portal_url=request.build_absolute_uri("/"),
    )
    pdf = activation_letters_pdf(letters)

or, for one person, ``code = do_issue_activation_code(...)`` and then
``ActivationLetter(person, establishment, code, codes.expiry(issued_at), portal_url)``.
The clear code exists only in these letters: print them, never store them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.urls import reverse

from preau.accounts.validators import CnilPasswordValidator

if TYPE_CHECKING:
    from preau.accounts.models import User
    from preau.directory.models import Establishment


@dataclass(frozen=True)
class ActivationLetter:
    """What one letter says: who, for which school, the clear code and until when."""

    person: User
    establishment: Establishment
    code: str
    expires_at: datetime
    portal_url: str

    @property
    def activation_url(self) -> str:
        return self.portal_url.rstrip("/") + reverse("accounts:activate")


def activation_letters_html(letters: list[ActivationLetter]) -> str:
    context = {"letters": letters, "password_rules": CnilPasswordValidator().get_help_text()}
    return render_to_string("accounts/activation_letters.html", context)


def activation_letters_pdf(letters: list[ActivationLetter]) -> bytes:
    """One PDF with one A4 page per letter, in the order given."""
    # Imported here: WeasyPrint loads its fonts and libraries on import, which only this needs.
    from weasyprint import HTML

    return HTML(string=activation_letters_html(letters)).write_pdf()
