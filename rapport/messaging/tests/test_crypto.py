"""Sealing at rest and key rotation (`rapport reencrypt_messages`)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from rapport.messaging import crypto, services
from rapport.messaging.models import ContactRequest
from rapport.messaging.services import SenderDetails
from rapport.testing import alice, alice_profile

SENDER = SenderDetails(
    name="Robin Vale",
    email="robin.vale@example.net",
    phone="",
    preferred="email",
    message="My partner and I argue about everything lately.",
    looking_for="",
)


def test_it_seals_to_a_token_that_holds_no_plaintext_and_opens_again(settings: Any) -> None:
    settings.RAPPORT_MESSAGE_KEYS = [Fernet.generate_key().decode()]
    token = crypto.seal({"message": "argue about everything"})

    assert "argue" not in token
    assert crypto.seal({"message": "argue about everything"}) != token  # a fresh IV each time
    assert crypto.unseal(token) == {"message": "argue about everything"}


def test_it_cannot_open_a_token_without_its_key(settings: Any) -> None:
    settings.RAPPORT_MESSAGE_KEYS = [Fernet.generate_key().decode()]
    token = crypto.seal({"message": "x"})
    settings.RAPPORT_MESSAGE_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.InvalidToken):
        crypto.unseal(token)


def _send(n: int) -> ContactRequest:
    request, _created = services.contact_send(
        profile=alice_profile(),
        sender=SENDER,
        idempotency_key=f"rotation-{n}",
        notify_on_read=False,
        wants_alternatives=False,
    )
    return request


@pytest.mark.django_db
def test_it_reseals_every_row_so_the_old_key_can_be_dropped(settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.RAPPORT_MESSAGE_KEYS = [old]
    requests = [_send(n) for n in range(5)]
    services.contact_delete(request=requests[0], by=alice())  # erased: nothing to reseal
    before = dict(ContactRequest.objects.values_list("pk", "sealed"))

    settings.RAPPORT_MESSAGE_KEYS = [new, old]  # the new key first, the old one still there
    out = StringIO()
    call_command("reencrypt_messages", "--batch-size", "2", stdout=out)

    assert "Resealed 4 contact request(s)" in out.getvalue()
    assert "1 erased" in out.getvalue() and "0 unreadable" in out.getvalue()
    settings.RAPPORT_MESSAGE_KEYS = [new]  # the old key dropped
    for request in requests[1:]:
        request.refresh_from_db()
        assert request.sealed != before[request.pk]
        assert request.contents()["message"] == "My partner and I argue about everything lately."
    requests[0].refresh_from_db()
    assert requests[0].sealed == ""


@pytest.mark.django_db
def test_it_fails_and_counts_rows_no_configured_key_opens(settings: Any) -> None:
    lost = Fernet.generate_key().decode()
    settings.RAPPORT_MESSAGE_KEYS = [lost]
    _send(1)
    settings.RAPPORT_MESSAGE_KEYS = [Fernet.generate_key().decode()]

    out = StringIO()
    with pytest.raises(CommandError, match="1 contact request"):
        call_command("reencrypt_messages", stdout=out)
    assert "0 contact request(s) with the newest key" in out.getvalue()
    assert "1 unreadable" in out.getvalue()
