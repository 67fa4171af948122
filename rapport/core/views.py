from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from rapport.taxonomy.models import Kind, Term

from . import crisis as crisis_config

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
