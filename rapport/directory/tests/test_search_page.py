"""The search page (/therapists/) and /how-we-rank/, read through HTTP as a visitor would."""

from __future__ import annotations

import html as htmllib
import math
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.core import display, geo
from rapport.directory import index as ix
from rapport.directory import search as engine
from rapport.directory.forms import SearchForm
from rapport.directory.fulltext import fulltext_sync
from rapport.directory.views import SNIPPET_CHARS
from rapport.taxonomy.models import Kind
from rapport.testing import count_city_lookups, make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

URL = "/therapists/"
TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}
SEATTLE = {"city": "Seattle", "state": "WA", "zip": "98101", "lat": 47.6114, "lon": -122.3305}
PORTLAND = {"city": "Portland", "state": "OR", "zip": "97201", "lat": 45.5078, "lon": -122.6897}


def refresh() -> None:
    """Test data is written straight through the ORM: tell search it changed."""
    ix.index_touch(None)
    fulltext_sync(None)


def therapist(name: str, *, office=TACOMA, issues=("anxiety",), **fields):
    return make_profile(
        name=name,
        offices=[office] if office else [],
        terms=[(Kind.ISSUE, slug) for slug in issues]
        + [(Kind.INSURANCE, "aetna", "Aetna"), (Kind.LANGUAGE, "en", "English")],
        **fields,
    )


@pytest.fixture
def directory():
    """Three in Tacoma, one in Seattle (in person only), one in Portland, one not accepting."""
    people = {
        "ana": therapist("Ana Alvarez", issues=("anxiety", "depression")),
        "ben": therapist("Ben Brooks", issues=("anxiety",), fee_min=60, fee_max=80),
        "cy": therapist("Cy Chen", issues=("depression",), telehealth=False),
        "dee": therapist(
            "Dee Dunn", office=SEATTLE, issues=("anxiety",), telehealth=False, fee_min=200
        ),
        "eve": therapist("Eve Evans", office=PORTLAND, issues=("grief",), telehealth_states=["OR"]),
        "fay": therapist("Fay Ford", issues=("anxiety",), accepting_new_clients=False),
    }
    refresh()
    return people


