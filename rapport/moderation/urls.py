"""Staff pages under /staff/ (namespace "staff")."""

from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "staff"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="staff:queue"), name="home"),
    path("review/", views.queue, name="queue"),
    path("review/<slug:kind>/<int:pk>/", views.item, name="item"),
    path("review/<slug:kind>/<int:pk>/verify/", views.verify, name="verify"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("roles/", views.roles, name="roles"),
]
