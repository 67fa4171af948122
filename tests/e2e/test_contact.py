"""Issue 17 in a real browser, at 390 and 1280 px, with and without JavaScript: a visitor
reaches out from a profile and from an approach page's specialists (words that call for
crisis help on the way: the resources first, then "Send my message"), and is led back to
the place they came from; a search card's "Reach out" leads to the form and back to the
card; then the therapist reads both in the inbox and marks one replied. axe checks the
profile, the approach page, search, the form, the crisis screen, the sent page, the inbox
and a request (axe is a script: only in the runs with JavaScript). Screenshots
go to $RAPPORT_SHOTS (when set) for a person to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from .conftest import DESKTOP, PHONE, sign_in
from .test_accessibility import _describe

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
FIRST = "Hello Dr. Okafor, I'm looking for help with panic attacks. Do you have Tuesday evenings?"
SECOND = "Some days I feel like I can't go on. I would like to start therapy soon."


@pytest.fixture
def site(transactional_db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from django.core.cache import cache

    from rapport.directory import index as ix
    from rapport.directory.models import forget_terms

    monkeypatch.setenv("RAPPORT_INDEX_DIR", str(tmp_path / "index"))
    ix.reset_for_tests()
    forget_terms()
    cache.clear()  # rate-limit counts: every run starts from none
    yield
    ix.reset_for_tests()
    forget_terms()
    cache.clear()


def _page(browser: Browser, request: pytest.FixtureRequest, viewport: str, js: bool) -> Page:
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], locale="en-US", timezone_id="UTC", java_script_enabled=js
    )
    context.set_default_timeout(10_000)
    request.addfinalizer(context.close)
    return context.new_page()


def _check(page: Page, where: str, js: bool) -> None:
    """axe (it runs as a script, so only where the page allows scripts) and a screenshot."""
    if js:
        violations = Axe().run(page).response["violations"]
        assert not violations, f"axe on {where}:\n{_describe(violations)}"
    shots = os.environ.get("RAPPORT_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", where.lower()).strip("-")
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


def _fill_and_send(page: Page, *, name: str, email: str, message: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email address").fill(email)
    page.get_by_label("Your message").fill(message)
    # A person takes longer than the form's minimum fill time (3 seconds) to write.
    page.wait_for_timeout(3200)
    with page.expect_navigation():
        page.get_by_role("button", name="Send message").click()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_visitor_reaches_out_twice_and_the_therapist_answers(
    viewport: str,
    js: bool,
    site: None,
    live_server: Any,
    browser: Browser,
    request: pytest.FixtureRequest,
) -> None:
    from rapport.directory import index as ix
    from rapport.messaging.models import ContactRequest
    from rapport.testing import ALICE_EMAIL, alice_profile

    profile = alice_profile()
    ix.index_touch(None)
    base = live_server.url
    mode = "js" if js else "no-js"
    page = _page(browser, request, viewport, js)

    # 1. From the profile.
    page.goto(base + profile.get_absolute_url())
    _check(page, f"profile {viewport} {mode}", js)
    with page.expect_navigation():
        page.get_by_role("link", name="Send Alice Okafor a message").click()
    expect(page.get_by_role("heading", name="Reach out to Alice Okafor")).to_be_visible()
    expect(
        page.get_by_text("This directory is not an emergency or crisis service.")
    ).to_be_visible()
    if js:
        expect(page.locator(".mcounter")).to_have_text("0 of 2,000 characters")
    _check(page, f"form {viewport} {mode}", js)
    # A mistake first: everything typed stays.
    page.get_by_label("Your name").fill("Sam Rivera")
    page.get_by_label("Your email address").fill("sam.rivera")
    page.get_by_label("Your message").fill(FIRST)
    page.wait_for_timeout(3200)
    with page.expect_navigation():
        page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Enter a full email address with a domain").first).to_be_visible()
    expect(page.get_by_label("Your message")).to_have_value(FIRST)
    expect(page.get_by_label("Your name")).to_have_value("Sam Rivera")
    _check(page, f"form with an error {viewport} {mode}", js)
    page.get_by_label("Your email address").fill("sam.rivera@example.net")
    with page.expect_navigation():
        page.get_by_role("button", name="Send message").click()
    expect(
        page.get_by_role("heading", name=re.compile("Your message to Alice Okafor was sent"))
    ).to_be_visible()
    _check(page, f"sent {viewport} {mode}", js)
    with page.expect_navigation():
        page.get_by_role("link", name="Back to Alice Okafor's profile").click()
    assert page.url == base + profile.get_absolute_url()

    # 2. From an approach page's specialists, with words that call for crisis help.
    approach = "/approaches/relational-therapy/"
    page.goto(base + approach)
    _check(page, f"approach page {viewport} {mode}", js)
    with page.expect_navigation():
        page.get_by_role("link", name="Reach out to Alice Okafor").click()
    _fill_and_send(page, name="Jo", email="jo@example.org", message=SECOND)
    expect(page.get_by_role("heading", name=re.compile("help is there right now"))).to_be_visible()
    expect(page.locator("#main").get_by_role("link", name="Call 988")).to_be_visible()
    expect(page.locator("#main").get_by_role("link", name="Text HOME to 741741")).to_be_visible()
    assert ContactRequest.objects.count() == 1  # not sent yet
    _check(page, f"crisis step {viewport} {mode}", js)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my message").click()
    expect(page.get_by_role("heading", name=re.compile("was sent"))).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Back to where you were").click()
    assert page.url == f"{base}{approach}#sp-{profile.pk}"
    assert ContactRequest.objects.count() == 2

    # 3. Search cards lead to the form and back to the same card.
    search = "/therapists/?location=98402"
    page.goto(base + search)
    _check(page, f"search {viewport} {mode}", js)
    with page.expect_navigation():
        page.get_by_role("link", name="Reach out to Alice Okafor").click()
    expect(page.get_by_role("heading", name="Reach out to Alice Okafor")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Back to the list").click()
    assert page.url == f"{base}{search}#card-{profile.pk}"

    # 4. The therapist reads them and marks one replied.
    therapist = _page(browser, request, viewport, js)
    sign_in(therapist, base, ALICE_EMAIL)
    therapist.goto(base + "/account/")
    with therapist.expect_navigation():
        therapist.get_by_role("link", name=re.compile(r"Contact requests \(2 new\)")).click()
    expect(therapist.locator(".inbox-unread")).to_have_count(2)
    _check(therapist, f"inbox {viewport} {mode}", js)
    with therapist.expect_navigation():
        therapist.get_by_role("link", name=re.compile("Sam Rivera")).click()
    expect(therapist.get_by_text(FIRST)).to_be_visible()
    expect(therapist.get_by_text("sam.rivera@example.net").first).to_be_visible()
    _check(therapist, f"request {viewport} {mode}", js)
    therapist.get_by_label("By email").check()
    with therapist.expect_navigation():
        therapist.get_by_role("button", name="Mark as replied").click()
    expect(therapist.get_by_text(re.compile(r"Marked as replied \(by email\)"))).to_be_visible()
    _check(therapist, f"replied {viewport} {mode}", js)
    replied = ContactRequest.objects.exclude(replied_at=None).get()
    assert replied.contents()["message"] == FIRST and replied.replied_via == "email"
