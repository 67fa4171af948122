"""The light read of result pages says the same as the full model read."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from rapport.directory.models import Office, Status, TherapistProfile, forget_terms
from rapport.directory.summaries import COLUMNS, read_summaries
from rapport.taxonomy.models import Kind
from rapport.testing import make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    # Terms made by a test may reuse the id of one a rolled-back test made:
    # the process-wide term cache must not outlive the test.
    forget_terms()
    yield
    forget_terms()


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
    assert [(o.lat, o.lon) for o in summary.offices] == [(47.25, -122.44), (None, None)]


def test_offices_come_in_their_order_and_terms_in_display_order() -> None:
    profile = make_profile(
        offices=[
            {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.25, "lon": -122.44},
            {"city": "Salem", "state": "OR", "zip": "97301", "lat": 44.94, "lon": -123.03},
        ],
        terms=[(Kind.INSURANCE, "aetna", "Aetna"), (Kind.ISSUE, "grief"), (Kind.ISSUE, "anxiety")],
    )
    # Reorder the offices in the database: the summary follows `position`, not insertion.
    first, second = profile.offices.order_by("position")
    Office.objects.filter(pk=first.pk).update(position=5)
    Office.objects.filter(pk=second.pk).update(position=1)
    summary = read_summaries([profile.pk])[profile.pk]
    model = TherapistProfile.objects.with_public_relations().get(pk=profile.pk)
    assert (
        [o.city for o in summary.offices]
        == [o.city for o in model.office_list()]
        == [
            "Salem",
            "Tacoma",
        ]
    )
    assert summary.term_list() == model.term_list()

    # Positions may tie (they default to 0), with and without coordinates: no error,
    # and the order is stable (by id).
    Office.objects.filter(profile=profile).update(position=0, lat=None, lon=None)
    again = read_summaries([profile.pk])[profile.pk]
    assert [o.city for o in again.offices] == [
        o.city for o in Office.objects.filter(profile=profile).order_by("position", "id")
    ]


def test_details_carry_what_a_match_is_explained_from() -> None:
    profile = make_profile(
        gender="woman",
        accepting_confirmed_at=timezone.localdate(),
        licenses=[
            {"license_type": "lcsw", "state": "WA", "number": "A1", "verified_at": timezone.now()},
            {"license_type": "lmft", "state": "OR", "number": "B2"},
        ],
        approaches=[("cognitive-behavioral-therapy", "Thoughts and actions."), ("emdr", "")],
    )
    summary = read_summaries([profile.pk], details=True)[profile.pk]
    model = TherapistProfile.objects.with_public_relations().get(pk=profile.pk)
    assert summary.gender == "woman"
    assert summary.accepting_confirmed_at == model.accepting_confirmed_at
    assert [(lic.state, lic.verified_at) for lic in summary.licences] == [
        (lic.state, lic.verified_at) for lic in model.licenses.all()
    ]
    assert {slug: (a.name, a.statement) for slug, a in summary.approaches.items()} == {
        a.approach.slug: (a.approach.name, a.statement) for a in model.approach_statements.all()
    }
    assert read_summaries([profile.pk])[profile.pk].licences == []  # only with details


def test_profile_urls_follow_the_url_conf_and_the_script_prefix() -> None:
    profile = make_profile(name="Ana Alvarez")
    assert profile.get_absolute_url() == reverse("directory:profile", args=[profile.slug])
    try:
        set_script_prefix("/directory/")
        assert profile.get_absolute_url() == f"/directory/therapists/{profile.slug}/"
    finally:
        set_script_prefix("/")
