"""Demo data records a realistic share of demo verifications, marked as demo."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from rapport.directory.models import License, TherapistProfile
from rapport.moderation.models import LicenseVerification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]


def test_seed_demo_verifies_about_half_the_licenses_as_demo(client) -> None:
    call_command("sync_taxonomy", stdout=io.StringIO())
    call_command("seed_demo", therapists=200, seed=3, stdout=io.StringIO(), stderr=io.StringIO())
    licenses = License.objects.filter(profile__source="demo")
    verified = licenses.filter(verified_at__isnull=False).count()
    assert 0.3 < verified / licenses.count() < 0.6
    assert LicenseVerification.objects.filter(is_demo=False).count() == 0
    assert LicenseVerification.objects.filter(expires_on__lt=timezone.localdate()).exists()

    found = client.get("/api/v1/therapists", {"verified": "true", "per_page": 5}).json()
    assert found["total"] > 0
    profile = TherapistProfile.objects.get(slug=found["results"][0]["id"])
    page = client.get(profile.get_absolute_url()).content.decode()
    assert "License verified" in page and ", demo)" in page

    # A rerun replaces them: the same records, not twice as many.
    before = LicenseVerification.objects.count()
    call_command("seed_demo", therapists=200, seed=3, stdout=io.StringIO(), stderr=io.StringIO())
    assert LicenseVerification.objects.count() == before
