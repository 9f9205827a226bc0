from django.urls import path

from preau.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.zip", views.export, name="export"),
    path("<uuid:public_id>/", views.notice, name="notice"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
]
