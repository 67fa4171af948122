"""Staff rights changed in the admin leave an audit event, as /staff/roles/ does (issue 18)."""

from __future__ import annotations

import pytest

from rapport.moderation.models import AuditEvent
from rapport.testing import charlie, role_group

pytestmark = pytest.mark.django_db


def _change_form(user, **fields):
    data = {
        "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "is_active": "on", "date_joined_0": "2026-12-01", "date_joined_1": "09:00:00",
        "last_login_0": "", "last_login_1": "", "_save": "Save",
    }  # fmt: skip
    return data | fields


def test_it_audits_a_role_given_in_the_admin(admin_client, admin_user) -> None:
    user = charlie()
    moderator = role_group("moderator")
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        _change_form(user, is_staff="on", groups=[str(moderator.pk)]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="accounts.user.rights_changed")
    assert event.actor == admin_user and event.target_id == str(user.pk)
    assert "staff: False -> True" in event.reason
    assert "groups: [] -> ['moderator']" in event.reason


def test_it_writes_nothing_when_no_right_changed(admin_client) -> None:
    user = charlie()
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/", _change_form(user, first_name="Charles")
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="accounts.user.rights_changed").exists()