def get(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def text_of(page: str) -> str:
    """Visible-ish text: tags dropped, entities decoded, whitespace collapsed."""
    body = page.split("<body", 1)[-1]
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def names_in(page: str) -> list[str]:
    return [
        htmllib.unescape(re.sub(r"<[^>]+>", "", m))
        for m in re.findall(r'<h3 class="card-name"[^>]*>(.*?)</h3>', page, re.S)
    ]


def canonical(page: str) -> str:
    match = re.search(r'<link rel="canonical" href="([^"]+)">', page)
    assert match
    return htmllib.unescape(match.group(1))


# --- Results, facets, filters --------------------------------------------------------------


def test_it_lists_results_as_cards_with_counts(client, directory):
    page = get(client, URL + "?location=98402")
    text = text_of(page)
    # Three accepting in Tacoma; Seattle (in person only) is 26 miles away, Eve offers
    # online sessions only in Oregon, and Fay is not taking new clients.
    assert "3 therapists found" in text
    assert sorted(names_in(page)) == [
        "Ana Alvarez, MA, LMHC",
        "Ben Brooks, MA, LMHC",
        "Cy Chen, MA, LMHC",
    ]
    assert 'role="status"' in page and 'aria-live="polite"' in page
    # A card: title, place and distance, how they qualify, fee, accepting, statement.
    assert "Licensed Mental Health Counselor" in text
    assert re.search(r"Tacoma, WA · \d\.\d miles away", text)
    assert "In person · Online in Washington" in text
    assert "$60–$80 per session (estimate)" in text
    assert "Accepting new clients" in text
    assert "I work with adults who feel stuck in anxious loops" in text
    # Facet counts on the labels, and the ranking explanation is one click away.
    assert "Anxiety (2)" in text
    assert "Depression (2)" in text
    assert 'href="/how-we-rank/"' in page


def test_filters_narrow_and_facets_count_the_rest(client, directory):
    page = get(client, URL + "?location=98402&issues=depression")
    assert sorted(names_in(page)) == ["Ana Alvarez, MA, LMHC", "Cy Chen, MA, LMHC"]
    text = text_of(page)
    assert "2 therapists found" in text
    # The issue facet ignores its own selection (OR within a facet): Anxiety still counts 2.
    assert "Anxiety (2)" in text
    assert re.search(r'name="issues" value="depression" checked', page)
    # Two issues: either one qualifies.
    page = get(client, URL + "?location=98402&issues=depression&issues=anxiety")
    assert len(names_in(page)) == 3
    page = get(client, URL + "?location=98402&mode=online")
    assert "Cy Chen" not in text_of(page)


def test_accepting_is_on_by_default_and_can_be_turned_off(client, directory):
    assert "Fay Ford" not in text_of(get(client, URL + "?location=98402"))
    page = get(client, URL + "?location=98402&accepting=any")
    assert "Fay Ford" in text_of(page)
    assert "Not accepting new clients right now" in text_of(page)
    assert re.search(r'id="accepting" name="accepting" value="1">', page)  # unticked
    # What the page's own form sends: the hidden "any", plus "1" when the box is ticked.
    assert "Fay Ford" not in text_of(get(client, URL + "?location=98402&accepting=any&accepting=1"))


def test_it_shows_distance_insurance_match_and_online_qualification(client, directory):
    page = text_of(get(client, URL + "?location=Seattle,+WA&radius=50&insurance=aetna"))
    assert "In network: Aetna" in page
    assert re.search(r"Seattle, WA · \d\.\d miles away", page)
    page = text_of(get(client, URL + "?location=OR&mode=online"))
    assert "Eve Evans" in page
    assert "Online in Oregon" in page


def test_results_page_and_url_are_canonical(client, directory):
    page = get(
        client,
        URL + "?issues=depression&sort=fee&location=98402&issues=anxiety&radius=10&mode=in_person",
    )
    assert canonical(page) == (
        "http://testserver/therapists/?location=98402&radius=10&mode=in_person"
        "&issues=anxiety&issues=depression&sort=fee"
    )
    # The parameters reveal conditions: not for search engines, not in referrers.
    assert '<meta name="robots" content="noindex">' in page
    assert '<meta name="referrer" content="same-origin">' in page
    bare = get(client, URL)
    assert "noindex" not in bare
    assert canonical(bare) == "http://testserver/therapists/"


def test_a_query_survives_a_round_trip_through_its_url():
    ix.index_touch(None)
    query = engine.SearchQuery(
        text="kind and direct",
        location="Tacoma, WA",
        radius=50,
        mode="online",
        issues=("depression", "anxiety"),
        insurance=("aetna",),
        genders=("woman",),
        max_fee=120,
        sliding_scale=True,
        verified=True,
        accepting=False,
        sort="fee",
        page=3,
    )
    parsed = SearchForm(dict_of(query.to_params())).to_query()
    assert parsed.to_querystring() == query.to_querystring()


def dict_of(params: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in params:
        out.setdefault(key, []).append(value)
    return out


def test_invalid_parameters_become_notes_never_errors(client, directory):
    page = get(
        client,
        URL + "?location=98402&radius=7&issues=not-a-slug&issues=anxiety&page=abc&max_fee=-5"
        "&mode=teleport&sort=sideways&sliding_scale=maybe&utm_source=x",
    )
    text = text_of(page)
    assert "“7” is not a distance we search by; showing 25 miles." in text
    assert "We don't know the choice “not-a-slug”, so we left it out." in text
    assert "“abc” is not a page number; showing the first page." in text
    assert "“-5” is not a fee we can use" in text
    assert "“teleport” is not a way of meeting we know" in text
    assert "“sideways” is not an order we offer" in text
    assert "“maybe” is not on or off" in text
    assert "We don't use the setting “utm_source”" in text
    # The valid parts still apply.
    assert sorted(names_in(page)) == ["Ana Alvarez, MA, LMHC", "Ben Brooks, MA, LMHC"]
    assert canonical(page) == "http://testserver/therapists/?location=98402&issues=anxiety"


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=99999999999999999999999",
        "max_fee=1e9",
        "max_fee=20000",
        "q=" + "x" * 5000,
        "location=" + "y" * 500,
        "issues=" + "%00",
        "q=%00",
        "accepting=sometimes",
        "gender=robot",
        "issues=" + "&issues=".join(f"s{n}" for n in range(200)),
    ],
)
def test_odd_urls_still_render(client, directory, query):
    page = get(client, URL + "?" + query)
    assert "Part of this search could not be used" in page


