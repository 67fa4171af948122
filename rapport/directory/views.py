from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import NamedTuple

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from rapport.core import display, geo
from rapport.core.states import state_name
from rapport.messaging import selectors as messaging_selectors

from . import availability, profile_views
from . import facets as facet_table
from . import index as ix
from . import search as directory_search
from .forms import MAX_FEE, MAX_LOCATION, MAX_TEXT, SearchForm
from .models import TherapistProfile
from .search import (
    FEW_RESULTS,
    MAX_PAGE,
    RADII,
    RANKING_RULE,
    SORTS,
    FacetOption,
    Hit,
    LocationResult,
    SearchQuery,
    SearchResult,
    resolve_location,
)
from .summaries import ProfileSummary


@require_safe
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    # Unpublished profiles 404 exactly like missing ones; with_public_relations
    # keeps the page at a constant number of queries however full the profile is.
    # Whether it can receive contact requests is read in the same query (an EXISTS).
    therapist = (
        TherapistProfile.objects.published()
        .with_public_relations()
        .annotate(can_receive=messaging_selectors.can_receive_expression())
        .filter(slug=slug)
        .first()
    )
    if therapist is None:
        # Renamed since: the old URL moves for good. Only a published profile's, so an
        # unpublished or deleted one answers 404 under every name it had.
        moved = TherapistProfile.objects.published().filter(old_slugs__slug=slug).first()
        if moved is None:
            raise Http404
        return redirect(moved, permanent=True)
    similar = None if therapist.accepting_new_clients else _similar(therapist)
    profile_views.record_view(request, therapist, on=availability.today())  # the dashboard's count
    # "Usually replies within N days": one query, and only where requests can arrive.
    replies_within = (
        messaging_selectors.replies_within_days(
            messaging_selectors.response_stats([therapist.pk]).get(therapist.pk)
        )
        if therapist.can_receive
        else None
    )
    return render(
        request,
        "directory/profile.html",
        {"therapist": therapist, "similar": similar, "replies_within": replies_within},
    )


# --- Similar therapists (on the profile of one who is not accepting) --------------------------

SIMILAR_SHOWN = 4
# Fewer than this and the next, looser search is tried (a card or two reads as a dead end).
SIMILAR_ENOUGH = 3


@dataclass
class Similar:
    cards: list[Card]
    total: int
    search_url: str
    why: str  # what they have in common with this therapist, in a sentence


def _similar_place(therapist: TherapistProfile) -> tuple[str, LocationResult]:
    """Where to look for others, as the search box would take it: the first office's city
    ("Tacoma, WA"), else its ZIP code, else its state; for a profile without an office,
    the first state it sees clients online in. ("", no place) when none is known."""
    texts = []
    for office in therapist.office_list():
        state = (office.state or "").strip().upper()
        if office.city and state:
            texts.append(f"{office.city}, {state}")
        texts.extend([office.zip, state])
    texts.extend(str(code) for code in therapist.telehealth_states or [])
    for text in texts:
        place = resolve_location(text) if text else LocationResult()
        if place.location is not None:
            return text, place
    return "", LocationResult()


def _similar(therapist: TherapistProfile) -> Similar | None:
    """Up to four therapists who are accepting, near this one and working with some of the
    same issues and approaches, found by the public search (its rule, its ranking).

    The closest of a few searches that finds enough: same place, issues and approaches;
    then the issues alone; then the issues anywhere in the state. The counts are read from
    the index alone; only the search that is shown reads profiles (one query).
    """
    issues = tuple(term.slug for term in therapist.issues)
    approaches = tuple(s.approach.slug for s in therapist.approach_statements.all())
    if not issues and not approaches:
        return None
    place_text, place = _similar_place(therapist)
    near = SearchQuery(
        location=place_text,
        issues=issues,
        approaches=approaches,
        per_page=SIMILAR_SHOWN,
    )
    tries = [(near, place)]
    if issues and approaches:
        tries.append((replace(near, approaches=()), place))
    if issues and place.location is not None and place.location.kind != "state":
        # The state by its code: a city's offices and the state's online therapists.
        in_state = resolve_location(place.location.state)
        tries.append((replace(near, location=place.location.state, approaches=()), in_state))

    state = ix.get_index()
    best, best_total = tries[0], 0
    for query, query_place in tries:
        total = directory_search.count(query, place=query_place, state=state)
        if total > best_total:
            best, best_total = (query, query_place), total
        if total >= SIMILAR_ENOUGH:
            break
    if not best_total:
        return None
    query, query_place = best
    result = directory_search.search(
        query, place=query_place, state=state, with_facets=False, with_relaxations=False
    )
    hits = [hit for hit in result.hits if hit.profile.pk != therapist.pk]
    if not hits:
        return None
    location = result.location
    if location is None:
        where = ""
    elif location.has_point:
        where = str(_("near %(place)s") % {"place": location.label})
    else:
        where = str(_("in %(place)s") % {"place": location.label})
    if query.approaches:
        why = (
            _("Therapists %(where)s who work with some of the same concerns and approaches.")
            if where
            else _("Therapists who work with some of the same concerns and approaches.")
        )
    else:
        why = (
            _("Therapists %(where)s who work with some of the same concerns.")
            if where
            else _("Therapists who work with some of the same concerns.")
        )
    ways_labels = _ways_labels(result)
    return Similar(
        cards=[_card(hit, result, set(), ways_labels) for hit in hits],
        total=result.total,
        search_url=search_url(query),  # the same search on the search page
        why=str(why % {"where": where}) if where else str(why),
    )


