"""Find your match in a real browser on a phone, with JavaScript (htmx) and without it.

Each screen must pass axe with no violations, answers must never reach the
address bar, and with htmx focus must land on the new question (or on the
problem, or on crisis help when it is shown).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from .conftest import ARTIFACTS, PHONE
from .test_accessibility import _describe

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}
# Words that must never show in a URL: the answers of the journey below.
PRIVATE = ("anxiety", "sleep", "partner", "kill", "aetna", "Choice")
# Set MATCH_SCREENSHOTS=1 to keep a full-page picture of every screen in test-results/match/.
SHOTS = ARTIFACTS / "match" if os.environ.get("MATCH_SCREENSHOTS") else None


@pytest.fixture
def directory(transactional_db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four therapists in Tacoma who see adults one by one."""
    from rapport.directory import index as ix
    from rapport.taxonomy.models import Kind
    from rapport.testing import make_profile

    monkeypatch.setenv("RAPPORT_INDEX_DIR", str(tmp_path / "index"))
    ix.reset_for_tests()
    base = [
        (Kind.INSURANCE, "aetna", "Aetna"),
        (Kind.LANGUAGE, "en", "English"),
        (Kind.AGE, "adults", "Adults"),
        (Kind.FORMAT, "individual", "Individual"),
    ]
    for name, issues, gender in [
        ("Ana Alvarez", ["anxiety", "sleep-insomnia"], "woman"),
        ("Ben Brooks", ["anxiety", "depression"], "man"),
        ("Cy Chen", ["relationship-issues"], "woman"),
        ("Dee Diaz", ["grief-bereavement"], "nonbinary"),
    ]:
        make_profile(
            name=name,
            gender=gender,
            offices=[TACOMA],
            terms=[*base, *((Kind.ISSUE, slug) for slug in issues)],
        )
    ix.index_touch(None)  # written through the ORM: tell the search index
    yield
    ix.reset_for_tests()


class Journey:
    """One visitor's page, checked at every screen."""

    def __init__(self, page: Page, base: str, label: str, *, js: bool) -> None:
        self.page, self.base, self.label, self.js = page, base, label, js
        self.screens = 0
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        url = page.url
        # The entry link names the public topic page it came from; from there on, nothing.
        if name != "start":
            assert not any(word.lower() in url.lower() for word in PRIVATE), url
        # Reflow: nothing wider than the phone (WCAG 1.4.10).
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"{name}: {width}px wide"
        violations = Axe().run(page).response["violations"]
        assert not violations, f"axe on {name} ({self.label}):\n{_describe(violations)}"
        if SHOTS is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            self.screens += 1
            page.screenshot(
                path=str(SHOTS / f"{self.label}-{self.screens:02d}-{name}.png"), full_page=True
            )

    def next_step(self, expected: str, button: str = "Continue") -> None:
        self.page.get_by_role("button", name=button, exact=True).click()
        expect(self.page.locator("#match-progress")).to_have_text(expected)
        expect(self.page).to_have_title(re.compile("^" + expected + ": "))
        if self.js:
            # htmx swapped the step in place and moved focus to what comes first.
            assert self.page.evaluate("() => window.__samePage === true")
            self.page.wait_for_function(
                "() => ['step-heading', 'error-summary', 'crisis-now-heading']"
                ".includes(document.activeElement.id)",
                timeout=3000,
            )