def test_empty_values_are_defaults_not_mistakes(client, directory):
    page = get(client, URL + "?q=&location=&radius=&mode=&max_fee=&sort=&page=&sliding_scale=")
    assert "Part of this search could not be used" not in page
    assert canonical(page) == "http://testserver/therapists/"


def test_long_text_is_capped(client, directory):
    page = get(client, URL + "?q=" + "word " * 100)
    value = re.search(r'id="search-q" name="q" type="search" value="([^"]*)"', page).group(1)
    assert len(value) <= 200
    assert "shortened to 200 characters" in text_of(page)


def test_nearest_without_a_place_falls_back_with_a_note(client, directory):
    text = text_of(get(client, URL + "?sort=nearest"))
    assert "“Nearest” needs a ZIP code or a city" in text


# --- htmx -----------------------------------------------------------------------------------


def test_htmx_requests_get_only_the_results_and_the_canonical_url(client, directory):
    response = client.get(
        URL + "?q=&location=98402&radius=25&mode=both&accepting=any&accepting=1&sort=best",
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "<header" not in body and "site-footer" not in body
    assert 'class="results-col"' in body
    assert 'id="result-count" class="result-count" hx-swap-oob="innerHTML"' in body
    assert "3 therapists found" in text_of(body)
    assert response["HX-Push-Url"] == "/therapists/?location=98402"
    assert "HX-Request" in response["Vary"]
    # The full page for the same URL without the header.
    full = client.get(URL + "?location=98402")
    assert "<html" in full.content.decode()
    assert "HX-Request" in full["Vary"]
    # htmx's history-restore request wants the whole page.
    restore = client.get(
        URL + "?location=98402", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()


def test_the_page_wires_htmx_without_inline_script(client, directory):
    page = get(client, URL + "?location=98402")
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer>', page)
    assert re.search(r'<script src="/static/js/search\.js" defer>', page)
    assert 'hx-get="/therapists/"' in page and 'hx-push-url="true"' in page
    assert 'hx-target="#results"' in page and "delay:" in page
    from rapport.testing import scan_page

    scanned = scan_page(page)
    assert not scanned.inline_scripts
    assert not scanned.style_attributes
    assert not scanned.event_handlers


# --- Location problems, detected words, few and no results ---------------------------------


def test_an_ambiguous_place_offers_suggestions(client, directory):
    page = get(client, URL + "?location=Springfield&issues=anxiety")
    text = text_of(page)
    assert "Several places are called Springfield. Which one?" in text
    assert "Springfield, IL?" in text
    links = re.findall(r'href="(/therapists/\?[^"]*)"', page)
    suggestion = next(link for link in links if "Springfield%2C+IL" in link)
    assert dict(parse_qsl(urlsplit(htmllib.unescape(suggestion)).query)) == {
        "location": "Springfield, IL",
        "issues": "anxiety",
    }


def test_an_unknown_zip_is_explained(client, directory):
    assert "We don't know the ZIP code 00000." in text_of(get(client, URL + "?location=00000"))


def test_zero_results_say_why_and_offer_relaxations(client, directory):
    page = get(client, URL + "?location=98402&issues=grief")
    text = text_of(page)
    assert "No therapists found" in text
    assert "No therapists match all of that" in text
    assert "Grief" in text and "accepting new clients" in text
    # Dropping the issue finds Ana, Ben and Cy again.
    match = re.search(r'<a href="([^"]+)">3 without the issue filter</a>', page)
    assert match, text
    assert htmllib.unescape(match.group(1)) == "/therapists/?location=98402"


def test_few_results_offer_a_wider_search(client, directory):
    text = text_of(get(client, URL + "?location=98402&radius=5&issues=anxiety&mode=in_person"))
    assert "Only 2 therapists match all of: within 5 miles of 98402 (Tacoma, WA); Anxiety;" in text
    assert "3 without the issue filter" in text


def test_words_that_name_a_filter_become_removable_chips(client, directory):
    page = get(client, URL + "?q=anxiety&location=98402")
    text = text_of(page)
    assert "Showing therapists who work with Anxiety" in text
    assert sorted(names_in(page)) == ["Ana Alvarez, MA, LMHC", "Ben Brooks, MA, LMHC"]
    remove = re.search(r'<a class="chip-remove" href="([^"]+)"', page).group(1)
    assert htmllib.unescape(remove) == "/therapists/?location=98402"
    # The checkbox shows the filter, but only the chip removes it.
    assert re.search(r'name="issues" value="anxiety" checked disabled', page)


# --- Pagination -------------------------------------------------------------------------------


def test_pages_have_crawlable_links_and_a_way_back(client):
    for n in range(45):
        therapist(f"Person {n:02d}")
    refresh()
    page = get(client, URL + "?location=98402")
    assert "45 therapists found" in text_of(page)
    assert len(names_in(page)) == engine.PER_PAGE
    assert 'href="/therapists/?location=98402&amp;page=2" rel="next"' in page
    assert 'href="/therapists/?location=98402&amp;page=3"' in page
    page2 = get(client, URL + "?location=98402&page=2")
    assert 'rel="prev"' in page2 and 'aria-current="page"' in page2
    assert not set(names_in(page)) & set(names_in(page2))
    last = get(client, URL + "?location=98402&page=3")
    assert len(names_in(last)) == 5 and 'rel="next"' not in last
    beyond = text_of(get(client, URL + "?location=98402&page=9"))
    assert "There is no page 9: these results have 3." in beyond
    assert "Go to the last page (page 3)" in beyond
    capped = text_of(get(client, URL + f"?location=98402&page={engine.MAX_PAGE + 1}"))
    assert f"There is no page {engine.MAX_PAGE + 1}: these results have 3." in capped


# --- Privacy and safety ------------------------------------------------------------------------


def test_private_email_never_appears_and_markup_is_escaped(client):
    evil = "<script>alert(1)</script>"
    therapist(f"Eve {evil}", credentials=f"<b>{evil}</b>", title=evil, statement=evil * 3)
    refresh()
    page = get(client, URL + "?location=98402")
    assert "private-inbox-" not in page and "@example.org" not in page
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_statement_line_is_cut_at_a_word_boundary(client):
    statement = (
        "Therapy is a place to slow down and notice what keeps repeating in your relationships, "
        "your work and your sleep, and to practise responding differently with steady support "
        "extraordinarily-long-hyphenated-word and more words after it."
    )
    therapist("Word Boundary", statement=statement)
    refresh()
    page = get(client, URL + "?location=98402")
    shown = htmllib.unescape(re.search(r'<p class="card-snippet">(.*?)</p>', page).group(1))
    assert shown.endswith("…")
    kept = shown[:-1]
    assert statement.startswith(kept)
    assert statement[len(kept)] in " ,.;"  # the next character ends a word
    assert len(kept) <= 170


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short and sweet.", "Short and sweet."),
        ("word " * 60, ("word " * 34).strip() + "…"),
        ("x" * 300, "x" * 300 + "…"),
        ("  spaced\n\nout  ", "spaced out"),
        ("", ""),
    ],
)
def test_snippet(text, expected):
    assert display.opening(text, SNIPPET_CHARS) == expected


