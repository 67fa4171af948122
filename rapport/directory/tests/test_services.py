"""Moderation status changes go through services that audit every transition."""

from __future__ import annotations

import pytest

from rapport.accounts.models import User
from rapport.directory.models import Status, TherapistProfile
from rapport.directory.services import (
    TransitionError,
    profile_approve,
    profile_reject,
    profile_submit,
    profile_suspend,
)
from rapport.moderation.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob() -> User:
    return User.objects.create_user("bob@example.org", "x", is_staff=True)


@pytest.fixture
def draft() -> TherapistProfile:
    return TherapistProfile.objects.create(
        source="test", external_id="d1", slug="dana-d1", name="Dana", status=Status.DRAFT
    )


def test_it_moves_a_profile_through_review_and_audits_each_step(draft, bob, client) -> None:
    profile_submit(profile=draft, by=None)
    assert client.get(draft.get_absolute_url()).status_code == 404
    profile_approve(profile=draft, by=bob)
    assert client.get(draft.get_absolute_url()).status_code == 200
    profile_suspend(profile=draft, by=bob, reason="licence lapsed")
    assert client.get(draft.get_absolute_url()).status_code == 404

    draft.refresh_from_db()
    assert draft.status == Status.SUSPENDED
    actions = list(
        AuditEvent.objects.filter(target_id=str(draft.pk))
        .order_by("id")
        .values_list("action", "actor__email", "reason")
    )
    assert actions == [
        ("directory.profile.submitted", None, ""),
        ("directory.profile.approved", "bob@example.org", ""),
        ("directory.profile.suspended", "bob@example.org", "licence lapsed"),
    ]


def test_it_refuses_a_transition_from_the_wrong_status(draft, bob) -> None:
    with pytest.raises(TransitionError, match="A draft profile cannot be approved"):
        profile_approve(profile=draft, by=bob)
    with pytest.raises(TransitionError):
        profile_reject(profile=draft, by=bob, reason="no")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not AuditEvent.objects.exists()
