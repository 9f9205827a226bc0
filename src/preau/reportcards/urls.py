from django.urls import path

from preau.reportcards import views

app_name = "reportcards"
urlpatterns = [
    path("", views.index, name="index"),
    path("periods/<uuid:public_id>/open/", views.open_period, name="open_period"),
    path("councils/<uuid:public_id>/", views.council, name="council"),
    path(
        "councils/<uuid:public_id>/subjects/<uuid:subject_id>/",
        views.subject_grid,
        name="subject",
    ),
    path(
        "councils/<uuid:public_id>/subjects/<uuid:subject_id>/cells/<uuid:card_id>/",
        views.subject_cell,
        name="subject_cell",
    ),
    path(
        "councils/<uuid:public_id>/groups/<uuid:group_id>/subjects/<uuid:subject_id>/",
        views.group_grid,
        name="group",
    ),
    path(
        "councils/<uuid:public_id>/groups/<uuid:group_id>/subjects/<uuid:subject_id>/"
        "cells/<uuid:card_id>/",
        views.group_cell,
        name="group_cell",
    ),
    path("councils/<uuid:public_id>/general/", views.general_grid, name="general"),
    path("councils/<uuid:public_id>/validate/", views.validate, name="validate"),
    path("councils/<uuid:public_id>/reopen/", views.reopen, name="reopen"),
    path("councils/<uuid:public_id>/publish/", views.publish, name="publish"),
    path("councils/<uuid:public_id>/progress/", views.progress, name="progress"),
    path("cards/<uuid:public_id>/", views.card, name="card"),
    path("cards/<uuid:public_id>/pdf/", views.card_pdf, name="pdf"),
]
