"""The public "report this profile" form (namespace "moderation")."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("therapists/<slug:slug>/report/", views.report, name="report"),
]
