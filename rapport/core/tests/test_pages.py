"""The site frame and the plain pages, through HTTP as a visitor sees them."""

from __future__ import annotations

import datetime
import gzip
import html as htmllib
import re

import pytest

from rapport.core import crisis
from rapport.taxonomy.models import Kind, Term
from rapport.testing import make_profile, make_term, scan_page, third_party_urls

pytestmark = pytest.mark.django_db

PAGES = ["/", "/crisis/", "/privacy/"]


def _first(pattern: str, text: str) -> str:
    """The first group of the pattern's first match; a missing match fails the test here."""
    match = re.search(pattern, text)
    assert match is not None, f"no {pattern!r} in the page"
    return match.group(1)


@pytest.mark.parametrize("url", PAGES)
def test_it_serves_every_page_with_the_crisis_line_in_header_and_footer(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    header = html.split("<main", 1)[0]
    footer = html.split("</main>", 1)[1]
    for part in (header, footer):
        assert 'href="tel:988"' in part
        assert 'href="/crisis/"' in part
    assert 'href="sms:988"' in header
    assert "In crisis?" in header


@pytest.mark.parametrize("url", PAGES)
def test_it_gives_every_page_landmarks_a_skip_link_and_its_own_title(client, url):
    html = client.get(url).content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert re.search(r'<html lang="en', html)
    assert '<meta name="viewport"' in html
    assert f'<link rel="canonical" href="http://testserver{url}">' in html
    assert html.count("<h1") == 1


def test_it_gives_each_page_a_different_title(client):
    titles = {_first(r"<title>(.*?)</title>", client.get(u).content.decode()) for u in PAGES}
    assert len(titles) == len(PAGES)


def test_it_marks_the_current_page_in_the_navigation(client):
    html = client.get("/privacy/").content.decode()
    assert 'href="/privacy/" aria-current="page"' in html
    assert 'href="/" aria-current="page"' not in html
    # The header is rendered once per page and kept (site_tags.site_chrome): each
    # page still marks itself, in whatever order they are visited.
    for _ in range(2):
        home = client.get("/").content.decode()
        assert 'href="/" aria-current="page"' in home
        assert 'href="/privacy/" aria-current="page"' not in home
        crisis = client.get("/crisis/").content.decode()
        assert 'href="/crisis/" aria-current="page"' in crisis
        assert 'aria-current="page"' not in home.replace('href="/" aria-current="page"', "")


def test_the_header_and_footer_follow_the_site_name(client, settings):
    assert "<footer" in client.get("/").content.decode()
    settings.SITE_NAME = "Other Directory"
    assert '<a class="site-name" href="/">Other Directory</a>' in client.get("/").content.decode()


@pytest.mark.parametrize("url", [*PAGES, "profile", "/therapists/nobody-abcdefgh/", "/no/such/"])
def test_it_loads_nothing_from_other_hosts_and_nothing_inline(client, url):
    if url == "profile":
        url = make_profile(source="demo").get_absolute_url()
    response = client.get(url)
    html = response.content.decode()
    assert third_party_urls(html, own_hosts={"testserver"}) == []
    page = scan_page(html)
    # The CSP forbids inline code; anything inline would silently not work.
    assert page.inline_scripts == []
    assert page.style_attributes == []
    assert page.event_handlers == []


@pytest.mark.parametrize("url", PAGES)
def test_it_sets_no_cookies_for_a_visitor_who_only_browses(client, url):
    response = client.get(url)
    assert response.cookies == {}


def test_it_puts_a_search_form_on_the_home_page(client):
    html = client.get("/").content.decode()
    assert '<form class="search-form" action="/therapists/" method="get"' in html
    assert 'name="q"' in html and 'name="location"' in html
    assert '<label for="search-q">' in html and '<label for="search-location">' in html


def test_it_lists_approaches_and_issues_by_group_without_dead_links(client):
    make_term(
        Kind.APPROACH,
        "test-approach",
        "Test Approach",
        group="Test approach group",
        summary="A one-line summary of the test approach.",
    )
    make_term(Kind.ISSUE, "test-issue", "Test Issue", group="Test issue group", summary="Hard.")
    make_term(Kind.ISSUE, "retired-topic", "Retired topic", is_active=False)
    make_term(Kind.LANGUAGE, "test-language", "Test Language")

    html = client.get("/").content.decode()

    assert "<summary>Test approach group" in html and "Test Approach" in html
    assert "A one-line summary of the test approach." in html
    assert "<summary>Test issue group" in html and "Test Issue" in html
    assert "Retired topic" not in html
    assert "Test Language" not in html
    # Names link to their topic pages, and those pages exist.
    assert 'href="/approaches/test-approach/"' in html and 'href="/issues/test-issue/"' in html
    assert client.get("/approaches/test-approach/").status_code == 200
    assert client.get("/issues/test-issue/").status_code == 200


def test_it_lists_the_real_taxonomy_on_the_home_page(client):
    # The taxonomy's data migration loads taxonomy/data/*.toml into every database.
    approaches = Term.objects.active().filter(kind=Kind.APPROACH)
    issues = Term.objects.active().filter(kind=Kind.ISSUE)
    html = htmllib.unescape(client.get("/").content.decode())
    for term in [*approaches, *issues]:
        assert term.name in html


def test_it_reads_the_home_page_in_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/")


def test_it_leaves_out_the_browse_lists_when_the_taxonomy_is_empty(client):
    Term.objects.filter(kind__in=[Kind.APPROACH, Kind.ISSUE]).update(is_active=False)
    html = client.get("/").content.decode()
    assert "Ways of working" not in html
    assert "What therapists here help with" not in html


def test_it_lists_every_crisis_resource_from_the_config(client):
    html = client.get("/crisis/").content.decode()
    config = crisis.load()
    for resource in config.resources:
        assert resource.name.replace("&", "&amp;") in html
        for action in resource.actions:
            assert f'href="{action.href}"' in html
    for needle in [
        "tel:988",
        "sms:988",
        "tel:911",
        "741741",
        "838255",
        "1-866-488-7386",
        "1-800-662-4357",
        "1-800-799-7233",
        "Dial 988, then press 1",
    ]:
        assert needle in html
    assert "not a crisis or emergency service" in html
    assert config.last_verified.strftime("%B %-d, %Y") in html


def test_it_never_offers_the_retired_988_press_3_option(client):
    html = client.get("/crisis/").content.decode()
    assert not re.search(r"press\s*3", html, re.IGNORECASE)


def test_it_opens_crisis_chat_links_without_telling_them_where_you_came_from(client):
    html = client.get("/crisis/").content.decode()
    for link in re.findall(r'<a href="https://[^"]*"[^>]*>', html):
        assert 'rel="noopener noreferrer"' in link


def test_it_keeps_the_crisis_config_recently_verified():
    # A reminder with teeth: the numbers must be re-checked at least every quarter
    # (domain.md 3.1). Update crisis.toml's last_verified after checking each entry.
    age = datetime.date.today() - crisis.load().last_verified  # noqa: DTZ011 - a calendar date
    assert age.days <= 120, "crisis.toml is overdue for its quarterly re-check"


def test_it_rejects_a_crisis_config_that_mentions_press_3():
    data = {
        "version": 1,
        "last_verified": datetime.date(2026, 1, 1),
        "resources": [
            {
                "slug": "988",
                "name": "988",
                "summary": "LGBTQ+ youth: press 3",
                "actions": [{"kind": "call", "label": "Call 988", "href": "tel:988"}],
            }
        ],
    }
    with pytest.raises(crisis.CrisisConfigError, match="press 3"):
        crisis.parse(data)


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", "http://example.org", "tel:988 ", "sms:", "https://a b"]
)
def test_it_rejects_a_crisis_link_that_is_not_tel_sms_or_https(href):
    data = {
        "version": 1,
        "last_verified": datetime.date(2026, 1, 1),
        "resources": [
            {
                "slug": "x",
                "name": "X",
                "summary": "Y",
                "actions": [{"kind": "call", "label": "Call", "href": href}],
            }
        ],
    }
    with pytest.raises(crisis.CrisisConfigError, match="href"):
        crisis.parse(data)


def test_it_states_plainly_what_the_privacy_page_promises(client):
    html = client.get("/privacy/").content.decode()
    assert "no analytics" in html
    assert "no tracking pixels" in html
    assert "no web fonts" in html
    assert "does not write it to its logs" in html
    assert "email address is kept private" in html


def test_it_shows_a_friendly_404_with_the_crisis_line(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    body = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'href="tel:988"' in body and 'href="/crisis/"' in body
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html


def test_it_serves_the_stylesheet(client):
    html = client.get("/").content.decode()
    css = _first(r'<link rel="stylesheet" href="([^"]+)"', html)
    response = client.get(css)
    assert response.status_code == 200, (
        "rapport/static/ is not served: settings.py needs STATICFILES_DIRS = [BASE_DIR / 'static']"
    )
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"@import" not in body and b"url(http" not in body
    # The budget in docs/performance.md: the CSS a search page loads, gzipped, <= 30 KB.
    assert len(gzip.compress(body)) <= 30 * 1024
