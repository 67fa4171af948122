"""Approach, issue and place pages: where most people arrive from a search engine.

Each page explains its topic in plain words and introduces the therapists
who practise it ("Meet the specialists"), each in their own words. The
listing is the search function's (`search.search`), not a second
implementation: location filter, counts and order all come from there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from django.core.cache import cache as django_cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from rapport.core import display, structured_data
from rapport.core.states import STATE_CODES, STATES, state_name
from rapport.taxonomy import descriptions
from rapport.taxonomy.models import Kind, Term

from . import index as ix
from . import search as engine
from .forms import SearchForm
from .models import ApproachStatement, Office, Status, TherapistProfile
from .search import Hit, SearchQuery
from .summaries import ProfileSummary
from .templatetags.site_tags import absolute_url
from .views import search_url

PER_PAGE = 20
STATEMENT_CHARS = 360
TOPIC_FIELDS = {Kind.APPROACH: "approaches", Kind.ISSUE: "issues"}
# Place pages: in person within this radius of the city, or online in its state.
CITY_RADIUS = 10


@dataclass
class Specialist:
    hit: Hit
    statement: str
    statement_is_general: bool  # they wrote none for this approach: their general statement
    truncated: bool
    who: str  # "Name, Credentials"
    what: str  # "Title in City, ST"
    online_states: list[str]

    @property
    def profile(self) -> ProfileSummary:
        return self.hit.profile


def approach_statements(hits: list[Hit], approach_slug: str) -> dict[int, str]:
    """What each of these specialists wrote about the approach (one query)."""
    rows = ApproachStatement.objects.filter(
        profile_id__in=[hit.profile.pk for hit in hits], approach__slug=approach_slug
    ).values_list("profile_id", "statement")
    return dict(rows)


def specialist(hit: Hit, own: str = "", *, on_approach: bool = False) -> Specialist:
    """`own`: their statement on the page's approach; else their general one is quoted."""
    profile = hit.profile
    text, truncated = display.excerpt(own or profile.statement, STATEMENT_CHARS)
    return Specialist(
        hit=hit,
        statement=text,
        statement_is_general=not own and bool(text) and on_approach,
        truncated=truncated,
        who=display.name_and_credentials(profile.name, profile.credentials),
        what=profile.title_and_place(),
        online_states=list(profile.telehealth_states) if profile.telehealth else [],
    )


def _state_or_404(code: str) -> str:
    code = code.upper()
    if code not in STATES:
        raise Http404
    return code


def _listing(request: HttpRequest, base: SearchQuery) -> tuple[SearchForm, engine.SearchResult]:
    """The visitor's narrowing (location, format, accepting, page) on top of the page's own query."""
    form = SearchForm(request.GET)
    asked = form.to_query()
    query = replace(
        base,
        location=asked.location or base.location,
        radius=asked.radius if asked.location else base.radius,
        mode=asked.mode,
        accepting=asked.accepting,
        page=asked.page,
        per_page=PER_PAGE,
        sort="statement",
    )
    result = engine.search(query, with_facets=False)
    if query.page > 1 and (query.page > result.pages or form.page_asked > query.page):
        raise Http404  # crawlable pages exist or do not; no empty page 900, no page 99,999
    return form, result


def _narrowed(request: HttpRequest) -> bool:
    return any(key in request.GET for key in ("location", "mode", "accepting", "radius"))


def _page_links(request: HttpRequest, result: engine.SearchResult) -> dict[str, object]:
    page, pages = result.query.page, result.pages

    def url(number: int) -> str:
        params = request.GET.copy()
        params.pop("page", None)
        if number > 1:
            params["page"] = str(number)
        encoded = params.urlencode()
        return request.path + (f"?{encoded}" if encoded else "")

    window = sorted({1, pages, *range(max(page - 2, 1), min(page + 2, pages) + 1)})
    numbers: list[tuple[int, str] | None] = []
    for i, number in enumerate(window):
        if i and number - window[i - 1] > 1:
            numbers.append(None)  # a gap: "…"
        numbers.append((number, url(number)))
    return {
        "previous": url(page - 1) if page > 1 else "",
        "next": url(page + 1) if page < pages else "",
        "numbers": numbers if pages > 1 else [],
        "page": page,
        "pages": pages,
    }