def _run(page: Page, base: str, label: str, *, js: bool) -> Journey:
    journey = Journey(page, base, label, js=js)
    page.goto(f"{base}/match/?issue=anxiety")
    expect(page.get_by_text("This directory is not an emergency or crisis service")).to_be_visible()
    journey.check("start")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#match-progress")).to_have_text("Step 1 of 8")
    if js:
        page.evaluate("() => (window.__samePage = true)")
    journey.check("who")

    page.get_by_label("Me", exact=True).check()
    journey.next_step("Step 2 of 8")
    # Prefilled from the page they came from.
    expect(page.locator("#issue-anxiety")).to_be_checked()
    page.get_by_label("In your own words (optional)").fill(
        "I can't sleep and fight with my partner. Some days I want to kill myself."
    )
    journey.check("issues")

    journey.next_step("Step 2 of 8")
    crisis = page.locator("#crisis-now-heading")
    expect(crisis).to_have_text("It sounds like you may be going through a lot right now.")
    expect(page.locator(".crisis-now a[href='tel:988']")).to_be_visible()
    expect(page.get_by_text("Text HOME to 741741")).to_be_visible()
    if js:
        expect(crisis).to_be_focused()
    chip = page.locator("input[name=keep][value=sleep-insomnia]")
    expect(chip).to_be_checked()
    journey.check("words")

    journey.next_step("Step 3 of 8")
    page.get_by_label("ZIP code, city or state").fill("Springfield")
    journey.next_step("Step 3 of 8")
    expect(page.locator("#error-summary")).to_contain_text("Several places are called Springfield")
    if js:
        expect(page.locator("#error-summary")).to_be_focused()
    journey.check("where-error")
    page.get_by_label("ZIP code, city or state").fill("98402")
    journey.next_step("Step 4 of 8")
    journey.check("pay")

    page.get_by_label("With insurance").check()
    page.get_by_label("Insurance company").select_option("aetna")
    page.get_by_label("Plan name (optional)").fill("Choice POS II")
    journey.next_step("Step 5 of 8")
    journey.check("preferences")

    page.locator("select[name=gender]").select_option("woman")
    journey.next_step("Step 6 of 8")
    journey.check("approach")
    # Back and forward keep the answers.
    journey.next_step("Step 5 of 8", button="Back")
    expect(page.locator("select[name=gender]")).to_have_value("woman")
    journey.next_step("Step 6 of 8")
    journey.next_step("Step 7 of 8", button="Skip this question")
    journey.check("practical")
    page.get_by_label("Nice to have").check()
    journey.next_step("Step 8 of 8")
    expect(page.get_by_text("Main concern: Anxiety")).to_be_visible()
    journey.check("review")

    page.get_by_role("button", name="See my matches").click()
    expect(page).to_have_url(f"{base}/match/results/")
    expect(page.get_by_role("heading", name="Your matches")).to_be_visible()
    expect(page.get_by_text("Ana Alvarez, ")).to_be_visible()
    expect(page.get_by_text("Why this match").first).to_be_visible()
    journey.check("results")

    page.get_by_role("button", name="Keep these results").click()
    expect(page).to_have_url(re.compile(r"/match/saved/[\w-]{30,}/$"))
    expect(page.get_by_role("heading", name="Your private link")).to_be_visible()
    journey.check("saved")
    page.get_by_role("button", name="Delete now").click()
    expect(page.get_by_text("Your saved list has been deleted")).to_be_visible()
    return journey


def test_the_match_flow_with_javascript(
    live_server: Any, browser: Browser, request: pytest.FixtureRequest, directory: None
) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="UTC")
    request.addfinalizer(context.close)
    page = context.new_page()
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    journey = _run(page, live_server.url, "js", js=True)
    # No CSP violations (an inline style from htmx would be one), nothing from elsewhere.
    assert not journey.errors, journey.errors
    assert any("htmx-2.min.js" in url for url in requested)
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert page.evaluate("() => Object.keys(localStorage)") == []


def test_the_match_flow_without_javascript(
    live_server: Any, browser: Browser, request: pytest.FixtureRequest, directory: None
) -> None:
    # axe runs in the page, so this context has JavaScript for Playwright's own
    # evaluation only; the site's scripts are kept out by blocking them.
    context = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="UTC")
    request.addfinalizer(context.close)
    context.route(re.compile(r".*\.js$"), lambda route: route.abort())
    page = context.new_page()
    _run(page, live_server.url, "nojs", js=False)


def test_the_match_flow_with_javascript_disabled(
    live_server: Any, browser: Browser, request: pytest.FixtureRequest, directory: None
) -> None:
    """The browser setting itself: every step is a plain form post."""
    context = browser.new_context(
        viewport=PHONE, java_script_enabled=False, locale="en-US", timezone_id="UTC"
    )
    request.addfinalizer(context.close)
    page = context.new_page()
    page.goto(f"{live_server.url}/match/")
    page.get_by_role("button", name="Start").click()
    for expected in ("Step 2 of 8", "Step 3 of 8"):
        page.get_by_role("button", name="Skip this question").click()
        expect(page.locator("#match-progress")).to_have_text(expected)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".field-error")).to_contain_text("Enter a ZIP code")
    page.get_by_label("ZIP code, city or state").fill("98402")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#match-progress")).to_have_text("Step 4 of 8")
    for expected in ("Step 5 of 8", "Step 6 of 8", "Step 7 of 8", "Step 8 of 8"):
        page.get_by_role("button", name="Skip this question").click()
        expect(page.locator("#match-progress")).to_have_text(expected)
    page.get_by_role("button", name="See my matches").click()
    expect(page).to_have_url(f"{live_server.url}/match/results/")
    expect(page.locator(".match-list .card")).to_have_count(4)


