from django.urls import path

from preau.lti import views

app_name = "lti"

urlpatterns = [
    path("", views.home, name="home"),
    path("assignments/<uuid:assignment_id>/place/", views.place, name="place"),
    path(
        "assignments/<uuid:assignment_id>/tools/<uuid:tool_id>/deep-linking/",
        views.deep_linking,
        name="deep_linking",
    ),
    path("placements/<uuid:placement_id>/launch/", views.launch, name="launch"),
    path("placements/<uuid:placement_id>/remove/", views.remove, name="remove"),
    # Protocol endpoints: addresses given to tools, without trailing slashes (the AGS score
    # address is the line item's followed by /scores).
    path("authorize", views.authorize, name="authorize"),
    path("jwks.json", views.jwks, name="jwks"),
    path("token", views.token, name="token"),
    path("deep-linking/return", views.deep_linking_return, name="deep_linking_return"),
    path("nrps/<uuid:placement_id>/memberships", views.memberships, name="memberships"),
    path("ags/<uuid:placement_id>/lineitems", views.line_items, name="line_items"),
    path("ags/<uuid:placement_id>/lineitem", views.line_item, name="line_item"),
    path("ags/<uuid:placement_id>/lineitem/scores", views.scores, name="scores"),
]
