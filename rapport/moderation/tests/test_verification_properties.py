"""Property: no license without a current check is ever shown as verified, anywhere.

Each example builds a few published profiles with random licenses and random verification
records (current, expired yesterday, expired long ago, for another number), lets some of them
expire as days pass (records dated back, then the daily job), and reads every surface: the
profile page's badges and JSON-LD, the search page's cards and its "Verified license only"
filter, the approach page's specialists, the API's search (filter and flag) and profile (per license).
"""

from __future__ import annotations

import datetime
import html as htmllib
import json
import re

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.directory.changes import profiles_changed
from rapport.directory.models import License, TherapistProfile
from rapport.moderation.models import LicenseVerification
from rapport.moderation.verification import verifications_refresh_all
from rapport.testing import make_profile, verify_license

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

DAY = datetime.timedelta(days=1)

# A record: (index of the license it checks, days since the check, days it stays valid after
# "now", whether it names another number). valid < 0: expired that many days ago.
records = st.tuples(
    st.integers(0, 2),
    st.integers(0, 800),
    st.integers(-400, 400),
    st.booleans(),
)
profiles = st.lists(
    st.tuples(st.integers(1, 3), st.lists(records, max_size=4)), min_size=1, max_size=4
)


def _current(profile: TherapistProfile, today: datetime.date) -> list[bool]:
    """The rule, straight from the records: per license, is there a current check of it?"""
    out = []
    for lic in profile.licenses.order_by("position"):
        out.append(
            LicenseVerification.objects.filter(
                profile=profile,
                license_type=lic.license_type,
                state=lic.state,
                number=lic.number,
                verified_on__lte=today,
                expires_on__gte=today,
            ).exists()
        )
    return out


def _profile_page(client, profile) -> tuple[int, bool]:
    page = htmllib.unescape(client.get(profile.get_absolute_url()).content.decode())
    badges = page.count('class="verification verification-verified"')
    people = [
        json.loads(b)
        for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    ]
    credentials = any("hasCredential" in p for p in people if p.get("@type") == "Person")
    return badges, credentials


def _search_cards(client, verified: bool) -> dict[int, bool]:
    params = {"per_page": 50, **({"verified": "1"} if verified else {})}
    page = client.get("/therapists/", params).content.decode()
    cards = re.findall(r'id="card-(\d+)".*?</article>', page, re.S)
    bodies = re.findall(r'(id="card-\d+".*?</article>)', page, re.S)
    return {
        int(pk): 'class="card-verified"' in body for pk, body in zip(cards, bodies, strict=True)
    }


def _approach_cards(client) -> dict[int, bool]:
    page = client.get("/approaches/relational-therapy/").content.decode()
    found = re.findall(r'<article aria-labelledby="sp-(\d+)">(.*?)</article>', page, re.S)
    return {int(pk): 'class="card-verified"' in body for pk, body in found}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=profiles)
def test_no_license_without_a_current_check_is_shown_as_verified(client, spec) -> None:
    today = timezone.localdate()
    made = []
    for n_licenses, recs in spec:
        profile = make_profile(
            licenses=[
                {"license_type": t, "state": s, "number": f"N{i}"}
                for i, (t, s) in enumerate([("lmhc", "WA"), ("lmft", "OR"), ("lcsw", "WA")])
            ][:n_licenses]
        )
        licenses = list(profile.licenses.order_by("position"))
        for which, age, valid, other_number in recs:
            lic = licenses[which % len(licenses)]
            checked = today - age * DAY
            # Recorded while it was current (the service refuses nothing valid) ...
            record = verify_license(lic, checked=checked, expires=max(checked, today) + DAY)
            # ... then time passes: the record's real end, and maybe it was for another number.
            LicenseVerification.objects.filter(pk=record.pk).update(
                expires_on=max(checked, today + valid * DAY),
                number=f"X{lic.number}" if other_number else lic.number,
            )
        made.append(profile)
    # make_profile writes rows directly; search learns of them as any writer tells it.
    profiles_changed(ids=[p.pk for p in made])
    verifications_refresh_all()  # the daily job

    try:
        cards = _search_cards(client, verified=False)
        filtered = _search_cards(client, verified=True)
        specialists = _approach_cards(client)
        found = client.get("/api/v1/therapists", {"per_page": 50, "verified": "true"}).json()
        api_filtered = {r["id"] for r in found["results"]}
        api_all = {
            r["id"]: r["license_verified"]
            for r in client.get("/api/v1/therapists", {"per_page": 50}).json()["results"]
        }
        for profile in made:
            rule = _current(profile, today)
            shown = any(rule)
            badges, credentials = _profile_page(client, profile)
            assert badges == sum(rule)
            assert credentials == shown
            assert cards[profile.pk] == shown
            assert (profile.pk in filtered) == shown
            if profile.pk in specialists:  # the approach page lists a page of them
                assert specialists[profile.pk] == shown
            assert (profile.slug in api_filtered) == shown
            assert api_all[profile.slug] == shown
            detail = client.get(f"/api/v1/therapists/{profile.slug}").json()
            assert [lic["verified"] for lic in detail["licenses"]] == rule
            for lic, row in zip(
                detail["licenses"], profile.licenses.order_by("position"), strict=True
            ):
                assert (lic["verified_month"] is not None) == (row.verified_at is not None)
    finally:
        ids = [p.pk for p in made]
        License.objects.filter(profile_id__in=ids).delete()
        TherapistProfile.objects.filter(pk__in=ids).delete()
        profiles_changed(ids=ids)
