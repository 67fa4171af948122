"""allauth's forms in the site's words, set through its `*_FORMS` settings."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
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


class SecondStepForm(AuthenticateForm):
    """The code asked for after the password, knowing which second steps the person has, so
    the page (templates/mfa/authenticate.html) offers only those: someone with a passkey and
    no authenticator app is not asked for a code they cannot have."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = (
            _("Code from your authenticator app, or a recovery code")
            if self.has_app
            else _("Recovery code")
        )

    @cached_property
    def _types(self) -> set[str]:
        return set(Authenticator.objects.filter(user=self.user).values_list("type", flat=True))

    @property
    def has_app(self) -> bool:
        return Authenticator.Type.TOTP in self._types

    @property
    def has_passkey(self) -> bool:
        return Authenticator.Type.WEBAUTHN in self._types

    @property
    def has_recovery_codes(self) -> bool:
        return Authenticator.Type.RECOVERY_CODES in self._types
