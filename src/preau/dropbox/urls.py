from django.urls import path

from preau.dropbox import views

app_name = "dropbox"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/close/", views.close, name="close"),
    path("<uuid:public_id>/delete/", views.delete, name="delete"),
    path("<uuid:public_id>/hand-in/", views.hand_in, name="hand_in"),
    path("<uuid:public_id>/files/<uuid:file_id>/", views.download, name="download"),
    path("<uuid:public_id>/files/<uuid:file_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:public_id>/students/<uuid:student_id>/", views.student, name="student"),
    path("<uuid:public_id>/archive.zip", views.archive, name="archive"),
]
