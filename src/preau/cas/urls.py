"""The CAS server's fixed paths (DESIGN.md): other systems depend on them."""

from django.urls import path

from preau.cas import views

app_name = "cas"
urlpatterns = [
    path("login", views.login, name="login"),
    path("logout", views.logout, name="logout"),
    path("validate", views.validate, name="validate"),
    path("serviceValidate", views.service_validate, name="service_validate"),
    path("proxyValidate", views.proxy_validate, name="proxy_validate"),
    path("proxy", views.proxy, name="proxy"),
    path("p3/serviceValidate", views.service_validate, name="p3_service_validate"),
    path("p3/proxyValidate", views.proxy_validate, name="p3_proxy_validate"),
]
