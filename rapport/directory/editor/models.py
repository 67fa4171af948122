"""Drafts of editor sections and edits waiting for review.

Imported by `directory/models.py`, so both models belong to the directory app
and its migrations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..models import TherapistProfile


class ProfileDraft(models.Model):
    """What was typed into one editor section and not saved: kept on a failed save and
    by the autosave, so nothing typed is lost. `data` is the form's fields as posted
    ({name: [values]}), so the form re-renders exactly as it was left."""

    profile = models.ForeignKey(TherapistProfile, on_delete=models.CASCADE, related_name="drafts")
    section = models.CharField(max_length=20)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "section"], name="directory_draft_once"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} - {self.section} (draft)"


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProfileRevision(models.Model):
    """An edit of a published profile's reviewed fields (name, licenses, statements),
    held until staff decide; the published version stays visible meanwhile.

    `data` is the part of the interchange document the edit changes
    ({"name": ...}, {"approaches": [...]}); approval writes it through the same
    rules as every other writer (`editor.services.revision_approve`).
    """

    profile = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="revisions"
    )
    section = models.CharField(max_length=20)
    data = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10,
        choices=RevisionStatus.choices,
        default=RevisionStatus.PENDING,
        db_index=True,
    )
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text=_("Shown to the therapist when rejected."))

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One edit waiting per section: a second save replaces the first.
            models.UniqueConstraint(
                fields=["profile", "section"],
                condition=models.Q(status="pending"),
                name="directory_revision_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} - {self.section} ({self.get_status_display()})"
