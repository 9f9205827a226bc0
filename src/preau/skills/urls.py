from django.urls import path

from preau.skills import views

app_name = "skills"
urlpatterns = [
    path("", views.index, name="index"),
    path("items/", views.items, name="items"),
    path("items/<uuid:public_id>/", views.item, name="item"),
    path("assessments/<uuid:public_id>/", views.assessment, name="assessment"),
    path("assessments/<uuid:public_id>/grid/", views.grid, name="grid"),
    path("assessments/<uuid:public_id>/cells/", views.cells, name="cells"),
    path("students/<uuid:public_id>/", views.student, name="student"),
    path("classes/<uuid:public_id>/", views.school_class, name="class"),
]
