"""Profiles without a place (an office with only a state, or no office, and no telehealth):
listed wherever no place was asked for, with their place as known, and never near a place."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re

import pytest

from rapport.directory import index as ix
from rapport.directory import interchange
from rapport.directory import search as s
from rapport.directory.models import TherapistProfile
from rapport.taxonomy.models import Kind
from rapport.testing import make_profile

from .oracle import oracle_search, search_view

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

RELATIONAL = "relational-therapy"
UNPLACED = {"in_person": False, "telehealth": False, "telehealth_states": []}


def specialists(html: str) -> list[str]:
    names = re.findall(r'<h3 class="specialist-name" id="sp-\d+"><a href="[^"]+">([^<]+)</a>', html)
    return sorted(htmllib.unescape(n).split(",")[0] for n in names)


def text_of(page: str) -> str:
    body = page.split("<body", 1)[-1]
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def api_names(client, **params) -> list[str]:
    body = json.loads(client.get("/api/v1/therapists", params).content)
    return sorted(r["name"] for r in body["results"])


def profile(name: str, offices: list[dict], **fields) -> TherapistProfile:
    return make_profile(
        name=name,
        title="Counselor",
        offices=offices,
        approaches=[(RELATIONAL, "We notice how we relate.")],
        terms=[(Kind.ISSUE, "anxiety")],
        **fields,
    )


@pytest.fixture
def people() -> dict[str, TherapistProfile]:
    found = {
        "state_only": profile("Wren State", [{"state": "WA"}], **UNPLACED),
        "nowhere": profile("Noor Nowhere", [], **UNPLACED),
        "tacoma": profile(
            "Tam Tacoma",
            [{"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}],
            telehealth=False,
        ),
    }
    ix.index_touch(None)
    return found


ALL = ["Noor Nowhere", "Tam Tacoma", "Wren State"]


@pytest.mark.usefixtures("people")
def test_approach_and_issue_pages_list_them_with_their_place_as_known(client) -> None:
    for url in (f"/approaches/{RELATIONAL}/", "/issues/anxiety/"):
        html = client.get(url).content.decode()
        assert specialists(html) == ALL, url
        assert '<p class="specialist-what">Counselor in Washington</p>' in html
        assert '<p class="specialist-what">Counselor</p>' in html  # nothing known: nothing said


@pytest.mark.usefixtures("people")
def test_searches_without_a_place_list_them(client) -> None:
    page = text_of(client.get("/therapists/", {"issues": "anxiety"}).content.decode())
    assert "3 therapists found" in page
    assert all(name in page for name in ALL)
    assert api_names(client, issues="anxiety") == ALL


@pytest.mark.usefixtures("people")
def test_no_place_search_asks_for_a_way_of_meeting_they_do_not_give(client) -> None:
    # "In person" and "online" are things they have not said; "either" asks nothing.
    assert api_names(client, mode="in_person") == ["Tam Tacoma"]
    assert api_names(client, mode="online") == []


@pytest.mark.parametrize("place", ["98402", "Tacoma, WA", "WA", "Washington"])
@pytest.mark.usefixtures("people")
def test_a_search_with_a_place_never_lists_them(client, place) -> None:
    """Not near any point and online in no state: a whole-state search too leaves them out,
    as "in Washington, in person or online" would not be true of them."""
    assert api_names(client, location=place) == ["Tam Tacoma"]
    html = client.get(f"/approaches/{RELATIONAL}/", {"location": place}).content.decode()
    assert specialists(html) == ["Tam Tacoma"]
    assert specialists(client.get(f"/approaches/{RELATIONAL}/wa/").content.decode()) == [
        "Tam Tacoma"
    ]


@pytest.mark.parametrize("mode", s.MODES)
@pytest.mark.parametrize("location", ["", "no such place", "WA", "98402"])
@pytest.mark.usefixtures("people")
def test_the_oracle_agrees_on_who_is_a_candidate(mode, location) -> None:
    today = dt.date(2026, 1, 15)
    for query in (
        s.SearchQuery(location=location, mode=mode),
        s.SearchQuery(location=location, mode=mode, issues=("anxiety",), accepting=False),
    ):
        assert search_view(s.search(query, today=today)) == oracle_search(query, today), query


def test_an_imported_office_with_only_a_state_is_listed(client) -> None:
    """The importer reads such an office as no in-person office (in_person defaults to
    having a city or ZIP): the profile was on no page but its own."""
    document = {
        "id": "s1",
        "source": "test",
        "name": "Ida Import",
        "title": "Counselor",
        "approaches": [{"slug": RELATIONAL, "statement": "Relationships heal."}],
        "licenses": [{"type": "LMHC", "number": "1", "state": "WA", "status": "licensed"}],
        "offices": [{"state": "WA"}],
    }
    result = interchange.import_documents([(1, document)])
    assert not result.errors, result.errors
    imported = TherapistProfile.objects.get(name="Ida Import")
    assert (imported.in_person, imported.telehealth) == (False, False)
    ix.index_touch(None)
    html = client.get(f"/approaches/{RELATIONAL}/").content.decode()
    assert specialists(html) == ["Ida Import"]
    assert "Counselor in Washington" in html


@pytest.mark.parametrize(
    ("offices", "fields", "said"),
    [
        ([{"state": "WA"}], UNPLACED, "No office address listed. Ask the therapist where"),
        ([], UNPLACED, "No office address listed. Ask the therapist where"),
        ([{"state": "WA", "zip": "98402"}], {}, "No office address listed. Online"),
        ([], {"in_person": False}, "No office address listed. Online"),
    ],
)
def test_the_profile_says_no_office_is_listed(client, offices, fields, said) -> None:
    page = text_of(
        client.get(profile("Wren", offices, **fields).get_absolute_url()).content.decode()
    )
    assert said in page


def test_the_profile_lists_an_office_with_a_city_as_before(client) -> None:
    tacoma = make_profile(name="Tam Tacoma")
    page = text_of(client.get(tacoma.get_absolute_url()).content.decode())
    assert "1201 Pacific Ave, Suite 600 Tacoma, WA 98402" in page
    assert "No office address listed" not in page and "Not listed yet" not in page
