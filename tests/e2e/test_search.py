"""The search page in a real browser: accessible at phone and desktop sizes, with and without JS."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from .conftest import PHONE, open_page
from .test_accessibility import _describe

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWPORTS = {"phone": PHONE, "desktop": {"width": 1280, "height": 900}}
TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}


@pytest.fixture
def directory(transactional_db: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five therapists in Tacoma: three work with anxiety, two with grief."""
    from rapport.directory import index as ix
    from rapport.taxonomy.models import Kind
    from rapport.testing import make_profile

    monkeypatch.setenv("RAPPORT_INDEX_DIR", str(tmp_path / "index"))
    ix.reset_for_tests()
    for n, issue in enumerate(["anxiety", "anxiety", "anxiety", "grief", "grief"]):
        make_profile(
            name=f"Therapist {'ABCDE'[n]}. Example",
            offices=[TACOMA],
            terms=[(Kind.ISSUE, issue), (Kind.INSURANCE, "aetna", "Aetna")],
        )
    # Written through the ORM: tell the search index.
    ix.index_touch(None)
    yield
    ix.reset_for_tests()


def _count(page: Page) -> Any:
    return page.locator("#result-count")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize(
    "query",
    [
        "location=98402",
        "location=Springfield&radius=7",  # a location problem and a note
        "location=98402&issues=grief&max_fee=5",  # nothing found, relaxations offered
    ],
)
def test_search_pages_have_no_axe_violations(
    query: str,
    viewport: str,
    live_server: Any,
    browser: Browser,
    request: pytest.FixtureRequest,
    directory: None,
) -> None:
    page = open_page(browser, request, VIEWPORTS[viewport])
    response = page.goto(f"{live_server.url}/therapists/?{query}")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    violations = results.response["violations"]
    assert not violations, f"{len(violations)} axe violation(s) on ?{query} at {viewport}:\n" + (
        _describe(violations)
    )


def test_how_we_rank_has_no_axe_violations(
    live_server: Any, browser: Browser, request: pytest.FixtureRequest
) -> None:
    page = open_page(browser, request, PHONE)
    response = page.goto(f"{live_server.url}/how-we-rank/")
    assert response is not None and response.status == 200
    violations = Axe().run(page).response["violations"]
    assert not violations, _describe(violations)


def test_ticking_a_facet_updates_results_and_url_in_place(
    live_server: Any, desktop_page: Page, directory: None
) -> None:
    page = desktop_page
    # A CSP violation (an inline style or eval in htmx, say) shows up as a console error.
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requested: list[str] = []
    page.context.on("request", lambda r: requested.append(r.url))
    page.goto(f"{live_server.url}/therapists/?location=98402")
    expect(_count(page)).to_contain_text("5 therapists found")
    expect(page.locator("#filters")).to_have_attribute("open", "")  # opened by search.js
    marker = page.evaluate("() => (window.__samePage = true)")
    assert marker

    page.locator("#group-fit > summary").click()
    box = page.get_by_label(re.compile(r"\bGrief \(2\)"))
    box.check()
    expect(page).to_have_url(f"{live_server.url}/therapists/?location=98402&issues=grief")
    expect(_count(page)).to_contain_text("2 therapists found")
    expect(page.locator(".card")).to_have_count(2)
    # In place: no navigation happened, and focus stayed on the box just ticked.
    assert page.evaluate("() => window.__samePage === true")
    expect(page.locator("#f-issues-grief")).to_be_focused()
    expect(page.locator("#f-issues-grief")).to_be_checked()

    # The address is a real page: loading it fresh shows the same results.
    page.reload()
    expect(_count(page)).to_contain_text("2 therapists found")
    # Back goes to the search before, and htmx kept no copy of the pages on the device.
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/therapists/?location=98402")
    expect(_count(page)).to_contain_text("5 therapists found")
    assert page.evaluate("() => Object.keys(localStorage)") == []
    assert not errors, errors
    # Search terms stay on this site.
    assert requested and all(url.startswith(live_server.url) for url in requested), requested
    assert any("htmx-2.min.js" in url for url in requested)


def test_phone_filters_fold_and_show_results(
    live_server: Any, phone_page: Page, directory: None
) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/therapists/?location=98402")
    filters = page.locator("#filters")
    expect(filters).not_to_have_attribute("open", "")
    page.locator("#filters > summary").click()
    page.locator("#group-fit > summary").click()
    page.get_by_label(re.compile(r"\bAnxiety \(3\)")).check()
    expect(_count(page)).to_contain_text("3 therapists found")
    expect(filters).to_have_attribute("open", "")  # still open after the update
    page.get_by_role("button", name="Show results").click()
    expect(filters).not_to_have_attribute("open", "")
    expect(page.locator("#results-heading")).to_be_focused()
    expect(page).to_have_url(re.compile(r"issues=anxiety"))


