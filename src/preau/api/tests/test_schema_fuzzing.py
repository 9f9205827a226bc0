"""The OpenAPI document is valid, and generated calls of every GET route never make the server
fail and answer as the document says: schemathesis draws parameters from the document (a few
examples per operation) and calls the application in-process with a token of every scope."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error, response_schema_conformance

from preau.api.api import api
from preau.api.tests.conftest import make_token

pytestmark = pytest.mark.django_db

DOCUMENT = api.get_openapi_schema()
schema = schemathesis.openapi.from_dict(DOCUMENT).include(method="GET")
APP = get_wsgi_application()


def test_the_openapi_document_is_valid() -> None:
    validate(DOCUMENT)


@pytest.fixture
def headers(cast: Any, settings: Any) -> Iterator[dict[str, str]]:
    # Many calls in a few seconds: the rate limit is not what is tested here.
    settings.API_RATE_TOKEN = "100000/m"
    # The application is called as a WSGI server would, inside the test's transaction: the
    # connection must outlive each request, as Django's test client arranges.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {make_token(cast.lea)[1]}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error(case: Any, headers: dict[str, str]) -> None:
    response = case.call(app=APP, headers=headers)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
