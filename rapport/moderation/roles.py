"""Staff roles: the "moderator" and "administrator" groups (migration 0003), granted and
revoked only here, each change an audit event in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from .services import audit_record

if TYPE_CHECKING:
    from rapport.accounts.models import User

ROLES = ("moderator", "administrator")


class RoleError(ValueError):
    pass


def role_grant(*, user: User, role: str, by: User) -> None:
    if role not in ROLES:
        raise RoleError(_("Choose moderator or administrator."))
    with transaction.atomic():
        group = Group.objects.get(name=role)
        if user.groups.filter(pk=group.pk).exists():
            raise RoleError(
                _("%(email)s is already a %(role)s.") % {"email": user.email, "role": role}
            )
        user.groups.add(group)
        if not user.is_staff:
            # A role is a staff role: the staff pages (and the admin) need is_staff.
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        audit_record(actor=by, action="moderation.role.granted", target=user, reason=role)


def role_revoke(*, user: User, role: str, by: User) -> None:
    if role not in ROLES:
        raise RoleError(_("Choose moderator or administrator."))
    if user.pk == by.pk and role == "administrator":
        # Someone must be left who can give it back.
        raise RoleError(_("You cannot remove your own administrator role."))
    with transaction.atomic():
        group = Group.objects.get(name=role)
        if not user.groups.filter(pk=group.pk).exists():
            raise RoleError(_("%(email)s is not a %(role)s.") % {"email": user.email, "role": role})
        user.groups.remove(group)
        audit_record(actor=by, action="moderation.role.revoked", target=user, reason=role)
