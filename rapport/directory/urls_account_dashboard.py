"""URLs of the therapist's own area that this part of issue 16 adds, in the `account` namespace.

Included at `account/` by rapport/urls.py. The editor (`account:profile`) lives in another
module; at merge the two lists join under the one `account` namespace (two includes with the
same namespace would hide one of them from `reverse`).
"""

from __future__ import annotations

from django.urls import path

from . import views_account

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
]