def _topic_json_ld(request: HttpRequest, term: Term, specialists: list[Specialist]) -> object:
    context = {"request": request}
    people = [
        {
            "@type": "ListItem",
            "position": i,
            "item": structured_data.person(
                s.profile, absolute_url(context, s.profile.get_absolute_url())
            ),
        }
        for i, s in enumerate(specialists, start=1)
    ]
    about: dict[str, object] = {
        "@type": "MedicalTherapy" if term.kind == Kind.APPROACH else "MedicalCondition",
        "name": term.name,
    }
    if term.short_name:
        about["alternateName"] = term.short_name
    if term.summary:
        about["description"] = term.summary
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": term.name,
        "url": absolute_url(context, request.path),
        "about": about,
        "mainEntity": {"@type": "ItemList", "itemListElement": people},
    }
    return structured_data.script_json(data)


def _topic_page(
    request: HttpRequest, *, kind: str, slug: str, state: str | None = None
) -> HttpResponse:
    term = get_object_or_404(Term.objects.active(), kind=kind, slug=slug)
    field = TOPIC_FIELDS[kind]
    code = _state_or_404(state) if state else None
    base = SearchQuery(**{field: (term.slug,)}, location=state_name(code) if code else "")
    form, result = _listing(request, base)
    approach = term.slug if kind == Kind.APPROACH else None
    own = approach_statements(result.hits, approach) if approach else {}
    specialists = [
        specialist(hit, own.get(hit.profile.pk, ""), on_approach=approach is not None)
        for hit in result.hits
    ]
    doc = descriptions.parse(term.description)
    related = list(
        Term.objects.active().filter(kind=kind, slug__in=doc.related).order_by("position")
    )
    list_url = reverse("directory:approaches" if kind == Kind.APPROACH else "directory:issues")
    context = {
        "term": term,
        "kind": kind,
        "state_code": code,
        "state_name": state_name(code) if code else "",
        # The first section shows; the rest folds away on a phone-length page,
        # so the specialists are not a long scroll below.
        "description_first": descriptions.render(
            term.description, heading_level=3, sections=slice(0, 1)
        ),
        "description_more": descriptions.render(
            term.description, heading_level=3, sections=slice(1, None)
        ),
        "related": related,
        "form": form,
        "result": result,
        "relaxation_links": _relaxation_links(result),
        "specialists": specialists,
        "pages": _page_links(request, result),
        "narrowed": _narrowed(request),
        "list_url": list_url,
        "match_url": f"/match/?{'approach' if kind == Kind.APPROACH else 'issue'}={term.slug}",
        "json_ld": _topic_json_ld(request, term, specialists),
    }
    template = "directory/_specialists.html" if request.htmx else "directory/topic.html"
    return render(request, template, context)


def approach(request: HttpRequest, slug: str, state: str | None = None) -> HttpResponse:
    return _topic_page(request, kind=Kind.APPROACH, slug=slug, state=state)


def issue(request: HttpRequest, slug: str, state: str | None = None) -> HttpResponse:
    return _topic_page(request, kind=Kind.ISSUE, slug=slug, state=state)


def _topic_list(request: HttpRequest, kind: str) -> HttpResponse:
    counts = engine.term_counts(kind)
    groups: dict[str, list[tuple[Term, int]]] = {}
    for term in Term.objects.active().filter(kind=kind).order_by("position"):
        groups.setdefault(term.group or _("Other"), []).append((term, counts.get(term.slug, 0)))
    return render(
        request,
        "directory/topic_list.html",
        {"kind": kind, "groups": groups, "total": sum(len(g) for g in groups.values())},
    )


