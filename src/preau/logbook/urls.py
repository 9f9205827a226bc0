from django.urls import path

from preau.logbook import views

app_name = "logbook"
urlpatterns = [
    path("", views.index, name="index"),
    path("homework/", views.homework_list, name="homework"),
    path("homework/<uuid:public_id>/done/", views.mark_done, name="mark_done"),
    path("lessons/<uuid:public_id>/", views.lesson_page, name="lesson"),
    path("lessons/<uuid:public_id>/edit/", views.entry_edit, name="entry_edit"),
    path("lessons/<uuid:public_id>/homework/", views.homework_create, name="homework_create"),
    path(
        "lessons/<uuid:public_id>/homework/<uuid:homework_id>/",
        views.homework_edit,
        name="homework_edit",
    ),
    path(
        "lessons/<uuid:public_id>/homework/<uuid:homework_id>/delete/",
        views.homework_delete,
        name="homework_delete",
    ),
    path("lessons/<uuid:public_id>/copy/", views.copy, name="copy"),
    path("classes/<uuid:public_id>/", views.class_logbook, name="class"),
    path("classes/<uuid:public_id>/workload/", views.workload, name="workload"),
    path("classes/<uuid:public_id>/visa/", views.visa, name="visa"),
    path("establishments/<uuid:public_id>/", views.settings_page, name="settings"),
    path("files/<uuid:public_id>/", views.attachment, name="attachment"),
]
