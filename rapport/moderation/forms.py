"""Forms of the staff pages: each refuses bad input with a message next to the field."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.directory.models import License

from .models import ReportReason, VerificationMethod
from .verification import DEFAULT_VALID_DAYS


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", _("Approve")),
            ("reject", _("Reject")),
            ("changes", _("Ask for changes")),
        ],
        error_messages={"invalid_choice": _("Choose approve, reject or ask for changes.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        strip=True,
        error_messages={"max_length": _("Keep the reason under 1,000 characters.")},
    )

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.kind == "spam":
            # Nobody is emailed about a spam decision: the note is optional, for the log.
            if data.get("decision") == "changes":
                self.add_error(
                    "decision",
                    _(
                        "A spam report cannot be sent back for changes: confirm it or mark it not spam."
                    ),
                )
            return data
        if data.get("decision") in ("reject", "changes") and not data.get("reason"):
            self.add_error("reason", _("Write the reason: the therapist receives it by email."))
        return data


class VerificationForm(forms.Form):
    license = forms.ModelChoiceField(
        queryset=License.objects.none(),
        label=_("License"),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of this profile's licenses.")},
    )
    method = forms.ChoiceField(
        label=_("How it was checked"),
        choices=VerificationMethod.choices,
        error_messages={"invalid_choice": _("Choose how the license was checked.")},
    )
    lookup_url = forms.URLField(
        label=_("Lookup URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("The board's lookup page you used (needed for a state board lookup)."),
        error_messages={"invalid": _("Enter the full address, starting with https://.")},
    )
    result = forms.CharField(
        label=_("What it showed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: Active, expires 2027-06-30, no discipline on record."),
        error_messages={"required": _("Write what the lookup, record or document showed.")},
    )
    verified_on = forms.DateField(
        label=_("Checked on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2026-12-06.")},
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The badge disappears the day after. At most the license's own expiry."),
        error_messages={"invalid": _("Enter a date like 2027-12-06.")},
    )
    note = forms.CharField(
        label=_("Note for other moderators"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, profile: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault(
            "initial",
            {
                "verified_on": today,
                "expires_on": today + datetime.timedelta(days=DEFAULT_VALID_DAYS),
                "method": VerificationMethod.BOARD,
            },
        )
        super().__init__(*args, **kwargs)
        licenses = License.objects.filter(profile=profile).select_related("license_type")
        self.fields["license"].queryset = licenses  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        checked, until = data.get("verified_on"), data.get("expires_on")
        if checked and checked > timezone.localdate():
            self.add_error("verified_on", _("The date of the check cannot be in the future."))
        if checked and until and until < checked:
            self.add_error(
                "expires_on", _("Valid until must be on or after the date of the check.")
            )
        if data.get("method") == VerificationMethod.BOARD and not data.get("lookup_url"):
            self.add_error("lookup_url", _("A state board lookup needs the lookup's URL."))
        return data


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what is wrong with this profile."),
            "invalid_choice": _("Choose what is wrong with this profile."),
        },
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        help_text=_("What should we look at? Please leave out anything about your own health."),
        error_messages={"max_length": _("Keep the details under 2,000 characters.")},
    )
    reply_to = forms.EmailField(
        label=_("Your email address (optional)"),
        required=False,
        help_text=_("Only if you would like a reply. We use it for nothing else."),
        error_messages={"invalid": _("Enter an email address like name@example.org.")},
    )
    # A field people never see (hidden by CSS and from assistive technology): scripts that
    # fill in every field fill this one too.
    website = forms.CharField(required=False, label=_("Leave this empty"))


class RoleForm(forms.Form):
    email = forms.EmailField(
        label=_("Staff member's email"),
        error_messages={
            "required": _("Enter the staff member's email address."),
            "invalid": _("Enter an email address like name@example.org."),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("moderator", _("Moderator")), ("administrator", _("Administrator"))],
        error_messages={"invalid_choice": _("Choose moderator or administrator.")},
    )
    action = forms.ChoiceField(
        choices=[("grant", _("Grant")), ("revoke", _("Revoke"))],
        error_messages={"invalid_choice": _("Choose grant or revoke.")},
    )


class AuditFilterForm(forms.Form):
    """The audit log's filters (a GET form): the page and its CSV export read the same ones."""

    action = forms.CharField(
        label=_("Action starts with"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "directory.profile"}),
        error_messages={"max_length": _("Keep the action under 80 characters.")},
    )
    target = forms.CharField(
        label=_("Target id"),
        required=False,
        max_length=64,
        error_messages={"max_length": _("Keep the target id under 64 characters.")},
    )
    actor = forms.EmailField(
        label=_("By (email)"),
        required=False,
        error_messages={"invalid": _("Enter an email address like name@example.org.")},
    )
    since = forms.DateField(
        label=_("From (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD, like 2026-12-01.")},
    )
    until = forms.DateField(
        label=_("To (date, included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD, like 2026-12-31.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The last day must be on or after the first."))
        return cleaned

    def filter(self, events: Any) -> Any:
        """The events these (valid) filters select."""
        data = self.cleaned_data
        if data.get("action"):
            events = events.filter(action__startswith=data["action"].strip())
        if data.get("target"):
            events = events.filter(target_id=data["target"].strip())
        if data.get("actor"):
            events = events.filter(actor__email__iexact=data["actor"])
        if data.get("since"):
            events = events.filter(created_at__gte=_day_start(data["since"]))
        if data.get("until"):
            events = events.filter(created_at__lt=_day_start(data["until"] + datetime.timedelta(1)))
        return events

    def summary(self) -> str:
        """The filters as the export's audit event records them."""
        data = self.cleaned_data
        return " ".join(
            f"{name}={data.get(name) or '*'}"
            for name in ("action", "target", "actor", "since", "until")
        )


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
