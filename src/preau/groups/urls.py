from django.urls import path

from preau.groups import views

app_name = "groups"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/edit/", views.edit, name="edit"),
    path("<uuid:public_id>/archive/", views.archive, name="archive"),
    path("<uuid:public_id>/leave/", views.leave, name="leave"),
    path("<uuid:public_id>/members/", views.members, name="members"),
    path("<uuid:public_id>/members/add/", views.add_people, name="add_people"),
    path("<uuid:public_id>/members/add-classes/", views.add_classes, name="add_classes"),
    path("<uuid:public_id>/members/<uuid:person_id>/", views.member, name="member"),
    path("<uuid:public_id>/topics/new/", views.new_topic, name="new_topic"),
    path("<uuid:public_id>/topics/<uuid:topic_id>/", views.topic, name="topic"),
    path(
        "<uuid:public_id>/topics/<uuid:topic_id>/moderate/",
        views.moderate_topic,
        name="moderate_topic",
    ),
    path("<uuid:public_id>/posts/<uuid:post_id>/edit/", views.edit_post, name="edit_post"),
    path(
        "<uuid:public_id>/posts/<uuid:post_id>/moderate/", views.moderate_post, name="moderate_post"
    ),
    path("<uuid:public_id>/posts/<uuid:post_id>/report/", views.report_post, name="report_post"),
    path("<uuid:public_id>/reports/", views.reports, name="reports"),
    path(
        "<uuid:public_id>/reports/<uuid:report_id>/dismiss/",
        views.dismiss_report,
        name="dismiss_report",
    ),
]
