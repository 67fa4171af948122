"""Contact requests: a person's first message to a therapist, sealed at rest.

Everything the sender typed or told us about themselves (name, email, phone, how to reach
them, the message, "what I'm looking for") lives only in `sealed`, a Fernet token
(crypto.py). The plain columns are what the inbox, delivery and statistics need and say
nothing about the person: who it is for, when, and what the therapist did with it.

Delivery is exactly-once by markers: each notification task claims the email in a short
transaction while its `*_sent_at` is empty, sends outside any transaction, and sets the marker
in a second one (messaging/tasks.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import crypto


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    EITHER = "either", _("Either")


class ReplyChannel(models.TextChoices):
    EMAIL = "email", _("By email")
    PHONE = "phone", _("By phone")
    ELSEWHERE = "elsewhere", _("Another way")


class ContactRequestQuerySet(models.QuerySet["ContactRequest"]):
    def for_owner(self, user: Any) -> ContactRequestQuerySet:
        return self.filter(recipient=user)

    def live(self) -> ContactRequestQuerySet:
        """Not deleted, withdrawn or reported as spam: what an inbox lists."""
        return self.filter(deleted_at=None, withdrawn_at=None, spam_reported_at=None)

    def inbox(self) -> ContactRequestQuerySet:
        return self.live().filter(archived_at=None)

    def archived(self) -> ContactRequestQuerySet:
        return self.live().exclude(archived_at=None)

    def spam_waiting(self) -> ContactRequestQuerySet:
        """Reported as spam by the therapist, not yet decided by a moderator, and not
        withdrawn or deleted meanwhile (nothing is left to decide about those)."""
        return self.filter(
            spam_reported_at__isnull=False,
            spam_reviewed_at=None,
            deleted_at=None,
            withdrawn_at=None,
        )


class ContactRequest(models.Model):
    # In inbox URLs and the sender's withdraw link: never the sequential id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    profile = models.ForeignKey(
        "directory.TherapistProfile", on_delete=models.CASCADE, related_name="contact_requests"
    )
    # The profile's owner when it was sent: deleting the account deletes its requests.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_requests"
    )
    # A random token rendered into the form: a double submit, a back-button resubmit or a
    # retry carries the same one, and the unique constraint makes them one request.
    idempotency_key = models.CharField(max_length=64, unique=True)
    # crypto.seal({"name", "email", "phone", "preferred", "message", "looking_for"}).
    sealed = models.TextField()

    # What the sender asked for (neither is health data).
    notify_on_read = models.BooleanField(default=False)
    wants_alternatives = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_via = models.CharField(max_length=16, choices=ReplyChannel.choices, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    spam_reported_at = models.DateTimeField(null=True, blank=True)
    # When a moderator decided a spam report (moderation/review.py, kind "spam"): confirmed
    # (contents erased, spam_reported_at kept) or not spam (spam_reported_at cleared). A
    # report waits in the review queue while spam_reported_at is set and this is empty.
    spam_reviewed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Deleted by the therapist: the sealed contents are erased, the row stays (without
    # anything about the sender) so response statistics still count it until retention.
    deleted_at = models.DateTimeField(null=True, blank=True)

    # Exactly-once markers for each email about this request.
    therapist_notified_at = models.DateTimeField(null=True, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    read_notice_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    alternatives_sent_at = models.DateTimeField(null=True, blank=True)
    # Emails being sent right now: {marker: ISO time the sender claimed it}. The claim is
    # what keeps a second worker from sending the same email while the first one talks to
    # the mail server outside any transaction (messaging/tasks.py).
    delivery_claims = models.JSONField(default=dict, blank=True)

    objects = ContactRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"])]

    def __str__(self) -> str:
        # Never the sender's name or words: this shows up in the admin and in logs.
        return f"Contact request {self.public_id}"

    def contents(self) -> dict[str, Any]:
        """The decrypted sender details and message; {} once erased."""
        return crypto.unseal(self.sealed) if self.sealed else {}


class InboxSettings(models.Model):
    """Per-account choices about contact requests."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_settings"
    )
    # Off by default: the notification says only that a request arrived, so the message is
    # not copied into a mailbox we do not control.
    email_includes_message = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Inbox settings for user {self.user_id}"
