"""The contact form and the inbox's forms: every check a person can act on, nothing lost.

The contact form carries one signed hidden value, `token`: a random idempotency key (so a
double submit, a back-button resubmit or a retry is one request) signed with the time the
form was first drawn (so a form sent back faster than a person could fill it is not sent).
A hidden honeypot field that people never see catches most scripts. Neither needs a third
party. What the person typed is always drawn back on an error, escaped: markup is text.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from .models import ContactPreference, InboxSettings, ReplyChannel

MESSAGE_MAX = 2000
LOOKING_FOR_MAX = 1000
NAME_MAX = 100
PHONE_MAX = 30
# More links than this reads like spam (and is what link-spam scripts send).
MAX_LINKS = 3
# A person needs longer than this to read the form and write anything at all.
MIN_FILL_SECONDS = 3
_TOKEN_SALT = "rapport.messaging.contact-form"
_LINK = re.compile(r"(?:\bhttps?://|\bwww\.)\S+", re.IGNORECASE)
_PHONE = re.compile(r"^[0-9+().\-\s/x#extEXT]{7,}$")
_KEY = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def new_token() -> str:
    """A fresh signed token: a random idempotency key and the time of this render."""
    return signing.TimestampSigner(salt=_TOKEN_SALT).sign(secrets.token_urlsafe(24))


def read_token(token: str) -> tuple[str, float] | None:
    """(idempotency key, seconds since the form was drawn), or None for a forged one."""
    signer = signing.TimestampSigner(salt=_TOKEN_SALT)
    try:
        # The plain signer's check leaves "key:timestamp"; the age is ours to judge.
        key, stamp = signing.Signer.unsign(signer, token).rsplit(signer.sep, 1)
        drawn_at = signing.b62_decode(stamp)
    except (signing.BadSignature, ValueError):
        return None
    if not _KEY.match(key):
        return None
    return key, time.time() - drawn_at


def count_links(*texts: str) -> int:
    return sum(len(_LINK.findall(text)) for text in texts)


class FullEmailValidator(EmailValidator):
    """Django's check, plus a domain with a dot: "alex@localhost" reaches nobody."""

    def __call__(self, value: str | None) -> None:
        super().__call__(value)
        domain = (value or "").rpartition("@")[2]
        if "." not in domain:
            raise ValidationError(self.message, code=self.code, params={"value": value})


def _textarea(rows: int, **attrs: str) -> forms.Textarea:
    # No maxlength attribute: a browser would cut a long paste silently; the form says how
    # long it is instead, and keeps all of it.
    return forms.Textarea(attrs={"rows": str(rows), **attrs})


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX,
        help_text=_("A first name is enough."),
        error_messages={"required": _("Enter your name, so the therapist knows whom to reply to.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("The therapist replies here, and we send you a receipt."),
        validators=[
            FullEmailValidator(
                message=_("Enter a full email address with a domain, like name@example.com.")
            )
        ],
        error_messages={"required": _("Enter your email address, like name@example.com.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        max_length=PHONE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    preferred = forms.ChoiceField(
        label=_("How would you like to be contacted?"),
        choices=ContactPreference.choices,
        initial=ContactPreference.EMAIL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you would like to be contacted.")},
    )
    message = forms.CharField(
        label=_("Your message"),
        help_text=_(
            "What you would like help with, and any questions about times, fees or insurance. "
            "Up to 2,000 characters."
        ),
        error_messages={"required": _("Write a message to the therapist.")},
        widget=_textarea(8),
    )
    include_looking_for = forms.BooleanField(
        label=_("Add what I'm looking for"),
        required=False,
    )
    looking_for = forms.CharField(
        label=_("What I'm looking for"),
        required=False,
        widget=_textarea(5),
    )
    notify_on_read = forms.BooleanField(
        label=_("Email me when the therapist has read my message"), required=False
    )
    wants_alternatives = forms.BooleanField(
        label=_("If there is no reply in 7 days, email me three similar therapists"),
        required=False,
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    # The honeypot: hidden from people (CSS and the accessibility tree), filled by scripts.
    fax_number = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", new_token())

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not _PHONE.match(phone):
            raise ValidationError(
                _("Enter a phone number with its area code, like (253) 555-0142."),
                code="phone",
            )
        return phone

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise ValidationError(self.fields["message"].error_messages["required"], "required")
        if len(message) > MESSAGE_MAX:
            raise ValidationError(
                _(
                    "Your message is %(length)s characters long; the limit is %(limit)s. "
                    "Please shorten it: everything you wrote is still below."
                ),
                code="max_length",
                params={"length": f"{len(message):,}", "limit": f"{MESSAGE_MAX:,}"},
            )
        return message

    def clean_looking_for(self) -> str:
        text = self.cleaned_data["looking_for"].strip()
        if len(text) > LOOKING_FOR_MAX:
            raise ValidationError(
                _("This is %(length)s characters long; the limit is %(limit)s. Please shorten it."),
                code="max_length",
                params={"length": f"{len(text):,}", "limit": f"{LOOKING_FOR_MAX:,}"},
            )
        return text

    def clean(self) -> dict[str, Any]:
        super().clean()
        data: dict[str, Any] = self.cleaned_data
        if data.get("preferred") in (ContactPreference.PHONE, ContactPreference.EITHER) and (
            "phone" in data and not data["phone"]
        ):
            self.add_error(
                "phone",
                ValidationError(
                    _("Add a phone number, or choose to be contacted by email."), "phone"
                ),
            )
        looking_for = data.get("looking_for", "") if data.get("include_looking_for") else ""
        if count_links(data.get("message", ""), looking_for) > MAX_LINKS:
            self.add_error(
                "message",
                ValidationError(
                    _(
                        "Please include no more than %(max)s links. Messages with many links "
                        "are how spam arrives, so they are not sent."
                    ),
                    code="links",
                    params={"max": MAX_LINKS},
                ),
            )
        return data

    def token_state(self) -> tuple[str, float] | None:
        """The idempotency key and the form's age, from what was posted (None if forged)."""
        return read_token(self.data.get("token", ""))

    def looks_automated(self) -> bool:
        """Filled faster than a person could, or the hidden honeypot has something in it."""
        state = self.token_state()
        too_fast = state is not None and state[1] < MIN_FILL_SECONDS
        return too_fast or bool(self.data.get("fax_number", "").strip())

    def error_links(self) -> list[tuple[str, str]]:
        """(field id, message) for the summary at the top, in the order of the fields."""
        links = []
        for name, errors in self.errors.items():
            anchor = self[name].auto_id if name in self.fields else ""
            if name == "preferred":
                anchor = f"{self[name].auto_id}_0"
            links += [(anchor, str(error)) for error in errors]
        return links


class ReplyForm(forms.Form):
    via = forms.ChoiceField(
        label=_("How did you reply?"),
        choices=ReplyChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you replied.")},
    )


class InboxSettingsForm(forms.Form):
    # Radios, not a checkbox: both choices are spelled out, with what each one means.
    email_includes_message = forms.TypedChoiceField(
        label=_("What the email about a new request says"),
        choices=[
            ("no", _("Only that a request arrived (recommended)")),
            ("yes", _("The sender's details and their whole message")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    @classmethod
    def for_settings(cls, settings: InboxSettings) -> InboxSettingsForm:
        return cls(
            initial={"email_includes_message": "yes" if settings.email_includes_message else "no"}
        )
