from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from rapport.api.api import api
from rapport.directory.sitemaps import SITEMAPS

# A database outage that surfaces outside a view is a 503, not a 500 (core/middleware.py).
handler400 = "rapport.core.middleware.bad_request"
handler500 = "rapport.core.middleware.server_error"
# Read by allauth when one of its own rate limits is reached (not a Django handler).
handler429 = "rapport.accounts.views.rate_limited"

# The admin has no login form of its own: it sends people to allauth's, which asks for the
# second factor (staff must have one: accounts/middleware.py).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", include("rapport.core.urls")),
    # Before the directory's: /therapists/<slug>/contact/ is not a city page.
    path("", include("rapport.messaging.urls")),
    # Before the directory's: /therapists/<slug>/report/ is the moderation app's.
    path("", include("rapport.moderation.urls_public")),
    path("", include("rapport.directory.urls")),
    path("", include("rapport.directory.urls_photo")),
    path("match/", include("rapport.matching.urls")),
    path("shortlist/", include("rapport.shortlist.urls")),
    path("account/", include("rapport.directory.urls_account")),
    path("admin/", admin.site.urls),
    path("staff/", include("rapport.moderation.urls")),
    # Sign-in machinery at /accounts/; /account/ is the therapist's own area.
    path("accounts/", include("rapport.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]
