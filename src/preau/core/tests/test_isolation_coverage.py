"""Every route that takes an identifier must declare its isolation cases (core/testing.py)."""

import importlib
import pkgutil
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver

import preau
from preau.core.testing import ISOLATION_CASES

# Routes with parameters that do not address tenant data.
NOT_TENANT_SCOPED = {
    "accounts:password_reset_confirm",  # a signed token sent by e-mail, not a record id
    # An identity provider's public endpoints, reached before any login (federation/tests).
    "federation:start",
    "federation:saml_metadata",
    "federation:saml_acs",
    "federation:oidc_callback",
}
# Routes called by an outside tool with its OAuth 2 token, not by a person's session: their
# isolation (another tool's token, another class's student) is tested in lti/tests/test_services.
TOOL_TOKEN_ROUTES = {"lti:memberships", "lti:line_items", "lti:line_item", "lti:scores"}
# The Django admin is for superusers only and keeps its own permission checks.
EXEMPT_NAMESPACES = {"admin"}


def routes_with_parameters(
    patterns: list, namespace: str = "", has_parameter: bool = False
) -> Iterator[str]:
    for pattern in patterns:
        takes_parameter = (
            has_parameter or bool(pattern.pattern.converters) or "(?P<" in str(pattern.pattern)
        )
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            full = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            if inner in EXEMPT_NAMESPACES:
                continue
            yield from routes_with_parameters(pattern.url_patterns, full, takes_parameter)
        elif isinstance(pattern, URLPattern) and takes_parameter and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def load_all_test_modules() -> None:
    for module in pkgutil.walk_packages(preau.__path__, prefix="preau."):
        if ".tests." in module.name and module.name.rsplit(".", 1)[-1].startswith("test_"):
            importlib.import_module(module.name)


def test_every_tenant_scoped_route_has_isolation_tests() -> None:
    load_all_test_modules()
    covered = {case.route for case in ISOLATION_CASES}
    routes = set(routes_with_parameters(get_resolver().url_patterns))
    missing = sorted(routes - covered - NOT_TENANT_SCOPED - TOOL_TOKEN_ROUTES)
    assert not missing, "Routes without isolation tests: " + ", ".join(missing)


def test_the_check_sees_known_routes() -> None:
    routes = set(routes_with_parameters(get_resolver().url_patterns))
    assert {"directory:student", "directory:class", "portal:logo"} <= routes
