from django.urls import path

app_name = "bookmarks"
urlpatterns: list = []
