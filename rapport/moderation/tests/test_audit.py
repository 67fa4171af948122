"""Roles, the audit log page and export, and the append-only audit table."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from rapport.moderation.models import AuditEvent
from rapport.moderation.services import audit_record
from rapport.testing import ada, alice_profile, bob, charlie, erin, make_user

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_administrators_read_and_export_the_audit_log() -> None:
    assert Client().get("/staff/audit/").status_code == 302
    assert _as(charlie()).get("/staff/audit/").status_code == 404
    assert _as(erin()).get("/staff/audit/").status_code == 302  # to two-factor setup
    assert _as(bob()).get("/staff/audit/").status_code == 403  # a moderator, not an admin
    assert _as(bob()).get("/staff/audit/export.csv").status_code == 403
    assert _as(bob()).get("/staff/roles/").status_code == 403
    assert _as(ada()).get("/staff/audit/").status_code == 200


def test_the_export_is_csv_of_the_filtered_log_and_is_itself_an_event() -> None:
    profile = alice_profile()
    audit_record(
        actor=bob(), action="directory.profile.suspended", target=profile, reason="=HYPERLINK(1)"
    )
    audit_record(actor=bob(), action="moderation.license.verified", target=profile)
    client = _as(ada())
    page = client.get("/staff/audit/", {"action": "directory.profile"}).content.decode()
    assert "directory.profile.suspended" in page and "moderation.license.verified" not in page

    response = client.get("/staff/audit/export.csv", {"action": "directory.profile"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[0] == ["time", "action", "actor", "target_type", "target_id", "reason"]
    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [
        ("directory.profile.suspended", "bob@example.org", "'=HYPERLINK(1)")  # not a formula
    ]
    event = AuditEvent.objects.get(action="moderation.audit.exported")
    assert event.actor == ada() and "directory.profile" in event.reason


def test_role_changes_are_audit_events_and_bad_input_gets_a_message() -> None:
    client = _as(ada())
    newcomer = make_user("newmod@example.org")
    response = client.post(
        "/staff/roles/", {"email": "newmod@example.org", "role": "moderator", "action": "grant"}
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff and newcomer.groups.filter(name="moderator").exists()
    assert AuditEvent.objects.get(action="moderation.role.granted").target_id == str(newcomer.pk)

    for data, message in [
        ({"email": "nobody@example.org", "role": "moderator", "action": "grant"}, "No account has this email address."),
        ({"email": "newmod@", "role": "moderator", "action": "grant"}, "Enter an email address like name@example.org."),
        ({"email": "newmod@example.org", "role": "owner", "action": "grant"}, "Choose moderator or administrator."),
        ({"email": "newmod@example.org", "role": "moderator", "action": "grant"}, "is already a moderator"),
        ({"email": "ada@example.org", "role": "administrator", "action": "revoke"}, "cannot remove your own administrator role"),
    ]:  # fmt: skip
        response = client.post("/staff/roles/", data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data

    client.post(
        "/staff/roles/", {"email": "newmod@example.org", "role": "moderator", "action": "revoke"}
    )
    assert not newcomer.groups.filter(name="moderator").exists()
    assert AuditEvent.objects.filter(action="moderation.role.revoked").count() == 1


def test_no_staff_role_can_read_message_bodies() -> None:
    for role in ("moderator", "administrator"):
        perms = Group.objects.get(name=role).permissions.all()
        assert not perms.filter(content_type__app_label="messaging").exists(), role
    assert Permission.objects.filter(content_type__app_label="messaging").exists()


def test_the_database_refuses_to_change_or_delete_audit_events() -> None:
    """On whichever backend the suite runs (SQLite by default; PostgreSQL with DATABASE_URL):
    migration 0003's trigger refuses UPDATE and DELETE, even from raw SQL."""
    event = audit_record(actor=bob(), action="directory.profile.approved", target=alice_profile())
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: connection.cursor().execute(
            "UPDATE moderation_auditevent SET action = %s WHERE id = %s", ["x", event.pk]
        ),
        lambda: connection.cursor().execute("DELETE FROM moderation_auditevent"),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    event.refresh_from_db()
    assert (event.action, event.reason) == ("directory.profile.approved", "")


def test_deleting_an_account_keeps_its_events_without_the_link() -> None:
    """The one change the trigger allows: the actor's foreign key set to NULL."""
    user = make_user("leaving@example.org")
    event = audit_record(actor=user, action="directory.profile.edited", target=alice_profile())
    user.delete()
    event.refresh_from_db()
    assert event.actor_id is None and event.action == "directory.profile.edited"
    # And only that: a change of actor to someone else is refused.
    other = audit_record(actor=bob(), action="x.y.z", target=alice_profile())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=other.pk).update(actor=ada())


def test_the_log_filters_by_who_and_when_and_bad_filters_get_a_message() -> None:
    profile = alice_profile()
    audit_record(actor=bob(), action="directory.profile.suspended", target=profile)
    audit_record(actor=ada(), action="directory.profile.approved", target=profile)
    client = _as(ada())
    page = client.get("/staff/audit/", {"actor": "BOB@example.org"}).content.decode()
    assert "directory.profile.suspended" in page and "directory.profile.approved" not in page
    today = timezone.localdate()
    same_day = client.get("/staff/audit/", {"since": today.isoformat(), "until": today.isoformat()})
    assert same_day.status_code == 200 and "directory.profile.approved" in same_day.content.decode()
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    page = client.get("/staff/audit/", {"since": tomorrow}).content.decode()
    assert "No events match." in page and "directory.profile.suspended" not in page

    response = client.get("/staff/audit/export.csv", {"actor": "bob@example.org"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert {r[2] for r in rows[1:]} == {"bob@example.org"}
    exported = AuditEvent.objects.get(action="moderation.audit.exported")
    assert "actor=bob@example.org" in exported.reason

    for params, message in [
        ({"since": "2026-13-01"}, "Enter the date as YYYY-MM-DD, like 2026-12-01."),
        ({"until": "yesterday"}, "Enter the date as YYYY-MM-DD, like 2026-12-31."),
        ({"since": "2026-12-05", "until": "2026-12-01"}, "The last day must be on or after the first."),
        ({"actor": "bob@"}, "Enter an email address like name@example.org."),
        ({"action": "x" * 81}, "Keep the action under 80 characters."),
    ]:  # fmt: skip
        response = client.get("/staff/audit/", params)
        page = response.content.decode()
        assert response.status_code == 400 and message in page, params
        assert "Fix the filter above to see events." in page
        assert "directory.profile.suspended" not in page
        assert "Export as CSV" not in page
        assert client.get("/staff/audit/export.csv", params).status_code == 400
    assert AuditEvent.objects.filter(action="moderation.audit.exported").count() == 1
