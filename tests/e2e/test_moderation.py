"""Issue 18 in a real browser at 390 and 1280 px: a moderator signs in with two-factor and
clears a queue of mixed items (new profiles, edits, claims, reports, flagged statements) from
the keyboard alone (j to the first item, Enter, then a / r / c on each), every action lands
in the audit log; a therapist reports two contact requests as spam from her inbox and the
moderator, shown only facts about them, confirms one and finds the other not spam, from the
keyboard; a visitor reports a profile; an administrator reads the audit log. axe on every
staff page and the report form; screenshots in /tmp/moder-shots/.
"""

from __future__ import annotations

import time
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
    from rapport.testing import totp_code

    sign_in(page, base, email, next_path=next_path)
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
    # A filter typed wrong says what to fix (the date field takes text where the browser
    # offers no date picker; here the URL carries it as a person's bookmark would).
    admin.goto(live_server.url + "/staff/audit/?since=2026-12-05&until=2026-12-01")
    expect(admin.locator(".error-summary")).to_contain_text(
        "The last day must be on or after the first."
    )
    expect(admin.locator(".audit-table")).to_contain_text("Fix the filter above to see events.")
    _axe_clean(admin, f"audit log with a bad filter ({viewport})")
    _shot(admin, f"audit-errors-{viewport}")
    admin.get_by_label("From (date)").fill("")
    admin.get_by_label("To (date, included)").fill("")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Filter").click()
    expect(admin.locator(".audit-table")).to_contain_text("moderation.report.created")
    admin.goto(live_server.url + "/staff/roles/")
    _axe_clean(admin, f"roles ({viewport})")


# Two requests to alice's profile, each with details no staff page may show. The first is
# spam (the moderator confirms it), the second is not (the moderator sends it back).
SPAM_SENDER = {
    "name": "Quillon Barthelmess",
    "email": "quillon.secret@example.net",
    "phone": "(253) 555-0199",
    "message": "Cheap zanthoxylum pills at a marvelous discount",
    "looking_for": "Zanzibarian weekend hours",
}
REAL_SENDER = {
    "name": "Wilhelmina Ostrander",
    "email": "wilhelmina.ostrander@example.net",
    "phone": "(206) 555-0147",
    "message": "I would like a consultation about my quarrelsome sleep, please.",
    "looking_for": "Evening appointments near Fremont",
}


def _send_to_alice(sender: dict[str, str]) -> Any:
    import uuid

    from rapport.messaging import services
    from rapport.testing import alice_profile

    row, created = services.contact_send(
        profile=alice_profile(),
        sender=services.SenderDetails(preferred="either", **sender),
        idempotency_key=f"spam-e2e-{uuid.uuid4().hex}",
        notify_on_read=False,
        wants_alternatives=False,
    )
    assert created
    return row


