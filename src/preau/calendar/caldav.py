"""CalDAV (RFC 4791, with the parts of WebDAV RFC 4918 and collection sync RFC 6578 that
calendar apps use), so that phones and desktop apps sync personal calendars.

- ``/.well-known/caldav`` → ``/caldav/``; the principal is ``/caldav/principal/``, the calendar
  home ``/caldav/calendars/``, each calendar ``/caldav/calendars/<public id>/`` and each event
  ``/caldav/calendars/<public id>/<resource name>``.
- HTTP Basic only (a personal access token with the « dav:calendars » scope, or the password),
  checked on every request through accounts/basic.py; no session, so these views are exempt
  from CSRF and cookies play no part.
- Personal calendars are read-write; the person's class, group and establishment calendars (and
  their children's) are listed read-only. Anything else does not exist (404).
- Request bodies are parsed with defusedxml: no DTD, no entities, no network.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import wraps
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as parse_xml
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from preau.accounts.actions import client_address
from preau.accounts.basic import authenticate_basic
from preau.api.models import Scope
from preau.calendar import actions, ical, policies, selectors
from preau.calendar.models import Calendar, Event
from preau.core.actor import SESSION_ESTABLISHMENT_KEY, Actor
from preau.directory.policies import get_or_404
from preau.portal.selectors import is_service_enabled

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CALSERVER = "http://calendarserver.org/ns/"
APPLE = "http://apple.com/ns/ical/"
for prefix, namespace in (("d", DAV), ("c", CALDAV), ("cs", CALSERVER), ("a", APPLE)):
    ET.register_namespace(prefix, namespace)

ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT"
MAX_EVENT_SIZE = 256 * 1024
CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


def tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def element(name: str, text: str | None = None, children: list[ET.Element] = ()) -> ET.Element:
    node = ET.Element(name)
    if text is not None:
        node.text = text
    node.extend(children)
    return node


class DavError(Exception):
    """An answer other than success: a status and, for a failed precondition, its element."""

    def __init__(self, status: int, condition: str | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.condition = condition

    def response(self) -> HttpResponse:
        if self.condition is None:
            return HttpResponse(status=self.status)
        body = ET.tostring(element(tag(DAV, "error"), children=[ET.Element(self.condition)]))
        return HttpResponse(
            b'<?xml version="1.0" encoding="utf-8"?>\n' + body,
            status=self.status,
            content_type="application/xml; charset=utf-8",
        )


def _unauthorised() -> HttpResponse:
    response = HttpResponse("Authentification requise.", status=401, content_type="text/plain")
    response["WWW-Authenticate"] = 'Basic realm="Préau", charset="UTF-8"'
    return response


def dav_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Basic authentication on each request, OPTIONS, and DAV errors as responses."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=200)
            response["Allow"] = ALLOW
            response["DAV"] = "1, 3, calendar-access"
            return response
        user = authenticate_basic(
            authorization=request.META.get("HTTP_AUTHORIZATION"),
            address=client_address(request),
            scope=Scope.DAV_CALENDARS,
        )
        if user is None:
            return _unauthorised()
        actor = Actor(user, {})
        try:
            response = view(request, actor, *args, **kwargs)
        except DavError as error:
            response = error.response()
        except Http404:
            response = HttpResponse(status=404)
        response["DAV"] = "1, 3, calendar-access"
        return response

    return wrapper


@csrf_exempt
def well_known(request: HttpRequest) -> HttpResponse:
    """RFC 6764: where a client finds the CalDAV service."""
    return HttpResponseRedirect(reverse("caldav:root"), status=301)


# -- addresses ------------------------------------------------------------------------------------


def _prefix() -> str:
    return reverse("caldav:root")


def principal_href() -> str:
    return _prefix() + "principal/"


def home_href() -> str:
    return _prefix() + "calendars/"


def collection_href(calendar: Calendar) -> str:
    return f"{home_href()}{calendar.public_id}/"


def resource_href(calendar: Calendar, resource: str) -> str:
    return collection_href(calendar) + quote(resource, safe="@+=~-._")


# -- XML in and out -------------------------------------------------------------------------------


def _body(request: HttpRequest) -> ET.Element | None:
    if not request.body.strip():
        return None
    try:
        return parse_xml(request.body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise DavError(400) from exc


def _requested(root: ET.Element | None) -> list[str] | None:
    """The property names a PROPFIND or REPORT asks for; None for all of them."""
    if root is None:
        return None
    prop = root.find(tag(DAV, "prop"))
    if prop is None:
        return None
    return [child.tag for child in prop]


def _response(href: str, properties: dict[str, Any], wanted: list[str] | None) -> ET.Element:
    """One ``response``: the asked properties we have (200) and those we lack (404)."""
    node = element(tag(DAV, "response"), children=[element(tag(DAV, "href"), href)])
    names = wanted if wanted is not None else list(properties)
    found = element(tag(DAV, "prop"))
    missing = element(tag(DAV, "prop"))
    for name in names:
        value = properties.get(name)
        if value is None:
            missing.append(ET.Element(name))
            continue
        prop = ET.Element(name)
        if callable(value):
            value = value()
        if isinstance(value, str):
            prop.text = value
        else:
            prop.extend(value)
        found.append(prop)
    for prop_set, status in ((found, "HTTP/1.1 200 OK"), (missing, "HTTP/1.1 404 Not Found")):
        if len(prop_set):
            node.append(
                element(
                    tag(DAV, "propstat"), children=[prop_set, element(tag(DAV, "status"), status)]
                )
            )
    return node


def _missing(href: str) -> ET.Element:
    return element(
        tag(DAV, "response"),
        children=[
            element(tag(DAV, "href"), href),
            element(tag(DAV, "status"), "HTTP/1.1 404 Not Found"),
        ],
    )


def _multistatus(responses: list[ET.Element], sync_token: str | None = None) -> HttpResponse:
    root = element(tag(DAV, "multistatus"), children=responses)
    if sync_token is not None:
        root.append(element(tag(DAV, "sync-token"), sync_token))
    return HttpResponse(
        b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root),
        status=207,
        content_type="application/xml; charset=utf-8",
    )


def _href(value: str) -> list[ET.Element]:
    return [element(tag(DAV, "href"), value)]


def _privileges(*names: str) -> list[ET.Element]:
    return [element(tag(DAV, "privilege"), children=[ET.Element(tag(DAV, name))]) for name in names]


def _common(actor: Actor) -> dict[str, Any]:
    return {
        tag(DAV, "current-user-principal"): _href(principal_href()),
        tag(DAV, "principal-URL"): _href(principal_href()),
        tag(CALDAV, "calendar-home-set"): _href(home_href()),
    }


# -- resources -------------------------------------------------------------------------------------


def _actor_for(actor: Actor, calendar: Calendar) -> Actor:
    """The person as a member of the calendar's establishment, when they are one."""
    if actor.establishment is None or calendar.establishment_id == actor.establishment.pk:
        return actor
    if any(e.pk == calendar.establishment_id for e in actor.establishments):
        return Actor(actor.user, {SESSION_ESTABLISHMENT_KEY: str(calendar.establishment.public_id)})
    return actor


