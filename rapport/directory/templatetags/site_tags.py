"""Site-wide template helpers (used by base.html on every page)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from rapport.shortlist.session import saved_ids

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


# (part, language, current view, script prefix, site name, shortlist length) -> the
# rendered header or footer.
_CHROME: dict[tuple[str, str, str, str, str, int], SafeString] = {}


@register.simple_tag(takes_context=True)
def site_chrome(context: template.Context, part: str) -> SafeString:
    """The header or footer of every page (`core/_site_<part>.html`), rendered once
    per language and current page: nothing else in them varies, and rendering
    them (about forty tags) cost ~0.3 ms of every page. Not kept with DEBUG on,
    so template edits show at once."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match is not None else ""
    # The header's "Shortlist (N)": N is 0 (no session read) for anyone who has saved nothing.
    count = len(saved_ids(request)) if request is not None and part == "header" else 0
    key = (part, get_language() or "", current, get_script_prefix(), settings.SITE_NAME, count)
    found = _CHROME.get(key)
    if found is None:
        html = render_to_string(
            f"core/_site_{part}.html",
            {"current": current, "SITE_NAME": settings.SITE_NAME, "shortlist_count": count},
        )
        found = mark_safe(html)  # noqa: S308 - rendered by the template engine, autoescaped
        if not settings.DEBUG:
            _CHROME[key] = found
    return found
