from django.urls import path

from preau.timetable import views

app_name = "timetable"
urlpatterns = [
    path("", views.index, name="index"),
    path("classes/<uuid:public_id>/", views.class_timetable, name="class"),
    path("lessons/<uuid:public_id>/", views.lesson, name="lesson"),
    path("lessons/<uuid:public_id>/change/", views.lesson_change, name="lesson_change"),
    path("feeds/", views.feed_settings, name="feeds"),
    path("feeds/<uuid:public_id>/<str:token>.ics", views.feed, name="feed"),
    path("establishments/<uuid:public_id>/", views.manage, name="manage"),
    path("establishments/<uuid:public_id>/courses/new/", views.course_create, name="course_create"),
    path(
        "establishments/<uuid:public_id>/courses/<uuid:course_id>/",
        views.course_edit,
        name="course_edit",
    ),
    path(
        "establishments/<uuid:public_id>/courses/<uuid:course_id>/remove/",
        views.course_remove,
        name="course_remove",
    ),
    path(
        "establishments/<uuid:public_id>/calendar/",
        views.school_calendar_page,
        name="school_calendar",
    ),
    path("establishments/<uuid:public_id>/import/", views.import_courses, name="import"),
    path("establishments/<uuid:public_id>/extra/", views.extra_lesson, name="extra_lesson"),
    path("establishments/<uuid:public_id>/changes/", views.changes, name="changes"),
]
