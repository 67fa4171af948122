"""Similar therapists to offer a sender whose request has gone 7 days without a reply.

Similar: published, shares at least one approach or issue with the profile written to, and
practises where the sender can see them (an office in one of the profile's states, or
telehealth in one of them). Offered only when accepting by the availability rule the
search filter uses (directory/availability.py) and when they have replied to at least one
request here: the point is to send the person somewhere that answers.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from rapport.directory import availability
from rapport.directory.models import TherapistProfile
from rapport.taxonomy.models import Kind, Term

from .models import ContactRequest

# How many candidates to read before the Python-side checks (states, availability age).
_CANDIDATES = 60


def _states(profile: TherapistProfile) -> set[str]:
    states = {office.state for office in profile.offices.all() if office.state}
    if profile.telehealth:
        states |= {str(s) for s in profile.telehealth_states or []}
    return states


def similar_profiles(profile: TherapistProfile, *, limit: int = 3) -> list[TherapistProfile]:
    """Up to `limit` profiles, the most shared approaches and issues first."""
    approach_ids = set(profile.approach_statements.values_list("approach_id", flat=True))
    issue_ids = set(profile.terms.filter(kind=Kind.ISSUE).values_list("pk", flat=True))
    shared = Term.objects.filter(pk__in=approach_ids | issue_ids).values_list("pk", flat=True)
    if not shared:
        return []
    states = _states(profile)
    replied = ContactRequest.objects.filter(profile=OuterRef("pk")).exclude(replied_at=None)
    candidates = (
        TherapistProfile.objects.published()
        .accepting()
        .exclude(pk=profile.pk)
        .exclude(owner=None)
        .filter(Exists(replied))
        .annotate(
            shared_count=Count("terms", filter=Q(terms__in=shared), distinct=True)
            + Count(
                "approach_statements",
                filter=Q(approach_statements__approach__in=shared),
                distinct=True,
            )
        )
        .filter(shared_count__gt=0)
        .order_by("-shared_count", "pk")
        .prefetch_related("offices")[:_CANDIDATES]
    )
    chosen: list[TherapistProfile] = []
    for candidate in candidates:
        if not availability.state(candidate).in_accepting_filter:
            continue
        if states and not (_states(candidate) & states):
            continue
        chosen.append(candidate)
        if len(chosen) == limit:
            break
    return chosen
