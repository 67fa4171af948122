"""Contact requests in the staff admin: ids, profile, dates and flags, never the contents."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from rapport.messaging import services
from rapport.messaging.services import SenderDetails
from rapport.testing import alice_profile, bob

pytestmark = pytest.mark.django_db

SENDER = SenderDetails(
    name="Quincy Marlowe",
    email="quincy.marlowe@example.net",
    phone="(509) 555-0123",
    preferred="either",
    message="My eating has been out of control for months.",
    looking_for="Someone in Spokane",
)
SECRETS = ("Quincy", "Marlowe", "quincy.marlowe", "555-0123", "eating", "Spokane")


def _staff() -> Client:
    moderator = bob()
    moderator.user_permissions.add(Permission.objects.get(codename="view_contactrequest"))
    client = Client()
    client.force_login(moderator)
    return client


def test_it_shows_staff_the_request_without_its_contents_or_sender() -> None:
    request, _created = services.contact_send(
        profile=alice_profile(),
        sender=SENDER,
        idempotency_key="admin-1",
        notify_on_read=True,
        wants_alternatives=False,
    )
    client = _staff()

    listing = client.get("/admin/messaging/contactrequest/")
    change = client.get(f"/admin/messaging/contactrequest/{request.pk}/change/")
    searched = client.get("/admin/messaging/contactrequest/", {"q": "Quincy"})

    assert listing.status_code == change.status_code == searched.status_code == 200
    assert str(request.public_id) in listing.content.decode()
    assert "Alice Okafor" in change.content.decode()
    assert searched.context["cl"].result_count == 0
    for response in (listing, change):  # (the search page echoes its query)
        html = response.content.decode()
        assert request.sealed not in html and "admin-1" not in html
        for secret in SECRETS:
            assert secret not in html


def test_it_lets_nobody_add_change_or_delete_requests_in_the_admin() -> None:
    request, _created = services.contact_send(
        profile=alice_profile(),
        sender=SENDER,
        idempotency_key="admin-2",
        notify_on_read=False,
        wants_alternatives=False,
    )
    client = _staff()
    assert client.get("/admin/messaging/contactrequest/add/").status_code == 403
    assert client.post(f"/admin/messaging/contactrequest/{request.pk}/delete/").status_code == 403
    change = client.get(f"/admin/messaging/contactrequest/{request.pk}/change/")
    assert 'name="_save"' not in change.content.decode()