# --- Performance ---------------------------------------------------------------------------------


def _queries_for(client, url: str) -> int:
    client.get(url)  # warm: index, vocabulary and geo tables load once per process
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_page_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for n in range(2):
        therapist(f"Few {n}")
    refresh()
    url = URL + "?location=98402&insurance=aetna"
    few = _queries_for(client, url)
    for n in range(25):
        therapist(f"Many {n}", issues=("anxiety", "depression", "grief"))
    refresh()
    assert len(names_in(get(client, url))) == 20
    many = _queries_for(client, url)
    assert few == many
    with django_assert_max_num_queries(8):
        client.get(url)


# --- How we rank, and the home page's form ---------------------------------------------------


def test_how_we_rank_publishes_the_rule(client):
    page = get(client, "/how-we-rank/")
    text = text_of(page)
    assert str(engine.RANKING_RULE) in text
    assert "Nobody can pay for placement." in text
    assert "each issue you chose: 3 points" in text
    assert "a personal statement of at least 200 characters" in text
    assert "five broad bands" in text
    assert "Nearest" in text and "Lowest fee" in text
    assert "wrote in their own words about how they use it come first" in text


def test_the_home_page_searches_on_this_page(client):
    page = get(client, "/")
    assert 'action="/therapists/"' in page
    assert 'name="q"' in page and 'name="location"' in page


