"""The signed-in therapist's area under /account/ (namespace "account"): the dashboard,
availability and claiming (views_account.py), and the profile editor (editor/views.py).
The photo page (/account/profile/photo/) is urls_photo.py's, included before this module."""

from __future__ import annotations

from django.urls import path

from . import views_account, views_account_data
from .editor import views as editor

app_name = "account"
urlpatterns = [
    path("", views_account.dashboard, name="dashboard"),
    path(
        "profiles/<int:profile_id>/availability/",
        views_account.availability_update,
        name="availability",
    ),
    path(
        "availability/confirm/<str:token>/",
        views_account.confirm_availability,
        name="confirm_availability",
    ),
    path("claim/confirm/<str:token>/", views_account.claim_confirm, name="claim_confirm"),
    path("claim/<slug:slug>/", views_account.claim_start, name="claim"),
    path("claim/<slug:slug>/email/", views_account.claim_email, name="claim_email"),
    path("claim/<slug:slug>/request/", views_account.claim_request, name="claim_request"),
    path("notes/<int:note_id>/done/", views_account.owner_note_done, name="note_done"),
    path("export/", views_account_data.export, name="export"),
    path("delete/", views_account_data.delete, name="delete"),
    path("delete/keep/", views_account_data.delete_cancel, name="delete_cancel"),
    path("profile/", editor.profile_home, name="profile"),
    path("profile/create/", editor.profile_create, name="profile_create"),
    path("profile/submit/", editor.profile_submit_for_review, name="profile_submit"),
    path("profile/preview/", editor.profile_preview, name="profile_preview"),
    path("profile/<slug:section>/", editor.profile_section, name="profile_section"),
    path("profile/<slug:section>/draft/", editor.profile_autosave, name="profile_autosave"),
    path("profile/<slug:section>/discard/", editor.profile_discard, name="profile_discard"),
]
