"""The error format, the OpenAPI document and the docs page."""

import json
import re
from typing import Any

import pytest
from django.core.exceptions import BadRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from ninja.errors import Throttled

from preau.api.api import api
from preau.directory import policies

pytestmark = pytest.mark.django_db


def error_of(response: Any, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_404_unknown_object(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    url = reverse("api:class_detail", kwargs={"public_id": "00000000-0000-4000-8000-000000000000"})
    error = error_of(client.get(url), 404)
    assert error == {"code": "not_found", "message": "Ressource introuvable.", "details": None}


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/", "/api/v1/me/"])
def test_404_unknown_path(client: Any, path: str) -> None:
    assert error_of(client.get(path), 404)["code"] == "not_found"


def test_405(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    response = client.delete(reverse("api:me"))
    error = error_of(response, 405)
    assert error["code"] == "method_not_allowed"
    assert error["details"] == {"allowed": ["GET"]}
    assert response["Allow"] == "GET"


def test_422(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    error = error_of(client.get(reverse("api:class_list"), {"page": "one"}), 422)
    assert error["code"] == "validation_error"
    assert error["details"][0]["loc"] == ["query", "page"]


def test_401(client: Any) -> None:
    assert error_of(client.get(reverse("api:class_list")), 401)["code"] == "not_authenticated"


def test_500_hides_the_failure(cast: Any, monkeypatch: Any) -> None:
    def broken(actor: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(policies, "visible_classes", broken)
    client = Client(raise_request_exception=False)
    client.force_login(cast.principal_moulin)
    response = client.get(reverse("api:class_list"))
    error = error_of(response, 500)
    assert error["code"] == "server_error"
    assert "secret internals" not in response.content.decode()


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [(BadRequest(), 400, "bad_request"), (Throttled(wait=12.5), 429, "throttled")],
)
def test_handlers_for_errors_raised_outside_routes(exc: Exception, status: int, code: str) -> None:
    request = RequestFactory().get("/api/v1/me")
    error = error_of(api.on_exception(request, exc), status)
    assert error["code"] == code
    if status == 429:
        assert api.on_exception(request, exc)["Retry-After"] == "13"


# -- OpenAPI and docs ------------------------------------------------------------------------


def test_openapi_document(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/me",
        "/api/v1/classes",
        "/api/v1/classes/{public_id}",
        "/api/v1/classes/{public_id}/students",
        "/api/v1/students/{public_id}",
        "/api/v1/tokens",
        "/api/v1/tokens/{public_id}/revoke",
        "/api/v1/timetable",
        "/api/v1/homework",
        "/api/v1/students/{public_id}/marks",
        "/api/v1/students/{public_id}/averages",
        "/api/v1/students/{public_id}/attendance",
        "/api/v1/conversations",
        "/api/v1/conversations/{public_id}",
        "/api/v1/drive/root",
        "/api/v1/drive/folders/{public_id}/items",
        "/api/v1/drive/files/{public_id}/content",
    ]:
        assert path in paths, path
    operations = [op for item in paths.values() for op in item.values()]
    assert len({op["operationId"] for op in operations}) == len(operations)
    assert all("x-required-scope" in op for op in operations)
    assert set(schema["components"]["securitySchemes"]) == {
        "PersonalAccessTokenAuth",
        "SessionAuth",
    }
    assert schema["components"]["securitySchemes"]["PersonalAccessTokenAuth"]["scheme"] == "bearer"
    listing = paths["/api/v1/classes"]["get"]
    parameters = {p["name"] for p in listing["parameters"]}
    assert {"page", "page_size"} <= parameters
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][page.rsplit("/", 1)[1]]["properties"]) == {
        "items",
        "count",
        "page",
        "pages",
    }
    assert "404" in paths["/api/v1/students/{public_id}"]["get"]["responses"]


def test_docs_page_runs_under_the_csp(client: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    # The only script without a source is the JSON settings block, which is data, not code.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="swagger-settings"']
    assert "style=" not in html and "<style" not in html
    settings = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1)
    assert json.loads(settings)["url"] == "/api/v1/openapi.json"
