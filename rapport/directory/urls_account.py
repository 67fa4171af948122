"""The signed-in therapist's area under /account/ (namespace "account")."""

from __future__ import annotations

from django.urls import path

from .editor import views as editor

app_name = "account"
urlpatterns = [
    path("profile/", editor.profile_home, name="profile"),
    path("profile/create/", editor.profile_create, name="profile_create"),
    path("profile/submit/", editor.profile_submit_for_review, name="profile_submit"),
    path("profile/preview/", editor.profile_preview, name="profile_preview"),
    path("profile/<slug:section>/", editor.profile_section, name="profile_section"),
    path("profile/<slug:section>/draft/", editor.profile_autosave, name="profile_autosave"),
    path("profile/<slug:section>/discard/", editor.profile_discard, name="profile_discard"),
]
