"""Contact requests on the web: the contact form, the page after sending, the sender's
withdraw link, and the therapist's inbox.

Sending goes through services.contact_send, which commits the request (and queues its
emails) before this view redirects to the "sent" page: the page never says "sent" about
something that is not in the database. Nothing the sender typed goes into a URL: the form
posts, and the "sent" page finds the request through the session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rapport.core import crisis as crisis_config
from rapport.core.crisis_language import mentions_crisis
from rapport.directory.models import TherapistProfile

from . import selectors, services
from .forms import ContactForm, InboxSettingsForm, ReplyForm, new_token
from .models import ContactRequest

SENT_SESSION_KEY = "messaging_sent"
INBOX_PAGE_SIZE = 25
# The crisis resources the contact page names, in this order (crisis.toml).
CRISIS_SLUGS = ("988", "911", "crisis-text-line")


# --- Helpers ---------------------------------------------------------------------------------


def _safe_next(request: HttpRequest, url: str) -> str:
    """`url` when it is a page of this site (a list the person came from), else ""."""
    url = (url or "").strip()
    if not url.startswith("/") or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return url


def _crisis_resources() -> list[crisis_config.Resource]:
    config = crisis_config.load()
    return [r for slug in CRISIS_SLUGS if (r := config.get(slug)) is not None]


def _looking_for_from_match(request: HttpRequest) -> str:
    """The person's Find your match answers as lines of text, or "" when there are none.

    Read from their own session only when they ask for it (the box), and only into the
    form in front of them: they see it, can change it, and send it or not."""
    from rapport.matching import session as match_session
    from rapport.matching.views import _review_items

    data, _expired = match_session.load_state(request)
    if not data or not data.get("answers"):
        return ""
    lines = []
    for item in _review_items(data, None):
        said = [
            line
            for line in item.lines
            if line
            not in (
                _("Not answered"),
                _("No preference"),
                _("Not sure"),
                _("Not answered yet: needed"),
            )
            and not str(line).startswith(_("Plan:").rstrip(":"))
        ]
        if said:
            lines.append(f"{item.title}: {'; '.join(str(line) for line in said)}")
    return "\n".join(lines)


def _sent_here(request: HttpRequest, profile: TherapistProfile) -> bool:
    """Whether this browser sent this therapist a message in the last hour: the Back button
    draws a fresh form, and the person should know that one went already."""
    kept = request.session.get(SENT_SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("slug") != profile.slug:
        return False
    try:
        at = dt.datetime.fromisoformat(str(kept.get("at", "")))
    except ValueError:
        return False
    return timezone.is_aware(at) and timezone.now() - at < dt.timedelta(hours=1)


def _published(slug: str) -> TherapistProfile:
    return get_object_or_404(
        TherapistProfile.objects.published().select_related("owner"), slug=slug
    )


# --- The contact form --------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    profile = _published(slug)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    back_url = next_url or profile.get_absolute_url()
    context: dict[str, Any] = {
        "therapist": profile,
        "next_url": next_url,
        "back_url": back_url,
        "crisis_resources": _crisis_resources(),
        "has_match_answers": False,
    }
    if not services.can_receive_requests(profile):
        # Nobody who has verified an address owns this listing: say so, and how to reach
        # them directly. Nothing is emailed to an address that no owner has verified.
        return render(request, "messaging/not_joined.html", context)

    if request.method != "POST":
        form = ContactForm()
        context.update(
            form=form,
            has_match_answers=bool(_looking_for_from_match(request)),
            already_sent=_sent_here(request, profile),
        )
        return render(request, "messaging/contact.html", context)

    form = ContactForm(request.POST)
    context["form"] = form
    context["has_match_answers"] = bool(_looking_for_from_match(request))
    state = form.token_state()
    if state is None:
        # A page from before a deploy, or a tampered token: a new one, nothing lost.
        fresh = request.POST.copy()
        fresh["token"] = new_token()
        form = ContactForm(fresh)
        context["form"] = form
        context["problem"] = _(
            "Sorry, that did not go through. Please check your message and press Send again."
        )
        return render(request, "messaging/contact.html", context, status=400)
    if form.looks_automated():
        context["problem"] = _(
            "Sorry, that did not go through. Please check your message and press Send again."
        )
        return render(request, "messaging/contact.html", context, status=400)

    if not form.is_valid():
        return render(request, "messaging/contact.html", context, status=400)
    data: dict[str, Any] = form.cleaned_data

    if data["include_looking_for"] and not data["looking_for"]:
        filled = _looking_for_from_match(request)
        if filled:
            # Drawn into the form for them to read and change: never sent unseen.
            values = request.POST.copy()
            values["looking_for"] = filled
            context["form"] = ContactForm(values)
            context["filled_from_match"] = True
            return render(request, "messaging/contact.html", context)
        form.add_error(
            "looking_for",
            _("Write what you're looking for, or untick “Add what I'm looking for”."),
        )
        return render(request, "messaging/contact.html", context, status=400)
    looking_for = data["looking_for"] if data["include_looking_for"] else ""

    if "edit" in request.POST:
        return render(request, "messaging/contact.html", context)
    if "crisis_seen" not in request.POST and mentions_crisis(f"{data['message']}\n{looking_for}"):
        # Help first, on its own screen; "Send my message" goes on. Never stored.
        return render(request, "messaging/confirm.html", context)

    key = state[0]
    try:
        sent, _created = services.contact_send(
            profile=profile,
            sender=services.SenderDetails(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                preferred=data["preferred"],
                message=data["message"],
                looking_for=looking_for,
            ),
            idempotency_key=key,
            notify_on_read=data["notify_on_read"],
            wants_alternatives=data["wants_alternatives"],
        )
    except services.ContactNotAllowed:
        return render(request, "messaging/not_joined.html", context)
    request.session[SENT_SESSION_KEY] = {
        "id": str(sent.public_id),
        "next": next_url,
        "slug": profile.slug,
        "at": timezone.now().isoformat(),
    }
    return redirect("messaging:sent")


def contact_rate_limited(request: HttpRequest, *, slug: str, minutes: int) -> HttpResponse:
    """The form again, as it was posted, when a rate limit stopped it (core/ratelimits.py
    answers 429 with Retry-After through this): how long to wait, and nothing lost."""
    profile = _published(slug)
    next_url = _safe_next(request, request.POST.get("next", ""))
    form = ContactForm(request.POST)
    form.errors.clear()  # unchecked: the limit, not the words, stopped it
    problem = ngettext(
        "Many messages were sent from here in a short while, so sending is paused. Please "
        "wait %(minutes)s minute, then press Send again.",
        "Many messages were sent from here in a short while, so sending is paused. Please "
        "wait %(minutes)s minutes, then press Send again.",
        minutes,
    ) % {"minutes": f"{minutes:,}"}
    return render(
        request,
        "messaging/contact.html",
        {
            "therapist": profile,
            "form": form,
            "next_url": next_url,
            "back_url": next_url or profile.get_absolute_url(),
            "crisis_resources": _crisis_resources(),
            "problem": problem,
        },
        status=429,
    )


@never_cache
@require_safe
def sent(request: HttpRequest) -> HttpResponse:
    kept = request.session.get(SENT_SESSION_KEY) or {}
    request_row = None
    if isinstance(kept, dict) and kept.get("id"):
        try:
            request_row = (
                ContactRequest.objects.filter(public_id=UUID(str(kept["id"])))
                .select_related("profile")
                .first()
            )
        except ValueError:
            request_row = None
    if request_row is None:
        return render(request, "messaging/sent.html", {"request_row": None}, status=404)
    next_url = _safe_next(request, str(kept.get("next", "")))
    return render(
        request,
        "messaging/sent.html",
        {
            "request_row": request_row,
            "therapist": request_row.profile,
            "back_url": next_url or request_row.profile.get_absolute_url(),
            "came_from_list": bool(next_url),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """The receipt's link: GET asks (mail scanners open links), POST withdraws."""
    row = services.request_from_withdraw_token(token)
    if row is None or row.withdrawn_at is not None:
        return render(request, "messaging/withdraw.html", {"gone": True}, status=410)
    if request.method == "POST":
        services.contact_withdraw(request=row)
        return render(request, "messaging/withdraw.html", {"done": True})
    return render(request, "messaging/withdraw.html", {"row": row, "token": token})


