from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def mark(value: Any) -> str:
    """An average out of 20 with two decimals, French style (12,50); a dash when none."""
    if value is None or value == "":
        return "\u2013"  # an en dash
    return number_format(Decimal(value).quantize(Decimal("0.01")), 2)
