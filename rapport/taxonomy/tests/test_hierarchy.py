"""`taxonomy.hierarchy`: which terms count toward which, read from the synced data."""

from __future__ import annotations

import pytest

from rapport.taxonomy import hierarchy
from rapport.taxonomy.models import Kind, Term

pytestmark = pytest.mark.django_db


def test_narrower_issues_count_toward_anxiety_and_state_blue_plans_toward_bcbs() -> None:
    anxiety = hierarchy.narrower(Kind.ISSUE, "anxiety")
    assert {"anxiety", "panic-attacks", "social-anxiety"} <= anxiety
    assert "depression" not in anxiety
    assert hierarchy.counts_toward(Kind.INSURANCE, "anthem", "blue-cross-blue-shield")
    assert not hierarchy.counts_toward(Kind.INSURANCE, "aetna", "blue-cross-blue-shield")
    # A term with nothing under it is only itself.
    assert hierarchy.narrower(Kind.ISSUE, "panic-attacks") == {"panic-attacks"}


def test_links_are_transitive_and_a_changed_term_is_read_again() -> None:
    Term.objects.create(
        kind=Kind.ISSUE,
        slug="night-panic",
        name="Night panic",
        attributes={"parent": "panic-attacks"},
    )
    assert "night-panic" in hierarchy.narrower(Kind.ISSUE, "panic-attacks")
    assert "night-panic" in hierarchy.narrower(Kind.ISSUE, "anxiety")


def test_medicaid_and_its_managed_care_plans_are_recognised() -> None:
    assert hierarchy.is_medicaid("medicaid")
    assert hierarchy.is_medicaid("chip")
    assert hierarchy.is_medicaid("amerihealth-caritas")
    assert not hierarchy.is_medicaid("aetna")
    assert not hierarchy.is_medicaid("medicare")