# --- Search ------------------------------------------------------------------------------------

# The facets (directory/facets.py), in the order the page shows them: URL parameter,
# result key, legend, group.
FACETS: tuple[tuple[str, str, str, str], ...] = tuple(
    (facet.param, facet.field, facet.legend, facet.group)
    for facet in sorted(facet_table.FACETS, key=lambda facet: facet.page_position)
)
FACET_VISIBLE = 8  # options shown before "More"; selected ones always show
SNIPPET_CHARS = 170
# What a taxonomy word found in the search box became, as the chip reads it.
DETECTED_PHRASES = {facet.field: facet.detected for facet in facet_table.TEXT_FACETS}
SORT_LABELS = {
    "best": _("Best match"),
    "nearest": _("Nearest"),
    "fee": _("Lowest fee"),
}
MODE_LABELS = {
    "in_person": _("In person"),
    "online": _("Online"),
    "both": _("Either"),
}


@dataclass
class FacetView:
    param: str
    legend: str
    shown: list[FacetOption]
    more: list[FacetOption]
    # Options that are on because of words in the search box, not a ticked box.
    from_text: set[str]
    group: str = ""

    @property
    def selected_count(self) -> int:
        return sum(o.selected for o in self.shown) + sum(o.selected for o in self.more)


@dataclass
class FilterGroup:
    """One fold of the filters (facets.FACET_GROUPS): its facets and how many filters are on."""

    slug: str
    title: str
    hint: str
    facets: list[FacetView]
    selected: int


@dataclass
class Card:
    hit: Hit
    place: str
    distance: str
    ways: list[str]
    matched: list[str]
    matched_from_query: bool
    in_network: list[str]
    snippet: str
    verified: bool

    @property
    def profile(self) -> ProfileSummary:
        return self.hit.profile


@dataclass
class Chip:
    text: str
    remove_url: str


def _distance_text(miles: float) -> str:
    if miles < 0.1:
        return str(_("Less than 0.1 miles away"))
    shown = f"{miles:.1f}" if miles < 10 else f"{miles:.0f}"
    if shown == "1.0":
        return str(_("1 mile away"))
    return str(_("%(miles)s miles away") % {"miles": shown})


def _ways_labels(result: SearchResult) -> tuple[str, str]:
    """How a result qualifies: (in person, online), translated once per page."""
    location = result.location
    online = (
        _("Online in %(state)s") % {"state": state_name(location.state)}
        if location is not None
        else _("Online")
    )
    return str(_("In person")), str(online)


def _card(
    hit: Hit, result: SearchResult, insurance: set[str], ways_labels: tuple[str, str]
) -> Card:
    profile = hit.profile
    location = result.location
    place_office = geo.nearest_office(
        profile.office_list(),
        location.lat if location else None,
        location.lon if location else None,
    )
    place = display.location(place_office.city, place_office.state) if place_office else ""

    ways = [
        label
        for qualifies, label in zip((hit.in_person, hit.online), ways_labels, strict=True)
        if qualifies
    ]

    matched = hit.matched_labels
    matched_from_query = bool(matched)
    if not matched:
        matched = [term.name for term in profile.issues[:3]]
    in_network = [term.name for term in profile.insurance if term.slug in insurance]
    return Card(
        hit=hit,
        place=place,
        distance=_distance_text(hit.distance) if hit.distance is not None else "",
        ways=ways,
        matched=matched[:4],
        matched_from_query=matched_from_query,
        in_network=in_network,
        snippet=display.opening(profile.statement, SNIPPET_CHARS),
        verified=profile.licence_verified,
    )


def search_url(query: SearchQuery) -> str:
    qs = query.to_querystring()
    return _search_path(get_script_prefix()) + (f"?{qs}" if qs else "")


