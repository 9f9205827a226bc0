from django.urls import path

from preau.directory import views

app_name = "directory"
urlpatterns = [
    path("classes/", views.class_list, name="classes"),
    path("classes/<uuid:public_id>/", views.class_detail, name="class"),
    path("students/<uuid:public_id>/", views.student_detail, name="student"),
]
