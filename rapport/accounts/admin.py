from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rapport.moderation.services import audit_record

from .models import User


def _rights(user: User) -> dict[str, Any]:
    """What a user may do as staff, as the audit log words it."""
    return {
        "staff": user.is_staff,
        "superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(user.user_permissions.values_list("codename", flat=True)),
    }


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    # Roles are granted at /staff/roles/ (moderation/roles.py), each an audit event; a change
    # of staff rights here must leave the same trace (issue 18: role changes are audit events).
    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = _rights(User.objects.get(pk=obj.pk)) if change else None
        request._rights_before = before  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        before = getattr(request, "_rights_before", None)
        after = _rights(user)
        if before != after and (before is not None or any(after.values())):
            changed = ", ".join(
                f"{key}: {before[key] if before else '-'} -> {after[key]}"
                for key in after
                if before is None or before[key] != after[key]
            )
            audit_record(
                actor=request.user, action="accounts.user.rights_changed", target=user,
                reason=f"in the admin; {changed}",
            )  # fmt: skip
