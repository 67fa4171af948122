"""Reports about public profiles, from anyone: into the review queue."""

from __future__ import annotations

from django.db import transaction

from rapport.directory.models import TherapistProfile

from .models import ProfileReport
from .services import audit_record


def report_create(
    *, profile: TherapistProfile, reason: str, details: str, reply_to: str
) -> ProfileReport:
    with transaction.atomic():
        report = ProfileReport.objects.create(
            profile=profile, reason=reason, details=details, reply_to=reply_to
        )
        # The reporter is anonymous; the log names the report, never the reply address.
        audit_record(actor=None, action="moderation.report.created", target=report, reason=reason)
    return report
