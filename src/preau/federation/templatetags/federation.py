from typing import Any

from django import template

from preau.federation import policies

register = template.Library()


@register.inclusion_tag("federation/_login_buttons.html")
def federation_buttons(next_url: str = "") -> dict[str, Any]:
    """A button per enabled identity provider, for the login page."""
    return {"providers": list(policies.login_providers()), "next": next_url}
