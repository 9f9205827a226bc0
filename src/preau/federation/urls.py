from django.urls import path

from preau.federation import views

app_name = "federation"

urlpatterns = [
    path("<uuid:public_id>/login/", views.start, name="start"),
    path("saml/<uuid:public_id>/metadata/", views.saml_metadata, name="saml_metadata"),
    path("saml/<uuid:public_id>/acs/", views.saml_acs, name="saml_acs"),
    path("oidc/<uuid:public_id>/callback/", views.oidc_callback, name="oidc_callback"),
]
