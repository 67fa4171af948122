"""Find your match is offered wherever a search may not be the easiest way on (issue 15):
the home page, the header, search results (also none), profiles of therapists not taking
new clients, and the 404 page. Each link, followed, opens the questions."""

from __future__ import annotations

import re

import pytest

from rapport.directory import index as ix
from rapport.taxonomy.models import Kind
from rapport.testing import make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}
MATCH = "/match/"


def match_links(page: str, within: str | None = None) -> list[str]:
    """The Find your match links of a page (or of one element's markup, by class)."""
    if within is not None:
        found = re.search(rf'<(\w+) class="{within}"[^>]*>(.*?)</\1>', page, re.S)
        assert found, within
        page = found.group(2)
    return re.findall(r'<a href="(/match/)"[^>]*>Find your match</a>', page)


def follows(client, href: str) -> None:
    response = client.get(href)
    assert response.status_code == 200
    assert "<h1>Find your match</h1>" in response.content.decode()


@pytest.fixture
def tacoma():
    make_profile(name="Ana Alvarez", offices=[TACOMA], terms=[(Kind.ISSUE, "anxiety")])
    closed = make_profile(
        name="Ben Brooks",
        offices=[TACOMA],
        terms=[(Kind.ISSUE, "anxiety")],
        accepting_new_clients=False,
    )
    ix.index_touch(None)
    return closed


def test_the_header_offers_it_on_every_page(client, tacoma) -> None:
    for url in ("/", "/therapists/?location=98402", "/crisis/", tacoma.get_absolute_url()):
        page = client.get(url).content.decode()
        header = page.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
        assert match_links(header) == [MATCH], url
    follows(client, MATCH)
    # On its own page the header says so.
    page = client.get(MATCH).content.decode()
    assert '<a href="/match/" aria-current="page">Find your match</a>' in page


def test_the_home_page_offers_it_beside_the_search(client) -> None:
    page = client.get("/").content.decode()
    assert match_links(page, "find-match-home") == [MATCH]


def test_search_results_offer_it_and_so_does_an_empty_search(client, tacoma) -> None:
    page = client.get("/therapists/", {"location": "98402"}).content.decode()
    assert match_links(page, "find-match-results") == [MATCH]
    empty = client.get("/therapists/", {"location": "98402", "max_fee": "1"}).content.decode()
    assert "No therapists match all of that" in empty
    assert match_links(empty, "empty") == [MATCH]
    # The results htmx swaps in carry it too.
    swapped = client.get("/therapists/?location=98402", HTTP_HX_REQUEST="true").content.decode()
    assert match_links(swapped, "find-match-results") == [MATCH]


def test_a_profile_offers_it_only_when_the_therapist_is_not_taking_clients(client, tacoma) -> None:
    closed = client.get(tacoma.get_absolute_url()).content.decode()
    head = closed.split('<div class="profile-body">', 1)[0].split("</header>", 1)[-1]
    assert len(match_links(head)) == 1
    open_ = make_profile(name="Cy Chen", offices=[TACOMA])
    page = client.get(open_.get_absolute_url()).content.decode()
    head = page.split('<div class="profile-body">', 1)[0].split("</header>", 1)[-1]
    assert match_links(head) == []


def test_the_404_page_offers_it(client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    links = re.findall(r'<a href="(/match/)">Find your match</a>', response.content.decode())
    assert len(links) >= 2  # the header's and the page's own
