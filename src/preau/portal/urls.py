from django.urls import path

from preau.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("establishment/", views.switch_establishment, name="switch_establishment"),
    path("establishments/<uuid:public_id>/logo", views.logo, name="logo"),
]
