"""Availability that stays true: the one rule search, matching, pages and the API read.

A profile says it is accepting new clients, accepting onto a waitlist (with the expected
wait), or not accepting, and when its owner last confirmed that. Time passing, not a write,
makes it stale, so nothing here is stored per state: every reader compares the confirmation
day with today through this module.

- `REMIND_AFTER_DAYS` (30): the owner is emailed a one-click link to reconfirm
  (`send_availability_reminders`); search's freshness starts to fade (search/ranking.py).
- `STALE_AFTER_DAYS` (45): older than this, pages say "availability not confirmed recently"
  and search and matching rank the profile lower (freshness is 0).
- `EXPIRED_AFTER_DAYS` (90): older than this, the profile leaves the "accepting" filter
  (search page, API, approach pages, Find your match). The index keeps the accepting bit as
  stored and a per-row confirmation day (`Segment.confirmed`); `accepting_bits` compares
  that column with today at query time, so nothing has to be rebuilt when a day passes.

A profile that was never confirmed (an import without a date) says "availability not
confirmed recently" and ranks as least fresh, but stays in the "accepting" filter if it says
it is accepting: the 90-day clock starts at a confirmation, and an import without dates
should not empty the default search. (To drop them too: `recently_confirmed` and `state`
below, one condition each; docs/architecture.md.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date as date_type

import numpy as np
from django.conf import settings
from django.core import signing
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from rapport.moderation.services import audit_record

from .changes import profiles_changed
from .emails import send_claim_email
from .models import Status, TherapistProfile

REMIND_AFTER_DAYS = 30
STALE_AFTER_DAYS = 45
EXPIRED_AFTER_DAYS = 90
MAX_WAIT_WEEKS = 52


class Availability(models.TextChoices):
    ACCEPTING = "accepting", _("Accepting new clients")
    WAITLIST = "waitlist", _("Waitlist for new clients")
    NOT_ACCEPTING = "not_accepting", _("Not accepting new clients right now")


@dataclass(frozen=True)
class AvailabilityState:
    kind: Availability
    confirmed_at: dt.date | None
    age_days: int | None  # days since confirmed; None when never
    stale: bool  # older than STALE_AFTER_DAYS (or never confirmed)
    in_accepting_filter: bool  # accepting or waitlist, confirmed within EXPIRED_AFTER_DAYS
    wait_weeks: int | None

    @property
    def label(self) -> str:
        if self.kind == Availability.WAITLIST and self.wait_weeks:
            return ngettext(
                "Waitlist: about %(weeks)d week", "Waitlist: about %(weeks)d weeks", self.wait_weeks
            ) % {"weeks": self.wait_weeks}
        return str(self.kind.label)

    @property
    def confirmed_label(self) -> str:
        if self.confirmed_at is None:
            return ""
        return str(_("confirmed %(date)s")) % {"date": date_format(self.confirmed_at, "F j, Y")}

    @property
    def is_open(self) -> bool:
        return self.kind != Availability.NOT_ACCEPTING


def today() -> dt.date:
    return timezone.localdate()


def kind_of(accepting: bool, wait_weeks: int | None) -> Availability:
    if not accepting:
        return Availability.NOT_ACCEPTING
    return Availability.WAITLIST if wait_weeks else Availability.ACCEPTING


def state(profile: object, on: dt.date | None = None) -> AvailabilityState:
    """The availability of a profile (a model instance or a `ProfileSummary`) on a day."""
    on = on or today()
    accepting = bool(getattr(profile, "accepting_new_clients", False))
    wait = getattr(profile, "expected_wait_weeks", None)
    confirmed = getattr(profile, "accepting_confirmed_at", None)
    if isinstance(confirmed, str):
        confirmed = dt.date.fromisoformat(confirmed) if confirmed else None
    age = (on - confirmed).days if confirmed else None
    kind = kind_of(accepting, wait)
    return AvailabilityState(
        kind=kind,
        confirmed_at=confirmed,
        age_days=age,
        stale=age is None or age > STALE_AFTER_DAYS,
        in_accepting_filter=accepting and (age is None or age <= EXPIRED_AFTER_DAYS),
        wait_weeks=wait if kind == Availability.WAITLIST else None,
    )


# --- The index side -----------------------------------------------------------------------


def accepting_cutoff(on: dt.date) -> int:
    """The oldest confirmation day (ordinal) still inside the "accepting" filter on a day."""
    return on.toordinal() - EXPIRED_AFTER_DAYS


def recently_confirmed(confirmed: np.ndarray, on: dt.date) -> np.ndarray:
    """Per row of day ordinals (0 = never): not confirmed longer than EXPIRED_AFTER_DAYS
    before `on` (never confirmed counts as not expired: see the module's docstring)."""
    return (confirmed == 0) | (confirmed >= accepting_cutoff(on))


# --- Writes: the owner says what is true today ----------------------------------------------


def availability_set(
    *, profile: TherapistProfile, kind: str, wait_weeks: int | None, by: object | None
) -> TherapistProfile:
    """Set accepting / waitlist (with weeks) / not accepting; saying it also confirms it today."""
    kind = Availability(kind)
    with transaction.atomic():
        current = TherapistProfile.objects.select_for_update().get(pk=profile.pk)
        current.accepting_new_clients = kind != Availability.NOT_ACCEPTING
        current.expected_wait_weeks = wait_weeks if kind == Availability.WAITLIST else None
        current.accepting_confirmed_at = today()
        current.save(
            update_fields=[
                "accepting_new_clients", "expected_wait_weeks", "accepting_confirmed_at",
                "updated_at",
            ]
        )  # fmt: skip
        profiles_changed(ids=[current.pk])
        audit_record(
            actor=by, action="directory.availability.confirmed", target=current, reason=kind
        )
    for name in ("accepting_new_clients", "expected_wait_weeks", "accepting_confirmed_at"):
        setattr(profile, name, getattr(current, name))
    return profile


def availability_confirm(*, profile: TherapistProfile, by: object | None) -> TherapistProfile:
    """Confirm that what the profile says is still true (the reminder's one button)."""
    now = state(profile)
    return availability_set(profile=profile, kind=now.kind, wait_weeks=now.wait_weeks, by=by)


# --- The reminder: every REMIND_AFTER_DAYS, a link that confirms without signing in ----------

REMINDER_LINK_DAYS = 30
_REMINDER_SALT = "rapport.directory.availability"


class ReminderError(ValueError):
    """A reminder link that cannot confirm, with a message for the person."""


def make_reminder_token(profile: TherapistProfile) -> str:
    # The confirmation day it was sent at: once confirmed (by this link or the dashboard),
    # the day moves and the link is spent.
    confirmed = profile.accepting_confirmed_at
    return signing.dumps(
        {"p": profile.pk, "d": confirmed.toordinal() if confirmed else 0},
        salt=_REMINDER_SALT,
        compress=True,
    )


def profile_for_reminder(token: str) -> TherapistProfile:
    """The profile a reminder link confirms, or ReminderError (expired, used, not a link)."""
    try:
        data = signing.loads(token, salt=_REMINDER_SALT, max_age=REMINDER_LINK_DAYS * 86400)
        pk, day = int(data["p"]), int(data["d"])
    except signing.SignatureExpired as exc:
        raise ReminderError(
            gettext(
                "This link has expired. Sign in and confirm your availability on your dashboard."
            )
        ) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ReminderError(
            gettext("This link is not valid. Check that you copied all of it.")
        ) from exc
    profile = (
        TherapistProfile.objects.filter(pk=pk, owner__isnull=False).select_related("owner").first()
    )
    if profile is not None and profile.owner and profile.owner.deletion_requested_at:
        # Paused like the editor (views_account_data.paused_while_deleting): hidden, to be deleted.
        raise ReminderError(
            gettext(
                "Your account is scheduled for deletion. Sign in and keep your account to confirm your availability."
            )
        )
    confirmed = profile.accepting_confirmed_at if profile else None
    if profile is None or (confirmed.toordinal() if confirmed else 0) != day:
        raise ReminderError(
            gettext(
                "This link has already been used: your availability was confirmed since it was sent."
            )
        )
    return profile


def reminders_due(on: date_type | None = None) -> QuerySet[TherapistProfile]:
    """Owned, published profiles confirmed REMIND_AFTER_DAYS ago or more (or never), not
    reminded since their last confirmation or within the last REMIND_AFTER_DAYS."""
    on = on or today()
    due = on - dt.timedelta(days=REMIND_AFTER_DAYS)
    return (
        TherapistProfile.objects.filter(status=Status.PUBLISHED, owner__isnull=False)
        .exclude(owner__email="")
        .filter(Q(accepting_confirmed_at__isnull=True) | Q(accepting_confirmed_at__lte=due))
        .filter(Q(availability_reminded_at__isnull=True) | Q(availability_reminded_at__lte=due))
        .select_related("owner")
        .order_by("pk")
    )


def send_reminder(profile: TherapistProfile, on: date_type | None = None) -> bool:
    """Email one reminder; False when another worker process sent it first."""
    on = on or today()
    path = reverse("account:confirm_availability", kwargs={"token": make_reminder_token(profile)})
    last = profile.availability_reminded_at
    with transaction.atomic():
        # Only if nobody marked it since we read it: two workers never both send.
        unchanged = TherapistProfile.objects.filter(pk=profile.pk).filter(
            Q(availability_reminded_at__isnull=True)
            if last is None
            else Q(availability_reminded_at=last)
        )
        if not unchanged.update(availability_reminded_at=on):
            return False
        send_claim_email(
            to=profile.owner.email,  # type: ignore[union-attr]  # reminders_due: owned
            subject=gettext("Is your availability still right? One click to confirm"),
            template="account_area/email/availability_reminder.txt",
            context={
                "profile": profile,
                "now": state(profile, on),
                "link": site_url(path),
                "dashboard": site_url(reverse("account:dashboard")),
                "stale_days": STALE_AFTER_DAYS,
                "expired_days": EXPIRED_AFTER_DAYS,
            },
        )
    return True


def site_url(path: str) -> str:
    """An absolute link for email sent outside a request (RAPPORT_SITE_URL)."""
    return (settings.SITE_URL or "http://127.0.0.1:8000") + path
