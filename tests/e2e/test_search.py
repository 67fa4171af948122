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
    page.get_by_label(re.compile(r"\bGrief \(2\)")).check()
    page.get_by_role("button", name="Show results").click()
    expect(page).to_have_url(re.compile(r"issues=grief"))
    expect(_count(page)).to_contain_text("2 therapists found")
    expect(page.locator(".card")).to_have_count(2)
    # Unticking "accepting" is representable without JS too.
    page.locator("#filters > summary").click()
    page.get_by_label(re.compile(r"\bAccepting new clients")).uncheck()
    page.get_by_role("button", name="Show results").click()
    expect(page).to_have_url(re.compile(r"accepting=any"))
    expect(page.get_by_label(re.compile(r"\bAccepting new clients"))).not_to_be_checked()
