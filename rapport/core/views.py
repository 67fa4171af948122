from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rapport.taxonomy.models import Kind, Term

from . import crisis as crisis_config
from .replica import REPLICA, has_replica

# Topic pages arrive in a later issue under these URL names; until they exist
# the home page lists the terms as plain text rather than as dead links.
TOPIC_URL_NAMES = {Kind.APPROACH: "directory:approach", Kind.ISSUE: "directory:issue"}


@dataclass
class TermGroup:
    name: str
    terms: list[tuple[Term, str | None]] = field(default_factory=list)


def _topic_url(kind: Kind, slug: str) -> str | None:
    try:
        return reverse(TOPIC_URL_NAMES[kind], kwargs={"slug": slug})
    except NoReverseMatch:
        return None


def _grouped_terms(terms: list[Term], kind: Kind) -> list[TermGroup]:
    """Terms of one kind in their `group`s, groups in order of first appearance."""
    groups: dict[str, TermGroup] = {}
    linkable = _topic_url(kind, "x") is not None
    for term in terms:
        if term.kind != kind:
            continue
        group = groups.setdefault(term.group, TermGroup(name=term.group))
        group.terms.append((term, _topic_url(kind, term.slug) if linkable else None))
    return list(groups.values())


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    terms = list(
        Term.objects.active()
        .filter(kind__in=[Kind.APPROACH, Kind.ISSUE])
        .only("kind", "slug", "name", "group", "summary", "position")
        .order_by("kind", "position", "name")
    )
    return render(
        request,
        "core/home.html",
        {
            "approach_groups": _grouped_terms(terms, Kind.APPROACH),
            "issue_groups": _grouped_terms(terms, Kind.ISSUE),
        },
    )


@require_safe
def crisis(request: HttpRequest) -> HttpResponse:
    return render(request, "core/crisis.html", {"crisis": crisis_config.load()})


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read public pages; searches with parameters, the API and forms are not pages."""
    sitemap = request.build_absolute_uri("/sitemap.xml")
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /match/",
        "Disallow: /therapists/?",
        "Allow: /",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# --- Probes -------------------------------------------------------------------------------------
# Neither touches the session or renders a template, so they answer even when the site's
# pages cannot; both are exempt from the HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT).


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: this process answers. Nothing else is checked (restarting never fixes a database)."""
    return JsonResponse({"status": "ok"})


def _check_database(alias: str = DEFAULT_DB_ALIAS) -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"unavailable: {type(exc).__name__}"
    return "ok"


def _check_cache() -> str:
    # A cache that swallows its errors (settings: IGNORE_EXCEPTIONS) reads back None.
    key = "core:readyz"
    value = secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=30)
        read = cache.get(key)
    except Exception as exc:  # any backend's error: the probe reports, never fails
        return f"unavailable: {type(exc).__name__}"
    return "ok" if read == value else "unavailable"


def _check_index() -> str:
    from rapport.directory import index

    # Loaded by the WSGI warm-up (rapport/wsgi.py) before the first request; a probe never
    # builds it (seconds at a million profiles), it only says whether this process has it.
    return "ok" if getattr(index, "_state", None) is not None else "loading"


def _check_static() -> str:
    # Production names static files through collectstatic's manifest: without it every
    # page fails on its first {% static %} (`rapport serve` collects them when missing).
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    if "Manifest" in backend and not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        return "not collected: run rapport collectstatic"
    return "ok"


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers, the search index is loaded and static files are
    collected (503 otherwise).

    The cache is reported but does not fail the probe: pages are served without it (a cache
    error is never a 500), so a Redis outage must not take every app server out of the pool.
    """
    checks = {
        "database": _check_database(),
        "cache": _check_cache(),
        "index": _check_index(),
        "static": _check_static(),
    }
    required = ["database", "index", "static"]
    if has_replica():
        # Pages read from it (core/replica.py): without it they would be 503s.
        checks[REPLICA] = _check_database(REPLICA)
        required.append(REPLICA)
    ready = all(checks[name] == "ok" for name in required)
    status = "ok" if ready and checks["cache"] == "ok" else ("degraded" if ready else "unavailable")
    response = JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)
    if not ready:
        response["Retry-After"] = "10"
    return response
