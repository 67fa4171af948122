"""Demo license verifications: so `make run` shows the badge, the "Verified license only"
filter and its effect on ranking working, on data nobody checked.

About half of the demo licenses (licensed, not associates or students) get a record marked
`is_demo`, dated within the past year and valid for a year from then; a few have expired, so
the page shows "self-reported" next to an old check too. Which ones is decided by a hash of
the profile's id and the seed, so a rerun gives the same result. The badge of a demo record
says so: its source reads "..., demo" on the profile page, and the staff pages mark it.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import transaction
from django.utils import timezone

from rapport.directory.models import License, LicenseStatus, TherapistProfile
from rapport.directory.templatetags.profile_tags import lookup_table

from .models import AuditEvent, LicenseVerification, VerificationMethod
from .verification import licenses_refresh

# Shares of demo licenses: current checks, and checks that have already expired.
CURRENT_SHARE = 0.45
EXPIRED_SHARE = 0.05
_BATCH = 5000


def _draw(seed: int, external_id: str, position: int) -> float:
    digest = hashlib.sha256(f"{seed}:{external_id}:{position}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def demo_verifications_record(*, seed: int, today: datetime.date | None = None) -> int:
    """Replace the demo profiles' demo verifications; returns how many were recorded."""
    today = today or timezone.localdate()
    table = lookup_table()
    demo_profiles = TherapistProfile.objects.filter(source="demo")
    made = 0
    with transaction.atomic():
        LicenseVerification.objects.filter(is_demo=True, profile__in=demo_profiles).delete()
        rows = (
            License.objects.filter(profile__source="demo", status=LicenseStatus.LICENSED)
            .order_by("id")
            .values_list(
                "id",
                "profile_id",
                "profile__external_id",
                "position",
                "license_type_id",
                "license_type__group",
                "state",
                "number",
            )  # fmt: skip
        )
        batch: list[LicenseVerification] = []
        for (
            lic_id,
            profile_id,
            external_id,
            position,
            type_id,
            group,
            state,
            number,
        ) in rows.iterator(chunk_size=_BATCH):
            draw = _draw(seed, external_id, position)
            if draw >= CURRENT_SHARE + EXPIRED_SHARE:
                continue
            expired = draw >= CURRENT_SHARE
            # Spread over the past year (current) or the year before (expired).
            days_ago = int(_draw(seed + 1, external_id, position) * 330) + (400 if expired else 0)
            checked = today - datetime.timedelta(days=days_ago)
            board = table.get(((state or "").upper(), group))
            batch.append(
                LicenseVerification(
                    license_id=lic_id,
                    profile_id=profile_id,
                    license_type_id=type_id,
                    state=state,
                    number=number,
                    method=VerificationMethod.BOARD if board else VerificationMethod.NPI,
                    lookup_url=board.url if board else "",
                    result="Demo data: nothing was checked.",
                    verified_on=checked,
                    expires_on=checked + datetime.timedelta(days=365),
                    is_demo=True,
                )
            )
            if len(batch) >= _BATCH:
                LicenseVerification.objects.bulk_create(batch)
                made += len(batch)
                batch = []
        LicenseVerification.objects.bulk_create(batch)
        made += len(batch)
        ids = list(demo_profiles.values_list("id", flat=True))
        licenses_refresh(profile_ids=ids, today=today)
        AuditEvent.objects.create(
            actor=None,
            action="moderation.demo.verified",
            target_type="file",
            target_id=f"seed_demo --seed {seed}",
            reason=f"{made} demo verifications (nothing was checked)",
        )
    return made
