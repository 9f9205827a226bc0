"""Form helpers shared by the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError

T = TypeVar("T")


def add_validation_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show an action's refusal on the form: each message beside its field when the form has
    that field, otherwise at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def apply_action(form: forms.BaseForm, write: Callable[[], T]) -> T | None:
    """Run the action ``write``; a refusal it raises is shown on ``form`` and gives None."""
    try:
        return write()
    except ValidationError as error:
        add_validation_errors(form, error)
        return None
