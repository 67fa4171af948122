from __future__ import annotations

from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from rapport.api.api import api
from rapport.directory.sitemaps import SITEMAPS

# A database outage that surfaces outside a view is a 503, not a 500 (core/middleware.py).
handler500 = "rapport.core.middleware.server_error"

urlpatterns = [
    path("", include("rapport.core.urls")),
    path("", include("rapport.directory.urls")),
    path("match/", include("rapport.matching.urls")),
    path("account/", include("rapport.directory.urls_account_dashboard")),
    path("admin/", admin.site.urls),
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
