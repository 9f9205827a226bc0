from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from preau.api.api import api
from preau.calendar import caldav as calendar_caldav
from preau.core import views as core_views

urlpatterns = [
    path("", include("preau.portal.urls")),
    path("accounts/", include("preau.accounts.urls")),
    path("directory/", include("preau.directory.urls")),
    path("manage/", include("preau.administration.urls")),
    path("notifications/", include("preau.notifications.urls")),
    path("messages/", include("preau.messaging.urls")),
    path("news/", include("preau.news.urls")),
    path("bookmarks/", include("preau.bookmarks.urls")),
    path("resources/", include("preau.resources.urls")),
    path("groups/", include("preau.groups.urls")),
    path("dropbox/", include("preau.dropbox.urls")),
    path("logbook/", include("preau.logbook.urls")),
    path("drive/", include("preau.drive.urls")),
    path("agenda/", include("preau.calendar.urls")),
    path("discipline/", include("preau.discipline.urls")),
    path("notebook/", include("preau.notebook.urls")),
    path("timetable/", include("preau.timetable.urls")),
    path("attendance/", include("preau.attendance.urls")),
    path("meetings/", include("preau.meetings.urls")),
    path("grades/", include("preau.grades.urls")),
    path("skills/", include("preau.skills.urls")),
    path("reportcards/", include("preau.reportcards.urls")),
    path("privacy/", include("preau.privacy.urls")),
    path("usage/", include("preau.usage.urls")),
    path("caldav/", include("preau.calendar.caldav_urls")),
    path(".well-known/caldav", calendar_caldav.well_known, name="caldav_well_known"),
    # WebDAV on the drive (fixed contract): /dav and everything below it.
    path("dav", include("preau.dav.urls")),
    # CAS server (fixed contract): /cas/login, /cas/serviceValidate…
    path("cas/", include("preau.cas.urls")),
    path("federation/", include("preau.federation.urls")),
    # LTI 1.3 platform: the tools of the classes, /lti/jwks.json, /lti/authorize, /lti/token…
    path("lti/", include("preau.lti.urls")),
    path("api/v1/", api.urls),
    path("api/tokens/", include("preau.api.urls")),
    path("django-admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
]

if settings.LTI_DEMO_TOOL:
    # « Calcul mental », the demo LTI tool (docs/lti.md): a tool's addresses, not Préau's.
    urlpatterns.append(path("lti-demo/", include("preau.lti.demotool.urls")))

if settings.OIDC_PROVIDER_ENABLED:
    from oauth2_provider.views import ConnectDiscoveryInfoView

    urlpatterns += [
        # OpenID Connect provider (fixed contract): endpoints under /o/, the discovery document
        # there (the issuer is <site>/o) and at the site's root.
        path("o/", include("preau.oidc.urls")),
        path(
            ".well-known/openid-configuration",
            ConnectDiscoveryInfoView.as_view(),
            name="openid_configuration",
        ),
    ]
