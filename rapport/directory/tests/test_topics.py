"""Approach, issue and place pages: what a visitor arriving from a search engine sees."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from rapport.directory import index
from rapport.directory.models import Status
from rapport.taxonomy.models import Kind
from rapport.testing import make_profile

pytestmark = pytest.mark.django_db

RELATIONAL = "relational-therapy"
LONG = (
    "Relational work means we pay attention to what happens between us as it happens. "
    "When something feels off in the room, we slow down and talk about it together. "
) * 8


@pytest.fixture(autouse=True)
def fresh_index():
    index.reset_for_tests()
    yield
    index.reset_for_tests()


def publish_all() -> None:
    index.index_touch(None)


def specialists(html: str) -> list[str]:
    return re.findall(r'<h3 class="specialist-name" id="sp-\d+"><a href="[^"]+">([^<]+)</a>', html)


def test_approach_page_explains_and_introduces_specialists(client) -> None:
    make_profile(
        name="Ana Writer", approaches=[(RELATIONAL, "I notice how we relate, and we use it.")]
    )
    make_profile(
        name="Bo Silent", approaches=[(RELATIONAL, "")], statement="General words about me."
    )
    make_profile(name="Cy Other", approaches=[("cognitive-behavioral-therapy", "CBT words")])
    make_profile(name="Di Hidden", status=Status.PENDING, approaches=[(RELATIONAL, "Hidden.")])
    publish_all()

    html = client.get(reverse("directory:approach", args=[RELATIONAL])).content.decode()

    assert "<h1>Relational Therapy" in html
    assert "Meet the specialists" in html
    assert "Find your match" in html and f"/match/?approach={RELATIONAL}" in html
    assert "## " not in html and "<h3>What it is</h3>" in html  # the description, rendered
    assert "<h3>What the evidence says</h3>" in html  # folded in <details>, still on the page
    # Written statements first, then the rest; never the unpublished or other approaches.
    assert specialists(html) == ["Ana Writer, MA, LMHC", "Bo Silent, MA, LMHC"]
    assert "I notice how we relate, and we use it." in html
    assert "From their profile:" in html and "General words about me." in html
    assert "Licensed Mental Health Counselor in Tacoma, WA" in html
    assert "private-inbox" not in html  # emails never shown
    assert reverse("directory:how_we_rank") in html


def test_statements_end_at_a_word_with_read_more(client) -> None:
    make_profile(name="Long Writer", approaches=[(RELATIONAL, LONG[:1500].strip())])
    publish_all()
    html = unescape(client.get(reverse("directory:approach", args=[RELATIONAL])).content.decode())
    shown = re.search(r'<blockquote class="statement">\s*<p>(.+?)</p>', html, re.S).group(1)
    assert len(shown) < len(LONG[:1500].strip())
    assert shown.endswith((".", "…"))
    body = shown.rstrip("…")
    assert LONG.startswith(body)
    next_char = LONG[len(body) : len(body) + 1]
    assert next_char in (" ", "") or body.endswith(".")  # never mid-word
    assert "Read more from Long Writer" in html


def test_attribution_lines_drop_missing_parts(client) -> None:
    make_profile(name="No City", title="Mental Health Counselor", offices=[{"state": "WA"}],
                 approaches=[(RELATIONAL, "x")])  # fmt: skip
    make_profile(name="No Place", title="Counselor Associate", offices=[], telehealth=False,
                 approaches=[(RELATIONAL, "y")])  # fmt: skip
    publish_all()
    html = client.get(
        reverse("directory:approach", args=[RELATIONAL]) + "?accepting=any"
    ).content.decode()
    assert "Mental Health Counselor in Washington" in html
    assert ">Counselor Associate</p>" in html
    assert "in ," not in html and ", WA</p>" not in html.replace("Tacoma, WA</p>", "")


def test_location_filter_and_accepting_narrow_the_list(client) -> None:
    make_profile(name="Near Tacoma", approaches=[(RELATIONAL, "a")], telehealth=False)
    make_profile(
        name="In Boston",
        approaches=[(RELATIONAL, "b")],
        telehealth=False,
        offices=[{"city": "Boston", "state": "MA", "zip": "02115", "lat": 42.347, "lon": -71.102}],
    )
    make_profile(name="Full Up", approaches=[(RELATIONAL, "c")], accepting_new_clients=False)
    publish_all()
    url = reverse("directory:approach", args=[RELATIONAL])

    assert specialists(client.get(url + "?location=98402").content.decode()) == [
        "Near Tacoma, MA, LMHC"
    ]
    everyone = client.get(url + "?location=98402&accepting=any").content.decode()
    assert set(specialists(everyone)) == {"Near Tacoma, MA, LMHC", "Full Up, MA, LMHC"}
    assert '<meta name="robots" content="noindex, follow">' in everyone  # narrowed views
    boston = client.get(
        reverse("directory:approach_state", args=[RELATIONAL, "MA"])
    ).content.decode()
    assert specialists(boston) == ["In Boston, MA, LMHC"]
    assert "in Massachusetts" in boston


def test_pages_are_paginated_with_stable_crawlable_urls(client) -> None:
    for i in range(23):
        make_profile(name=f"Person {i:02d}", approaches=[(RELATIONAL, f"Statement {i}.")])
    publish_all()
    url = reverse("directory:approach", args=[RELATIONAL])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert len(specialists(first)) == 20 and len(specialists(second)) == 3
    assert not set(specialists(first)) & set(specialists(second))
    assert specialists(client.get(url).content.decode()) == specialists(
        first
    )  # stable within a day
    assert 'href="/approaches/relational-therapy/?page=2" rel="next"' in first
    assert f'<link rel="canonical" href="http://testserver{url}?page=2">' in second
    assert client.get(url + "?page=3").status_code == 404


def test_query_count_does_not_grow_with_the_list(client, django_assert_max_num_queries) -> None:
    make_profile(name="Warm Up", approaches=[(RELATIONAL, "w")])
    publish_all()
    url = reverse("directory:approach", args=[RELATIONAL])
    client.get(url)  # build the index outside the measured request
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    queries_for_one = len(few.captured_queries)  # read now: each request resets the log
    for i in range(15):
        make_profile(name=f"More {i}", approaches=[(RELATIONAL, "m")])
    publish_all()
    client.get(url)
    with django_assert_max_num_queries(queries_for_one):
        client.get(url)


def test_structured_data_describes_the_therapy_and_the_people(client) -> None:
    make_profile(name="Eve </script><script>alert(1)</script>", approaches=[(RELATIONAL, "s")])
    publish_all()
    html = client.get(reverse("directory:approach", args=[RELATIONAL])).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.+?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "MedicalWebPage"
    assert data["about"] == {
        "@type": "MedicalTherapy",
        "name": "Relational Therapy",
        "description": data["about"]["description"],
    }
    person = data["mainEntity"]["itemListElement"][0]["item"]
    assert person["@type"] == "Person" and person["name"].startswith("Eve </script>")
    assert person["address"] == {"@type": "PostalAddress", "addressCountry": "US",
                                 "addressLocality": "Tacoma", "addressRegion": "WA"}  # fmt: skip
    assert "<script>alert(1)</script>" not in html


def test_lists_issue_pages_and_unknown_slugs(client) -> None:
    make_profile(name="Anx Ious", terms=[("issue", "anxiety")])
    publish_all()
    approaches = client.get(reverse("directory:approaches")).content.decode()
    assert "Psychodynamic" in approaches and 'href="/approaches/relational-therapy/"' in approaches
    assert (
        "I&#x27;m not sure which approach" in approaches
        or "I'm not sure which approach" in approaches
    )
    issues = client.get(reverse("directory:issues")).content.decode()
    assert 'href="/issues/anxiety/"' in issues and "1 specialist" in issues
    anxiety = client.get(reverse("directory:issue", args=["anxiety"])).content.decode()
    assert specialists(anxiety) == ["Anx Ious, MA, LMHC"]
    assert client.get("/approaches/not-a-thing/").status_code == 404
    assert client.get("/approaches/relational-therapy/zz/").status_code == 404


def test_a_way_to_find_more_specialists_is_a_link_to_that_search(client) -> None:
    """ "You could try: ... (2)" was plain text on approach pages: now each leads there."""
    make_profile(name="Near Tacoma", approaches=[(RELATIONAL, "a")], telehealth=False)
    make_profile(name="Full Up", approaches=[(RELATIONAL, "c")], accepting_new_clients=False)
    publish_all()
    url = reverse("directory:approach", args=[RELATIONAL])
    page = unescape(client.get(url + "?location=98402").content.decode())
    links = re.findall(r'<li><a href="(/therapists/\?[^"]+)">([^<]+)</a></li>', page)
    assert links, "no relaxation link"
    target, label = next((u, t) for u, t in links if "accepting" in u)
    assert label == "including those not taking new clients (2)"
    assert target == f"/therapists/?location=98402&approaches={RELATIONAL}&accepting=any"
    found = client.get(target).content.decode()
    assert "Full Up" in found and "Near Tacoma" in found


def test_titles_say_what_the_therapists_do_with_an_approach_or_an_issue(client) -> None:
    """An approach is practiced; an issue is helped with (issue pages said "practise it")."""
    make_profile(name="Anx Ious", terms=[(Kind.ISSUE, "anxiety", "Anxiety")])
    publish_all()
    approach = client.get(reverse("directory:approach", args=["relational-therapy"])).content
    issue = client.get(reverse("directory:issue", args=["anxiety"])).content.decode()
    assert re.search(rb"<title>[^<]*therapists who practice it \|", approach)
    assert re.search(r"<title>[^<]*therapists who help with it \|", issue)
    assert "therapists who help with it, in their own words" in issue
    assert "practice it" not in issue and "practise" not in issue


def test_place_pages(client) -> None:
    make_profile(name="Tacoma One")
    publish_all()
    state = client.get(reverse("directory:place_state", args=["WA"])).content.decode()
    assert "Therapists in Washington" in state and "Tacoma One" in state
    assert 'href="/therapists/wa/tacoma/"' in state
    city = client.get("/therapists/wa/tacoma/").content.decode()
    assert "Therapists in Tacoma, WA" in city and "Tacoma One" in city
    assert client.get("/therapists/wa/nowhere-city/").status_code == 404


def test_sitemap_and_robots(client) -> None:
    make_profile(name="Real Person", approaches=[(RELATIONAL, "r")])
    make_profile(name="Demo Person", source="demo")
    publish_all()
    index_xml = client.get("/sitemap.xml").content.decode()
    assert "sitemap-approaches.xml" in index_xml and "sitemap-therapists.xml" in index_xml
    approaches = client.get("/sitemap-approaches.xml").content.decode()
    assert "/approaches/relational-therapy/</loc>" in approaches
    states = client.get("/sitemap-approach-states.xml").content.decode()
    assert "/approaches/relational-therapy/wa/</loc>" in states
    people = client.get("/sitemap-therapists.xml").content.decode()
    assert "real-person-" in people and "demo-person-" not in people  # demo pages are noindex
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots and "Disallow: /admin/" in robots
