"""Marks and averages as families read them: 12,5 and 12,35 in French (the reader's language
decides the decimal mark), nothing shown for a missing value."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from preau.grades.models import format_value

register = template.Library()


@register.filter
def mark(value: Decimal | None) -> str:
    """A mark without useless zeros (12, 12,5)."""
    if value is None or value == "":
        return ""
    text = format_value(Decimal(value))
    return number_format(Decimal(text.replace(",", ".")), use_l10n=True)


@register.filter
def average(value: Decimal | None) -> str:
    """An average to the hundredth (12,35); a dash when there is none."""
    if value is None:
        return "\N{EN DASH}"
    return number_format(value, decimal_pos=2, use_l10n=True)


@register.filter
def lookup(mapping: dict, key: Any) -> Any:
    return mapping.get(key) if mapping else None
