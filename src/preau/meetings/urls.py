from django.urls import path

from preau.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/ranges/", views.open_range, name="open_range"),
    path(
        "<uuid:public_id>/ranges/<uuid:range_id>/remove/", views.remove_range, name="remove_range"
    ),
    path("<uuid:public_id>/book/", views.book, name="book"),
    path(
        "<uuid:public_id>/bookings/<uuid:booking_id>/cancel/",
        views.cancel_booking,
        name="cancel_booking",
    ),
    path("<uuid:public_id>/slots/<uuid:slot_id>/close/", views.close_slot, name="close_slot"),
    path("<uuid:public_id>/schedule/", views.schedule, name="schedule"),
    path("<uuid:public_id>/schedule.pdf", views.schedule_pdf, name="schedule_pdf"),
    path("<uuid:public_id>/board/", views.board, name="board"),
]
