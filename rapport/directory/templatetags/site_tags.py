"""Site-wide template helpers (used by base.html on every page)."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context: template.Context, path: str | None = None) -> str:
    """An absolute URL for canonical links and JSON-LD.

    `SITE_URL` wins when set, so a page reached through another host name (or
    a proxy) still names its one public address.
    """
    request = context.get("request")
    if path is None:
        path = request.path if request is not None else "/"
    if settings.SITE_URL:
        return settings.SITE_URL + path
    if request is None:
        return path
    return request.build_absolute_uri(path)
