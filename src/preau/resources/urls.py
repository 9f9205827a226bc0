from django.urls import path

from preau.resources import views

app_name = "resources"
urlpatterns = [
    path("", views.index, name="index"),
    path("add/", views.add, name="add"),
    path("<uuid:public_id>/open/", views.open_resource, name="open"),
    path("<uuid:public_id>/favourite/", views.favourite, name="favourite"),
    path("<uuid:public_id>/delete/", views.delete, name="delete"),
    path("establishments/<uuid:public_id>/", views.manage, name="manage"),
    path("establishments/<uuid:public_id>/licences/add/", views.licence_add, name="licence_add"),
    path(
        "establishments/<uuid:public_id>/licences/<uuid:licence_id>/revoke/",
        views.licence_revoke,
        name="licence_revoke",
    ),
    path("establishments/<uuid:public_id>/statistics/", views.statistics, name="statistics"),
]
