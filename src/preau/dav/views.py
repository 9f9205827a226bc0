"""``/dav/``: HTTP Basic authentication, then the request handed to the WsgiDAV application.

The request comes through Django like any other (the trusted-proxy address, the security
headers, the database connection handling), so every server that serves the portal — the
development server, gunicorn, the test servers — serves WebDAV too. Only Basic credentials
are accepted here, never the session cookie: a page of another site cannot make a signed-in
browser write into the drive.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from preau.accounts.basic import authenticate_basic
from preau.api.models import Scope
from preau.dav import namespace
from preau.dav.app import MOUNT, dav_application
from preau.dav.resources import TREE_KEY, Tree

REALM = "Préau"
# Headers a WSGI application may not set (PEP 3333); the server manages the connection.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)


def _unauthorized() -> HttpResponse:
    response = HttpResponse(status=401)
    response["WWW-Authenticate"] = f'Basic realm="{REALM}"'
    return response


def _chunked(request: HttpRequest) -> bool:
    return "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()


def _body(request: HttpRequest) -> Any:
    """The request body as WsgiDAV reads it: to its end and no further."""
    if _chunked(request):
        # The server decoded the chunks and ends the stream there (gunicorn does).
        return request.META["wsgi.input"]
    return request  # reads through Django's stream, limited by Content-Length


def _stream(first: bytes | None, rest: Iterator[bytes], scope: namespace.Namespace) -> Any:
    try:
        if first:
            yield first
        while True:
            with namespace.serving(scope):
                chunk = next(rest, None)
            if chunk is None:
                return
            if chunk:
                yield chunk
    finally:
        close = getattr(rest, "close", None)
        if close is not None:
            close()


@csrf_exempt
def dav(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    person = authenticate_basic(
        authorization=request.META.get("HTTP_AUTHORIZATION"),
        address=request.META.get("REMOTE_ADDR"),
        scope=Scope.DAV_FILES,
    )
    if person is None:
        return _unauthorized()
    if "#" in request.META.get("RAW_URI", ""):
        # A fragment has no place in a request (RFC 9110 §7.1); servers that drop it would
        # otherwise turn « DELETE /a/#b » into « DELETE /a/ ».
        return HttpResponse(status=400)
    if _chunked(request) and not request.META.get("wsgi.input_terminated"):
        # A server that leaves chunks undecoded (the development server) would hand over an
        # empty body, and the file would be saved empty: ask for a length instead.
        return HttpResponse(status=411)
    tree = Tree(person)
    environ = dict(request.META)
    path = request.path_info[len(MOUNT) :] or "/"
    environ["SCRIPT_NAME"] = MOUNT
    # Back to the WSGI form (UTF-8 bytes as Latin-1 characters) that WsgiDAV decodes.
    environ["PATH_INFO"] = path.encode("utf-8").decode("iso-8859-1")
    environ["wsgi.input"] = _body(request)
    # COPY and MOVE compare their Destination's host with it.
    environ.setdefault("HTTP_HOST", request.get_host())
    environ["wsgidav.auth.user_name"] = person.username
    environ["wsgidav.auth.realm"] = REALM
    environ[TREE_KEY] = tree

    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started["status"], started["headers"] = status, headers
        return None

    with namespace.serving(tree.namespace):
        rest = iter(dav_application()(environ, start_response))
        first = next(rest, None)
    code, _, reason = started["status"].partition(" ")
    response = StreamingHttpResponse(
        _stream(first, rest, tree.namespace), status=int(code), reason=reason or None
    )
    for name, value in started["headers"]:
        if name.lower() not in HOP_BY_HOP:
            response[name] = value
    return response
