from django.urls import path

from preau.bookmarks import views

app_name = "bookmarks"
urlpatterns = [
    path("", views.index, name="index"),
    path("add/", views.bookmark_create, name="add"),
    path("<uuid:public_id>/edit/", views.bookmark_edit, name="edit"),
    path("<uuid:public_id>/delete/", views.bookmark_delete, name="delete"),
    path("<uuid:public_id>/move/", views.bookmark_move, name="move"),
    path("<uuid:public_id>/order/", views.bookmark_order, name="order"),
    path("folders/add/", views.folder_create, name="folder_add"),
    path("folders/<uuid:public_id>/edit/", views.folder_edit, name="folder_edit"),
    path("folders/<uuid:public_id>/delete/", views.folder_delete, name="folder_delete"),
    path("folders/<uuid:public_id>/order/", views.folder_order, name="folder_order"),
    path("establishments/<uuid:public_id>/", views.manage, name="manage"),
    path(
        "establishments/<uuid:public_id>/<uuid:bookmark_id>/",
        views.pushed_edit,
        name="pushed_edit",
    ),
    path(
        "establishments/<uuid:public_id>/<uuid:bookmark_id>/active/",
        views.pushed_active,
        name="pushed_active",
    ),
    path(
        "establishments/<uuid:public_id>/<uuid:bookmark_id>/delete/",
        views.pushed_delete,
        name="pushed_delete",
    ),
]
