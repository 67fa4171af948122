"""The site's URLs plus one view behind `therapist_area`, for test_decorators.py."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from rapport.accounts.decorators import therapist_area
from rapport.urls import urlpatterns as site_urlpatterns


@therapist_area
def inside(request: HttpRequest) -> HttpResponse:
    return HttpResponse("inside")


urlpatterns = [path("account/test-inside/", inside), *site_urlpatterns]
