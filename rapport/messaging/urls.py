"""Contact requests (namespace "messaging"): the form on every reachable profile, the page
after sending, the sender's withdraw link, and the therapist's inbox under /account/.

Included at the site's root before the directory's URLs, so /therapists/<slug>/contact/
is never read as a city page."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("therapists/<slug:slug>/contact/", views.contact, name="contact"),
    path("contact/sent/", views.sent, name="sent"),
    path("contact/withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("account/inbox/", views.inbox, name="inbox"),
    path("account/inbox/settings/", views.inbox_settings, name="settings"),
    path("account/inbox/<uuid:public_id>/", views.request_detail, name="request"),
    path(
        "account/inbox/<uuid:public_id>/<slug:action>/",
        views.request_action,
        name="action",
    ),
]
