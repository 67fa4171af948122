"""Issue 18 in a real browser at 390 and 1280 px: a moderator signs in with two-factor and
clears a queue of mixed items (new profiles, edits, claims, reports, flagged statements) from
the keyboard alone (j to the first item, Enter, then a / r / c on each), every action lands
in the audit log; a visitor reports a profile; an administrator reads the audit log. axe on
every staff page and the report form; screenshots in /tmp/moder-shots/.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from .conftest import DESKTOP, PHONE
from .test_accessibility import _describe

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
SHOTS = Path("/tmp/moder-shots")


@pytest.fixture
def site(transactional_db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from rapport.directory import index as ix
    from rapport.directory.editor.services import forget_vocabulary
    from rapport.directory.models import forget_terms

    # Each test's flushed database numbers its terms afresh: no process-wide cache of them
    # (the index's, the editor's vocabulary that approving an edit reads) may outlive it.
    monkeypatch.setenv("RAPPORT_INDEX_DIR", str(tmp_path / "index"))
    ix.reset_for_tests()
    forget_terms()
    forget_vocabulary()
    yield
    ix.reset_for_tests()
    forget_terms()
    forget_vocabulary()


def _page(browser: Browser, request: pytest.FixtureRequest, viewport: str) -> Page:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-US", timezone_id="UTC")
    context.set_default_timeout(10_000)
    request.addfinalizer(context.close)
    return context.new_page()


def _axe_clean(page: Page, where: str) -> None:
    violations = Axe().run(page).response["violations"]
    assert not violations, f"axe on {where}:\n{_describe(violations)}"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sign_in_with_code(page: Page, base: str, email: str, secret: str, next_path: str) -> None:
    from rapport.testing import PASSWORD, totp_code

    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    code = page.locator("input[name=code]")
    code.wait_for()
    # A code is good for its 30-second window only (allauth allows no drift by default):
    # never type one that is about to turn over.
    while 30 - time.time() % 30 < 5:
        time.sleep(0.5)
    code.fill(totp_code(secret))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


# Per item, in queue order: approve, reject (with a reason) or ask for changes.
def _decision(i: int) -> str:
    return "r" if i % 4 == 1 else "c" if i % 7 == 3 else "a"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_moderator_clears_a_mixed_queue_from_the_keyboard(
    site: None, live_server: Any, browser: Browser, request: pytest.FixtureRequest, viewport: str
) -> None:
    from rapport.moderation.models import AuditEvent
    from rapport.testing import BOB_TOTP_SECRET, bob, make_review_queue

    moderator = bob()
    count = 50 if viewport == "desktop" else 15
    made = make_review_queue(count)
    page = _page(browser, request, viewport)
    _sign_in_with_code(page, live_server.url, moderator.email, BOB_TOTP_SECRET, "/staff/review/")
    expect(page).to_have_url(live_server.url + "/staff/review/")
    expect(page.locator(".queue-total")).to_have_text(f"{count} items wait.")
    _shot(page, f"queue-{viewport}")
    _axe_clean(page, f"queue ({viewport})")

    page.keyboard.press("j")
    expect(page.locator(".queue-link").first).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator(".queue-link").first).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    seen_kinds: set[str] = set()
    for i, (kind, pk) in enumerate(made):
        expect(page).to_have_url(f"{live_server.url}/staff/review/{kind}/{pk}/")
        if kind not in seen_kinds:  # each kind of item page once: looked at, and axe
            seen_kinds.add(kind)
            _shot(page, f"item-{kind}-{viewport}")
            _axe_clean(page, f"{kind} item ({viewport})")
        key = _decision(i)
        if key == "a":
            with page.expect_navigation():
                page.keyboard.press("a")
        else:
            page.keyboard.press(key)
            field = page.locator("#reject-reason" if key == "r" else "#changes-reason")
            expect(field).to_be_focused()
            page.keyboard.type("Please check the license number." if key == "r" else "Add fees.")
            with page.expect_navigation():
                page.keyboard.press("Enter")
        assert page.locator(".messages").count() == 1, (
            i,
            kind,
            key,
            page.url,
            page.locator("main").inner_text()[:600],
        )

    expect(page).to_have_url(live_server.url + "/staff/review/")
    expect(page.locator(".messages")).to_contain_text("The queue is clear.")
    expect(page.locator(".queue-empty")).to_be_visible()
    _shot(page, f"queue-clear-{viewport}")
    decisions = AuditEvent.objects.filter(action__startswith="moderation.review.", actor=moderator)
    assert decisions.count() == count
    rejected = decisions.filter(action="moderation.review.rejected").count()
    assert rejected == sum(1 for i in range(count) if _decision(i) == "r")


def test_without_javascript_a_rejection_without_reason_gets_a_message(
    site: None, live_server: Any, browser: Browser, request: pytest.FixtureRequest
) -> None:
    from rapport.testing import BOB_TOTP_SECRET, bob, make_review_queue

    ((kind, pk),) = make_review_queue(1)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-US")
    request.addfinalizer(context.close)
    page = context.new_page()
    _sign_in_with_code(
        page, live_server.url, bob().email, BOB_TOTP_SECRET, f"/staff/review/{kind}/{pk}/"
    )
    page.locator(".decision-reject button").click()
    expect(page.locator("#reject-reason-error")).to_have_text(
        "Write the reason: the therapist receives it by email."
    )
    page.locator("#verify-heading").scroll_into_view_if_needed()
    page.locator(".verify-form button").click()
    expect(page.locator("#verify-errors")).to_contain_text("Write what the lookup")
    _shot(page, "item-errors-nojs-phone")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_visitor_reports_a_profile_and_an_administrator_reads_the_log(
    site: None, live_server: Any, browser: Browser, request: pytest.FixtureRequest, viewport: str
) -> None:
    from rapport.moderation.models import ProfileReport
    from rapport.testing import BOB_TOTP_SECRET, ada, alice_profile

    profile = alice_profile()
    page = _page(browser, request, viewport)
    page.goto(live_server.url + profile.get_absolute_url())
    page.get_by_role("link", name="Report this profile").click()
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Choose what is wrong with this profile."
    )
    _axe_clean(page, f"report form with errors ({viewport})")
    _shot(page, f"report-errors-{viewport}")
    page.get_by_label("Wrong information").check()
    page.get_by_label("Details").fill("The office moved to Seattle in 2025.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    assert ProfileReport.objects.get().details == "The office moved to Seattle in 2025."

    admin = _page(browser, request, viewport)
    _sign_in_with_code(admin, live_server.url, ada().email, BOB_TOTP_SECRET, "/staff/audit/")
    expect(admin.locator(".audit-table")).to_contain_text("moderation.report.created")
    _axe_clean(admin, f"audit log ({viewport})")
    _shot(admin, f"audit-{viewport}")
    admin.goto(live_server.url + "/staff/roles/")
    _axe_clean(admin, f"roles ({viewport})")
