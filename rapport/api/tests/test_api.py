"""The JSON API, through HTTP, as a client program sees it."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.api.schemas import FacetOptionOut, MovedOut, SearchOut
from rapport.core.ids import profile_slug
from rapport.core.middleware import CONTENT_SECURITY_POLICY
from rapport.directory import index as ix
from rapport.directory.fulltext import fulltext_sync
from rapport.directory.models import Status, TherapistProfile, slugs_moved
from rapport.taxonomy.models import Kind
from rapport.testing import (
    count_city_lookups,
    make_profile,
    make_term,
    scan_page,
    third_party_urls,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

SEARCH = "/api/v1/therapists"
SEATTLE_OFFICE = {
    "city": "Seattle",
    "state": "WA",
    "zip": "98101",
    "lat": 47.6114,
    "lon": -122.3305,
}
PORTLAND_OFFICE = {
    "city": "Portland",
    "state": "OR",
    "zip": "97201",
    "lat": 45.5078,
    "lon": -122.6897,
}


def refresh_index() -> None:
    ix.index_touch(None)
    ix.reset_for_tests()
    fulltext_sync(None)


@pytest.fixture
def directory():
    """Five therapists around Puget Sound and Portland, and one draft nobody may see."""
    make_term(Kind.ISSUE, "trauma", "Trauma")
    make_term(Kind.ISSUE, "grief", "Grief")
    people = {
        # The make_profile default: Tacoma office, anxiety + depression, Aetna, $90-150.
        "tacoma": make_profile(name="Zoë Ångström", gender="woman"),
        "tacoma_trauma": make_profile(
            name="Dana Okoye",
            gender="man",
            telehealth=False,
            telehealth_states=[],
            fee_min=60,
            fee_max=80,
            sliding_scale=False,
            terms=[(Kind.ISSUE, "trauma"), (Kind.LANGUAGE, "en")],
            statement="Trauma-focused work with adults. " * 20,
        ),
        "seattle": make_profile(
            name="Sam Lee",
            gender="nonbinary",
            offices=[SEATTLE_OFFICE],
            telehealth=False,
            telehealth_states=[],
            fee_min=200,
            fee_max=220,
            terms=[(Kind.ISSUE, "depression"), (Kind.LANGUAGE, "en")],
        ),
        "portland": make_profile(
            name="Riley Park",
            offices=[PORTLAND_OFFICE],
            telehealth=True,
            telehealth_states=["OR", "WA"],
            terms=[(Kind.ISSUE, "grief"), (Kind.LANGUAGE, "en")],
            licenses=[{"license_type": "lcsw", "state": "OR", "number": "L1"}],
        ),
        "full": make_profile(name="Morgan Full", accepting_new_clients=False),
        "draft": make_profile(name="Drafty Draft", status=Status.DRAFT),
    }
    refresh_index()
    return people


def get(client, path: str, params: dict | list | None = None):
    query = urlencode(params or {}, doseq=True)
    response = client.get(f"{path}?{query}" if query else path)
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response, json.loads(response.content.decode("utf-8"))


def names(body: dict) -> list[str]:
    return [r["name"] for r in body["results"]]


# --- Search ------------------------------------------------------------------------------


def test_it_finds_therapists_near_a_zip_with_everything_a_result_needs(client, directory):
    response, body = get(client, SEARCH, {"location": "98402", "mode": "in_person"})
    assert response.status_code == 200
    assert sorted(names(body)) == ["Dana Okoye", "Zoë Ångström"]
    assert body["location"] == {
        "kind": "zip",
        "label": "98402 (Tacoma, WA)",
        "state": "WA",
        "lat": pytest.approx(47.2545),
        "lon": pytest.approx(-122.4405),
    }
    assert (body["total"], body["page"], body["per_page"], body["pages"]) == (2, 1, 20, 1)
    zoe = next(r for r in body["results"] if r["name"] == "Zoë Ångström")
    profile = directory["tacoma"]
    assert zoe["id"] == profile.slug
    assert zoe["url"] == profile.get_absolute_url() == f"/therapists/{profile.slug}/"
    assert zoe["credentials"] == "MA, LMHC"
    assert zoe["title"] == "Licensed Mental Health Counselor"
    assert zoe["location"] == "Tacoma, WA"
    assert zoe["distance_miles"] == round(zoe["distance_miles"], 1) < 1
    assert zoe["in_person"] is True
    assert zoe["accepting_new_clients"] is True
    assert zoe["fees"] == {"min": 90, "max": 150, "sliding_scale": True, "free_consultation": True}
    assert zoe["statement_excerpt"].startswith("I work with adults who feel stuck")
    assert zoe["matched"] == {}


def test_it_writes_names_as_utf8_not_escapes(client, directory):
    response = client.get(SEARCH, {"location": "Tacoma, WA"})
    assert "Zoë Ångström".encode() in response.content


def test_it_cuts_long_statements_at_a_word(client, directory):
    _response, body = get(client, SEARCH, {"location": "98402", "issues": "trauma"})
    excerpt = body["results"][0]["statement_excerpt"]
    assert len(excerpt) <= 240 and excerpt.endswith("…")
    assert excerpt[:-1].endswith("adults")


def test_it_finds_online_therapists_licensed_for_the_state(client, directory):
    _response, body = get(client, SEARCH, {"location": "98101", "mode": "online"})
    # Tacoma's default profile and Portland's both see clients online in WA.
    assert sorted(names(body)) == ["Riley Park", "Zoë Ångström"]
    assert all(r["online"] and not r["in_person"] for r in body["results"])


def test_it_filters_within_a_facet_by_any_and_reports_what_matched(client, directory):
    _response, body = get(
        client, SEARCH, [("location", "WA"), ("issues", "trauma"), ("issues", "depression")]
    )
    assert sorted(names(body)) == ["Dana Okoye", "Sam Lee", "Zoë Ångström"]
    matched = {r["name"]: r["matched"] for r in body["results"]}
    assert matched["Dana Okoye"] == {"issues": ["trauma"]}
    assert matched["Sam Lee"] == {"issues": ["depression"]}
    # Slugs are matched as the taxonomy spells them, whatever the case typed.
    _response, again = get(client, SEARCH, [("location", "WA"), ("issues", "TRAUMA")])
    assert names(again) == ["Dana Okoye"]


def test_it_counts_facets_without_their_own_selection(client, directory):
    _response, body = get(
        client, SEARCH, {"location": "WA", "mode": "in_person", "issues": "trauma"}
    )
    issues = {o["value"]: o for o in body["facets"]["issues"]}
    # Counts of the issue facet ignore the issue filter: three in-person WA profiles accept clients.
    assert issues["trauma"] == {"value": "trauma", "label": "Trauma", "count": 1, "selected": True}
    assert issues["depression"]["count"] == 2 and not issues["depression"]["selected"]
    assert body["facets"]["issues"][0]["value"] == "trauma"  # selected first
    genders = {o["value"]: o["count"] for o in body["facets"]["gender"]}
    assert genders == {"man": 1}
    assert "genders" not in body["facets"]
    assert set(body["facets"]) >= {"issues", "approaches", "insurance", "languages", "gender"}
    assert body["counts"]["in_person"] == 1
    assert body["counts"]["sliding_scale"] == 0


def test_it_filters_by_fee_flags_gender_and_acceptance(client, directory):
    def found(**params):
        return sorted(names(get(client, SEARCH, {"location": "WA", **params})[1]))

    assert found(max_fee=70) == ["Dana Okoye"]
    assert found(sliding_scale="true") == ["Riley Park", "Sam Lee", "Zoë Ångström"]
    assert found(gender="nonbinary") == ["Sam Lee"]
    assert "Morgan Full" not in found()
    assert "Morgan Full" in found(accepting="false")
    assert found(max_fee="") == found()


def test_it_pages_through_results(client, directory):
    seen = []
    for page in (1, 2, 3, 4):
        _response, body = get(client, SEARCH, {"location": "WA", "per_page": 1, "page": page})
        assert (body["total"], body["pages"], body["per_page"], body["page"]) == (4, 4, 1, page)
        seen += names(body)
    assert sorted(seen) == ["Dana Okoye", "Riley Park", "Sam Lee", "Zoë Ångström"]
    _response, past_the_end = get(client, SEARCH, {"location": "WA", "per_page": 1, "page": 5})
    assert past_the_end["results"] == [] and past_the_end["total"] == 4


def test_it_sorts_by_fee_and_by_distance(client, directory):
    _response, by_fee = get(client, SEARCH, {"location": "WA", "sort": "fee"})
    fees = [r["fees"]["min"] for r in by_fee["results"]]
    assert fees == sorted(fees)
    _response, nearest = get(
        client, SEARCH, {"location": "98402", "radius": 50, "mode": "in_person", "sort": "nearest"}
    )
    distances = [r["distance_miles"] for r in nearest["results"]]
    assert distances == sorted(distances) and names(nearest)[-1] == "Sam Lee"


def test_it_recognises_taxonomy_words_in_free_text(client, directory):
    _response, body = get(client, SEARCH, {"q": "help with trauma", "location": "WA"})
    assert body["detected"] == {"issues": ["trauma"]}
    assert names(body) == ["Dana Okoye"]


def test_it_searches_names_and_statements_in_free_text(client, directory):
    _response, body = get(client, SEARCH, {"q": "okoye"})
    assert names(body) == ["Dana Okoye"]


def test_it_offers_relaxations_that_the_api_can_follow(client, directory):
    params = {"location": "98402", "mode": "in_person", "issues": "depression"}
    _response, body = get(client, SEARCH, params)
    assert names(body) == ["Zoë Ångström"]
    wider = next(r for r in body["relaxations"] if r["query"].get("radius") == 50)
    assert wider["query"] == {**params, "issues": ["depression"], "radius": 50}
    _response, followed = get(client, SEARCH, wider["query"])
    assert followed["total"] == wider["count"] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"location": "98402"},
        {"location": "98402", "mode": "in_person", "issues": "depression"},  # relaxations
        {"location": "WA", "mode": "online", "sort": "fee", "gender": "woman"},
        {"q": "trauma grief adults", "issues": "anxiety"},  # detected terms, no location
        {"location": "Tacoma, WA", "radius": 5, "page": 9},  # past the last page
    ],
)
def test_its_search_bodies_are_exactly_what_the_schema_says(client, directory, params):
    # The view encodes its dicts directly (no validation per request): hold the
    # bodies to SearchOut here, strictly, with nothing missing and nothing extra.
    response, body = get(client, SEARCH, params)
    assert response.status_code == 200
    checked = SearchOut.model_validate_json(response.content, strict=True)
    assert checked.model_dump(mode="json") == body
    assert any(body["facets"].values())
    for options in body["facets"].values():
        for option in options:
            assert FacetOptionOut.__annotations__.keys() == option.keys()


def test_it_reads_a_page_of_fifty_in_the_same_queries_as_a_page_of_one(client, directory):
    for n in range(8):
        make_profile(name=f"Extra Person {n}")
    refresh_index()
    client.get(SEARCH, {"location": "98402"})  # warm the index and vocabulary
    with CaptureQueriesContext(connection) as one:
        assert client.get(SEARCH, {"location": "98402", "per_page": 1}).status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = client.get(SEARCH, {"location": "98402", "per_page": 50})
    # Eight extras and Dana in Tacoma, Zoë too, Riley online in WA.
    assert len(response.json()["results"]) == 11
    assert len(many) == len(one) <= 8


def test_it_never_shows_unpublished_profiles(client, directory):
    _response, body = get(client, SEARCH, {"per_page": 50, "accepting": "false"})
    assert "Drafty Draft" not in names(body)
    assert body["total"] == 5


# --- Errors --------------------------------------------------------------------------------


def test_it_names_an_unknown_slug_and_the_closest_known_one(client, directory):
    response, body = get(client, SEARCH, {"issues": "anxeity"})
    assert response.status_code == 400
    assert body == {"error": "unknown issue 'anxeity' (did you mean 'anxiety'?)"}
    _response, body = get(client, SEARCH, {"languages": "xx-nonsense"})
    assert body == {"error": "unknown language 'xx-nonsense'"}
    _response, body = get(client, SEARCH, {"gender": "women"})
    assert body == {"error": "unknown gender 'women' (did you mean 'woman'?)"}
    _response, body = get(client, SEARCH, {"approaches": "relational"})
    assert body["error"].startswith("unknown approach 'relational'")


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"radius": 7}, "radius"),
        ({"radius": "far"}, "radius"),
        ({"mode": "car"}, "mode"),
        ({"sort": "random"}, "sort"),
        ({"page": 0}, "page"),
        ({"page": 501}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 51}, "per_page"),
        ({"max_fee": -1}, "max_fee"),
        ({"max_fee": 10001}, "max_fee"),
        ({"sliding_scale": "maybe"}, "sliding_scale"),
        ({"accepting": "any"}, "accepting"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_it_answers_an_invalid_parameter_with_400_naming_it(client, directory, params, named):
    response, body = get(client, SEARCH, params)
    assert response.status_code == 400
    assert body["error"].startswith(named + " ") or f" {named}:" in body["error"], body
    assert body["detail"][0]["loc"] == ["query", named]


def test_it_asks_which_place_an_ambiguous_name_means(client, directory):
    response, body = get(client, SEARCH, {"location": "Springfield"})
    assert response.status_code == 400
    assert body["error"] == "Several places are called Springfield. Which one?"
    assert "Springfield, IL" in body["suggestions"] and "Springfield, MA" in body["suggestions"]


@pytest.mark.parametrize("place", ["Nowhereville", "00000", "Tacoma, ZZ"])
def test_it_says_when_it_does_not_know_a_place(client, directory, place):
    response, body = get(client, SEARCH, {"location": place})
    assert response.status_code == 400
    assert place in body["error"] and "suggestions" not in body


def test_it_answers_errors_in_json_for_wrong_methods_and_paths(client):
    response = client.post(SEARCH)
    assert response.status_code == 405
    assert response.json() == {"error": "method not allowed"}
    assert "GET" in response["Allow"]
    response = client.delete("/api/v1/openapi.json")
    assert response.status_code == 405 and response.json() == {"error": "method not allowed"}
    for path in ("/api/v1/nothing-here", "/api/v1/therapists/", "/api/v1/therapists/a/b"):
        response = client.get(path)
        assert response.status_code == 404 and response.json() == {"error": "not found"}, path


def test_it_survives_hostile_text(client, directory):
    for params in (
        {"q": "\x00\x01 anxiety ' OR 1=1 --", "location": "\x00"},
        {"q": '"NEAR" AND * ^ ( )'},
        {"location": "Tacoma\x00, WA"},
        {"issues": "\x00"},
    ):
        response = client.get(SEARCH, params)
        assert response.status_code in (200, 400), params


# --- Profiles ------------------------------------------------------------------------------


def test_it_returns_the_interchange_document_without_the_email(client, directory):
    profile = directory["tacoma"]
    response, body = get(client, f"{SEARCH}/{profile.slug}")
    assert response.status_code == 200
    assert "email" not in body and profile.email not in response.content.decode()
    assert body["slug"] == profile.slug and body["url"] == profile.get_absolute_url()
    assert body["id"] == profile.external_id and body["source"] == "test"
    assert body["name"] == "Zoë Ångström"
    assert body["issues"] == ["anxiety", "depression"]
    assert body["approaches"][0]["slug"] == "relational-therapy"
    assert body["offices"][0]["zip"] == "98402"
    assert body["licenses"] == [
        {
            "type": "LMHC",
            "number": "LH60012345",
            "state": "WA",
            "status": "licensed",
            # Self-reported: no check recorded (moderation/verification.py).
            "verified": False,
            "verified_month": None,
        }
    ]
    assert body["fees"] == {"min": 90, "max": 150, "sliding_scale": True, "free_consultation": True}
    assert body["phone"] == "(253) 555-0142"
    # Empty fields are left out, as in an export, not sent as null.
    assert "npi" not in body and None not in body.values()


def test_the_document_carries_a_waitlists_expected_wait(client, directory):
    profile = directory["tacoma"]
    type(profile).objects.filter(pk=profile.pk).update(expected_wait_weeks=6)
    _, body = get(client, f"{SEARCH}/{profile.slug}")
    assert body["expected_wait_weeks"] == 6
    assert body["availability"]["expected_wait_weeks"] == 6


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.PENDING, Status.REJECTED, Status.SUSPENDED]
)
def test_it_hides_unpublished_profiles_behind_the_same_404(client, status):
    profile = make_profile(status=status)
    response, body = get(client, f"{SEARCH}/{profile.slug}")
    assert response.status_code == 404 and body == {"error": "not found"}


def test_an_old_slug_redirects_permanently_to_the_current_profile(client, directory):
    profile = directory["tacoma"]
    old = profile.slug
    new = profile_slug("Zoë Ångström-Lind", profile.source, profile.external_id)
    TherapistProfile.objects.filter(pk=profile.pk).update(slug=new, name="Zoë Ångström-Lind")
    slugs_moved([(profile.pk, old, new)])  # what the editor and the importer do on a rename
    assert client.get(f"/therapists/{old}/").status_code == 301  # the page

    response, body = get(client, f"{SEARCH}/{old}")
    assert response.status_code == 308
    assert response["Location"] == f"{SEARCH}/{new}"
    assert MovedOut.model_validate(body) == MovedOut(slug=new, location=f"{SEARCH}/{new}")
    assert client.head(f"{SEARCH}/{old}")["Location"] == f"{SEARCH}/{new}"
    followed = client.get(f"{SEARCH}/{old}", follow=True)
    assert followed.status_code == 200 and followed.json()["slug"] == new

    # Hidden, it is the same 404 under its old name as under its new one.
    TherapistProfile.objects.filter(pk=profile.pk).update(status=Status.SUSPENDED)
    for slug in (old, new):
        response, body = get(client, f"{SEARCH}/{slug}")
        assert response.status_code == 404 and body == {"error": "not found"}


@pytest.mark.parametrize("slug", ["no-such-person-abcdefgh", "%00", "caf%C3%A9", "x" * 300])
def test_it_answers_404_for_anything_else(client, slug):
    response, body = get(client, f"{SEARCH}/{slug}")
    assert response.status_code == 404 and body == {"error": "not found"}


def test_it_never_lets_an_email_out_of_any_endpoint(client, directory):
    bodies = [client.get(path).content.decode() for path in (
        f"{SEARCH}?per_page=50&accepting=false",
        f"{SEARCH}?location=98402&issues=trauma",  # few results: relaxations too
        *(f"{SEARCH}/{p.slug}" for p in directory.values()),
        "/api/v1/taxonomy",
        "/api/v1/openapi.json",
        "/api/v1/docs",
    )]  # fmt: skip
    for profile in directory.values():
        assert not any(profile.email in body for body in bodies)
    assert not any('"email"' in body for body in bodies)


# --- Taxonomy and documents ------------------------------------------------------------------


def test_it_lists_active_terms_by_kind(client, directory):
    make_term(Kind.ISSUE, "retired-issue", "Retired", is_active=False)
    make_term(
        Kind.APPROACH, "emdr", "Eye Movement Desensitization and Reprocessing", short_name="EMDR"
    )
    response, body = get(client, "/api/v1/taxonomy")
    assert response.status_code == 200
    assert set(body) == set(Kind.values)
    issues = {t["slug"] for t in body["issue"]}
    assert {"anxiety", "trauma", "grief"} <= issues and "retired-issue" not in issues
    emdr = next(t for t in body["approach"] if t["slug"] == "emdr")
    assert emdr == {
        "slug": "emdr",
        "name": "Eye Movement Desensitization and Reprocessing",
        "short_name": "EMDR",
        "group": "",
        "summary": "",
    }


def test_it_publishes_its_openapi_document(client):
    response, schema = get(client, "/api/v1/openapi.json")
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/therapists",
        "/api/v1/therapists/{id}",
        "/api/v1/taxonomy",
    }
    search = schema["paths"]["/api/v1/therapists"]["get"]
    params = {p["name"]: p for p in search["parameters"]}
    assert params["issues"]["schema"]["type"] == "array"
    assert params["radius"]["schema"]["enum"] == [5, 10, 25, 50, 100]
    assert params["per_page"]["schema"]["maximum"] == 50
    assert set(search["responses"]) == {"200", "400", "414", "503"}
    profile_responses = schema["paths"]["/api/v1/therapists/{id}"]["get"]["responses"]
    assert set(profile_responses) == {"200", "308", "404", "414", "503"}
    assert "Location" in profile_responses["308"]["headers"]
    assert profile_responses["308"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MovedOut"
    }
    assert "email" not in json.dumps(schema["components"]["schemas"]["ProfileOut"])


def test_it_documents_itself_without_loading_anything_from_elsewhere(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert third_party_urls(html, own_hosts={"testserver"}) == []
    page = scan_page(html)
    assert page.inline_scripts == [] and page.style_attributes == [] and page.event_handlers == []
    for text in ("GET /api/v1/therapists", "/api/v1/openapi.json", "issues", "repeatable"):
        assert text in html
    assert "swagger" not in html.lower() and "cdn" not in html.lower()


def test_it_points_its_root_at_the_documents(client):
    response, body = get(client, "/api/v1/")
    assert response.status_code == 200
    assert body["openapi"] == "/api/v1/openapi.json" and body["docs"] == "/api/v1/docs"


def test_it_reads_the_place_once_per_request(client, monkeypatch) -> None:
    """build_query reads the place (an unknown one is a 400) and search() is given it."""
    make_profile(name="Sam Seattle", offices=[SEATTLE_OFFICE])
    refresh_index()
    looked_up = count_city_lookups(monkeypatch)
    response = client.get(SEARCH, {"location": "Seattle, WA"})
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["results"]] == ["Sam Seattle"]
    assert looked_up == ["Seattle"]


# --- Issue 14: a typo in q ----------------------------------------------------------------------


def test_it_searches_a_typo_of_a_filter_word_as_the_filter_and_says_so(client, directory):
    response, body = get(client, SEARCH, {"q": "traumma", "location": "WA"})
    assert body["spelling"] == {"text": "trauma", "as_typed": '"traumma"', "searched": True}
    assert body["detected"] == {"issues": ["trauma"]}
    assert names(body) == ["Dana Okoye"]
    assert SearchOut.model_validate_json(response.content, strict=True).model_dump(mode="json") == (
        body
    )
    # As typed: nothing, and no correction.
    _response, as_typed = get(client, SEARCH, {"q": body["spelling"]["as_typed"], "location": "WA"})
    assert as_typed["spelling"] is None and as_typed["total"] == 0


def test_it_suggests_a_common_word_for_a_typo_without_searching_it(client, directory):
    # "collaborative" is in most statements; "colaborative" finds nobody.
    response, body = get(client, SEARCH, {"q": "colaborative"})
    assert body["spelling"] == {
        "text": "collaborative",
        "as_typed": '"colaborative"',
        "searched": False,
    }
    assert body["total"] == 0
    SearchOut.model_validate_json(response.content, strict=True)
    _response, right = get(client, SEARCH, {"q": "collaborative"})
    assert right["spelling"] is None and right["total"] > 0


def test_its_public_docs_carry_no_notes_for_the_developers(client) -> None:
    """The OpenAPI document is for API users: implementation notes stay in code comments."""
    document = client.get("/api/v1/openapi.json").json()
    text = json.dumps(document)
    for note in ("schemathesis", "validated against", "SearchOut`", " ms of a"):
        assert note not in text, note