def sync_token(calendar: Calendar) -> str:
    return f"data:,{calendar.public_id}/{calendar.version}"


def _collection_properties(actor: Actor, calendar: Calendar) -> dict[str, Any]:
    writable = policies.can_write_by_dav(actor, calendar)
    privileges = ("read", "write", "write-content", "bind", "unbind") if writable else ("read",)
    reports = ["calendar-query", "calendar-multiget", "sync-collection"]
    return {
        **_common(actor),
        tag(DAV, "resourcetype"): [
            ET.Element(tag(DAV, "collection")),
            ET.Element(tag(CALDAV, "calendar")),
        ],
        tag(DAV, "displayname"): str(calendar.label),
        tag(DAV, "owner"): _href(principal_href()) if calendar.is_personal else [],
        tag(CALSERVER, "getctag"): str(calendar.version),
        tag(DAV, "sync-token"): sync_token(calendar),
        tag(CALDAV, "supported-calendar-component-set"): [
            ET.Element(tag(CALDAV, "comp"), {"name": "VEVENT"})
        ],
        tag(CALDAV, "supported-calendar-data"): [
            ET.Element(
                tag(CALDAV, "calendar-data"), {"content-type": "text/calendar", "version": "2.0"}
            )
        ],
        tag(CALDAV, "calendar-timezone"): None,
        tag(DAV, "current-user-privilege-set"): _privileges(*privileges),
        tag(DAV, "supported-report-set"): [
            element(
                tag(DAV, "supported-report"),
                children=[element(tag(DAV, "report"), children=[ET.Element(tag(ns, name))])],
            )
            for ns, name in ((CALDAV, reports[0]), (CALDAV, reports[1]), (DAV, reports[2]))
        ],
    }


