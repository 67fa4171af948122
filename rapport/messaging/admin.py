"""Contact requests in the staff admin: that they exist and what happened to them, never what
they say or who sent them.

The sealed contents, and so the sender's name, address, phone and message, appear in no
list, change view, search or filter here: staff see ids, the profile, the dates and the
flags, enough to answer "was this request delivered and replied to?". Read-only: requests
change only through the services (messaging/services.py), which write the audit log.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import ContactRequest

_FIELDS = (
    "id",
    "public_id",
    "profile",
    "created_at",
    "notify_on_read",
    "wants_alternatives",
    "therapist_notified_at",
    "receipt_sent_at",
    "read_at",
    "read_notice_sent_at",
    "reminder_sent_at",
    "replied_at",
    "replied_via",
    "alternatives_sent_at",
    "archived_at",
    "spam_reported_at",
    "spam_reviewed_at",
    "withdrawn_at",
    "deleted_at",
)


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "profile",
        "created_at",
        "therapist_notified_at",
        "read_at",
        "replied_at",
        "spam_reported_at",
        "withdrawn_at",
        "deleted_at",
    )
    list_select_related = ("profile",)
    list_filter = ("created_at",)
    # By id only: a search over sealed text would be a search over ciphertext at best.
    search_fields = ("=public_id",)
    date_hierarchy = "created_at"
    fields = _FIELDS
    readonly_fields = _FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContactRequest]:
        # The sealed column is never even read into an admin page.
        return super().get_queryset(request).defer("sealed", "idempotency_key")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
