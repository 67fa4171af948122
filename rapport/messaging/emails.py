"""The emails about a contact request, built inside the worker from the decrypted row.

Each function takes the (locked) ContactRequest and returns the message to send, or None
when there is nothing to send (withdrawn, deleted, erased, nobody to send it to). They are
called by the tasks in tasks.py, never in a web request: the queued task row holds only the
request's id, and what the sender wrote is decrypted here, in memory, for the one send.

Subjects name the site and the kind of email only: mail servers log subjects in the clear.
The emails to the sender go to an address nobody has verified, so they carry nothing the
sender typed (not even the name): the contact form cannot be used to send someone else
words of the sender's choosing under our name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rapport.core import crisis
from rapport.directory.availability import site_url

from .models import ContactPreference, ContactRequest, InboxSettings

_PREFERRED = {
    ContactPreference.EMAIL: _("by email"),
    ContactPreference.PHONE: _("by phone"),
    ContactPreference.EITHER: _("by email or phone"),
}

# The receipt lists these three (crisis.toml keeps the rest for the /crisis/ page, linked).
_CRISIS_SLUGS = ("988", "911", "crisis-text-line")


def _crisis_lines() -> list[str]:
    """One line per resource with the things to do right now (call, text), from crisis.toml."""
    config = crisis.load()
    lines = []
    for slug in _CRISIS_SLUGS:
        resource = config.get(slug)
        if resource is None:
            continue
        labels = [a.label for a in resource.actions if a.kind in {"call", "text"}]
        if labels:
            lines.append(f"{resource.name}: {', '.join(labels)}")
    return lines


def _render(template: str, context: dict[str, Any]) -> str:
    # Plain text is not HTML: "Smith & Jones" must not arrive as "Smith &amp; Jones".
    text_template = get_template(f"messaging/email/{template}.txt").template  # type: ignore[attr-defined]
    full = {
        "site_name": settings.SITE_NAME,
        "crisis_lines": _crisis_lines(),
        "crisis_url": site_url(reverse("core:crisis")),
        "retention_days": settings.RAPPORT_CONTACT_RETENTION_DAYS,
        **context,
    }
    return str(text_template.render(Context(full, autoescape=False))).strip() + "\n"


def _message(to: str, subject: str, body: str) -> EmailMessage:
    return EmailMessage(" ".join(subject.splitlines()), body, settings.DEFAULT_FROM_EMAIL, [to])


def _preferred_label(details: dict[str, Any]) -> str:
    return str(_PREFERRED.get(details.get("preferred", ""), ""))


def _closed(request: ContactRequest) -> bool:
    """Nothing more goes out about a request the sender withdrew, the therapist deleted or
    reported, or whose contents are erased."""
    return bool(
        request.withdrawn_at or request.deleted_at or request.spam_reported_at or not request.sealed
    )


def withdraw_url(request: ContactRequest) -> str:
    from .services import withdraw_token

    return site_url(reverse("messaging:withdraw", kwargs={"token": withdraw_token(request)}))


def request_url(request: ContactRequest) -> str:
    return site_url(reverse("messaging:request", kwargs={"public_id": request.public_id}))


def therapist_notification(request: ContactRequest) -> EmailMessage | None:
    """To the therapist's account address: a request arrived. The message itself only when
    the therapist chose that (InboxSettings.email_includes_message)."""
    if _closed(request):
        return None
    recipient = request.recipient
    include = InboxSettings.objects.filter(
        user_id=recipient.pk, email_includes_message=True
    ).exists()
    details = request.contents() if include else {}
    body = _render(
        "notify_therapist",
        {
            "profile_name": request.profile.name,
            "details": details,
            "preferred_label": _preferred_label(details),
            "request_url": request_url(request),
            "settings_url": site_url(reverse("messaging:settings")),
        },
    )
    subject = gettext("New contact request on %(site)s") % {"site": settings.SITE_NAME}
    return _message(recipient.email, subject, body)


def receipt(request: ContactRequest) -> EmailMessage | None:
    """To the sender: it was sent, what happens next, how to withdraw it, crisis help."""
    if _closed(request):
        return None
    details = request.contents()
    body = _render(
        "receipt",
        {
            "profile_name": request.profile.name,
            "preferred_label": _preferred_label(details),
            "notify_on_read": request.notify_on_read,
            "wants_alternatives": request.wants_alternatives,
            "withdraw_url": withdraw_url(request),
        },
    )
    subject = gettext("Your contact request on %(site)s") % {"site": settings.SITE_NAME}
    return _message(details["email"], subject, body)


def read_notice(request: ContactRequest) -> EmailMessage | None:
    """To the sender who asked for it: the therapist has opened the request."""
    if _closed(request) or not request.notify_on_read or request.read_at is None:
        return None
    details = request.contents()
    body = _render(
        "read_notice",
        {
            "profile_name": request.profile.name,
            "withdraw_url": withdraw_url(request),
        },
    )
    subject = gettext("Your contact request was read on %(site)s") % {"site": settings.SITE_NAME}
    return _message(details["email"], subject, body)


def reply_reminder(request: ContactRequest) -> EmailMessage | None:
    """To the therapist, once, when a request has waited 48 hours without a marked reply."""
    if _closed(request) or request.replied_at is not None:
        return None
    body = _render(
        "reminder",
        {"profile_name": request.profile.name, "request_url": request_url(request)},
    )
    subject = gettext("A contact request is waiting on %(site)s") % {"site": settings.SITE_NAME}
    return _message(request.recipient.email, subject, body)


def alternatives(request: ContactRequest) -> EmailMessage | None:
    """To a sender who opted in, after 7 days without a reply: three similar therapists
    who are accepting and have replied to requests (fewer when fewer are found; None when
    none is: an email with no names would only say that nobody is there)."""
    from .alternatives import similar_profiles

    if _closed(request) or not request.wants_alternatives or request.replied_at is not None:
        return None
    found = similar_profiles(request.profile, limit=3)
    if not found:
        return None
    details = request.contents()
    body = _render(
        "alternatives",
        {
            "profile_name": request.profile.name,
            "alternatives": [
                {
                    "name": p.name,
                    "credentials": p.credentials,
                    "url": site_url(p.get_absolute_url()),
                }
                for p in found
            ],
            "withdraw_url": withdraw_url(request),
        },
    )
    subject = gettext("Other therapists you could contact on %(site)s") % {
        "site": settings.SITE_NAME
    }
    return _message(details["email"], subject, body)
