from django.urls import include, path

from preau.administration import supervision, views
from preau.cas import console as cas_console
from preau.federation import console as federation_console
from preau.lti import console as lti_console
from preau.oidc import console as oidc_console
from preau.retention import console as retention_console
from preau.rosters import console as rosters_console

app_name = "administration"

establishment_patterns = [
    path("", views.establishment, name="establishment"),
    path("members/", views.members, name="members"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<uuid:member_id>/", views.member, name="member"),
    path("members/<uuid:member_id>/edit/", views.member_edit, name="member_edit"),
    path("members/<uuid:member_id>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("members/<uuid:member_id>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("members/<uuid:member_id>/code/", views.member_code, name="member_code"),
    path("members/<uuid:member_id>/letter/", views.member_letter, name="member_letter"),
    path("members/<uuid:member_id>/guardians/link/", views.guardian_link, name="guardian_link"),
    path("members/<uuid:member_id>/guardians/new/", views.guardian_create, name="guardian_create"),
    path(
        "members/<uuid:member_id>/guardians/<uuid:guardian_id>/",
        views.guardianship,
        name="guardianship",
    ),
    path(
        "members/<uuid:member_id>/guardians/<uuid:guardian_id>/unlink/",
        views.guardian_unlink,
        name="guardian_unlink",
    ),
    path("classes/", views.classes, name="classes"),
    path("classes/<uuid:class_id>/", views.school_class, name="class"),
    path("classes/<uuid:class_id>/letters/", views.class_letters, name="class_letters"),
    path("groups/", views.groups, name="groups"),
    path("groups/<uuid:group_id>/", views.group, name="group"),
    path("enrolments/", views.enrolments, name="enrolments"),
    path("subjects/", views.subjects, name="subjects"),
    path("subjects/<uuid:subject_id>/", views.subject, name="subject"),
    path("assignments/", views.assignments, name="assignments"),
    path("periods/", views.periods, name="periods"),
    path("periods/<uuid:period_id>/", views.period, name="period"),
    path("services/", views.services, name="services"),
    path("branding/", views.branding, name="branding"),
    path("audit/", views.audit, name="audit"),
    path("retention/", retention_console.settings_page, name="retention"),
    path("cas/", cas_console.establishment_services, name="cas_services"),
    path("cas/<uuid:service_id>/", cas_console.establishment_service, name="cas_service"),
    path(
        "cas/<uuid:service_id>/remove/",
        cas_console.establishment_service_remove,
        name="cas_service_remove",
    ),
    path("rosters/", rosters_console.rosters, name="rosters"),
    path("rosters/csv/<uuid:import_id>/", rosters_console.roster_import, name="roster_import"),
    path(
        "rosters/csv/<uuid:import_id>/import/",
        rosters_console.roster_import_run,
        name="roster_import_run",
    ),
    path("rosters/oneroster.zip", rosters_console.oneroster_export, name="oneroster_export"),
    path("rosters/oneroster/", rosters_console.oneroster_import, name="oneroster_import"),
    path("lti/", lti_console.establishment_tools, name="lti_tools"),
    path("lti/<uuid:tool_id>/", lti_console.establishment_tool, name="lti_tool"),
    path(
        "lti/<uuid:tool_id>/active/",
        lti_console.establishment_tool_active,
        name="lti_tool_active",
    ),
    path("oidc/", oidc_console.establishment_clients, name="oidc_clients"),
    path("oidc/<uuid:client_id>/", oidc_console.establishment_client, name="oidc_client"),
    path(
        "oidc/<uuid:client_id>/remove/",
        oidc_console.establishment_client_remove,
        name="oidc_client_remove",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("establishments/<uuid:public_id>/", include(establishment_patterns)),
    path("academy/", views.academy, name="academy"),
    path("academy/supervision/", supervision.supervision, name="supervision"),
    path("academy/audit/", views.academy_audit, name="academy_audit"),
    path(
        "academy/supervision/<uuid:public_id>/",
        supervision.supervision_establishment,
        name="supervision_establishment",
    ),
    path("academy/cas/", cas_console.academy_services, name="academy_cas_services"),
    path(
        "academy/cas/<uuid:service_id>/",
        cas_console.academy_service,
        name="academy_cas_service",
    ),
    path(
        "academy/cas/<uuid:service_id>/remove/",
        cas_console.academy_service_remove,
        name="academy_cas_service_remove",
    ),
    path("academy/oidc/", oidc_console.academy_clients, name="academy_oidc_clients"),
    path("academy/lti/", lti_console.academy_tools, name="academy_lti_tools"),
    path("academy/lti/<uuid:tool_id>/", lti_console.academy_tool, name="academy_lti_tool"),
    path(
        "academy/lti/<uuid:tool_id>/active/",
        lti_console.academy_tool_active,
        name="academy_lti_tool_active",
    ),
    path(
        "academy/identity-providers/",
        federation_console.academy_providers,
        name="academy_identity_providers",
    ),
    path(
        "academy/identity-providers/<uuid:provider_id>/",
        federation_console.academy_provider,
        name="academy_identity_provider",
    ),
    path(
        "academy/identity-providers/<uuid:provider_id>/enabled/",
        federation_console.academy_provider_enabled,
        name="academy_identity_provider_enabled",
    ),
    path(
        "academy/oidc/<uuid:client_id>/",
        oidc_console.academy_client,
        name="academy_oidc_client",
    ),
    path(
        "academy/oidc/<uuid:client_id>/remove/",
        oidc_console.academy_client_remove,
        name="academy_oidc_client_remove",
    ),
    path(
        "academy/establishments/new/",
        views.academy_establishment_create,
        name="academy_establishment_create",
    ),
    path(
        "academy/establishments/<uuid:public_id>/",
        views.academy_establishment,
        name="academy_establishment",
    ),
    path(
        "academy/establishments/<uuid:public_id>/active/",
        views.academy_establishment_active,
        name="academy_establishment_active",
    ),
    path(
        "academy/establishments/<uuid:public_id>/rollover/",
        views.academy_establishment_rollover,
        name="academy_establishment_rollover",
    ),
    path(
        "academy/establishments/<uuid:public_id>/head/",
        views.academy_establishment_head,
        name="academy_establishment_head",
    ),
]