# --- The inbox -------------------------------------------------------------------------------


def _summary(row: ContactRequest) -> dict[str, Any]:
    contents = row.contents()
    message = str(contents.get("message", ""))
    first_line = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return {
        "row": row,
        "name": contents.get("name", ""),
        "first_line": first_line[:140] + ("…" if len(first_line) > 140 else ""),
    }


@never_cache
@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    archived = request.GET.get("archived") == "1"
    rows = ContactRequest.objects.for_owner(request.user).select_related("profile")
    rows = rows.archived() if archived else rows.inbox()
    page = Paginator(rows, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/inbox.html",
        {
            "archived": archived,
            "page": page,
            "items": [_summary(row) for row in page.object_list],
            "unread": selectors.unread_count(request.user),
        },
    )


@never_cache
@login_required
@require_safe
def request_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    row = services.get_request_for_owner(request.user, public_id)
    if row.read_at is None:
        services.contact_mark_read(request=row, by=request.user)  # sets row.read_at too
    return render(
        request,
        "messaging/request.html",
        {
            "row": row,
            "details": row.contents(),
            "reply_form": ReplyForm(initial={"via": row.replied_via or None}),
            "confirm": request.GET.get("confirm", ""),
        },
    )


ACTIONS = ("replied", "archive", "unarchive", "delete", "spam")


