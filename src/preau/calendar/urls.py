from django.urls import path

from preau.calendar import views

app_name = "calendar"
urlpatterns = [
    path("", views.agenda, name="agenda"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<uuid:public_id>/", views.event, name="event"),
    path("events/<uuid:public_id>/edit/", views.event_edit, name="event_edit"),
    path("events/<uuid:public_id>/delete/", views.event_delete, name="event_delete"),
    path("calendars/", views.calendars, name="calendars"),
    path("calendars/new/", views.calendar_create, name="calendar_create"),
    path("calendars/<uuid:public_id>/", views.calendar_detail, name="calendar"),
    path("calendars/<uuid:public_id>/edit/", views.calendar_edit, name="calendar_edit"),
    path("calendars/<uuid:public_id>/delete/", views.calendar_delete, name="calendar_delete"),
    path("calendars/<uuid:public_id>/feed/", views.calendar_feed, name="calendar_feed"),
    path("feeds/<uuid:public_id>/<str:token>.ics", views.feed, name="feed"),
]
