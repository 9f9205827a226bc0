"""« Calcul mental », mounted under /lti-demo/ when settings.LTI_DEMO_TOOL is on (preau/urls.py).
The addresses are given to Préau in the tool's registration (lti/demo.py)."""

from django.urls import path

from preau.lti.demotool import views

app_name = "lti_demo"

urlpatterns = [
    path("login", views.login, name="login"),
    path("launch", views.launch, name="launch"),
    path("answer", views.answer, name="answer"),
    path("pick", views.pick, name="pick"),
]