def test_the_api_runs_a_constant_number_of_queries(client, django_assert_max_num_queries) -> None:
    url = "/api/v1/therapists?location=98402"
    therapist("Only One", fee_min=60, fee_max=80)
    refresh()
    client.get(url)  # build the index outside the measured request
    with django_assert_max_num_queries(8) as few:
        assert client.get(url).status_code == 200
    queries_for_one = len(few.captured_queries)  # read now: each request resets the log
    for i in range(25):
        other = {**TACOMA, "city": "Tacoma"} if i % 2 else SEATTLE
        make_profile(
            name=f"More {i}",
            offices=[other],
            terms=[(Kind.ISSUE, "grief"), (Kind.INSURANCE, "aetna", "Aetna")],
            licenses=[
                {
                    "license_type": "lmft",
                    "state": "WA",
                    "number": f"X{i}",
                    "verified_at": timezone.now() if i % 3 == 0 else None,
                }
            ],
        )
    refresh()
    client.get(url)
    with django_assert_max_num_queries(queries_for_one):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("sort", ["best", "nearest"])
def test_it_reads_the_place_once_per_request(client, directory, monkeypatch, sort) -> None:
    """The view reads the place (it needs it for "nearest") and hands it to search()."""
    looked_up = count_city_lookups(monkeypatch)
    response = client.get(URL, {"location": "Tacoma, WA", "sort": sort})
    assert response.status_code == 200
    assert "Ana Alvarez" in response.content.decode()
    assert looked_up == ["Tacoma"]


# --- Issue 14: distance in best match, and a typo in the text box -----------------------------

SPOKANE = {"city": "Spokane", "state": "WA", "zip": "99201", "lat": 47.6588, "lon": -117.4260}
VANCOUVER = {"city": "Vancouver", "state": "WA", "zip": "98660", "lat": 45.6387, "lon": -122.6615}


def test_best_match_near_seattle_puts_an_office_nearby_before_online_only_far_away(client):
    """Issue 14: a Seattle search put online-only therapists in Spokane and Vancouver, WA
    above an in-person therapist 0.6 miles away."""
    centre = geo.lookup_zip("98101")
    assert centre is not None
    lat = centre.lat + math.degrees(0.6 / geo.EARTH_RADIUS_MILES)
    # The far ones have the fuller, fresher profiles: by fit and then those bands alone
    # (the old rule) they came first.
    for name, place in (("Sky Spokane", SPOKANE), ("Val Vancouver", VANCOUVER)):
        therapist(name, office=place, telehealth_states=["WA"])
    therapist(
        "Nia Near",
        office={**SEATTLE, "lat": lat, "lon": centre.lon},
        telehealth=False,
        approaches=[],
        fee_min=None,
        fee_max=None,
        sliding_scale=False,
        phone="",
        website="",
        accepting_confirmed_at=None,
    )
    refresh()
    for params in ("?location=98101", "?location=Seattle%2C+WA&issues=anxiety"):
        page = get(client, URL + params)
        names = names_in(page)
        assert len(names) == 3, (params, names)
        assert names[0] == "Nia Near, MA, LMHC", (params, names)
    assert "Seattle, WA · 0.6 miles away" in text_of(get(client, URL + "?location=98101"))


def test_how_we_rank_explains_the_distance_bands(client):
    text = text_of(get(client, "/how-we-rank/"))
    assert "Near the place you entered: in person nearby first, in distance bands" in text
    assert "an office within 5 miles;" in text
    for miles in engine.ranking.NEAR_BANDS[1:]:
        assert f"then within {miles} miles;" in text
    assert "then therapists you would meet only online" in text
    assert "5 miles, then 10, 25, 50 and 100 miles" in str(engine.RANKING_RULE)


def _sentences(page: str) -> str:
    # text_of spaces out every tag: "for <strong>anxiety</strong>." reads "for anxiety ." there.
    return re.sub(r" ([.?])", r"\1", text_of(page))


