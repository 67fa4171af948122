"""The messaging URLs as MESSAGING.md fixes them, for reversing links in emails before the
views' branch is merged (see conftest.py). Every path answers 404 here: only the patterns
are used, by `reverse`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import include, path

from rapport.urls import urlpatterns as site_patterns


def _not_here(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponseNotFound()


messaging_patterns = [
    path("therapists/<slug:slug>/contact/", _not_here, name="contact"),
    path("contact/sent/", _not_here, name="sent"),
    path("contact/withdraw/<str:token>/", _not_here, name="withdraw"),
    path("account/inbox/", _not_here, name="inbox"),
    path("account/inbox/settings/", _not_here, name="settings"),
    path("account/inbox/<uuid:public_id>/", _not_here, name="request"),
    path("account/inbox/<uuid:public_id>/<str:action>/", _not_here, name="action"),
]

urlpatterns = [*site_patterns, path("", include((messaging_patterns, "messaging")))]
