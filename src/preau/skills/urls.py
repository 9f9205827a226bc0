from django.urls import path

from preau.skills import views

app_name = "skills"
urlpatterns = [
    path("", views.index, name="index"),
    path("items/", views.items, name="items"),
    path("items/<uuid:public_id>/", views.item, name="item"),
]
