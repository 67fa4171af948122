"""The JSON API: /api/v1/therapists, /api/v1/therapists/{id}, /api/v1/taxonomy.

Read-only and anonymous. Each endpoint is a thin translation between HTTP and
the functions the pages use: a search is one `search()` call (profiles come
prefetched in its hits, so a page of 50 costs what a page of 1 does), a
profile is its interchange document without the private email.

Every error body is `{"error": "..."}`: ninja's own errors (422 validation,
404, 405, unknown paths under /api/v1/) are rewritten to that shape, so a
client needs one error handler and the OpenAPI document can describe them.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from typing import Any

import pydantic_core
from django.db import InterfaceError, OperationalError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
)
from django.urls import URLPattern, URLResolver, path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from rapport.core import display
from rapport.core.middleware import database_unavailable_response, outage
from rapport.directory import availability
from rapport.directory import index as ix
from rapport.directory import search as s
from rapport.directory.facets import FACET_BY_FIELD, FACETS
from rapport.directory.interchange import export_document
from rapport.directory.models import TherapistProfile
from rapport.directory.validators import did_you_mean
from rapport.taxonomy.models import Kind, Term

from .docs import SelfHostedDocs
from .schemas import (
    MAX_FEE,
    MAX_PER_PAGE,
    MAX_TEXT,
    ErrorOut,
    MovedOut,
    ProfileOut,
    SearchOut,
    SearchParams,
    TermOut,
)

logger = logging.getLogger(__name__)

# Fields of the interchange document that never leave the server.
PRIVATE_FIELDS = ("email",)
EXCERPT_LENGTH = 240
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ApiError(Exception):
    """An error a client can act on: rendered as its body with its status."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": message, **extra}


class Renderer(JSONRenderer):
    """UTF-8 JSON with names as written ("Zoë", not \\u escapes), the interchange
    format's convention.

    Encoded by pydantic-core, which django-ninja already brings: the standard
    library's encoder took ~0.3 ms of a ~37 KB search response, this ~0.08 ms.
    A value it has no rule for goes through ninja's encoder.
    """

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return pydantic_core.to_json(data, fallback=_NINJA_ENCODER.default)


_NINJA_ENCODER = NinjaJSONEncoder()