def approaches(request: HttpRequest) -> HttpResponse:
    return _topic_list(request, Kind.APPROACH)


def issues(request: HttpRequest) -> HttpResponse:
    return _topic_list(request, Kind.ISSUE)


# --- Place pages --------------------------------------------------------------------------


def published_places() -> dict[str, dict[str, tuple[str, int]]]:
    """{state: {city slug: (city name, profiles)}} for offices of published profiles.

    Cached per index version: it feeds the place pages and the sitemap, and at
    a million profiles it is one grouped scan we do not want per request.
    """
    version = ix.get_index().token or "empty"
    key = f"directory:places:{version}"
    places = django_cache.get(key)
    if places is None:
        places = _count_places()
        django_cache.set(key, places, timeout=24 * 3600)
    return places


def _count_places() -> dict[str, dict[str, tuple[str, int]]]:
    office, profile = Office._meta.db_table, TherapistProfile._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o.state, o.city, COUNT(DISTINCT o.profile_id) FROM {office} o"
            f" JOIN {profile} p ON p.id = o.profile_id"
            f" WHERE p.status = %s AND o.city <> '' AND o.state <> ''"
            f" GROUP BY o.state, o.city",
            [Status.PUBLISHED],
        )
        rows = cursor.fetchall()
    places: dict[str, dict[str, tuple[str, int]]] = {}
    for state, city, count in rows:
        slug = slugify(city)
        if not slug:
            continue
        known = places.setdefault(state, {}).get(slug)
        # "St. Louis" and "St Louis" share a slug: keep the commoner spelling, add the counts.
        if known is None or known[1] < count:
            places[state][slug] = (city, count + (known[1] if known else 0))
        else:
            places[state][slug] = (known[0], known[1] + count)
    return places


def place_state(request: HttpRequest, state: str) -> HttpResponse:
    code = _state_or_404(state)
    form, result = _listing(request, SearchQuery(location=state_name(code)))
    cities = sorted(
        published_places().get(code, {}).items(), key=lambda item: (-item[1][1], item[1][0])
    )[:60]
    return _place_page(request, code, "", form, result, cities)


def place_city(request: HttpRequest, state: str, city: str) -> HttpResponse:
    code = _state_or_404(state)
    known = published_places().get(code, {}).get(city)
    if known is None:
        raise Http404
    name = known[0]
    base = SearchQuery(location=f"{name}, {code}", radius=CITY_RADIUS)
    form, result = _listing(request, base)
    if result.location is None:
        raise Http404  # a city our geography does not know: no page rather than a wrong one
    return _place_page(request, code, name, form, result, [])


def _relaxation_links(result: engine.SearchResult) -> list[tuple[engine.Relaxation, str]]:
    """Each way to find more, as a link to the search page with that search (this page's
    own order, "wrote about it first", is not one the search page offers)."""
    return [(r, search_url(replace(r.query, sort="best", page=1))) for r in result.relaxations]


def _place_page(request, code, city, form, result, cities) -> HttpResponse:  # type: ignore[no-untyped-def]
    specialists = [specialist(hit) for hit in result.hits]
    context = {
        "state_code": code,
        "state_name": state_name(code),
        "city": city,
        "place": display.location(city, code) if city else state_name(code),
        "form": form,
        "result": result,
        "relaxation_links": _relaxation_links(result),
        "specialists": specialists,
        "pages": _page_links(request, result),
        "narrowed": _narrowed(request),
        "cities": cities,
        "city_radius": CITY_RADIUS,
    }
    template = "directory/_specialists.html" if request.htmx else "directory/place.html"
    return render(request, template, context)


@cache
def state_codes_lower() -> str:
    """Regex alternation of state codes for the URL converter."""
    return "|".join(code.lower() for code in STATE_CODES)
