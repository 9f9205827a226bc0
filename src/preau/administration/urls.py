from django.urls import path

from preau.administration import views

app_name = "administration"
urlpatterns = [
    path("", views.home, name="home"),
]