def _json_method_not_allowed(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Ninja answers a wrong method with a plain-text 405; ours says it in JSON, Allow kept."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "HEAD":
            return _head(view, request, *args, **kwargs)
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            if "GET" in allowed.split(", "):
                allowed += ", HEAD"
            response = api.create_response(request, {"error": _("method not allowed")}, status=405)
            response["Allow"] = allowed
        return response

    return wrapper


def _head(
    view: Callable[..., HttpResponseBase], request: HttpRequest, *args: Any, **kwargs: Any
) -> HttpResponseBase:
    """HEAD as HTTP defines it: the GET's status and headers, no body (ninja answers 405)."""
    request.method = "GET"
    try:
        response = view(request, *args, **kwargs)
    finally:
        request.method = "HEAD"
    if isinstance(response, HttpResponse):
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


def _safe_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The schema and docs views are plain Django views: refuse writes like the endpoints do."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            response = api.create_response(request, {"error": _("method not allowed")}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    return wrapper


def _example_name(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text or "empty"


# Added to every operation: what the server (or gunicorn in front of it) answers besides.
_DATABASE_UNAVAILABLE = {
    "description": "The database is briefly unavailable: try again after Retry-After seconds.",
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}
# The Location header of the 308 a renamed profile's old slug gets (ninja has no place for it).
_MOVED = (
    "Renamed: the profile's current URL is in the Location header. Follow it, keep the new slug."
)
_LOCATION = {
    "Location": {
        "description": "The profile's current URL in this API.",
        "schema": {"type": "string", "example": "/api/v1/therapists/jane-doe-2b3c4d5e"},
    }
}
_URI_TOO_LONG = {
    "description": (
        "The request line is longer than the server accepts (about 4,000 bytes); "
        "answered by the HTTP server, not as JSON."
    )
}


class RapportAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """Ninja's document, made valid for standard tools and complete about the responses.

        Ninja copies a field's `examples` (a list, as JSON Schema has it) onto the parameter,
        where OpenAPI requires a map of Example objects: openapi-spec-validator rejects the
        list. The parameter's schema keeps the list; the parameter gets the map.
        """
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                for parameter in operation.get("parameters", []):
                    examples = parameter.get("examples")
                    if isinstance(examples, list):
                        parameter["examples"] = {
                            _example_name(value): {"value": value} for value in examples
                        }
                responses = operation.setdefault("responses", {})
                moved = responses.get(308)  # ninja's keys are ints until serialised
                if moved is not None:
                    moved["description"] = _MOVED
                    moved["headers"] = _LOCATION
                responses.setdefault("414", _URI_TOO_LONG)
                responses.setdefault("503", _DATABASE_UNAVAILABLE)
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls: list[URLResolver | URLPattern] = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                # Ninja's root raises an HTML 404; ours points at the documents.
                pattern = path("", _safe_only(api_root), name="api-root")
            elif isinstance(pattern, URLPattern):
                pattern.callback = _json_method_not_allowed(pattern.callback)
            urls.append(pattern)
        # Anything else under /api/v1/ is a JSON 404, not the site's HTML page.
        urls.append(re_path(r"^.*$", api_not_found, name="not-found"))
        return urls


api = RapportAPI(
    title="Rapport API",
    version="1",
    description=(
        "Read-only access to the therapist directory: the same search as the search page, "
        "public profile documents in the interchange format, and the taxonomy. "
        'Every error body is {"error": "..."}. '
        f"Search results come in pages: `page` runs from 1 to {s.MAX_PAGE} (a larger number "
        "is a 400 error); a page past the last one is an empty `results` list, and `total` and `pages` "
        "say where the results end."
    ),
    urls_namespace="api",
    renderer=Renderer(),
    docs=SelfHostedDocs(),
    docs_url="/docs",
    docs_decorator=_safe_only,
)


# --- Errors -------------------------------------------------------------------------


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(request, exc.body, status=exc.status)


# Messages that say what a parameter accepts, rather than pydantic's generic ones.
_PARAM_RULES: dict[str, Callable[[], str]] = {
    "radius": lambda: (
        _("radius must be one of %(values)s miles") % {"values": ", ".join(map(str, s.RADII))}
    ),
    "mode": lambda: _("mode must be one of %(values)s") % {"values": ", ".join(s.MODES)},
    "sort": lambda: _("sort must be one of %(values)s") % {"values": ", ".join(s.SORTS)},
    "page": lambda: _("page must be a whole number from 1 to %(max)d") % {"max": s.MAX_PAGE},
    "per_page": lambda: (
        _("per_page must be a whole number from 1 to %(max)d") % {"max": MAX_PER_PAGE}
    ),
    "max_fee": lambda: (
        _("max_fee must be a whole number of dollars from 0 to %(max)d") % {"max": MAX_FEE}
    ),
    "q": lambda: _("q must be at most %(max)d characters") % {"max": MAX_TEXT},
}


def _param_message(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
    name = loc[1] if len(loc) > 1 else (loc[0] if loc else "")
    if name in _PARAM_RULES:
        return _PARAM_RULES[name]()
    if error.get("type", "").startswith("bool"):
        return _("%(name)s must be true or false") % {"name": name}
    return _("invalid %(name)s: %(reason)s") % {"name": name, "reason": error.get("msg", "")}


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # 400, not ninja's 422: a bad query parameter is a bad request like any other.
    detail = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors
    ]
    message = _param_message(exc.errors[0]) if exc.errors else _("invalid request")
    return api.create_response(request, {"error": message, "detail": detail}, status=400)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"error": _("not found")}, status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"error": str(exc)}, status=exc.status_code)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The database cannot be reached: a 503 with Retry-After, logged once per outage
    # (core/middleware.py), not a traceback per request.
    outage.failed(exc)
    return database_unavailable_response(request)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with the path only: query strings can name someone's health conditions.
    logger.exception("API error on %s", request.path)
    return api.create_response(request, {"error": _("server error")}, status=500)


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return api.create_response(request, {"error": _("not found")}, status=404)


