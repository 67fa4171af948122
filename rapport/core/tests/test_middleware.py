"""Privacy headers: what a person searches for here stays here.

The middleware is tested on a view of its own (this module is the URLconf),
so these tests do not depend on any page's template, plus once through the
project's real URLconf.
"""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import path


def _plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<p>ok</p>")


urlpatterns = [
    path("plain/", _plain),
    path("admin/plain/", _plain),
]


def _csp(response: HttpResponseBase) -> dict[str, str]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


@pytest.mark.urls(__name__)
def test_it_allows_nothing_but_this_site(client: Client) -> None:
    response = client.get("/plain/?q=anxiety")
    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    # No directive names another origin: no CDN, font service or analytics.
    assert not any(
        "http:" in value or "https:" in value or "*" in value for value in csp.values()
    ), csp
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


@pytest.mark.urls(__name__)
def test_it_keeps_search_urls_out_of_referrers(client: Client) -> None:
    response = client.get("/plain/?issues=depression")
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "geolocation=()" in response.headers["Permissions-Policy"]


@pytest.mark.urls(__name__)
def test_it_leaves_the_admin_its_own_policy_but_not_its_privacy(client: Client) -> None:
    # The admin ships inline scripts; the strict policy would break it.
    response = client.get("/admin/plain/")
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_it_sends_the_headers_on_error_pages_too(client: Client) -> None:
    response = client.get("/therapists/nobody-here/?issues=depression")
    assert response.status_code == 404
    assert _csp(response)["default-src"] == "'self'"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
