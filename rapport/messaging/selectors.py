"""Reads about contact requests that span models: who can receive one, response statistics,
the dashboard's weekly counts and the inbox's unread count.

Each is one query whatever the number of profiles or requests, so the list pages that show
"Reach out" on every card (search, approach pages, match results) add one query per page,
never one per card.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from rapport.directory.models import Status, TherapistProfile

from .models import ContactRequest

__all__ = [
    "STATS_MIN_REQUESTS",
    "can_receive",
    "can_receive_expression",
    "receiving_ids",
    "replies_within_days",
    "response_stats",
    "unread_count",
    "weekly_counts",
]

# Fewer requests than this and a median says more about luck than about the therapist.
STATS_MIN_REQUESTS = 5


def can_receive() -> Q:
    """The rule of services.can_receive_requests as a filter on TherapistProfile, for many
    profiles at once: published, owned by an active account that is not waiting to be
    deleted, whose primary email address (its login) is verified."""
    return Q(
        _owner_verified(),
        status=Status.PUBLISHED,
        owner__isnull=False,
        owner__is_active=True,
        owner__deletion_requested_at=None,
    )


def can_receive_expression() -> Exists:
    """The same rule as an annotation on published profiles (`.published().annotate(
    can_receive=...)`): read with the profile itself, no query of its own."""
    owners = get_user_model().objects.filter(
        pk=OuterRef("owner_id"), is_active=True, deletion_requested_at=None
    )
    verified = EmailAddress.objects.filter(
        user_id=OuterRef("pk"), email__iexact=OuterRef("email"), primary=True, verified=True
    )
    return Exists(owners.filter(Exists(verified)))


def _owner_verified() -> Exists:
    return Exists(
        EmailAddress.objects.filter(
            user_id=OuterRef("owner_id"),
            email__iexact=OuterRef("owner__email"),
            primary=True,
            verified=True,
        )
    )


def receiving_ids(profile_ids: Iterable[int]) -> set[int]:
    """Which of these profiles can receive contact requests, in one query."""
    ids = {int(pk) for pk in profile_ids}
    if not ids:
        return set()
    return set(
        TherapistProfile.objects.filter(can_receive(), pk__in=ids).values_list("pk", flat=True)
    )


def response_stats(profile_ids: Iterable[int]) -> dict[int, tuple[int, float | None]]:
    """{profile id: (requests, median hours to a reply)}, in one query.

    Every request counts, including deleted ones (the row stays without its contents until
    retention), except those withdrawn by the sender or reported as spam: neither was
    waiting for an answer. An unanswered request counts as not answered yet (longer than any
    answer), so a therapist who replies to few is never said to "usually reply". The median
    is None when half or more have no reply.
    """
    ids = {int(pk) for pk in profile_ids}
    if not ids:
        return {}
    rows = ContactRequest.objects.filter(
        profile_id__in=ids, withdrawn_at=None, spam_reported_at=None
    ).values_list("profile_id", "created_at", "replied_at")
    hours: dict[int, list[float]] = {}
    for profile_id, created_at, replied_at in rows:
        waited = (replied_at - created_at).total_seconds() / 3600 if replied_at else math.inf
        hours.setdefault(profile_id, []).append(max(waited, 0.0))
    stats: dict[int, tuple[int, float | None]] = {}
    for profile_id, values in hours.items():
        values.sort()
        middle = len(values) // 2
        median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
        stats[profile_id] = (len(values), None if math.isinf(median) else median)
    return stats


def replies_within_days(stats: tuple[int, float | None] | None) -> int | None:
    """The N of "Usually replies within N days", or None when there is not enough to say."""
    if stats is None:
        return None
    count, median_hours = stats
    if count < STATS_MIN_REQUESTS or median_hours is None:
        return None
    return max(1, math.ceil(median_hours / 24))


def weekly_counts(
    user: Any, *, on: dt.date, weeks: int
) -> dict[int, dict[dt.date, tuple[int, int]]]:
    """{profile id: {Monday: (requests received, replies marked)}} for the last `weeks`
    weeks of `user`'s requests, in one query. Weeks are local (the dashboard's), as the
    profile views are counted."""
    this_monday = on - dt.timedelta(days=on.weekday())
    first = this_monday - dt.timedelta(weeks=weeks - 1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    rows = (
        ContactRequest.objects.for_owner(user)
        .filter(Q(created_at__gte=start) | Q(replied_at__gte=start))
        .exclude(spam_reported_at__isnull=False)
        .values_list("profile_id", "created_at", "replied_at")
    )
    counts: dict[int, dict[dt.date, list[int]]] = {}

    def add(profile_id: int, moment: dt.datetime, column: int) -> None:
        day = timezone.localdate(moment)
        monday = day - dt.timedelta(days=day.weekday())
        if first <= monday <= this_monday:
            week = counts.setdefault(profile_id, {}).setdefault(monday, [0, 0])
            week[column] += 1

    for profile_id, created_at, replied_at in rows:
        add(profile_id, created_at, 0)
        if replied_at is not None:
            add(profile_id, replied_at, 1)
    return {
        pk: {monday: (pair[0], pair[1]) for monday, pair in weeks_.items()}
        for pk, weeks_ in counts.items()
    }


def unread_count(user: Any) -> int:
    """Requests in the inbox (not archived) that the therapist has not opened."""
    return ContactRequest.objects.for_owner(user).inbox().filter(read_at=None).count()