@functools.lru_cache(maxsize=8)
def _search_path(script_prefix: str) -> str:
    # A results page links to itself a dozen times (pages, chips, relaxations):
    # one reverse() per mount point instead of one per link.
    return reverse("directory:search")


def _facet_views(result: SearchResult) -> list[FacetView]:
    views = []
    for param, key, legend, group in FACETS:
        options = result.facets.get(key, [])
        explicit = set(getattr(result.query, key))
        from_text = {slug for slug in result.detected.get(key, []) if slug not in explicit}
        visible = max(FACET_VISIBLE, sum(o.selected for o in options))
        views.append(
            FacetView(param, str(legend), options[:visible], options[visible:], from_text, group)
        )
    return views


def _filter_groups(query: SearchQuery, facet_views: list[FacetView]) -> dict[str, FilterGroup]:
    """The filters in their groups, each counting what is on inside it (a group with
    something on starts open). The page's own filters count where the template puts them:
    the way to meet, distance, fees and "accepting" under practical, "verified" under the
    therapist."""
    own = {
        "practical": (query.mode != "both")
        + bool(query.location and query.radius != directory_search.DEFAULT_RADIUS)
        + (not query.accepting)
        + bool(query.sliding_scale)
        + bool(query.free_consultation)
        + (query.max_fee is not None),
        "therapist": int(bool(query.verified)),
    }
    groups = {}
    for group in facet_table.FACET_GROUPS:
        facets = [f for f in facet_views if f.group == group.slug]
        selected = own.get(group.slug, 0) + sum(f.selected_count for f in facets)
        groups[group.slug] = FilterGroup(
            group.slug, str(group.title), str(group.hint), facets, selected
        )
    return groups


def _detected_chips(result: SearchResult) -> list[Chip]:
    """Taxonomy words the search box turned into filters, each removable on its own.

    Removing one keeps the others as ordinary (ticked) filters and keeps only
    the leftover words as text, so the removed word cannot come back from the text.
    """
    if not result.detected:
        return []
    labels = {
        (key, option.value): option.label
        for key, options in result.facets.items()
        for option in options
    }
    chips = []
    for key, slugs in result.detected.items():
        phrase = DETECTED_PHRASES.get(key)
        for slug in slugs:
            if phrase is None or slug in getattr(result.query, key):
                continue
            kept = replace(result.query, text=result.text_rest, page=1)
            for other_key, other_slugs in result.detected.items():
                keep = [s for s in other_slugs if (other_key, s) != (key, slug)]
                merged = dict.fromkeys([*getattr(kept, other_key), *keep])
                kept = replace(kept, **{other_key: tuple(merged)})
            label = labels.get((key, slug), slug)
            chips.append(Chip(str(phrase % {"label": label}), search_url(kept)))
    return chips


class PageLink(NamedTuple):
    # Named fields: the template engine looks `item.0` up as a key, then an
    # attribute, then (after a dir() of the tuple) an index, for every link.
    number: int
    url: str
    label: str  # for screen readers
    current: bool


def _pages(query: SearchQuery, pages: int) -> list[PageLink | None]:
    """Page links around the current page, with None for the gaps: 1 … 4 5 [6] 7 8 … 20."""
    last = min(pages, MAX_PAGE)
    wanted = {1, last, *range(query.page - 2, query.page + 3)}
    numbers = sorted(n for n in wanted if 1 <= n <= last)
    out: list[PageLink | None] = []
    previous = 0
    for n in numbers:
        if n - previous > 1:
            out.append(None)
        label = str(_("Page %(page)d") % {"page": n})
        out.append(PageLink(n, search_url(replace(query, page=n)), label, n == query.page))
        previous = n
    return out


def _where_text(result: SearchResult) -> str:
    """What the count covers: 'within 25 miles of Tacoma, WA, or online in Washington'."""
    query, location = result.query, result.location
    if location is None:
        return ""
    state = state_name(location.state)
    if location.has_point:
        near = _("within %(miles)d miles of %(place)s") % {
            "miles": query.radius,
            "place": location.label,
        }
    else:
        near = _("in %(state)s") % {"state": state}
        if query.mode == "both":
            return str(_("in %(state)s, in person or online") % {"state": state})
    if query.mode == "in_person":
        return str(near)
    if query.mode == "online":
        return str(_("offering online sessions in %(state)s") % {"state": state})
    return str(_("%(near)s, or online in %(state)s") % {"near": near, "state": state})


