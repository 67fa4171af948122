"""Issue 16, the therapist's side, in a real browser at 390 and 1280 px: sign up, confirm
the address from the emailed link, sign in, claim an imported profile, write two approach
statements, upload a phone photo (EXIF with GPS), staff approve, and the profile shows on
both approach pages and in search; 46 days without confirming availability shows the badge.
axe checks the sign-up page, the editor's approaches section and the dashboard. A staff
account without two-factor is sent away from /admin/.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from .conftest import DESKTOP, PHONE, sign_in
from .test_accessibility import _describe

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
EMAIL = "maya.chen@example.org"
PASSWORD = "rain-over-puget-sound-7"
CBT = "Quillwort thinking: we test the thoughts that keep you stuck, one small step at a time."
RELATIONAL = "Marramgrass attunement: we notice what happens between us in the room."


@pytest.fixture
def site(
    transactional_db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Any:
    from rapport.directory import index as ix
    from rapport.directory.editor.services import forget_vocabulary
    from rapport.directory.models import forget_terms

    monkeypatch.setenv("RAPPORT_INDEX_DIR", str(tmp_path / "index"))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
        "photo_originals": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "originals"},
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    ix.reset_for_tests()
    forget_terms()
    forget_vocabulary()
    yield tmp_path / "media"
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


def _mailed_link(pattern: str) -> str:
    """The path of the link in the last email sent (the worker sends queued mail)."""
    from django.core import mail

    from rapport.testing import run_tasks

    run_tasks()
    found = re.search(rf"https?://[^/\s]+({pattern}\S*)", str(mail.outbox[-1].body))
    assert found, mail.outbox[-1].body
    return found.group(1)


def _camera_jpeg() -> bytes:
    """A photo as a phone saves it, with GPS coordinates in its EXIF."""
    image = Image.new("RGB", (800, 600), (200, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (47.0, 15.0, 9.0), 3: "W", 4: (122.0, 26.0, 40.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_new_therapist_signs_up_claims_edits_and_is_published(
    viewport: str, site: Path, live_server: Any, browser: Browser, request: pytest.FixtureRequest
) -> None:
    from django.utils import timezone

    from rapport.directory.editor.models import ProfileRevision, RevisionStatus
    from rapport.directory.editor.services import revision_approve
    from rapport.directory.models import TherapistProfile
    from rapport.testing import bob, imported_profile, run_tasks

    profile = imported_profile(
        name="Maya Chen",
        approaches=[
            ("relational-therapy", "Relationships first."),
            ("cognitive-behavioral-therapy", "Thoughts, feelings, actions."),
        ],
    )
    media = site
    page = _page(browser, request, viewport)
    base = live_server.url

    # Sign up; the address must be confirmed before signing in.
    page.goto(base + "/accounts/signup/")
    _axe_clean(page, f"sign-up ({viewport})")
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    page.goto(base + _mailed_link("/accounts/confirm-email/"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    sign_in(page, base, EMAIL, PASSWORD)
    expect(page).to_have_url(re.compile(r"/account/$"))
    _axe_clean(page, f"dashboard ({viewport})")

    # Claim the imported profile through a link sent to the practice address on file.
    page.goto(base + f"/account/claim/{profile.slug}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Email me a claim link").click()
    page.goto(base + _mailed_link("/account/claim/confirm/"))
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, claim this profile").click()
    profile.refresh_from_db()
    assert profile.owner is not None and profile.owner.email == EMAIL

    # Two approach statements: they wait for review while the published ones stay.
    page.goto(base + "/account/profile/approaches/")
    _axe_clean(page, f"editor approaches ({viewport})")
    page.locator("textarea[name='statement_relational-therapy']").fill(RELATIONAL)
    page.locator("textarea[name='statement_cognitive-behavioral-therapy']").fill(CBT)
    with page.expect_navigation():
        page.get_by_role("button", name="Save and send for review").click()
    revision = ProfileRevision.objects.get(profile=profile, status=RevisionStatus.PENDING)

    # A phone photo: stored without its EXIF (so without GPS) once the worker ran.
    page.goto(base + "/account/profile/photo/")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": _camera_jpeg()}]
    )
    page.locator("input[name=alt], textarea[name=alt]").fill("Maya smiling in her office")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload photo").click()
    run_tasks()
    profile.refresh_from_db()
    assert profile.photo_small and profile.photo_large
    for name in (profile.photo_small, profile.photo_large):
        raw = (media / name).read_bytes()
        assert b"PhoneMaker" not in raw and b"Exif" not in raw
        assert not Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)

    page.goto(base + "/approaches/relational-therapy/")
    expect(page.locator("main")).not_to_contain_text("Marramgrass")
    revision_approve(revision=revision, by=bob())

    for slug, words in (
        ("relational-therapy", "Marramgrass"),
        ("cognitive-behavioral-therapy", "Quillwort"),
    ):
        page.goto(base + f"/approaches/{slug}/")
        expect(page.locator("main")).to_contain_text("Maya Chen")
        expect(page.locator("main")).to_contain_text(words)
    page.goto(base + "/therapists/?q=marramgrass")
    expect(page.locator("main")).to_contain_text("Maya Chen")

    page.goto(base + profile.get_absolute_url())
    photo = page.get_by_role("img", name="Maya smiling in her office")
    expect(photo).to_be_visible()
    # The browser really loaded it (a broken image has no natural width).
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.locator("main")).not_to_contain_text("Availability not confirmed recently")
    TherapistProfile.objects.filter(pk=profile.pk).update(
        accepting_confirmed_at=timezone.now() - timedelta(days=46)
    )
    page.reload()
    expect(page.locator("main")).to_contain_text("Availability not confirmed recently")
    # The dashboard again, now with a profile (and an availability to confirm).
    page.goto(base + "/account/")
    expect(page.locator("main")).to_contain_text("Maya Chen")
    _axe_clean(page, f"dashboard with a profile ({viewport})")


def test_staff_without_two_factor_is_sent_away_from_admin(
    site: Path, live_server: Any, browser: Browser, request: pytest.FixtureRequest
) -> None:
    from rapport.testing import PASSWORD as PERSONA_PASSWORD
    from rapport.testing import erin

    user = erin()
    page = _page(browser, request, "phone")
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PERSONA_PASSWORD)
    # Staff land in the admin after signing in; without two-factor they are sent on to set
    # it up (allauth asks for the password once more before adding an authenticator).
    page.get_by_role("button", name="Sign in", exact=True).click()
    setup = "/accounts/2fa/totp/activate/?next=%2Fadmin%2F"
    expect(page).to_have_url(
        live_server.url + "/accounts/reauthenticate/?next=" + quote(setup, safe="")
    )
    expect(page.locator(".messages")).to_contain_text(
        "Staff need a second step after the password to use the admin"
    )
    page.locator("input[name=password]").fill(PERSONA_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/\?next=%2Fadmin%2F$"))
    # Still no way into the admin until it is set up.
    page.goto(live_server.url + "/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/\?next=%2Fadmin%2F$"))
