from django.urls import path

from preau.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.index, name="index"),
    path("bell", views.bell, name="bell"),
    path("read/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("<uuid:public_id>/", views.open_notification, name="open"),
    path("<uuid:public_id>/read/", views.mark_read, name="read"),
    path("establishments/<uuid:public_id>/quiet-hours/", views.quiet_hours, name="quiet_hours"),
]
