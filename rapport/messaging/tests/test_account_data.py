"""Contact requests are the receiving account's data: in its export, gone with its deletion."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rapport.accounts.models import User
from rapport.directory.account_data import account_deletion_request, accounts_purge
from rapport.messaging import services
from rapport.messaging.models import ContactRequest
from rapport.messaging.services import SenderDetails
from rapport.testing import alice, alice_profile, charlie

pytestmark = pytest.mark.django_db

SENDER = SenderDetails(
    name="Avery Stone",
    email="avery.stone@example.net",
    phone="",
    preferred="email",
    message="Grief after my father's death.",
    looking_for="",
)


def _send(key: str) -> ContactRequest:
    request, _created = services.contact_send(
        profile=alice_profile(),
        sender=SENDER,
        idempotency_key=key,
        notify_on_read=False,
        wants_alternatives=False,
    )
    return request


def _export(user: User) -> zipfile.ZipFile:
    client = Client()
    client.force_login(user)
    response = client.post("/account/export/")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_export_holds_the_requests_the_account_received_decrypted() -> None:
    kept = _send("export-1")
    erased = _send("export-2")
    services.contact_mark_replied(request=kept, by=alice(), via="phone")
    services.contact_delete(request=erased, by=alice())

    archive = _export(alice())
    rows = json.loads(archive.read("requests.json"))

    assert [r["id"] for r in rows] == [str(kept.public_id), str(erased.public_id)]
    assert rows[0]["contents"]["message"] == "Grief after my father's death."
    assert rows[0]["contents"]["email"] == "avery.stone@example.net"
    assert rows[0]["replied_via"] == "phone" and rows[0]["profile"] == alice_profile().pk
    assert rows[1]["contents"] == {} and rows[1]["deleted_at"]
    assert "requests.json" not in _export(charlie()).namelist()


def test_the_requests_go_with_the_therapists_account() -> None:
    _send("purge-1")
    _send("purge-2")
    account_deletion_request(user=alice())

    assert accounts_purge(now=timezone.now() + timedelta(days=8)) == 1
    assert ContactRequest.objects.count() == 0
