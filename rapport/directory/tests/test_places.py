"""Places as people type them: namesakes largest first, nicknames read as the city they mean,
labels as the data spells them; and a page number past the end named as it was asked."""

from __future__ import annotations

import html as htmllib
import json
import re

import pytest

from rapport.core import geo
from rapport.directory import index as ix
from rapport.directory import search as s
from rapport.directory import views
from rapport.directory.search import places
from rapport.testing import make_profile

TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}


def text_of(page: str) -> str:
    body = page.split("<body", 1)[-1]
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


# --- Namesakes ------------------------------------------------------------------------------


def test_portland_offers_portland_oregon_first() -> None:
    result = s.resolve_location("Portland")
    assert result.location is None
    labels = [p.label for p in result.suggestions]
    assert labels[:2] == ["Portland, OR", "Portland, ME"]
    assert "Portland" in result.problem


def test_namesakes_follow_the_census_where_it_is_known() -> None:
    # 2020 Census: Springfield, MO 169,176; MA 155,929; IL 114,394. Their ZIP counts
    # alone would not order them so; the shipped census table does.
    labels = [p.label for p in s.resolve_location("Springfield").suggestions]
    assert labels[:3] == ["Springfield, MO", "Springfield, MA", "Springfield, IL"]


def test_towns_the_census_table_does_not_list_follow_by_their_zip_codes() -> None:
    suggestions = s.resolve_location("Springfield").suggestions
    sizes = [getattr(geo.lookup_city("Springfield", p.state), "zips", -1) for p in suggestions]
    unlisted = sizes[3:]  # after the three the census table lists
    assert len(unlisted) > 3 and unlisted == sorted(unlisted, reverse=True)


# --- Nicknames ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("NYC", "New York, NY"),
        ("nyc", "New York, NY"),
        ("NYC, NY", "New York, NY"),
        ("New York City", "New York, NY"),
        ("SF", "San Francisco, CA"),
        ("DC", "Washington, DC"),
        ("Washington, D.C.", "Washington, DC"),
        ("Philly", "Philadelphia, PA"),
        ("Vegas", "Las Vegas, NV"),
        ("St Louis", "Saint Louis, MO"),
        ("Saint Louis", "Saint Louis, MO"),
        ("St. Louis", "Saint Louis, MO"),
        ("Ft Worth", "Fort Worth, TX"),
        ("ft. worth, tx", "Fort Worth, TX"),
        ("LA, CA", "Los Angeles, CA"),
    ],
)
def test_a_nickname_finds_the_city_by_its_real_name(typed, label) -> None:
    result = s.resolve_location(typed)
    assert result.problem == ""
    assert result.location is not None and result.location.kind == "city"
    assert result.location.label == label
    assert result.location.has_point


def test_every_nickname_names_a_city_the_data_knows() -> None:
    for nickname, (city, state) in places.NICKNAMES.items():
        place = geo.lookup_city(city, state)
        assert place is not None, nickname
        result = s.resolve_location(nickname)
        assert result.suggestions or (
            result.location is not None and result.location.label == f"{place.city}, {state}"
        ), nickname


def test_la_alone_could_be_los_angeles_or_louisiana() -> None:
    result = s.resolve_location("LA")
    assert result.location is None
    assert [(p.kind, p.label) for p in result.suggestions] == [
        ("city", "Los Angeles, CA"),
        ("state", "Louisiana"),
    ]
    assert result.problem == "“LA” could mean Los Angeles or Louisiana. Which one?"
    # Each suggestion, chosen, is a place.
    for place in result.suggestions:
        assert s.resolve_location(place.label).location == place


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("Nyc, NY", "New York, NY"),
        ("NYC NY", "New York, NY"),
        ("SALT LAKE CITY ut", "Salt Lake City, UT"),
        ("andrews afb, md", "Andrews AFB, MD"),  # as the data spells it, not "Andrews Afb"
    ],
)
def test_a_label_is_spelled_as_the_data_spells_it_not_as_typed(typed, label) -> None:
    location = s.resolve_location(typed).location
    assert location is not None and location.label == label


# --- A ZIP code among other words --------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "near 98101 please",
        "Seattle WA 98101",
        "zip 98101",
        "ZIP: 98101-1234",
        "98101 (Seattle, WA)",
    ],
)
def test_a_zip_code_anywhere_in_the_text_is_the_place(typed) -> None:
    """These were refused ("We don't know a place called ..."): only a bare ZIP was read."""
    result = s.resolve_location(typed)
    assert result.problem == ""
    assert result.location is not None
    assert result.location == s.resolve_location("98101").location
    assert result.location.label == "98101 (Seattle, WA)"


