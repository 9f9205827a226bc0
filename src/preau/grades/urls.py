from django.urls import path

from preau.grades import views

app_name = "grades"
urlpatterns = [
    path("", views.index, name="index"),
    path("marks/", views.marks, name="marks"),
    path("assessments/new/", views.new_assessment, name="new"),
    path("assessments/<uuid:public_id>/", views.grid, name="grid"),
    path("assessments/<uuid:public_id>/edit/", views.edit_assessment, name="edit"),
    path("assessments/<uuid:public_id>/delete/", views.delete_assessment, name="delete"),
    path("assessments/<uuid:public_id>/publish/", views.publish, name="publish"),
    path("assignments/<uuid:public_id>/grid/", views.assignment_grid, name="assignment_grid"),
    path("classes/<uuid:public_id>/", views.class_averages, name="class"),
    path("establishments/<uuid:public_id>/settings/", views.settings, name="settings"),
]