def _constraints(result: SearchResult) -> list[str]:
    """What the search asked for, in words: the 'why' when little or nothing matched."""
    query = result.query
    asked = []
    where = _where_text(result)
    if where:
        asked.append(where)
    selected = [
        option.label for options in result.facets.values() for option in options if option.selected
    ]
    asked.extend(selected)
    if query.max_fee is not None:
        asked.append(str(_("a fee of $%(fee)s or less") % {"fee": f"{query.max_fee:,}"}))
    if query.sliding_scale:
        asked.append(str(_("a sliding scale")))
    if query.free_consultation:
        asked.append(str(_("a free consultation")))
    if query.verified:
        asked.append(str(_("a verified license")))
    if query.accepting:
        asked.append(str(_("accepting new clients")))
    if result.text_rest:
        asked.append(str(_("the words “%(words)s”") % {"words": result.text_rest}))
    return asked


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    state = ix.get_index()
    form = SearchForm(request.GET, state=state)
    query = form.to_query()
    notes = list(form.notes)
    # Read once: "nearest" needs to know the place, and search() is given it.
    place = resolve_location(query.location)
    if query.sort == "nearest" and (place.location is None or not place.location.has_point):
        notes.append(
            str(_("“Nearest” needs a ZIP code or a city, so results are in best-match order."))
        )
        query = replace(query, sort="best")

    result = directory_search.search(query, place=place, state=state)
    notes.extend(result.notes)
    last_page = min(result.pages, MAX_PAGE)
    past_the_end = result.total > 0 and query.page > last_page
    # The number asked for, not the one the form capped it to (MAX_PAGE).
    asked = {"page": f"{form.page_asked:,}", "last": f"{last_page:,}"}
    if past_the_end:
        notes.append(str(_("There is no page %(page)s: these results have %(last)s.") % asked))
    elif form.page_asked > query.page:
        notes.append(str(_("There is no page %(page)s: results stop at page %(last)s.") % asked))

    insurance = set(query.insurance) | set(result.detected.get("insurance", []))
    facet_views = _facet_views(result)
    groups = _filter_groups(query, facet_views)
    ways_labels = _ways_labels(result)
    context = {
        "query": query,
        "result": result,
        "notes": notes,
        "cards": [_card(hit, result, insurance, ways_labels) for hit in result.hits],
        "facets": facet_views,
        "filter_groups": groups,
        # The way to meet and the distance sit in the same panel: they count too.
        "filters_selected": sum(group.selected for group in groups.values()),
        "chips": _detected_chips(result),
        # "Did you mean" / "Showing results for": the corrected text, and the text as typed.
        "spelling": result.spelling,
        "spelling_url": search_url(replace(query, text=result.spelling.text, page=1))
        if result.spelling
        else "",
        "as_typed_url": search_url(replace(query, text=result.spelling.as_typed, page=1))
        if result.spelling
        else "",
        "where": _where_text(result),
        "constraints": _constraints(result) if result.total < FEW_RESULTS else [],
        "relaxations": [(r, search_url(r.query)) for r in result.relaxations],
        "suggestions": [
            (place, search_url(replace(query, location=place.label, page=1)))
            for place in result.location_suggestions[:12]
        ],
        "pages": _pages(query, result.pages) if result.pages > 1 else [],
        "last_page": last_page,
        "last_page_url": search_url(replace(query, page=last_page)),
        "previous_url": search_url(replace(query, page=query.page - 1))
        if 1 < query.page <= last_page
        else "",
        "next_url": search_url(replace(query, page=query.page + 1))
        if query.page < last_page
        else "",
        "past_the_end": past_the_end,
        "first_number": (query.page - 1) * query.per_page + 1,
        "canonical_path": search_url(query),
        # Labels made here, not by a translation tag per option in the template's loops.
        "radii": [(miles, _("Within %(miles)d miles") % {"miles": miles}) for miles in RADII],
        "modes": [(value, MODE_LABELS[value]) for value in ("in_person", "online", "both")],
        "sorts": [(value, SORT_LABELS[value]) for value in SORTS],
        "max_text": MAX_TEXT,
        "max_location": MAX_LOCATION,
        "max_fee_limit": MAX_FEE,
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "directory/_results_htmx.html", context)
        # The address bar shows the canonical URL, not the form's raw serialisation.
        response["HX-Push-Url"] = context["canonical_path"]
    else:
        response = render(request, "directory/search.html", context)
    # One URL, two representations: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_safe
def how_we_rank(request: HttpRequest) -> HttpResponse:
    weights = directory_search.FIT_WEIGHTS
    return render(
        request,
        "directory/how_we_rank.html",
        {
            "ranking_rule": RANKING_RULE,
            "weights": weights,
            "fresh_days": directory_search.FRESH_DAYS,
            "stale_days": directory_search.STALE_DAYS,
            "expired_days": availability.EXPIRED_AFTER_DAYS,
        },
    )