def test_the_questions_fit_a_320px_screen(
    live_server: Any, browser: Browser, request: pytest.FixtureRequest, directory: None
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-US")
    request.addfinalizer(context.close)
    page = context.new_page()
    page.goto(f"{live_server.url}/match/")
    page.get_by_role("button", name="Start").click()
    for number in range(1, 9):
        if number > 1:
            page.goto(f"{live_server.url}/match/step/{number}/")
        expect(page.locator("#match-progress")).to_have_text(f"Step {number} of 8")
        if number == 3:
            page.get_by_label("ZIP code, city or state").fill("98402")
            page.get_by_role("button", name="Continue").click()
            expect(page.locator("#match-progress")).to_have_text("Step 4 of 8")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 320, f"step {number} is {width}px wide"
    page.goto(f"{live_server.url}/match/results/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    # Targets: every button, radio and checkbox row is at least 24px tall (WCAG 2.5.8).
    page.goto(f"{live_server.url}/match/step/2/")
    small = page.evaluate(
        """() => [...document.querySelectorAll('#match-step button, #match-step label')]
            .filter(e => e.offsetParent && e.getBoundingClientRect().height < 24)
            .map(e => e.textContent.trim())"""
    )
    assert not small, small


@pytest.mark.parametrize(
    ("text", "heading", "first", "private"),
    [
        (
            "I have a plan to end my life this weekend and the pills are ready",
            "Please reach out for help right now.",
            "tel:988",
            ("plan", "pills", "weekend"),
        ),
        (
            "Mi esposo me pega y tengo miedo de volver a casa",
            "If you're not safe at home, help is there now.",
            "tel:+18007997233",
            ("esposo", "pega", "miedo", "casa"),
        ),
    ],
    ids=["english-imminent", "spanish-violence"],
)
def test_triage_puts_the_right_help_first_on_a_phone(
    live_server: Any,
    browser: Browser,
    request: pytest.FixtureRequest,
    directory: None,
    text: str,
    heading: str,
    first: str,
    private: tuple[str, ...],
) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="UTC")
    request.addfinalizer(context.close)
    # The quick exit's neutral page, served here: the test machine has no internet.
    context.route("https://weather.com/**", lambda route: route.fulfill(body="Weather"))
    page = context.new_page()
    base = live_server.url
    journey = Journey(page, base, "triage", js=True)
    page.goto(f"{base}/match/")
    page.get_by_role("button", name="Start").click()
    page.evaluate("() => (window.__samePage = true)")
    page.get_by_label("Me", exact=True).check()
    journey.next_step("Step 2 of 8")
    page.get_by_label("In your own words (optional)").fill(text)
    journey.next_step("Step 2 of 8")

    crisis = page.locator("#crisis-now-heading")
    expect(crisis).to_have_text(heading)
    expect(crisis).to_be_focused()
    help_first = page.locator(".crisis-now a[href^='tel:'], .crisis-now a[href^='sms:']").first
    expect(help_first).to_have_attribute("href", first)
    expect(help_first).to_be_in_viewport()
    box = help_first.bounding_box()
    assert box is not None and box["height"] >= 24 and box["width"] >= 24
    spanish = page.locator(".triage-es[lang=es]")
    if "esposo" in text:
        expect(spanish.first).to_be_visible()
        exit_link = page.get_by_role("link", name=re.compile("Leave this site"))
        expect(exit_link).to_be_in_viewport()
        expect(page.get_by_text("Staying safe online")).to_be_visible()
    else:
        expect(spanish).to_have_count(0)
        expect(page.locator("a[data-quick-exit]")).to_have_count(0)
    journey.check("words")
    expect(page.get_by_role("button", name="Continue", exact=True)).to_be_enabled()

    journey.next_step("Step 3 of 8")
    page.get_by_label("ZIP code, city or state").fill("98402")
    journey.next_step("Step 4 of 8")
    page.goto(f"{base}/match/results/")
    expect(page.locator("#crisis-now-heading")).to_have_text(heading)
    expect(page.get_by_text("Ana Alvarez, ")).to_be_visible()  # never blocked
    journey.check("results")
    for word in private:
        assert word not in page.url.lower()
    assert not journey.errors, journey.errors

    if "esposo" in text:
        # With JavaScript the exit replaces this page in the history: Back does not return.
        page.get_by_role("link", name=re.compile("Leave this site")).click()
        expect(page).to_have_url("https://weather.com/")
        page.go_back()
        assert "/match/results/" not in page.url
