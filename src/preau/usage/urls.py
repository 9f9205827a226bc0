from django.urls import path

from preau.usage import views

app_name = "usage"
urlpatterns = [
    path("", views.index, name="index"),
    path("establishments/<uuid:public_id>/", views.establishment, name="establishment"),
    path(
        "establishments/<uuid:public_id>/daily.csv",
        views.establishment_daily_csv,
        name="establishment_daily_csv",
    ),
    path(
        "establishments/<uuid:public_id>/monthly.csv",
        views.establishment_monthly_csv,
        name="establishment_monthly_csv",
    ),
    path("academies/<uuid:public_id>/", views.academy, name="academy"),
    path("academies/<uuid:public_id>/monthly.csv", views.academy_csv, name="academy_csv"),
    path("national/", views.national, name="national"),
    path("national/monthly.csv", views.national_csv, name="national_csv"),
]