def api_root(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return api.create_response(
        request,
        {
            "openapi": reverse("api:openapi-json"),
            "docs": reverse("api:openapi-view"),
            "therapists": reverse("api:search_therapists"),
            "taxonomy": reverse("api:taxonomy"),
        },
        status=200,
    )


# --- Search ---------------------------------------------------------------------------


def _unknown(noun: str, value: str, known: Any) -> ApiError:
    return ApiError(
        400,
        _("unknown %(noun)s %(value)s") % {"noun": noun, "value": repr(value)}
        + did_you_mean(value, known),
    )


def _clean_text(value: str) -> str:
    # Control characters are never part of a search, and PostgreSQL refuses NUL outright.
    return " ".join(_CONTROL.sub(" ", value).split())


def build_query(
    params: SearchParams, vocab: s.TermDictionary
) -> tuple[s.SearchQuery, s.LocationResult]:
    """The SearchQuery of these parameters and its place, read once (search() is given it);
    an unknown slug or place is a 400 naming it."""
    lists: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        slugs = tuple(dict.fromkeys(v.strip().lower() for v in getattr(params, facet.param)))
        for slug in slugs:
            if facet.kind is None:
                choices = [value for value, _label in facet.choices]
                if slug not in choices:
                    raise _unknown(str(facet.noun), slug, choices)
            elif (facet.kind, slug) not in vocab.labels:
                known = [k_slug for (k_kind, k_slug) in vocab.labels if k_kind == facet.kind]
                raise _unknown(str(facet.noun), slug, known)
        lists[facet.field] = slugs

    location = _clean_text(params.location)
    resolved = s.LocationResult()  # no place: what resolve_location("") says
    if location:
        resolved = s.resolve_location(location)
        if resolved.location is None:
            extra = {}
            if resolved.suggestions:
                extra["suggestions"] = [place.label for place in resolved.suggestions]
            raise ApiError(400, resolved.problem or _("unknown location"), **extra)

    query = s.SearchQuery(
        text=_clean_text(params.q),
        location=location,
        radius=params.radius,
        mode=params.mode,
        max_fee=params.max_fee,
        sliding_scale=params.sliding_scale,
        free_consultation=params.free_consultation,
        verified=params.verified,
        accepting=params.accepting,
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
        **lists,
    )
    return query, resolved


def query_params(query: s.SearchQuery) -> dict[str, Any]:
    """The API parameters that reproduce a query (defaults left out), for relaxation links."""
    params: dict[str, Any] = {}
    if query.text:
        params["q"] = query.text
    if query.location:
        params["location"] = query.location
        if query.radius != s.DEFAULT_RADIUS:
            params["radius"] = query.radius
    if query.mode != "both":
        params["mode"] = query.mode
    for facet in FACETS:
        if getattr(query, facet.field):
            params[facet.param] = sorted(getattr(query, facet.field))
    if query.max_fee is not None:
        params["max_fee"] = query.max_fee
    for name in s.BOOL_FILTERS:
        if getattr(query, name):
            params[name] = True
    if not query.accepting:
        params["accepting"] = False
    if query.sort != "best":
        params["sort"] = query.sort
    if query.per_page != s.PER_PAGE:
        params["per_page"] = query.per_page
    return params


def _result(hit: s.Hit) -> dict[str, Any]:
    profile = hit.profile
    return {
        "id": profile.slug,
        "url": profile.get_absolute_url(),
        "name": profile.name,
        "credentials": profile.credentials,
        "title": profile.title,
        "location": profile.display_location(),
        "distance_miles": None if hit.distance is None else round(hit.distance, 1),
        "in_person": hit.in_person,
        "online": hit.online,
        "accepting_new_clients": profile.accepting_new_clients,
        "availability": availability_out(profile),
        "fees": {
            "min": profile.fee_min,
            "max": profile.fee_max,
            "sliding_scale": profile.sliding_scale,
            "free_consultation": profile.free_consultation,
        },
        "matched": hit.matched,
        # The search page's rule (display.opening): never cut inside a word.
        "statement_excerpt": display.opening(profile.statement, EXCERPT_LENGTH),
        "license_verified": profile.licence_verified,
    }


def _facet_name(name: str) -> str:
    # Facets are keyed by the parameter that selects them: "genders" is chosen with ?gender=.
    return FACET_BY_FIELD[name].param


@api.get(
    "/therapists",
    response={200: SearchOut, 400: ErrorOut},
    operation_id="search_therapists",
    url_name="search_therapists",
    summary="Search therapists",
    description="The search page's search: filters, facet counts, ranking and paging are identical.",
    tags=["therapists"],
)
def search_therapists(request: HttpRequest, params: Query[SearchParams]) -> HttpResponse:
    # Encoded straight from the dicts below, not validated against `SearchOut` on every
    # request: that built ~400 objects, dumped them and encoded the dump (~0.3 ms of a
    # ~3 ms request at a million profiles). `SearchOut` still documents the response, and
    # the tests hold these bodies to it (`test_api`'s schema check, schemathesis). This is
    # a comment, not the docstring: django-ninja publishes docstrings in the API docs.
    state = ix.get_index()
    query, place = build_query(params, s.term_dictionary(state))
    result = s.search(query, place=place, state=state)
    location = result.location
    body = {
        "total": result.total,
        "page": query.page,
        "per_page": query.per_page,
        "pages": result.pages,
        "location": None
        if location is None
        else {
            "kind": location.kind,
            "label": location.label,
            "state": location.state,
            "lat": location.lat,
            "lon": location.lon,
        },
        "results": [_result(hit) for hit in result.hits],
        # As dicts: pydantic-core encodes ~400 dicts in a third of the time it
        # takes over as many dataclasses (0.09 against 0.19 ms, building included).
        "facets": {
            _facet_name(name): [
                {"value": o.value, "label": o.label, "count": o.count, "selected": o.selected}
                for o in options
            ]
            for name, options in result.facets.items()
        },
        "counts": result.counts,
        "detected": result.detected,
        "spelling": None
        if result.spelling is None
        else {
            "text": result.spelling.text,
            "as_typed": result.spelling.as_typed,
            "searched": result.spelling.searched,
        },
        "relaxations": [
            {"label": r.label, "count": r.count, "query": query_params(r.query)}
            for r in result.relaxations
        ],
    }
    return api.create_response(request, body, status=200)


# --- Profiles --------------------------------------------------------------------------


@api.get(
    "/therapists/{id}",
    response={
        200: ProfileOut,
        308: MovedOut,
        404: ErrorOut,
    },
    operation_id="get_therapist",
    url_name="therapist",
    summary="A therapist's public profile",
    tags=["therapists"],
    exclude_unset=True,
)
def get_therapist(request: HttpRequest, id: str) -> dict[str, Any] | HttpResponse:  # noqa: A002 - the URL's name
    """The profile in the interchange format (docs/profile-format.md), without its email.

    `id` is the profile's slug, as in search results. A slug the profile had before it was
    renamed answers 308 Permanent Redirect to its current URL: follow it, and store the new
    slug. Unpublished and missing profiles are the same 404, under every slug they had.
    """
    # Checked before the database sees it: PostgreSQL rejects some strings (NUL) outright.
    if not _SLUG.fullmatch(id):
        raise ApiError(404, _("not found"))
    profile = TherapistProfile.objects.published().with_public_relations().filter(slug=id).first()
    if profile is None:
        # As the profile page does, looked up only when no current slug matches.
        current = (
            TherapistProfile.objects.published()
            .filter(old_slugs__slug=id)
            .values_list("slug", flat=True)
            .first()
        )
        if current is None:
            raise ApiError(404, _("not found"))
        return _moved(request, current)
    document = export_document(profile)
    for name in PRIVATE_FIELDS:
        document.pop(name, None)
    # The document's licenses are the profile's, in the same order (export_document).
    for item, lic in zip(document.get("licenses") or [], profile.licenses.all(), strict=True):
        item["verified"] = lic.is_verified
        item["verified_month"] = (
            timezone.localtime(lic.verified_at).strftime("%Y-%m") if lic.verified_at else None
        )
    return {
        "slug": profile.slug,
        "url": profile.get_absolute_url(),
        **document,
        "availability": availability_out(profile),
    }


def _moved(request: HttpRequest, slug: str) -> HttpResponse:
    """308, not 301: permanent like the page's, and a client may not change the method
    (301 lets old clients turn a POST into a GET; here it could only be GET or HEAD, but
    308 leaves no doubt). Every current HTTP client follows it; the body says the same."""
    location = reverse("api:therapist", kwargs={"id": slug})
    redirect = HttpResponsePermanentRedirect(
        location, preserve_request=True, content_type=api.get_content_type()
    )  # preserve_request: 308
    return api.create_response(
        request, {"slug": slug, "location": location}, temporal_response=redirect
    )


def availability_out(profile: object) -> dict[str, Any]:
    """The AvailabilityOut of a profile or summary, read by the one rule."""
    now = availability.state(profile)
    return {
        "state": str(now.kind),
        "expected_wait_weeks": now.wait_weeks,
        "confirmed_at": now.confirmed_at.isoformat() if now.confirmed_at else None,
        "not_confirmed_recently": now.stale,
        "in_accepting_filter": now.in_accepting_filter,
    }


# --- Taxonomy ---------------------------------------------------------------------------


@api.get(
    "/taxonomy",
    response={200: dict[str, list[TermOut]]},
    operation_id="taxonomy",
    url_name="taxonomy",
    summary="Every active taxonomy term, by kind",
    tags=["taxonomy"],
)
def taxonomy(request: HttpRequest) -> dict[str, list[dict[str, str]]]:
    """Terms in display order, keyed by kind.

    Each kind's slugs are the values of one search parameter: issue -> issues,
    approach -> approaches, insurance -> insurance, language -> languages,
    identity -> identities, community -> communities, age -> ages,
    format -> formats, license_type -> license_types.
    """
    grouped: dict[str, list[dict[str, str]]] = {kind: [] for kind in Kind.values}
    terms = Term.objects.active().order_by("kind", "position", "name")
    for kind, slug, name, short_name, group, summary in terms.values_list(
        "kind", "slug", "name", "short_name", "group", "summary"
    ):
        grouped.setdefault(kind, []).append(
            {
                "slug": slug,
                "name": name,
                "short_name": short_name,
                "group": group,
                "summary": summary,
            }
        )
    return grouped
