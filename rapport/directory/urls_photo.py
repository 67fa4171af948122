"""The photo page and, when photos live on this machine's disk, the files themselves.

Included from rapport/urls.py at the root: `path("", include("rapport.directory.urls_photo"))`.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import URLPattern, path, re_path

from . import photo_views

app_name = "photos"
urlpatterns: list[URLPattern] = [
    path("account/profile/photo/", photo_views.photo_page, name="page"),
    path("account/profile/photo/remove/", photo_views.photo_remove, name="remove"),
    path("account/profile/photo/too-large/", photo_views.photo_too_large, name="too_large"),
]

# Photos on the file system are served from MEDIA_ROOT here, so `make run` shows them; behind
# nginx, nginx answers /media/ itself (deploy/nginx.conf) and these requests never arrive.
# With S3 (RAPPORT_S3_BUCKET) the storage's own URLs are used instead. Only the photo files
# are served: nothing else is ever written there.
if not settings.RAPPORT_S3_BUCKET:
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>photos/[\w/-]+\.webp)$",
            photo_views.media_file,
            name="media",
        )
    )
