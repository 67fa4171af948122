"""First-party profile view counts: one number per profile per day, nothing about the visitor.

The profile page adds one to today's row with an F() update (no read-modify-write, so
concurrent views are not lost). No cookie, no IP address, no user agent is stored; the user
agent is only read to skip obvious robots (link previews, crawlers, scripts), and the
owner's own visits are not counted. The dashboard sums the rows per week.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Sum
from django.http import HttpRequest

from rapport.core.middleware import cannot_write

from .models import ProfileViewDay, TherapistProfile

# A visitor whose user agent names one of these is a program, not a person reading.
_ROBOTS = re.compile(
    r"bot|crawl|spider|slurp|preview|fetch|monitor|curl|wget|python|httpx|java/|go-http|"
    r"headless|facebookexternalhit|embedly|lighthouse",
    re.IGNORECASE,
)
WEEKS_SHOWN = 8


def is_robot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(_ROBOTS.search(user_agent))


def record_view(request: HttpRequest, profile: TherapistProfile, *, on: dt.date) -> bool:
    """Count one view of a public profile page; False when not counted (robot, owner, HEAD)."""
    if request.method != "GET" or is_robot(request.headers.get("user-agent", "")):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.pk == profile.owner_id:
        return False
    rows = ProfileViewDay.objects.filter(profile_id=profile.pk, day=on)
    try:
        with transaction.atomic():  # a savepoint: a failed count leaves no broken transaction
            if rows.update(count=F("count") + 1):
                return True
            try:
                with transaction.atomic():
                    ProfileViewDay.objects.create(profile_id=profile.pk, day=on, count=1)
            except IntegrityError:  # another request created today's row first
                rows.update(count=F("count") + 1)
    except OperationalError as exc:
        if not cannot_write(exc):
            raise
        # A count is not worth the page: with the disk full (or the database read-only) the
        # profile, already read, is served uncounted. The writes that cannot be skipped
        # (sessions, forms) answer 503 and log the outage.
        return False
    return True


def views_per_week(
    profile: TherapistProfile, *, on: dt.date, weeks: int = WEEKS_SHOWN
) -> list[tuple[dt.date, int]]:
    """(Monday, views) for the last `weeks` weeks, newest first, weeks without views as 0."""
    this_monday = on - dt.timedelta(days=on.weekday())
    first = this_monday - dt.timedelta(weeks=weeks - 1)
    totals = dict.fromkeys((this_monday - dt.timedelta(weeks=i) for i in range(weeks)), 0)
    rows = ProfileViewDay.objects.filter(profile=profile, day__gte=first, day__lte=on)
    for day, count in rows.values_list("day", "count"):
        totals[day - dt.timedelta(days=day.weekday())] += count
    return sorted(totals.items(), reverse=True)


def total_views(profile: TherapistProfile) -> int:
    return ProfileViewDay.objects.filter(profile=profile).aggregate(n=Sum("count"))["n"] or 0