def _report_as_spam_from_the_inbox(page: Page, base: str, sender_name: str) -> None:
    page.goto(base + "/account/inbox/")
    with page.expect_navigation():
        page.locator(".inbox-link", has_text=sender_name).click()
    expect(page.get_by_role("heading", name=f"Request from {sender_name}")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Report as spam", exact=True).click()
    expect(page.get_by_role("heading", name="Report this request as spam?")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, report as spam").click()
    expect(page).to_have_url(base + "/account/inbox/")
    expect(page.locator(".messages")).to_contain_text("Reported as spam and removed")
    expect(page.locator(".inbox-link", has_text=sender_name)).to_have_count(0)


def _assert_no_sender_details(page: Page, where: str) -> None:
    html = page.content()
    for sender in (SPAM_SENDER, REAL_SENDER):
        for field, secret in sender.items():
            assert secret not in html, f"the sender's {field} shows on {where}"
        # A phone number could also show reformatted.
        digits = "".join(c for c in sender["phone"] if c.isdigit())
        for phone in (digits, f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"):
            assert phone not in html, f"the sender's phone shows on {where}"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_moderator_clears_spam_reports_from_the_keyboard(
    site: None, live_server: Any, browser: Browser, request: pytest.FixtureRequest, viewport: str
) -> None:
    from rapport.messaging.models import ContactRequest
    from rapport.moderation.models import AuditEvent
    from rapport.testing import ALICE_EMAIL, BOB_TOTP_SECRET, alice, bob

    base = live_server.url
    alice()
    spam = _send_to_alice(SPAM_SENDER)
    real = _send_to_alice(REAL_SENDER)

    # Alice reports both from her inbox, the spam first (the queue shows the oldest first).
    therapist = _page(browser, request, viewport)
    sign_in(therapist, base, ALICE_EMAIL)
    _report_as_spam_from_the_inbox(therapist, base, SPAM_SENDER["name"])
    _report_as_spam_from_the_inbox(therapist, base, REAL_SENDER["name"])
    spam.refresh_from_db()
    real.refresh_from_db()
    assert spam.spam_reported_at is not None and real.spam_reported_at is not None

    # Bob sees only facts about them, and decides both from the keyboard alone.
    moderator = bob()
    page = _page(browser, request, viewport)
    _sign_in_with_code(page, base, moderator.email, BOB_TOTP_SECRET, "/staff/review/")
    expect(page).to_have_url(base + "/staff/review/")
    expect(page.locator(".queue-total")).to_have_text("2 items wait.")
    _assert_no_sender_details(page, f"the queue ({viewport})")
    page.keyboard.press("j")
    expect(page.locator(".queue-link").first).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page).to_have_url(f"{base}/staff/review/spam/{spam.pk}/")
    expect(page.locator(".queue-kind")).to_have_text("Spam report")
    expect(page.locator("#approve-button")).to_contain_text("Confirmed spam")
    expect(page.locator("#changes-reason")).to_have_count(0)
    _assert_no_sender_details(page, f"the first spam report ({viewport})")
    _shot(page, f"item-spam-{viewport}")
    _axe_clean(page, f"spam item ({viewport})")
    with page.expect_navigation():
        page.keyboard.press("j")
    expect(page).to_have_url(f"{base}/staff/review/spam/{real.pk}/")
    with page.expect_navigation():
        page.keyboard.press("k")
    expect(page).to_have_url(f"{base}/staff/review/spam/{spam.pk}/")
    with page.expect_navigation():
        page.keyboard.press("a")  # confirmed spam

    expect(page).to_have_url(f"{base}/staff/review/spam/{real.pk}/")
    expect(page.locator(".messages")).to_have_text("Confirmed as spam; its contents are erased.")
    _assert_no_sender_details(page, f"the second spam report ({viewport})")
    _axe_clean(page, f"spam item after a decision ({viewport})")
    page.keyboard.press("r")
    expect(page.locator("#reject-reason")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # not spam, with no note: it is optional here

    expect(page).to_have_url(base + "/staff/review/")
    expect(page.locator(".messages")).to_contain_text(
        "Marked not spam; it is back in the therapist's inbox."
    )
    expect(page.locator(".messages")).to_contain_text("The queue is clear.")
    expect(page.locator(".queue-empty")).to_be_visible()
    _assert_no_sender_details(page, f"the cleared queue ({viewport})")
    _shot(page, f"queue-clear-spam-{viewport}")

    # Confirmed: its contents are erased. Not spam: back in the inbox, contents intact.
    spam.refresh_from_db()
    real.refresh_from_db()
    assert spam.sealed == "" and spam.contents() == {}
    assert spam.spam_reviewed_at is not None and spam.spam_reported_at is not None
    assert real.spam_reported_at is None and real.spam_reviewed_at is not None
    assert real.contents()["message"] == REAL_SENDER["message"]
    events = AuditEvent.objects.filter(actor=moderator)
    confirmed = events.get(action="messaging.request.spam_confirmed")
    cleared = events.get(action="messaging.request.spam_cleared")
    assert (confirmed.target_id, cleared.target_id) == (str(spam.pk), str(real.pk))
    assert events.filter(action="moderation.review.approved").count() == 1
    assert events.filter(action="moderation.review.rejected").count() == 1
    assert not ContactRequest.objects.spam_waiting().exists()

    # Alice finds the request that was not spam in her inbox again, and not the other.
    therapist.goto(base + "/account/inbox/")
    expect(therapist.locator(".inbox-link", has_text=REAL_SENDER["name"])).to_have_count(1)
    expect(therapist.locator(".inbox-link", has_text=SPAM_SENDER["name"])).to_have_count(0)
    expect(therapist.locator(".inbox-link")).to_have_count(1)
    _shot(therapist, f"inbox-after-spam-review-{viewport}")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_owner_reads_the_moderators_note_and_marks_it_done(
    site: None, live_server: Any, browser: Browser, request: pytest.FixtureRequest, viewport: str
) -> None:
    from rapport.directory.models import TherapistProfile
    from rapport.moderation.review import review_decide
    from rapport.testing import bob, make_review_queue

    base = live_server.url
    ((kind, pk),) = make_review_queue(1)
    reason = "Add your fees, and the state your license is from."
    review_decide(kind=kind, pk=pk, decision="changes", reason=reason, by=bob())
    owner = TherapistProfile.objects.get(pk=pk).owner
    assert owner is not None

    page = _page(browser, request, viewport)
    sign_in(page, base, owner.email)
    expect(page).to_have_url(base + "/account/")
    note = page.locator(".owner-note")
    expect(note).to_contain_text("Changes requested")
    expect(note).to_contain_text(f"The reviewer's note: {reason}")
    _axe_clean(page, f"dashboard with a note ({viewport})")
    _shot(page, f"owner-note-dashboard-{viewport}")

    page.goto(base + "/account/profile/")
    expect(page.locator(".profile-status")).to_contain_text("Draft")
    expect(page.locator(".owner-note")).to_contain_text(reason)
    _axe_clean(page, f"editor with a note ({viewport})")
    _shot(page, f"owner-note-editor-{viewport}")
    with page.expect_navigation():
        page.get_by_role("button", name="Mark as done").click()
    expect(page).to_have_url(base + "/account/profile/")
    expect(page.locator(".messages")).to_contain_text("Marked as done.")
    expect(page.locator(".owner-note")).to_have_count(0)
