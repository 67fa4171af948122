"""allauth's forms in the site's words, set through its `*_FORMS` settings."""

from __future__ import annotations

from typing import Any

from allauth.mfa.webauthn.forms import AddWebAuthnForm
from django.utils.translation import gettext_lazy as _


class AddPasskeyForm(AddWebAuthnForm):
    """Adding a passkey: the same form, with labels that say what the choice means."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name it (for example “Phone” or “Laptop”)")
        if "passwordless" in self.fields:
            self.fields["passwordless"].label = _("Sign in with this passkey alone, no password")
            self.fields["passwordless"].help_text = _(
                "Your device will ask for your fingerprint, face or PIN each time."
            )
