"""Moderation: the append-only audit log, license verification records and public reports."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One row per status change or staff action. Never updated, never deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "<app>.<object>.<past-verb>", e.g. "directory.profile.approved".
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        permissions = [("export_auditevent", "Can export the audit log")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class VerificationMethod(models.TextChoices):
    BOARD = "board", _("State board lookup")
    NPI = "npi", _("NPI record match")
    DOCUMENT = "document", _("Document")


class LicenseVerification(models.Model):
    """How staff checked one license, by whom, when, and until when.

    The only source of a license's "verified" state: `License.verified_at` is derived from the
    current record (verified_on <= today <= expires_on) by `verification.licenses_refresh`, and
    every page, card, the index and the API read that column.

    The record names the license it checked by profile, type, state and number, not only by
    row: the editor rewrites a profile's license rows on every save, and a license whose type,
    state and number are unchanged is the same license (a changed number is checked again).
    """

    license = models.ForeignKey(
        "directory.License",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verifications",
    )
    profile = models.ForeignKey(
        "directory.TherapistProfile", on_delete=models.CASCADE, related_name="license_verifications"
    )
    license_type = models.ForeignKey("taxonomy.Term", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=2)
    number = models.CharField(max_length=40, blank=True)

    method = models.CharField(max_length=10, choices=VerificationMethod.choices)
    lookup_url = models.URLField(_("lookup URL"), max_length=500, blank=True)
    # What the board's page (or the NPI record, or the document) showed, in the verifier's words.
    result = models.TextField(_("what it showed"), max_length=2000, blank=True)
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_on = models.DateField()
    expires_on = models.DateField()
    note = models.TextField(blank=True, max_length=2000)
    # Demo data's verifications (rapport/directory/demo): nobody checked anything.
    is_demo = models.BooleanField(default=False)
    # The day moderators were reminded to recheck it before it expires (once per record).
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-verified_on", "-id"]
        indexes = [
            models.Index(fields=["profile", "expires_on"]),
            models.Index(fields=["expires_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("verified_on")),
                name="moderation_verification_expires_after_check",
            )
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.number} verified {self.verified_on} until {self.expires_on}"

    def is_current(self, today: datetime.date) -> bool:
        return self.verified_on <= today <= self.expires_on


class ReportReason(models.TextChoices):
    WRONG_INFORMATION = "wrong", _("Wrong information")
    NOT_A_THERAPIST = "fake", _("Not a real therapist")
    UNETHICAL = "unethical", _("Unethical content")
    MY_PROFILE = "mine", _("It is my profile")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    UPHELD = "upheld", _("Acted on")
    DISMISSED = "dismissed", _("Dismissed")


class ProfileReport(models.Model):
    """A visitor's report about a public profile, for the review queue."""

    profile = models.ForeignKey(
        "directory.TherapistProfile", on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=10, choices=ReportReason.choices)
    details = models.TextField(max_length=2000, blank=True)
    # Optional: where the reporter wants a reply. Never shown outside the staff queue.
    reply_to = models.EmailField(max_length=254, blank=True)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("review_queue", "Can use the review queue")]

    def __str__(self) -> str:
        return f"report on {self.profile_id}: {self.reason}"


class OwnerNoteKind(models.TextChoices):
    REJECTED = "rejected", _("Not approved")
    CHANGES = "changes", _("Changes requested")
    SUSPENDED = "suspended", _("Taken down after a report")
    FLAG_REJECTED = "flag_rejected", _("Approach statements taken off the approach pages")
    FLAG_CHANGES = "flag_changes", _("Approach statements to look at again")


class OwnerNote(models.Model):
    """What a moderator's decision asks of a profile's owner, with the moderator's reason.

    The email says the same, but an email can be missed or filtered: the owner's dashboard and
    editor show the note until they mark it done or the profile is approved. Only the owner sees
    it (and staff, in the audit log's reason)."""

    profile = models.ForeignKey(
        "directory.TherapistProfile", on_delete=models.CASCADE, related_name="owner_notes"
    )
    kind = models.CharField(max_length=20, choices=OwnerNoteKind.choices)
    reason = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["profile"],
                condition=models.Q(closed_at__isnull=True),
                name="moderation_ownernote_open",
            )
        ]

    def __str__(self) -> str:
        return f"note to profile {self.profile_id}: {self.kind}"
