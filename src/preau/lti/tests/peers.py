"""The tool side of the tests: pylti1p3 (a third-party LTI 1.3 library) running its Django
integration, with its HTTP calls to Préau (key set, token, services) carried to the Django test
client, so that both ends of every exchange are real."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from django.conf import settings
from django.test import Client, RequestFactory
from jwcrypto import jwk
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.tool_config import ToolConfDict

ISSUER = "https://preau.test"
TOOL = "https://tool.example"
FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class DjangoTransport(requests.adapters.BaseAdapter):
    """A requests adapter answering from Préau's views through the Django test client."""

    def __init__(self, client: Client) -> None:
        super().__init__()
        self.client = client
        self.calls: list[tuple[str, str, int]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in {"content-length"}}
        content_type = headers.pop("Content-Type", "application/octet-stream")
        answer = self.client.generic(
            request.method,
            path,
            data=request.body or b"",
            content_type=content_type,
            headers=headers,
            secure=True,
        )
        self.calls.append((request.method, parts.path, answer.status_code))
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = requests.structures.CaseInsensitiveDict(answer.headers.items())
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def new_key() -> tuple[str, str]:
    key = jwk.JWK.generate(kty="RSA", size=2048)
    return (
        key.export_to_pem(private_key=True, password=None).decode(),
        key.export_to_pem().decode(),
    )


@dataclass
class Tool:
    """One tool's pylti1p3 configuration and its browser-side state (session, cookies)."""

    client_id: str
    deployment_id: str
    private_pem: str
    public_pem: str
    factory: RequestFactory = field(default_factory=RequestFactory)
    cookies: dict[str, str] = field(default_factory=dict)
    transport: DjangoTransport = field(default_factory=lambda: DjangoTransport(Client()))

    def __post_init__(self) -> None:
        self.session = import_module(settings.SESSION_ENGINE).SessionStore()
        self.http = requests.Session()
        self.http.mount(ISSUER, self.transport)
        self.conf = ToolConfDict(
            {
                ISSUER: [
                    {
                        "default": True,
                        "client_id": self.client_id,
                        "auth_login_url": f"{ISSUER}/lti/authorize",
                        "auth_token_url": f"{ISSUER}/lti/token",
                        "key_set_url": f"{ISSUER}/lti/jwks.json",
                        "key_set": None,
                        "deployment_ids": [self.deployment_id],
                    }
                ]
            }
        )
        self.conf.set_private_key(ISSUER, self.private_pem, client_id=self.client_id)
        self.conf.set_public_key(ISSUER, self.public_pem, client_id=self.client_id)

    def _request(self, method: str, url: str, data: dict[str, str]) -> Any:
        parts = urlsplit(url)
        request = getattr(self.factory, method)(parts.path, data, secure=True)
        request.session = self.session
        request.COOKIES.update(self.cookies)
        return request

    def login(self, initiation_url: str) -> str:
        """The tool's login initiation endpoint: returns where it sends the browser."""
        query = dict(parse_qsl(urlsplit(initiation_url).query))
        request = self._request("get", initiation_url, query)
        response = DjangoOIDCLogin(request, self.conf).redirect(query["target_link_uri"])
        self.cookies.update({k: m.value for k, m in response.cookies.items()})
        self.session.save()
        return response["Location"]

    def launch(self, action: str, fields: dict[str, str]) -> DjangoMessageLaunch:
        """The tool's launch endpoint receiving the form post; validates the id_token."""
        request = self._request("post", action, fields)
        message = DjangoMessageLaunch(request, self.conf, requests_session=self.http)
        message.get_launch_data()
        return message


def form_post(response: Any) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of Préau's auto-submitted form."""
    html = response.content.decode()
    action = re.search(r'<form method="post" action="([^"]+)" class="lti-autopost"', html).group(1)
    return action, dict(FIELD.findall(html))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
