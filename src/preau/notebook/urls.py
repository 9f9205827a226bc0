from django.urls import path

from preau.notebook import views

app_name = "notebook"
urlpatterns = [
    path("", views.index, name="index"),
    path("write/", views.write, name="write"),
    path("ask/", views.ask, name="ask"),
    path("students/<uuid:student_id>/", views.student, name="student"),
    path("students/<uuid:student_id>/print/", views.printable, name="print"),
    path("students/<uuid:student_id>/pdf/", views.pdf, name="pdf"),
    path("sends/<uuid:batch>/", views.batch, name="batch"),
    path("sends/<uuid:batch>/open/", views.open_batch, name="open_batch"),
    path("files/<uuid:public_id>/", views.attachment, name="attachment"),
    path("establishments/<uuid:public_id>/", views.settings_page, name="settings"),
    path("<uuid:public_id>/", views.entry, name="entry"),
    path("<uuid:public_id>/sign/", views.sign, name="sign"),
    path("<uuid:public_id>/answer/", views.answer, name="answer"),
    path("<uuid:public_id>/reply/", views.reply, name="reply"),
]
