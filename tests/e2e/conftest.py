"""Browser fixtures: Playwright's sync API driving Debian's Chromium.

Never `playwright install`: the journeys run in the distribution's browser,
the one CI installs with apt. The root conftest skips (or, under CI, fails)
these tests when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Playwright's sync API runs an event loop in this thread, so Django's
# async-safety guard would refuse every ORM call the tests make to set up
# data. The test code is still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

if TYPE_CHECKING:
    from rapport.directory.models import TherapistProfile

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox will not start
    "--disable-gpu",
    # Chromium's own calls home would show up as third-party requests and
    # make the runs depend on the network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def sign_in(page: Page, base: str, email: str, password: str = "", next_path: str = "") -> None:
    """Sign in through the real form and wait for the page it leads to (the dashboard,
    `next_path`, or the second step for staff with two-factor). The personas' password by
    default."""
    from rapport.testing import PASSWORD

    page.goto(f"{base}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password or PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# Set per test by the hook below, so a page's finaliser knows whether to keep a screenshot.
_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


def open_page(browser: Browser, request: pytest.FixtureRequest, viewport: dict[str, int]) -> Page:
    """A page in a fresh context; a screenshot lands in test-results/ if the test fails."""
    context = browser.new_context(viewport=viewport, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(10_000)
    page = context.new_page()

    def finish() -> None:
        if request.node.stash.get(_CALL_FAILED, False):
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        context.close()

    request.addfinalizer(finish)
    return page


@pytest.fixture
def phone_page(browser: Browser, request: pytest.FixtureRequest) -> Page:
    return open_page(browser, request, PHONE)


@pytest.fixture
def desktop_page(browser: Browser, request: pytest.FixtureRequest) -> Page:
    return open_page(browser, request, DESKTOP)


@pytest.fixture
def published_profile(transactional_db: None) -> TherapistProfile:
    """A complete published profile (office, licence, approaches, issues, fees)."""
    from rapport.testing import make_profile

    return make_profile(
        name="Zoë Ångström", credentials="PhD, LMFT", title="Licensed Marriage & Family Therapist"
    )