def test_two_zip_codes_in_the_text_are_offered_not_guessed() -> None:
    result = s.resolve_location("12345 Main St, Seattle WA 98101")
    assert result.location is None
    assert "more than one ZIP code" in result.problem
    assert [p.label for p in result.suggestions][-1] == "98101 (Seattle, WA)"
    # Each suggestion, chosen, is that ZIP code.
    for place in result.suggestions:
        assert s.resolve_location(place.label).location == place


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("near 00000", "We don't know the ZIP code 00000."),
        # Not a ZIP code: longer numbers, and digits joined to others by a dash.
        ("Route 12345678", "We don't know a place called Route 12345678."),
        ("call 555-98101", "We don't know a place called call 555-98101."),
    ],
)
def test_numbers_that_are_not_a_known_zip_code_are_explained(typed, problem) -> None:
    result = s.resolve_location(typed)
    assert result.location is None
    assert result.problem.startswith(problem)


# --- Through the pages ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_the_search_page_says_new_york_for_nyc_and_offers_portlands_by_size(client) -> None:
    ix.index_touch(None)
    nyc = text_of(client.get("/therapists/", {"location": "NYC"}).content.decode())
    assert "New York, NY" in nyc and "Nyc" not in nyc
    portland = client.get("/therapists/", {"location": "Portland"}).content.decode()
    offered = re.findall(r"location=Portland%2C\+([A-Z]{2})", portland)
    assert offered[:2] == ["OR", "ME"]


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_the_api_offers_both_meanings_of_la(client) -> None:
    ix.index_touch(None)
    response = client.get("/api/v1/therapists", {"location": "LA"})
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["suggestions"] == ["Los Angeles, CA", "Louisiana"]
    ok = json.loads(client.get("/api/v1/therapists", {"location": "nyc"}).content)
    assert ok["location"]["label"] == "New York, NY"


# --- A page number past the end -------------------------------------------------------------


@pytest.fixture
def three_pages():
    for n in range(45):
        make_profile(name=f"Person {n:02d}", offices=[TACOMA])
    ix.index_touch(None)


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index", "three_pages")
def test_a_page_past_the_end_is_named_as_asked_with_the_way_back(client) -> None:
    page = text_of(
        client.get("/therapists/", {"location": "98402", "page": "99999"}).content.decode()
    )
    assert "There is no page 99,999: these results have 3." in page
    assert "Go to the last page (page 3)" in page
    assert "page 500" not in page


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index", "three_pages")
def test_past_the_cap_the_last_page_shows_and_says_why(client, monkeypatch) -> None:
    # Three pages of results and a cap of two: as 10,001 pages would be with the cap of 500.
    monkeypatch.setattr(s, "MAX_PAGE", 2)
    monkeypatch.setattr(views, "MAX_PAGE", 2)
    page = text_of(client.get("/therapists/", {"location": "98402", "page": "7"}).content.decode())
    assert "There is no page 7: results stop at page 2." in page
    assert "Person" in page and "No more results on this page" not in page


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index", "three_pages")
def test_the_api_refuses_a_page_past_the_cap_and_documents_paging(client) -> None:
    response = client.get("/api/v1/therapists", {"location": "98402", "page": "99999"})
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "page must be a whole number from 1 to 500"
    past = json.loads(client.get("/api/v1/therapists", {"location": "98402", "page": "9"}).content)
    assert (past["results"], past["total"], past["pages"]) == ([], 45, 3)
    description = json.loads(client.get("/api/v1/openapi.json").content)["info"]["description"]
    assert "a page past the last one is an empty `results` list" in description


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index", "three_pages")
def test_a_place_page_past_the_cap_does_not_exist(client, monkeypatch) -> None:
    """Crawlable pages exist or do not: no copy of the last page under another number."""
    monkeypatch.setattr(s, "MAX_PAGE", 2)
    assert client.get("/therapists/wa/", {"page": "2"}).status_code == 200
    assert client.get("/therapists/wa/", {"page": "7"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_the_search_page_reads_a_zip_code_typed_with_other_words(client) -> None:
    seattle = {"city": "Seattle", "state": "WA", "zip": "98101", "lat": 47.6114, "lon": -122.3305}
    make_profile(name="Sam Seattle", offices=[seattle])
    ix.index_touch(None)
    page = text_of(client.get("/therapists/", {"location": "near 98101 please"}).content.decode())
    assert "1 therapist found within 25 miles of 98101 (Seattle, WA)" in page
    assert "We don't know a place" not in page
    api = json.loads(client.get("/api/v1/therapists", {"location": "Seattle WA 98101"}).content)
    assert api["total"] == 1
