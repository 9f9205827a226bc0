from django.urls import path

from preau.discipline import views

app_name = "discipline"
urlpatterns = [
    path("", views.index, name="index"),
    path("establishment/", views.establishment, name="establishment"),
    path("mine/", views.mine, name="mine"),
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/<uuid:public_id>/", views.incident, name="incident"),
    path("incidents/<uuid:public_id>/edit/", views.incident_edit, name="incident_edit"),
    path("punish/", views.punish, name="punish"),
    path("sanction/", views.sanction, name="sanction"),
    path("settings/", views.settings_page, name="settings"),
    path("students/<uuid:student_id>/", views.student, name="student"),
    path("children/<uuid:student_id>/", views.child, name="child"),
    path("<uuid:public_id>/", views.measure, name="measure"),
    path("<uuid:public_id>/edit/", views.measure_edit, name="measure_edit"),
    path("<uuid:public_id>/cancel/", views.measure_cancel, name="measure_cancel"),
    path("<uuid:public_id>/publish/", views.measure_publish, name="measure_publish"),
    path("<uuid:public_id>/acknowledge/", views.acknowledge, name="acknowledge"),
]