def _link(page: str, label: str) -> str:
    match = re.search(r'<a href="([^"]+)">' + re.escape(label), page)
    assert match, text_of(page)
    return htmllib.unescape(match.group(1))


def test_a_typo_of_a_filter_word_is_searched_as_the_filter(client, directory):
    page = get(client, URL + "?q=anxeity&location=98402")
    text = _sentences(page)
    assert "Showing results for anxiety. Search instead for anxeity" in text
    assert sorted(names_in(page)) == ["Ana Alvarez, MA, LMHC", "Ben Brooks, MA, LMHC"]
    # The word became the filter, removable like a word typed right.
    assert "Showing therapists who work with Anxiety" in text
    # "Search instead" searches the word as typed (quoted): nothing, and no second guess.
    as_typed = _link(page, "Search instead for anxeity")
    assert dict(parse_qsl(urlsplit(as_typed).query)) == {"q": '"anxeity"', "location": "98402"}
    again = text_of(get(client, as_typed))
    assert "No therapists match all of that" in again
    assert "Showing results for" not in again and "Did you mean" not in again
    # A word typed right, or one that finds someone, is never corrected.
    for q in ("anxiety", "Brooks", "anx"):
        assert "Showing results for" not in text_of(get(client, URL + f"?q={q}"))


def test_a_typo_of_a_common_word_offers_the_word(client, directory):
    # "collaborative" is in every statement; "colaborative" finds nobody.
    page = get(client, URL + "?q=colaborative&location=98402")
    text = _sentences(page)
    assert "Did you mean collaborative?" in text
    assert "No therapists match all of that" in text  # only suggested, not searched
    suggested = _link(page, "collaborative")
    assert dict(parse_qsl(urlsplit(suggested).query)) == {
        "q": "collaborative",
        "location": "98402",
    }
    assert len(names_in(get(client, suggested))) == 3


def test_the_filters_summary_counts_every_filter_in_its_panel(client, directory) -> None:
    """ "Filters (1 on)" left out the way to meet and the distance, set in the same panel."""
    page = get(client, URL + "?location=98402&mode=in_person&radius=10&issues=anxiety")
    assert re.search(r'<span class="filters-on">\(3 on\)</span>', page)
    page = get(client, URL + "?location=98402")
    assert 'class="filters-on"' not in page


def _group(page: str, slug: str) -> str:
    """The markup of one filter group, from its <details> to the next group's."""
    start = page.index(f'id="group-{slug}"')
    match = re.search(
        r'<details class="filter-group"|<button type="submit" class="button filters-apply"',
        page[start:],
    )
    assert match
    return page[start : start + match.start()]


def test_filters_sit_in_three_groups_open_when_something_inside_is_on(client, directory) -> None:
    page = get(client, URL + "?location=98402")
    opening = re.findall(r'<details class="filter-group" id="group-(\w+)"( open)?>', page)
    assert opening == [("fit", ""), ("practical", ""), ("therapist", "")]  # nothing on: folded
    assert 'name="issues"' in _group(page, "fit")
    practical = _group(page, "practical")
    for name in ("mode", "radius", "accepting", "max_fee", "insurance", "languages"):
        assert f'name="{name}"' in practical, name
    assert 'name="verified"' in _group(page, "therapist")
    # Counts stay beside each option.
    assert re.search(r"Anxiety \(\d+\)", _group(page, "fit"))

    page = get(client, URL + "?location=98402&issues=anxiety&issues=depression&sliding_scale=1")
    opening = dict(re.findall(r'<details class="filter-group" id="group-(\w+)"( open)?>', page))
    assert opening == {"fit": " open", "practical": " open", "therapist": ""}
    assert re.search(r"Your needs <span class=\"filters-on\">\(2 on\)</span>", page)
    assert re.search(r"Practical <span class=\"filters-on\">\(1 on\)</span>", page)
    assert re.search(r'<span class="filters-on">\(3 on\)</span></summary>', page)  # the whole panel


def test_without_javascript_the_form_opens_the_new_page_at_the_results(client, directory) -> None:
    page = get(client, URL + "?location=98402")
    assert 'action="/therapists/#result-count"' in page
    assert 'id="result-count"' in page
    # htmx asks for the results without the fragment.
    assert 'hx-get="/therapists/"' in page