def _event_properties(event: Event, *, with_data: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        tag(DAV, "getetag"): f'"{event.etag}"',
        tag(DAV, "getcontenttype"): "text/calendar; charset=utf-8; component=vevent",
        tag(DAV, "resourcetype"): [],
        tag(DAV, "getlastmodified"): format_datetime(event.updated_at.astimezone(UTC), usegmt=True),
        tag(DAV, "getcontentlength"): str(len(event.ical.encode())),
    }
    if with_data:
        properties[tag(CALDAV, "calendar-data")] = event.ical
    return properties


def _calendar(actor: Actor, public_id: str) -> Calendar:
    calendar = get_or_404(policies.dav_calendars(actor), public_id)
    if not is_service_enabled(calendar.establishment, "calendar"):
        raise Http404
    return calendar


def _events(actor: Actor, calendar: Calendar, resources: list[str] | None = None) -> list[Event]:
    return selectors.feed_events(actor, calendar, resources=resources)


# -- views -------------------------------------------------------------------------------------


def _propfind_only(request: HttpRequest) -> None:
    if request.method not in ("PROPFIND",):
        raise DavError(405)


@dav_view
def root(request: HttpRequest, actor: Actor) -> HttpResponse:
    _propfind_only(request)
    wanted = _requested(_body(request))
    properties = {
        **_common(actor),
        tag(DAV, "resourcetype"): [ET.Element(tag(DAV, "collection"))],
        tag(DAV, "displayname"): "Préau",
    }
    return _multistatus([_response(_prefix(), properties, wanted)])


@dav_view
def principal(request: HttpRequest, actor: Actor) -> HttpResponse:
    _propfind_only(request)
    wanted = _requested(_body(request))
    user = actor.user
    addresses = [element(tag(DAV, "href"), f"mailto:{user.email}")] if user.email else []
    properties = {
        **_common(actor),
        tag(DAV, "resourcetype"): [
            ET.Element(tag(DAV, "collection")),
            ET.Element(tag(DAV, "principal")),
        ],
        tag(DAV, "displayname"): user.get_full_name() or user.username,
        tag(CALDAV, "calendar-user-address-set"): addresses,
    }
    return _multistatus([_response(principal_href(), properties, wanted)])


@dav_view
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    _propfind_only(request)
    wanted = _requested(_body(request))
    if actor.establishment is not None:
        # A phone needs one calendar to write into from the start.
        actions.ensure_personal_calendar(actor=actor, establishment=actor.establishment)
    properties = {
        **_common(actor),
        tag(DAV, "resourcetype"): [ET.Element(tag(DAV, "collection"))],
        tag(DAV, "displayname"): "Agendas",
    }
    responses = [_response(home_href(), properties, wanted)]
    if request.META.get("HTTP_DEPTH", "1") != "0":
        for calendar in policies.dav_calendars(actor):
            # An establishment that turned the agenda off has none to sync.
            if not is_service_enabled(calendar.establishment, "calendar"):
                continue
            responses.append(
                _response(
                    collection_href(calendar),
                    _collection_properties(_actor_for(actor, calendar), calendar),
                    wanted,
                )
            )
    return _multistatus(responses)


