from django.urls import path

from preau.attendance import views

app_name = "attendance"
urlpatterns = [
    path("", views.index, name="index"),
    path("now/", views.now, name="now"),
    path("lessons/<uuid:public_id>/", views.roll_call, name="roll_call"),
    path("absences/", views.records, name="records"),
    path("absences/new/", views.enter_record, name="enter"),
    path("absences/<uuid:public_id>/", views.record, name="record"),
    path("absences/<uuid:public_id>/justify/", views.justify, name="justify"),
    path("absences/<uuid:public_id>/decide/", views.decide, name="decide"),
    path("absences/<uuid:public_id>/document/", views.document, name="document"),
    path("classes/<uuid:public_id>/", views.class_totals, name="class"),
    path("students/<uuid:public_id>/", views.student_totals, name="student"),
    path("establishments/<uuid:public_id>/reasons/", views.reasons, name="reasons"),
]
