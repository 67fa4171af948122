"""License verification records: the badge, search, the API and JSON-LD follow one rule."""

from __future__ import annotations

import datetime
import html as htmllib
import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from rapport.directory.models import License
from rapport.moderation.models import AuditEvent, LicenseVerification
from rapport.moderation.verification import (
    VerificationError,
    recheck_reminders_send,
    verification_record,
    verifications_refresh_all,
)
from rapport.testing import bob, make_profile, run_tasks, verify_license

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

DAY = datetime.timedelta(days=1)


def _page(client, profile) -> str:
    response = client.get(profile.get_absolute_url())
    assert response.status_code == 200
    return htmllib.unescape(response.content.decode())


def _badges(page: str) -> list[str]:
    """The text of each license's "verified" badge on a profile page."""
    found = re.findall(r'<p class="verification verification-verified">(.*?)</p>', page, re.S)
    return [re.sub(r"<[^>]+>|✓", "", text).strip() for text in found]


def _json_ld(page: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


def _found_verified(client, profile) -> bool:
    response = client.get("/api/v1/therapists", {"verified": "true", "per_page": 50})
    assert response.status_code == 200
    return profile.slug in [r["id"] for r in response.json()["results"]]


def _api_licenses(client, profile) -> list[dict]:
    return client.get(f"/api/v1/therapists/{profile.slug}").json()["licenses"]


def test_it_shows_license_verified_with_the_month_only_with_a_current_record(client) -> None:
    profile = make_profile(
        name="Quinn Verified",
        licenses=[
            {"license_type": "lmhc", "state": "WA", "number": "LH1"},
            {"license_type": "lmft", "state": "OR", "number": "T2"},
        ],
    )
    page = _page(client, profile)
    assert _badges(page) == [] and page.count("Self-reported</p>") == 2
    assert not _found_verified(client, profile)

    checked = datetime.date(2026, 11, 3)
    verify_license(profile.licenses.get(number="LH1"), checked=checked, by=bob())
    page = _page(client, profile)
    assert _badges(page) == ["License verified November 2026 (state board lookup)"]
    assert page.count("Self-reported</p>") == 1
    assert _found_verified(client, profile)
    assert [
        (lic["number"], lic["verified"], lic["verified_month"])
        for lic in _api_licenses(client, profile)
    ] == [
        ("LH1", True, "2026-11"),
        ("T2", False, None),
    ]
    person = next(d for d in _json_ld(page) if d.get("@type") == "Person")
    assert [c["recognizedBy"]["name"] for c in person["hasCredential"]] == ["WA"]
    # The check is in the audit log, by whom.
    event = AuditEvent.objects.get(action="moderation.license.verified")
    assert event.actor == bob()


def test_an_expired_verification_drops_the_badge_the_next_day(client) -> None:
    profile = make_profile(name="Rowan Lapsing")
    today = timezone.localdate()
    verify_license(profile.licenses.get(), checked=today - 300 * DAY, expires=today)
    assert len(_badges(_page(client, profile))) == 1
    assert _found_verified(client, profile)

    # The daily job on the last valid day changes nothing ...
    assert verifications_refresh_all(today=today) == set()
    # ... and on the day after, the badge goes everywhere at once.
    assert verifications_refresh_all(today=today + DAY) == {profile.pk}
    page = _page(client, profile)
    assert _badges(page) == [] and "Self-reported</p>" in page
    assert not _found_verified(client, profile)
    assert _api_licenses(client, profile)[0]["verified"] is False
    assert "hasCredential" not in page


def test_the_worker_job_drops_a_badge_whose_check_expired_yesterday(client) -> None:
    profile = make_profile(name="Sky Expired")
    today = timezone.localdate()
    verify_license(profile.licenses.get(), checked=today - 400 * DAY, expires=today)
    # As it would stand the next morning: the record ended yesterday.
    LicenseVerification.objects.update(expires_on=today - DAY)
    assert _badges(_page(client, profile))  # not yet recomputed
    call_command("refresh_license_verifications", verbosity=0)
    assert _badges(_page(client, profile)) == []
    assert not _found_verified(client, profile)


def test_a_newer_check_keeps_the_badge_and_an_edit_of_the_number_loses_it(client) -> None:
    profile = make_profile(name="Tay Renewed")
    lic = profile.licenses.get()
    today = timezone.localdate()
    verify_license(lic, checked=today - 360 * DAY, expires=today - DAY)
    assert _badges(_page(client, profile)) == []
    verify_license(lic, checked=today)
    assert _badges(_page(client, profile)) == [
        f"License verified {today:%B %Y} (state board lookup)"
    ]
    # The number on the row changes (as an import would write it): a different license.
    License.objects.filter(pk=lic.pk).update(number="OTHER")
    verifications_refresh_all()
    assert _badges(_page(client, profile)) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"method": "guess"}, "Choose how the license was checked."),
        ({"expires_on": datetime.date(2020, 1, 1)}, "on or after the date of the check"),
        (
            {"verified_on": datetime.date(2999, 1, 1), "expires_on": datetime.date(2999, 2, 1)},
            "cannot be in the future",
        ),
        ({"lookup_url": ""}, "needs the lookup's URL"),
    ],
)
def test_it_refuses_a_verification_that_does_not_add_up(fields, message) -> None:
    profile = make_profile()
    today = timezone.localdate()
    arguments = {
        "license": profile.licenses.get(),
        "by": bob(),
        "method": "board",
        "verified_on": today,
        "expires_on": today + 365 * DAY,
        "lookup_url": "https://fortress.wa.gov/doh/providercredentialsearch/",
        **fields,
    }
    with pytest.raises(VerificationError, match=re.escape(message)):
        verification_record(**arguments)
    assert not LicenseVerification.objects.exists()
    assert not License.objects.filter(verified_at__isnull=False).exists()


def test_it_reminds_moderators_once_to_recheck_before_expiry(client) -> None:
    from django.contrib.auth.models import Group

    Group.objects.get(name="moderator").user_set.add(bob())
    today = timezone.localdate()
    soon = make_profile(name="Uma Soon")
    later = make_profile(name="Val Later")
    verify_license(soon.licenses.get(), checked=today - 350 * DAY, expires=today + 10 * DAY)
    verify_license(later.licenses.get(), checked=today)
    assert recheck_reminders_send() == 1
    run_tasks()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].to == ["bob@example.org"]
    assert "Uma Soon" in body and "Val Later" not in body
    assert recheck_reminders_send() == 0  # once per record