@dav_view
def collection(request: HttpRequest, actor: Actor, public_id: str) -> HttpResponse:
    calendar = _calendar(actor, public_id)
    actor = _actor_for(actor, calendar)
    if request.method == "PROPFIND":
        wanted = _requested(_body(request))
        responses = [
            _response(collection_href(calendar), _collection_properties(actor, calendar), wanted)
        ]
        if request.META.get("HTTP_DEPTH", "infinity") != "0":
            with_data = wanted is not None and tag(CALDAV, "calendar-data") in wanted
            for event in _events(actor, calendar):
                responses.append(
                    _response(
                        resource_href(calendar, event.resource),
                        _event_properties(event, with_data=with_data),
                        wanted,
                    )
                )
        return _multistatus(responses)
    if request.method == "REPORT":
        return _report(request, actor, calendar)
    if request.method == "PROPPATCH":
        return _proppatch(request, calendar)
    if request.method in ("GET", "HEAD"):
        return HttpResponse(str(calendar.label), content_type="text/plain; charset=utf-8")
    if request.method == "MKCALENDAR":
        raise DavError(405)
    raise DavError(405)


def _proppatch(request: HttpRequest, calendar: Calendar) -> HttpResponse:
    """Properties are set in the portal, not from the client: each one is refused (403)."""
    root = _body(request)
    names = []
    if root is not None:
        for prop_set in root.iter(tag(DAV, "prop")):
            names.extend(child.tag for child in prop_set)
    node = element(
        tag(DAV, "response"), children=[element(tag(DAV, "href"), collection_href(calendar))]
    )
    node.append(
        element(
            tag(DAV, "propstat"),
            children=[
                element(tag(DAV, "prop"), children=[ET.Element(name) for name in names]),
                element(tag(DAV, "status"), "HTTP/1.1 403 Forbidden"),
            ],
        )
    )
    return _multistatus([node])


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise DavError(400) from exc


def _report(request: HttpRequest, actor: Actor, calendar: Calendar) -> HttpResponse:
    root = _body(request)
    if root is None:
        raise DavError(400)
    wanted = _requested(root)
    with_data = wanted is None or tag(CALDAV, "calendar-data") in wanted
    if root.tag == tag(CALDAV, "calendar-multiget"):
        base = collection_href(calendar)
        asked = []
        for href in root.iter(tag(DAV, "href")):
            path = unquote(urlsplit((href.text or "").strip()).path)
            asked.append(((href.text or "").strip(), path.removeprefix(base)))
        by_name = {
            event.resource: event
            for event in _events(actor, calendar, resources=[name for _, name in asked])
        }
        responses = []
        for href, name in asked:
            event = by_name.get(name)
            if event is None:
                responses.append(_missing(href))
            else:
                responses.append(
                    _response(
                        resource_href(calendar, event.resource),
                        _event_properties(event, with_data=with_data),
                        wanted,
                    )
                )
        return _multistatus(responses)
    if root.tag == tag(CALDAV, "calendar-query"):
        events = _query(actor, calendar, root)
        return _multistatus(
            [
                _response(
                    resource_href(calendar, event.resource),
                    _event_properties(event, with_data=with_data),
                    wanted,
                )
                for event in events
            ]
        )
    if root.tag == tag(DAV, "sync-collection"):
        return _sync(actor, calendar, root, wanted)
    raise DavError(403, tag(DAV, "supported-report"))


def _query(actor: Actor, calendar: Calendar, root: ET.Element) -> list[Event]:
    """A calendar-query: events (the only component we hold), within a time range if given."""
    filter_node = root.find(tag(CALDAV, "filter"))
    if filter_node is None:
        return _events(actor, calendar)
    top = filter_node.find(tag(CALDAV, "comp-filter"))
    if top is None or top.get("name") != "VCALENDAR":
        return []
    inner = top.findall(tag(CALDAV, "comp-filter"))
    if not inner:
        return _events(actor, calendar)
    vevent = next((node for node in inner if node.get("name") == "VEVENT"), None)
    if vevent is None:
        return []
    time_range = vevent.find(tag(CALDAV, "time-range"))
    if time_range is None:
        return _events(actor, calendar)
    start = _time(time_range.get("start")) or datetime(1900, 1, 1, tzinfo=UTC)
    end = _time(time_range.get("end")) or datetime(9999, 1, 1, tzinfo=UTC)
    return [
        event
        for event in selectors.events_between(actor, [calendar], start, end)
        if ical.occurrences(event, start, end)
    ]


