"""The audit log in the staff admin: searchable and filterable, and read-only for everyone."""

from __future__ import annotations

from django.contrib import admin

from .models import AuditEvent, LicenseVerification, ProfileReport


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "target_type", "target_id", "actor")
    list_filter = ("action", "target_type")
    search_fields = ("target_id", "reason", "actor__email")
    date_hierarchy = "created_at"

    # Append-only: staff read it, nobody edits it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LicenseVerification)
class LicenseVerificationAdmin(admin.ModelAdmin):
    """Read-only here: checks are recorded from the review queue (/staff/review/), through
    `verification_record`, so each one is audited and reaches search."""

    list_display = ("profile", "state", "number", "method", "verified_on", "expires_on", "is_demo")
    list_filter = ("method", "is_demo")
    search_fields = ("number", "profile__name")
    raw_id_fields = ("license", "profile", "verifier")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProfileReport)
class ProfileReportAdmin(admin.ModelAdmin):
    """Read-only here: reports are decided in the review queue."""

    list_display = ("created_at", "profile", "reason", "status")
    list_filter = ("reason", "status")
    raw_id_fields = ("profile", "decided_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
