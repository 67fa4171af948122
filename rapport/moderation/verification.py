"""License verification: recording a check, and deriving each license's "verified" state.

One rule, read everywhere: a license is verified when a record checked it and has not
expired (verified_on <= today <= expires_on). `License.verified_at` is that record's date,
written only here (`licenses_refresh`), so the profile page, cards, the search index's
"verified" flag, the API and the structured data all read one column instead of each
re-deriving the rule. A record that expires is dropped by the daily job
(`refresh_license_verifications`), which also reminds moderators to recheck before expiry.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.core.tasks import send_mail_later
from rapport.directory.changes import is_bulk, profiles_changed
from rapport.directory.models import License

from .models import LicenseVerification, VerificationMethod
from .services import audit_record

if TYPE_CHECKING:
    from rapport.accounts.models import User

# A record is rechecked before it lapses: moderators are reminded this many days ahead.
REMIND_DAYS_BEFORE = 14
# How long a check holds by default (the queue's form proposes it; staff may shorten it).
DEFAULT_VALID_DAYS = 365
_BATCH = 1000


class VerificationError(ValueError):
    """A verification that cannot be recorded, with a message for the moderator."""


def _key(profile_id: int, type_id: int, state: str, number: str) -> tuple[int, int, str, str]:
    return (profile_id, type_id, state.upper(), number.strip().casefold())


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def licenses_refresh(
    *, profile_ids: Collection[int], today: datetime.date | None = None
) -> set[int]:
    """Rewrite `verified_at` / `verification_source` of these profiles' licenses from their
    current records, tell search about the profiles that changed, and return their ids.

    Call inside the writer's transaction."""
    today = today or timezone.localdate()
    changed: set[int] = set()
    ids = sorted(set(profile_ids))
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        best: dict[tuple[int, int, str, str], LicenseVerification] = {}
        records = LicenseVerification.objects.filter(
            profile_id__in=batch, verified_on__lte=today, expires_on__gte=today
        ).order_by("verified_on", "id")
        for record in records:  # the latest check wins
            key = _key(record.profile_id, record.license_type_id, record.state, record.number)
            best[key] = record
        updates = []
        for lic in License.objects.filter(profile_id__in=batch):
            found = best.get(_key(lic.profile_id, lic.license_type_id, lic.state, lic.number))
            verified_at = _midnight(found.verified_on) if found else None
            source = ""
            if found is not None:
                source = str(found.get_method_display()).lower()
                if found.is_demo:  # nobody checked it: the page says so
                    source = _("%(method)s, demo") % {"method": source}
                source = source[:40]
            if lic.verified_at != verified_at or lic.verification_source != source:
                lic.verified_at, lic.verification_source = verified_at, source
                updates.append(lic)
                changed.add(lic.profile_id)
        License.objects.bulk_update(updates, ["verified_at", "verification_source"])
    if changed:
        profiles_changed(ids=changed, bulk=is_bulk(len(changed)))
    return changed


def verification_record(
    *,
    license: License,  # noqa: A002 - the model's name
    by: User | None,
    method: str,
    verified_on: datetime.date,
    expires_on: datetime.date,
    lookup_url: str = "",
    result: str = "",
    note: str = "",
    is_demo: bool = False,
) -> LicenseVerification:
    """Record a check of one license and show it (or not) by the one rule, in one transaction
    with its audit event and the search update."""
    if method not in VerificationMethod.values:
        raise VerificationError(_("Choose how the license was checked."))
    if expires_on < verified_on:
        raise VerificationError(_("The expiry date must be on or after the date of the check."))
    if verified_on > timezone.localdate():
        raise VerificationError(_("The date of the check cannot be in the future."))
    if method == VerificationMethod.BOARD and not lookup_url:
        raise VerificationError(_("A state board lookup needs the lookup's URL."))
    with transaction.atomic():
        current = License.objects.select_for_update().get(pk=license.pk)
        record = LicenseVerification.objects.create(
            license=current,
            profile_id=current.profile_id,
            license_type_id=current.license_type_id,
            state=current.state,
            number=current.number,
            method=method,
            lookup_url=lookup_url,
            result=result,
            verifier=by if getattr(by, "pk", None) else None,
            verified_on=verified_on,
            expires_on=expires_on,
            note=note,
            is_demo=is_demo,
        )
        audit_record(
            actor=by,
            action="moderation.license.verified",
            target=record,
            reason=f"license {current.pk} {method} until {expires_on.isoformat()}",
        )
        licenses_refresh(profile_ids=[current.profile_id])
    return record


def profiles_to_check() -> set[int]:
    """Profiles whose verified state may differ from their records: any with a verified
    license or a current record. Read in full so a missed day, an import (which rewrites
    license rows) or a record dated ahead is put right by the next run."""
    today = timezone.localdate()
    ids = set(
        License.objects.filter(verified_at__isnull=False).values_list("profile_id", flat=True)
    )
    ids |= set(
        LicenseVerification.objects.filter(
            verified_on__lte=today, expires_on__gte=today
        ).values_list("profile_id", flat=True)
    )
    return ids


def verifications_refresh_all(*, today: datetime.date | None = None) -> set[int]:
    """The daily job's first half: every expired verification loses its badge."""
    with transaction.atomic():
        return licenses_refresh(profile_ids=profiles_to_check(), today=today)


def moderators() -> list[User]:
    """Who moderation emails go to: active staff in the moderator or administrator group."""
    User = get_user_model()
    return list(
        User.objects.filter(
            is_active=True,
            is_staff=True,
            groups__name__in=["moderator", "administrator"],
        )
        .distinct()
        .order_by("email")
    )


def recheck_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind moderators, once per record, of current checks that expire within
    REMIND_DAYS_BEFORE days (the newest check of each license only). Returns how many."""
    today = today or timezone.localdate()
    due = list(
        LicenseVerification.objects.filter(
            reminded_on__isnull=True,
            is_demo=False,
            verified_on__lte=today,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("profile", "license_type")
        .order_by("expires_on", "id")
    )
    # A license checked again since is not due: only its newest record counts.
    newer = {
        _key(r.profile_id, r.license_type_id, r.state, r.number)
        for r in LicenseVerification.objects.filter(
            profile_id__in={r.profile_id for r in due},
            expires_on__gt=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
        )
    }
    due = [r for r in due if _key(r.profile_id, r.license_type_id, r.state, r.number) not in newer]
    recipients = [user.email for user in moderators() if user.email]
    if not due or not recipients:
        return 0
    with transaction.atomic():
        send_mail_later(
            recipients,
            _("%(site)s: licenses to recheck") % {"site": settings.SITE_NAME},
            "moderation/email/recheck",
            {"records": due, "site_url": settings.SITE_URL},
        )
        LicenseVerification.objects.filter(pk__in=[r.pk for r in due]).update(reminded_on=today)
    return len(due)


def current_records(profile_ids: Iterable[int]) -> Q:
    today = timezone.localdate()
    return Q(profile_id__in=list(profile_ids), verified_on__lte=today, expires_on__gte=today)
