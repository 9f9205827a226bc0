from django.urls import re_path

from preau.dav import views

app_name = "dav"

# Every method (PROPFIND, MKCOL, LOCK…) on every path below /dav/, and /dav itself.
urlpatterns = [re_path(r"^(?:/.*)?$", views.dav, name="dav")]