def _sync(
    actor: Actor, calendar: Calendar, root: ET.Element, wanted: list[str] | None
) -> HttpResponse:
    """RFC 6578, without a change log: a current token gets nothing new, no token gets
    everything, and an older token is refused so that the client syncs in full."""
    given = (root.findtext(tag(DAV, "sync-token")) or "").strip()
    current = sync_token(calendar)
    if given == current:
        return _multistatus([], current)
    if given:
        raise DavError(403, tag(DAV, "valid-sync-token"))
    with_data = wanted is not None and tag(CALDAV, "calendar-data") in wanted
    responses = [
        _response(
            resource_href(calendar, event.resource),
            _event_properties(event, with_data=with_data),
            wanted,
        )
        for event in _events(actor, calendar)
    ]
    return _multistatus(responses, current)


def _etag_matches(header: str, etag: str) -> bool:
    values = [value.strip() for value in header.split(",")]
    return "*" in values or f'"{etag}"' in values or f'W/"{etag}"' in values


@dav_view
def resource(request: HttpRequest, actor: Actor, public_id: str, resource: str) -> HttpResponse:
    calendar = _calendar(actor, public_id)
    actor = _actor_for(actor, calendar)
    event = Event.objects.filter(calendar=calendar, resource=resource).first()
    if event is not None:
        event.calendar = calendar
    if event is not None and not policies.shows_event(
        policies.reader_profiles(actor, calendar), event
    ):
        event = None
    if request.method in ("GET", "HEAD"):
        if event is None:
            raise Http404
        response = HttpResponse(
            event.ical if request.method == "GET" else b"", content_type=CALENDAR_CONTENT_TYPE
        )
        response["ETag"] = f'"{event.etag}"'
        response["Last-Modified"] = format_datetime(event.updated_at.astimezone(UTC), usegmt=True)
        return response
    if request.method == "PROPFIND":
        if event is None:
            raise Http404
        wanted = _requested(_body(request))
        return _multistatus(
            [
                _response(
                    resource_href(calendar, resource),
                    _event_properties(event, with_data=False),
                    wanted,
                )
            ]
        )
    if request.method == "PUT":
        return _put(request, actor, calendar, resource, event)
    if request.method == "DELETE":
        if event is None:
            raise Http404
        if not policies.can_write_by_dav(actor, calendar):
            raise DavError(403, tag(DAV, "need-privileges"))
        if_match = request.META.get("HTTP_IF_MATCH")
        if if_match and not _etag_matches(if_match, event.etag):
            raise DavError(412)
        actions.do_delete_event(actor=actor, event=event)
        return HttpResponse(status=204)
    raise DavError(405)


def _put(
    request: HttpRequest, actor: Actor, calendar: Calendar, resource: str, event: Event | None
) -> HttpResponse:
    if not policies.can_write_by_dav(actor, calendar):
        raise DavError(403, tag(DAV, "need-privileges"))
    if_match = request.META.get("HTTP_IF_MATCH")
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match and event is not None and _etag_matches(if_none_match, event.etag):
        raise DavError(412)
    if if_match and (event is None or not _etag_matches(if_match, event.etag)):
        raise DavError(412)
    if len(request.body) > MAX_EVENT_SIZE:
        raise DavError(403, tag(CALDAV, "max-resource-size"))
    try:
        parsed = ical.parse(request.body)
    except ical.InvalidEvent as exc:
        raise DavError(403, tag(CALDAV, "valid-calendar-data")) from exc
    try:
        stored, created = actions.do_store_event(
            actor=actor, calendar=calendar, resource=resource, parsed=parsed, event=event
        )
    except actions.Conflict as exc:
        raise DavError(409, tag(CALDAV, "no-uid-conflict")) from exc
    response = HttpResponse(status=201 if created else 204)
    response["ETag"] = f'"{stored.etag}"'
    return response