@login_required
@require_POST
def request_action(request: HttpRequest, public_id: UUID, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    row = services.get_request_for_owner(request.user, public_id)
    detail_url = reverse("messaging:request", kwargs={"public_id": row.public_id})
    if action in ("delete", "spam") and request.POST.get("confirm") != "yes":
        # One more click, on the request's own page: neither can be undone.
        return redirect(f"{detail_url}?confirm={action}#confirm")
    if action == "replied":
        form = ReplyForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "messaging/request.html",
                {"row": row, "details": row.contents(), "reply_form": form, "confirm": ""},
                status=400,
            )
        services.contact_mark_replied(request=row, by=request.user, via=form.cleaned_data["via"])
        messages.success(request, _("Marked as replied. Thank you for answering."))
        return redirect(detail_url)
    if action == "archive":
        services.contact_archive(request=row, by=request.user)
        messages.success(request, _("Archived. You can find it under “Archived”."))
        return redirect("messaging:inbox")
    if action == "unarchive":
        services.contact_unarchive(request=row, by=request.user)
        messages.success(request, _("Moved back to your inbox."))
        return redirect(detail_url)
    if action == "delete":
        services.contact_delete(request=row, by=request.user)
        messages.success(request, _("Deleted. The sender's details and message are erased."))
        return redirect("messaging:inbox")
    services.contact_report_spam(request=row, by=request.user)
    messages.success(request, _("Reported as spam and removed from your inbox. Thank you."))
    return redirect("messaging:inbox")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def inbox_settings(request: HttpRequest) -> HttpResponse:
    current = services.inbox_settings_for(request.user)
    if request.method == "POST":
        form = InboxSettingsForm(request.POST)
        if form.is_valid():
            current.email_includes_message = form.cleaned_data["email_includes_message"]
            current.save(update_fields=["email_includes_message"])
            messages.success(request, _("Saved."))
            return redirect("messaging:settings")
        status = 400
    else:
        form = InboxSettingsForm.for_settings(current)
        status = 200
    return render(
        request,
        "messaging/settings.html",
        {"form": form, "unread": selectors.unread_count(request.user)},
        status=status,
    )
