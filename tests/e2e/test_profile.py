"""A profile page in a real browser: its paragraphs, its license lookup, and a closed
profile's way on to therapists who are accepting, on a phone and a desktop, with and
without JavaScript."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from .conftest import DESKTOP, PHONE, open_page
from .test_accessibility import _describe

if TYPE_CHECKING:
    from rapport.directory.models import TherapistProfile

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}
STATEMENT = (
    "I work with adults who feel stuck in anxious loops.\n\n"
    "Sessions are collaborative: we set goals together.\n\n"
    "I am not taking new clients this season."
)


@pytest.fixture
def closed_profile(transactional_db: None) -> TherapistProfile:
    from rapport.directory import index
    from rapport.taxonomy.models import Kind
    from rapport.testing import make_profile, make_term

    make_term(Kind.LICENSE_TYPE, "lmhc", "Licensed Mental Health Counselor", group="Counseling")
    closed = make_profile(
        name="Cara Closed", statement=STATEMENT, offices=[TACOMA], accepting_new_clients=False
    )
    for name in ("Ada Open", "Ben Open", "Cy Open", "Di Open", "Ed Open"):
        make_profile(name=name, offices=[TACOMA])
    index.reset_for_tests()
    index.index_touch(None)
    return closed


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_closed_profile_reads_well_and_leads_on(
    viewport: str, closed_profile: TherapistProfile, live_server: Any, browser: Browser,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    page = open_page(browser, request, PHONE if viewport == "phone" else DESKTOP)
    response = page.goto(live_server.url + closed_profile.get_absolute_url())
    assert response is not None and response.status == 200

    violations = Axe().run(page).response["violations"]
    assert not violations, f"profile at {viewport}:\n{_describe(violations)}"

    # The statement's paragraphs keep a visible space between them.
    paragraphs = page.locator(".profile-main .statement").first.locator("p")
    expect(paragraphs).to_have_count(3)
    first, second = paragraphs.nth(0).bounding_box(), paragraphs.nth(1).bounding_box()
    assert first and second
    assert second["y"] - (first["y"] + first["height"]) >= 8

    # The self-reported license says where to check it, on the board's own site.
    lookup = page.get_by_role("link", name="Washington State Department of Health")
    expect(lookup).to_have_attribute(
        "href", "https://fortress.wa.gov/doh/providercredentialsearch/"
    )
    expect(lookup).to_have_attribute("rel", "noopener noreferrer")

    # "See similar therapists" jumps to four cards of therapists who are accepting.
    page.get_by_role("link", name="See similar therapists who are accepting new clients").click()
    section = page.locator("#similar")
    expect(section).to_be_in_viewport()
    cards = section.locator(".similar-card")
    expect(cards).to_have_count(4)
    cards.first.get_by_role("link").click()
    expect(page.locator(".availability-open")).to_contain_text("Accepting new clients")


def test_similar_therapists_work_without_javascript(
    closed_profile: TherapistProfile, live_server: Any, browser: Browser
) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + closed_profile.get_absolute_url())
        page.get_by_role("link", name="See the full search (5 therapists)").click()
        expect(page.locator(".result")).to_have_count(5)
    finally:
        context.close()
