"""Forms of the therapist's own area: availability and claim requests."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .availability import MAX_WAIT_WEEKS, Availability


class AvailabilityForm(forms.Form):
    availability = forms.ChoiceField(
        label=_("Are you taking new clients?"),
        choices=Availability.choices,
        widget=forms.RadioSelect,
    )
    wait_weeks = forms.IntegerField(
        label=_("Expected wait, in weeks (for a waitlist)"),
        min_value=1,
        max_value=MAX_WAIT_WEEKS,
        required=False,
        error_messages={
            "min_value": _("Enter a wait of at least 1 week."),
            "max_value": _("Enter a wait of at most %(limit_value)s weeks."),
            "invalid": _("Enter the wait as a whole number of weeks, like 4."),
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("availability") == Availability.WAITLIST and not data.get("wait_weeks"):
            self.add_error(
                "wait_weeks", _("Say about how many weeks the wait is, so people can plan.")
            )
        return data


class ClaimRequestForm(forms.Form):
    license_number = forms.CharField(
        label=_("Your license number"),
        max_length=40,
        error_messages={"required": _("Enter the license number on this profile.")},
    )
    evidence = forms.CharField(
        label=_("How can our staff confirm this profile is yours?"),
        help_text=_(
            "For example: your practice website that names you, or a phone number listed with "
            "your licensing board. Up to 2,000 characters."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Tell us how we can confirm this profile is yours.")},
    )
