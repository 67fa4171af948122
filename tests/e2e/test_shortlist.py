"""The shortlist in a real browser, at 390 and 1280 px, with and without JavaScript:
save from search results, an approach page and a profile, compare, share, delete.

Screenshots of the compare page land in test-results/ (shortlist-<size>-<js>.png)
for a person to look at; axe checks every page the journey passes.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from .conftest import ARTIFACTS, DESKTOP, PHONE
from .test_accessibility import _describe

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}


@pytest.fixture
def directory(transactional_db: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> dict:
    from django.utils import timezone

    from rapport.directory import index as ix
    from rapport.directory.models import License
    from rapport.taxonomy.models import Kind
    from rapport.testing import make_profile

    monkeypatch.setenv("RAPPORT_INDEX_DIR", str(tmp_path / "index"))
    ix.reset_for_tests()
    people = {
        "ana": make_profile(
            name="Ana Alvarez",
            credentials="LMFT",
            offices=[TACOMA],
            fee_min=80,
            fee_max=120,
            terms=[
                (Kind.ISSUE, "anxiety"),
                (Kind.INSURANCE, "aetna", "Aetna"),
                (Kind.LANGUAGE, "es", "Spanish"),
            ],
            approaches=[("relational-therapy", "We notice how we relate, and use it.")],
        ),
        "ben": make_profile(
            name="Ben Brooks",
            offices=[TACOMA],
            sliding_scale=False,
            accepting_new_clients=False,
            terms=[(Kind.ISSUE, "anxiety"), (Kind.ISSUE, "grief")],
        ),
        "cy": make_profile(
            name="Cy Chen",
            credentials="PsyD",
            title="Licensed Psychologist",
            offices=[TACOMA],
            in_person=False,
            fee_min=140,
            fee_max=140,
            approaches=[("relational-therapy", "Relationships first.")],
        ),
    }
    License.objects.filter(profile=people["cy"]).update(verified_at=timezone.now())
    ix.index_touch(None)
    yield people
    ix.reset_for_tests()


def _page(browser: Browser, request: pytest.FixtureRequest, viewport: str, js: bool) -> Page:
    """Without `js`, the site's scripts are blocked (axe runs in the page, so JavaScript
    stays on for Playwright's own evaluation, as in test_match.py)."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-US", timezone_id="UTC")
    context.set_default_timeout(10_000)
    request.addfinalizer(context.close)
    if not js:
        context.route(re.compile(r".*\.js$"), lambda route: route.abort())
    return context.new_page()


def _axe_clean(page: Page, where: str) -> None:
    violations = Axe().run(page).response["violations"]
    assert not violations, f"axe on {where}:\n{_describe(violations)}"


def _save(page: Page, name: str, js: bool) -> None:
    """Save from a page that loads htmx (with `js`, swapped in place) or not (a reload)."""
    url = page.url
    button = page.get_by_role("button", name=f"Save to shortlist: {name}")
    control_id = button.evaluate("b => b.closest('.shortlist-control').id")
    button.click()
    remove = page.get_by_role("button", name=f"Remove {name} from your shortlist")
    expect(remove).to_be_visible()
    if js:
        # Swapped in place: same address, focus kept on the control, the change announced.
        assert page.url == url
        assert page.evaluate("document.activeElement.id").startswith("sl-btn-")
        expect(page.locator("#shortlist-live")).to_have_text(f"Saved {name} to your shortlist.")
    else:
        # Back on the same page at the same card, with a message.
        assert page.url.split("#")[0] == url and page.url.endswith("#" + control_id)
        expect(page.locator(".messages")).to_contain_text(f"Saved {name} to your shortlist.")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_save_compare_share_and_delete(
    viewport: str,
    js: bool,
    directory: dict,
    live_server: Any,
    browser: Browser,
    request: pytest.FixtureRequest,
) -> None:
    page = _page(browser, request, viewport, js)
    base = live_server.url
    nav = page.locator("#nav-shortlist")

    page.goto(base + "/therapists/?location=98402&q=anxiety")
    expect(nav).to_be_hidden()
    _save(page, "Ana Alvarez", js)
    expect(nav).to_be_visible()
    expect(nav).to_have_text("Shortlist\xa0(1)")
    _axe_clean(page, f"search after saving ({viewport}, js={js})")
    label = f"{viewport}-{'js' if js else 'nojs'}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"shortlist-search-{label}.png"))

    page.goto(base + "/approaches/relational-therapy/")
    _save(page, "Cy Chen", js)
    expect(nav).to_have_text("Shortlist\xa0(2)")

    page.goto(base + directory["ben"].get_absolute_url())
    _save(page, "Ben Brooks", False)  # the profile page loads no htmx: a reload either way
    _axe_clean(page, f"profile after saving ({viewport}, js={js})")

    nav.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your shortlist")
    expect(page.locator(".shortlist-lede")).to_contain_text("3 therapists saved.")
    if viewport == "phone":
        expect(page.locator(".compare-cards")).to_be_visible()
        expect(page.locator(".compare-table")).to_be_hidden()
        first = page.locator(".compare-card").first
        expect(first).to_contain_text("$80–$120 per session (estimate)")
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    else:
        expect(page.locator(".compare-cards")).to_be_hidden()
        table = page.get_by_role("table", name="Saved therapists side by side")
        expect(table).to_be_visible()
        expect(table.get_by_role("columnheader")).to_have_count(3)
        expect(table.get_by_role("row", name=re.compile("^License"))).to_contain_text(
            "License verified"
        )
    _axe_clean(page, f"compare ({viewport}, js={js})")
    page.screenshot(path=str(ARTIFACTS / f"shortlist-{label}.png"), full_page=True)

    # Remove one: the list and the header follow.
    page.get_by_role("button", name="Remove Ben Brooks from your shortlist").first.click()
    expect(page.locator(".shortlist-lede")).to_contain_text("2 therapists saved.")
    expect(nav).to_have_text("Shortlist\xa0(2)")

    # Share: a private link that someone else can open, read-only, then delete.
    page.get_by_role("button", name="Share this shortlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shared shortlist")
    link = page.locator("#shared-url").input_value()
    assert re.fullmatch(re.escape(base) + r"/shortlist/s/[\w-]+/", link)
    _axe_clean(page, f"shared ({viewport}, js={js})")

    other = _page(browser, request, viewport, js)
    other.goto(link)
    expect(other.get_by_role("heading", level=1)).to_have_text("Shared shortlist")
    expect(other.locator("main")).to_contain_text("Ana Alvarez")
    expect(other.locator("main")).to_contain_text("Cy Chen")
    expect(other.get_by_role("button", name="Share this shortlist")).to_have_count(0)
    other.get_by_role("button", name="Delete this link now").click()
    expect(other.locator(".messages")).to_contain_text("The shared link is deleted.")
    response = other.goto(link)
    assert response is not None and response.status == 404
    expect(other.get_by_role("heading", level=1)).to_have_text(
        "This shared shortlist isn't available"
    )
