from django.urls import path

from preau.news import views

app_name = "news"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/delete/", views.delete, name="delete"),
    path("<uuid:public_id>/image/", views.image, name="image"),
    path("<uuid:public_id>/files/<uuid:attachment_id>/", views.attachment, name="attachment"),
]
