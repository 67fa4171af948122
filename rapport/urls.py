from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("rapport.core.urls")),
    path("", include("rapport.directory.urls")),
    path("admin/", admin.site.urls),
]
