"""Approach, issue and place pages in a real browser: accessible, on a phone and a desktop."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from .conftest import DESKTOP, PHONE, open_page
from .test_accessibility import _describe

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG = "We notice what happens between us as it happens, and we talk about it. " * 12


@pytest.fixture
def specialists(transactional_db: None) -> None:
    from rapport.directory import index
    from rapport.testing import make_profile

    make_profile(name="Ana Writer", approaches=[("relational-therapy", LONG.strip()[:1400])])
    make_profile(
        name="Bo Plain", approaches=[("relational-therapy", "")], offices=[{"state": "WA"}]
    )
    make_profile(name="Cy Nowhere", approaches=[("relational-therapy", "Short.")], offices=[],
                 title="Counselor Associate")  # fmt: skip
    index.reset_for_tests()
    index.index_touch(None)


PATHS = [
    "/approaches/",
    "/approaches/relational-therapy/",
    "/approaches/relational-therapy/wa/",
    "/issues/",
    "/issues/anxiety/",
    "/therapists/wa/",
    "/therapists/wa/tacoma/",
]


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize("path", PATHS)
def test_topic_pages_have_no_axe_violations(
    path: str, viewport: str, specialists: None, live_server: Any, browser: Browser,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    page = open_page(browser, request, PHONE if viewport == "phone" else DESKTOP)
    response = page.goto(live_server.url + path)
    assert response is not None and response.status == 200
    violations = Axe().run(page).response["violations"]
    assert not violations, f"{path} at {viewport}:\n{_describe(violations)}"


def test_the_approach_page_reads_cleanly_and_narrows_in_place(
    specialists: None, live_server: Any, browser: Browser, request: pytest.FixtureRequest
) -> None:
    page = open_page(browser, request, PHONE)
    page.goto(live_server.url + "/approaches/relational-therapy/")
    text = page.inner_text("main")
    assert "Meet the specialists" in text
    assert "in ," not in text and "Associate in" not in text
    assert "Counselor Associate" in text
    assert "Read more from Ana Writer" in text
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.fill("#id_location", "98402")
    page.click("text=Show specialists")
    page.wait_for_url("**location=98402**")
    assert "for 98402 (Tacoma, WA)" in page.inner_text("#specialist-results")


def test_the_approach_list_filters_as_you_type(
    specialists: None, live_server: Any, browser: Browser, request: pytest.FixtureRequest
) -> None:
    page = open_page(browser, request, DESKTOP)
    page.goto(live_server.url + "/approaches/")
    page.fill("#topic-filter", "relational")
    assert page.is_visible("text=Relational Therapy")
    assert not page.is_visible("text=Gottman Method")


def test_the_narrowing_form_uses_the_sites_controls(
    specialists: None, live_server: Any, browser: Browser, request: pytest.FixtureRequest
) -> None:
    """Its radios and checkbox were the browser's default blue at 20px; the search filters'
    are the brand colour at 24px (WCAG 2.5.8's target size)."""
    page = open_page(browser, request, PHONE)
    page.goto(live_server.url + "/therapists/?location=98402")
    site = page.locator("#filters input[type=checkbox]").first.evaluate(
        "e => getComputedStyle(e).accentColor"
    )
    for path in ("/approaches/relational-therapy/", "/therapists/wa/tacoma/"):
        page.goto(live_server.url + path)
        for control in page.locator(
            ".topic-form input[type=radio], .topic-form input[type=checkbox]"
        ).all():
            style = control.evaluate(
                "e => [getComputedStyle(e).accentColor, e.getBoundingClientRect().width]"
            )
            assert style[0] == site and style[0] != "auto", (path, style)
            assert style[1] >= 24, (path, style)
