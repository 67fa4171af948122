from __future__ import annotations

from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("therapists/<slug:slug>/", views.profile, name="profile"),
]
