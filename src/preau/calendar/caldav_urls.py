"""CalDAV (RFC 4791) for phones and desktop calendar apps, under /caldav/. Trailing slashes are
optional: clients are not consistent about them."""

from django.urls import re_path

from preau.calendar import caldav

app_name = "caldav"
UUID = r"[0-9a-fA-F-]{36}"
urlpatterns = [
    re_path(r"^$", caldav.root, name="root"),
    re_path(r"^principal/?$", caldav.principal, name="principal"),
    re_path(r"^calendars/?$", caldav.home, name="home"),
    re_path(rf"^calendars/(?P<public_id>{UUID})/?$", caldav.collection, name="collection"),
    re_path(
        rf"^calendars/(?P<public_id>{UUID})/(?P<resource>[^/]{{1,255}})$",
        caldav.resource,
        name="resource",
    ),
]