def test_it_works_without_javascript(
    live_server: Any, browser: Browser, request: pytest.FixtureRequest, directory: None
) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-US")
    request.addfinalizer(context.close)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_label("Where are you?").fill("98402")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/therapists/\?.*location=98402"))
    expect(_count(page)).to_contain_text("5 therapists found")

    page.locator("#filters > summary").click()
    page.locator("#group-fit > summary").click()
    page.get_by_label(re.compile(r"\bGrief \(2\)")).check()
    page.get_by_role("button", name="Show results").click()
    expect(page).to_have_url(re.compile(r"issues=grief"))
    expect(_count(page)).to_contain_text("2 therapists found")
    expect(page.locator(".card")).to_have_count(2)
    # Unticking "accepting" is representable without JS too.
    page.locator("#filters > summary").click()
    expect(page.locator("#group-fit")).to_have_attribute("open", "")  # grief is on in it
    page.locator("#group-practical > summary").click()
    page.get_by_label(re.compile(r"\bAccepting new clients")).uncheck()
    page.get_by_role("button", name="Show results").click()
    expect(page).to_have_url(re.compile(r"accepting=any"))
    expect(page.get_by_label(re.compile(r"\bAccepting new clients"))).not_to_be_checked()


OLD_DESKTOP_HEIGHT = 6_500  # issue 14: the search page with every facet in one long column


@pytest.fixture
def many_options(transactional_db: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Six therapists in Tacoma with a dozen options in every facet: a long filter column."""
    from rapport.directory import index as ix
    from rapport.directory.facets import FACETS
    from rapport.testing import make_profile

    monkeypatch.setenv("RAPPORT_INDEX_DIR", str(tmp_path / "index"))
    ix.reset_for_tests()
    terms = [
        (facet.kind, f"{facet.param}-{n}", f"{facet.param.title()} {n}")
        for facet in FACETS
        if facet.kind
        for n in range(12)
    ]
    for n in range(6):
        make_profile(name=f"Therapist {'ABCDEF'[n]}. Example", offices=[TACOMA], terms=terms)
    ix.index_touch(None)
    yield
    ix.reset_for_tests()


def _height(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def test_desktop_filters_fold_into_groups_and_keep_the_results_in_view(
    live_server: Any, browser: Browser, request: pytest.FixtureRequest, many_options: None
) -> None:
    page = open_page(browser, request, {"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/therapists/?location=98402")
    expect(_count(page)).to_contain_text("6 therapists found")
    expect(page.locator("#filters")).to_have_attribute("open", "")
    folded = _height(page)
    assert folded < OLD_DESKTOP_HEIGHT / 2, folded

    # Everything unfolded is the old long column, but it scrolls on its own beside the
    # results: the page does not grow with it.
    for summary in page.locator(".filter-group > summary").all():
        summary.click()
    column = page.locator(".filters-col")
    assert column.evaluate("c => c.scrollHeight") > 2 * 800
    assert column.evaluate("c => c.clientHeight") <= 800
    assert column.evaluate("c => getComputedStyle(c).position") == "sticky"
    assert _height(page) == folded

    # Tick an option near the bottom of the column, as a keyboard user would: the results
    # stay where they were.
    box = page.locator("#facet-communities > .checks input").last
    box.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"communities="))
    expect(_count(page)).to_contain_text("6 therapists found")
    expect(page.locator(".card-name").first).to_be_in_viewport()
    expect(page.locator(".results-tools")).to_be_in_viewport()
    # The column kept its place: the box just ticked is still in view, and focused.
    ticked = page.locator("#facet-communities input:checked")
    expect(ticked).to_be_in_viewport()
    expect(ticked).to_be_focused()
    # The group holding it says so.
    expect(page.locator("#group-therapist > summary")).to_contain_text("(1 on)")


def test_without_javascript_a_filter_low_in_the_column_reloads_at_the_results(
    live_server: Any, browser: Browser, request: pytest.FixtureRequest, many_options: None
) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, java_script_enabled=False, locale="en-US"
    )
    request.addfinalizer(context.close)
    page = context.new_page()
    page.goto(f"{live_server.url}/therapists/?location=98402")
    page.locator("#filters > summary").click()
    page.locator("#group-therapist > summary").click()
    page.locator("#facet-communities > .checks input").last.check()
    page.get_by_role("button", name="Show results").click()
    expect(page).to_have_url(re.compile(r"communities=.*#result-count$"))
    expect(_count(page)).to_be_in_viewport()
    expect(page.locator(".card-name").first).to_be_in_viewport()
