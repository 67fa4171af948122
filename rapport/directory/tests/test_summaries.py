"""The light read of result pages says the same as the full model read."""

from __future__ import annotations

import pytest
from django.utils import timezone

from rapport.core.testing import make_profile
from rapport.directory.models import Status, TherapistProfile
from rapport.directory.summaries import COLUMNS, read_summaries
from rapport.taxonomy.models import Kind

pytestmark = pytest.mark.django_db


def test_a_summary_matches_the_model_it_summarises() -> None:
    profile = make_profile(
        name="Zoë Müller",
        sliding_scale=True,
        free_consultation=False,
        accepting_new_clients=False,
        fee_min=None,
        offices=[
            {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.25, "lon": -122.44},
            {"city": "", "state": "OR", "zip": ""},
        ],
        licenses=[
            {"license_type": "lcsw", "state": "WA", "number": "A1"},
            {"license_type": "lmft", "state": "OR", "number": "B2", "verified_at": timezone.now()},
        ],
        terms=[(Kind.ISSUE, "grief"), (Kind.ISSUE, "anxiety"), (Kind.INSURANCE, "aetna", "Aetna")],
    )
    unverified = make_profile(name="No Check", licenses=[])
    hidden = make_profile(name="Draft", status=Status.DRAFT)

    found = read_summaries([profile.pk, unverified.pk, hidden.pk, 999_999])
    assert set(found) == {profile.pk, unverified.pk}  # unpublished and missing ids are left out

    model = TherapistProfile.objects.with_public_relations().get(pk=profile.pk)
    summary = found[profile.pk]
    for column in COLUMNS:
        assert getattr(summary, "pk" if column == "id" else column) == getattr(model, column)
    assert summary.sliding_scale is True and summary.accepting_new_clients is False
    assert [(o.city, o.state) for o in summary.office_list()] == [
        (o.city, o.state) for o in model.office_list()
    ]
    assert summary.display_location() == model.display_location() == "Tacoma, WA"
    assert summary.display_line() == model.display_line()
    assert summary.term_list() == model.term_list()
    assert [t.slug for t in summary.issues] == [t.slug for t in model.issues]
    assert summary.licence_verified is model.licence_verified is True
    assert found[unverified.pk].licence_verified is False
    assert summary.get_absolute_url() == model.get_absolute_url()
    assert summary.initials == model.initials
