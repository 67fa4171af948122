"""The review queue: what waits for a moderator, and the three decisions on each item.

Six kinds of item wait, oldest first:
- "profile": a profile submitted for publication (status pending);
- "revision": an edit of a published profile that needs review (editor/models.py);
- "claim": a request to own an imported profile, with a license number and evidence;
- "report": a visitor's report about a public profile (models.ProfileReport);
- "flag": a profile whose statements the importer or the editor flagged (review_flags);
- "spam": a contact request its therapist reported as spam (messaging/models.py). Staff never
  read contact requests: the item shows only metadata (which profile, when, how many reports
  and requests around it), never what the sender wrote or who they are.

Each can be approved, rejected with a reason, or sent back with a request for changes; a spam
report only approved ("confirmed spam": its contents are erased) or rejected ("not spam": back
to the therapist's inbox), and its reason is optional: nobody is emailed it.
`review_decide` runs the decision in one transaction with its audit event(s) and the email
to the therapist (queued in the same transaction: rolled back together). It reuses the
owning app's services (directory/services.py, editor/services.py, claims.py), which write
their own audit events; the queue adds one "moderation.review.<decision>" event per action,
so the log shows each decision made from the queue, by whom and why.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core.tasks import send_mail_later
from rapport.directory.changes import profiles_changed
from rapport.directory.claims import ClaimError, claim_request_approve, claim_request_reject
from rapport.directory.editor.services import RevisionError, revision_approve, revision_reject
from rapport.directory.models import (
    ApproachStatement,
    ClaimRequest,
    ClaimStatus,
    ProfileRevision,
    RevisionStatus,
    Status,
    TherapistProfile,
)
from rapport.directory.services import (
    TransitionError,
    profile_approve,
    profile_reject,
    profile_request_changes,
    profile_suspend,
)
from rapport.messaging.models import ContactRequest
from rapport.messaging.services import SpamReviewError, contact_confirm_spam, contact_unmark_spam

from .models import OwnerNoteKind, ProfileReport, ReportStatus
from .notes import owner_note_write
from .services import audit_record

if TYPE_CHECKING:
    from rapport.accounts.models import User

KINDS = ("profile", "revision", "claim", "report", "flag", "spam")
KIND_LABELS = {
    "profile": gettext_lazy("New profiles"),
    "revision": gettext_lazy("Edits to review"),
    "claim": gettext_lazy("Claims"),
    "report": gettext_lazy("Reports"),
    "flag": gettext_lazy("Flagged statements"),
    "spam": gettext_lazy("Spam reports"),
}
# One item's kind, as the list and the item page name it.
KIND_SINGULAR = {
    "profile": gettext_lazy("New profile"),
    "revision": gettext_lazy("Edit to review"),
    "claim": gettext_lazy("Claim"),
    "report": gettext_lazy("Report"),
    "flag": gettext_lazy("Flagged statement"),
    "spam": gettext_lazy("Spam report"),
}
DECISIONS = ("approve", "reject", "changes")
# "Ask for changes" means nothing for a spam report: nobody could make them.
NO_CHANGES = ("spam",)
# The queue page lists this many of the oldest items (the counts are exact).
PAGE = 200


class ReviewError(ValueError):
    """A decision that cannot be made (already decided, wrong state), with a message."""


@dataclass(frozen=True)
class QueueItem:
    kind: str
    pk: int
    waiting_since: datetime.datetime
    profile: TherapistProfile
    summary: str

    @property
    def kind_label(self) -> str:
        return str(KIND_SINGULAR[self.kind])


def _profiles_pending():
    return TherapistProfile.objects.filter(status=Status.PENDING)


def _revisions_pending():
    return ProfileRevision.objects.filter(status=RevisionStatus.PENDING)


def _claims_pending():
    return ClaimRequest.objects.filter(status=ClaimStatus.PENDING)


def _reports_open():
    return ProfileReport.objects.filter(status=ReportStatus.OPEN)


def _flagged():
    # A profile waiting as "profile" is reviewed whole there, flags included.
    return TherapistProfile.objects.exclude(review_flags=[]).exclude(status=Status.PENDING)


def _spam_waiting():
    return ContactRequest.objects.spam_waiting()


@dataclass(frozen=True)
class SpamFigures:
    """What a moderator weighs a spam report by, without reading it."""

    reported_week: int  # requests the therapist reported as spam in the last 7 days
    reported_all: int  # ... and in all (those found not spam no longer count)
    received_day: int  # requests the profile received in the last 24 hours (a wave shows)


def spam_figures(requests: list[ContactRequest]) -> dict[int, SpamFigures]:
    """{request pk: SpamFigures} for these requests, in two queries whatever their number."""
    if not requests:
        return {}
    now = timezone.now()
    week = now - datetime.timedelta(days=7)
    day = now - datetime.timedelta(hours=24)
    reported = {
        row["recipient_id"]: row
        for row in ContactRequest.objects.filter(
            recipient_id__in={r.recipient_id for r in requests}, spam_reported_at__isnull=False
        )
        .values("recipient_id")
        .annotate(all=Count("id"), week=Count("id", filter=Q(spam_reported_at__gte=week)))
    }
    received = dict(
        ContactRequest.objects.filter(
            profile_id__in={r.profile_id for r in requests}, created_at__gte=day
        )
        .values("profile_id")
        .annotate(n=Count("id"))
        .values_list("profile_id", "n")
    )
    empty = {"all": 0, "week": 0}
    return {
        r.pk: SpamFigures(
            reported_week=reported.get(r.recipient_id, empty)["week"],
            reported_all=reported.get(r.recipient_id, empty)["all"],
            received_day=received.get(r.profile_id, 0),
        )
        for r in requests
    }


def _spam_summary(figures: SpamFigures) -> str:
    return _(
        "%(week)d reported by this therapist in 7 days, %(all)d in all; "
        "%(day)d received in 24 hours"
    ) % {"week": figures.reported_week, "all": figures.reported_all, "day": figures.received_day}


def queue_counts() -> dict[str, int]:
    return {
        "profile": _profiles_pending().count(),
        "revision": _revisions_pending().count(),
        "claim": _claims_pending().count(),
        "report": _reports_open().count(),
        "flag": _flagged().count(),
        "spam": _spam_waiting().count(),
    }


def queue_items(limit: int = PAGE) -> list[QueueItem]:
    """The oldest `limit` items of every kind, merged oldest first (a few queries in all)."""
    items: list[QueueItem] = []
    for profile in _profiles_pending().order_by("updated_at", "id")[:limit]:
        items.append(QueueItem("profile", profile.pk, profile.updated_at, profile, ""))
    for revision in (
        _revisions_pending().select_related("profile").order_by("submitted_at", "id")[:limit]
    ):
        items.append(
            QueueItem(
                "revision", revision.pk, revision.submitted_at, revision.profile, revision.section
            )
        )
    for claim in _claims_pending().select_related("profile").order_by("created_at", "id")[:limit]:
        items.append(QueueItem("claim", claim.pk, claim.created_at, claim.profile, ""))
    for report in _reports_open().select_related("profile").order_by("created_at", "id")[:limit]:
        items.append(
            QueueItem(
                "report",
                report.pk,
                report.created_at,
                report.profile,
                str(report.get_reason_display()),
            )
        )
    for profile in _flagged().order_by("updated_at", "id")[:limit]:
        items.append(
            QueueItem(
                "flag", profile.pk, profile.updated_at, profile, ", ".join(profile.review_flags)
            )
        )
    # Only the columns the queue shows: never `sealed`, not even encrypted.
    spam = list(
        _spam_waiting()
        .select_related("profile")
        .only("pk", "profile", "recipient_id", "spam_reported_at")
        .order_by("spam_reported_at", "id")[:limit]
    )
    figures = spam_figures(spam)
    for request in spam:
        assert request.spam_reported_at is not None  # spam_waiting() says so
        items.append(
            QueueItem(
                "spam",
                request.pk,
                request.spam_reported_at,
                request.profile,
                _spam_summary(figures[request.pk]),
            )
        )
    items.sort(key=lambda item: (item.waiting_since, KINDS.index(item.kind), item.pk))
    return items[:limit]


def get_item_for_moderator(kind: str, pk: int) -> Model | None:
    """The object behind a queue item (pending or not: a decided item shows as decided)."""
    if kind in ("profile", "flag"):
        return TherapistProfile.objects.filter(pk=pk).first()
    if kind == "revision":
        return ProfileRevision.objects.select_related("profile").filter(pk=pk).first()
    if kind == "claim":
        return ClaimRequest.objects.select_related("profile", "user").filter(pk=pk).first()
    if kind == "report":
        return ProfileReport.objects.select_related("profile").filter(pk=pk).first()
    if kind == "spam":
        # Deferred: the page has no business loading the sealed contents.
        return (
            ContactRequest.objects.select_related("profile", "recipient")
            .defer("sealed")
            .filter(pk=pk)
            .first()
        )
    return None


def is_waiting(kind: str, obj: Any) -> bool:
    if kind == "profile":
        return obj.status == Status.PENDING
    if kind == "flag":
        return bool(obj.review_flags) and obj.status != Status.PENDING
    if kind == "revision":
        return obj.status == RevisionStatus.PENDING
    if kind == "claim":
        return obj.status == ClaimStatus.PENDING
    if kind == "report":
        return obj.status == ReportStatus.OPEN
    if kind == "spam":
        return _spam_waiting().filter(pk=obj.pk).exists()
    return False


def next_item(after: tuple[str, int] | None = None) -> QueueItem | None:
    """The oldest waiting item other than `after` (the one just decided)."""
    for item in queue_items(limit=5):
        if (item.kind, item.pk) != after:
            return item
    return None


def review_decide(*, kind: str, pk: int, decision: str, reason: str, by: User) -> None:
    """Approve, reject (with a reason the therapist receives) or ask for changes."""
    if kind not in KINDS or decision not in DECISIONS:
        raise ReviewError(_("That is not something the queue can do."))
    if decision == "changes" and kind in NO_CHANGES:
        raise ReviewError(
            _("A spam report cannot be sent back for changes: confirm it or mark it not spam.")
        )
    reason = reason.strip()
    if decision != "approve" and not reason and kind not in NO_CHANGES:
        raise ReviewError(_("Write the reason: the therapist receives it by email."))
    handler = {
        "profile": _decide_profile,
        "revision": _decide_revision,
        "claim": _decide_claim,
        "report": _decide_report,
        "flag": _decide_flag,
        "spam": _decide_spam,
    }[kind]
    try:
        with transaction.atomic():
            target = handler(pk=pk, decision=decision, reason=reason, by=by)
            audit_record(
                actor=by,
                action=f"moderation.review.{_PAST[decision]}",
                target=target,
                reason=f"{kind}: {reason}" if reason else kind,
            )
    except (TransitionError, RevisionError, ClaimError, SpamReviewError) as exc:
        raise ReviewError(str(exc)) from exc


_PAST = {"approve": "approved", "reject": "rejected", "changes": "changes_requested"}


# Which decisions leave the owner a note in their dashboard and editor (the email says the same).
_NOTE_KINDS = {
    ("profile_decided", "reject"): OwnerNoteKind.REJECTED,
    ("profile_decided", "changes"): OwnerNoteKind.CHANGES,
    ("profile_decided", "suspend"): OwnerNoteKind.SUSPENDED,
    ("flag_decided", "reject"): OwnerNoteKind.FLAG_REJECTED,
    ("flag_decided", "changes"): OwnerNoteKind.FLAG_CHANGES,
}


def _tell_owner(
    profile: TherapistProfile, template: str, *, decision: str, reason: str, **context: Any
) -> None:
    owner = profile.owner
    if owner is None:
        return
    kind = _NOTE_KINDS.get((template, decision))
    if kind is not None:
        owner_note_write(profile=profile, kind=kind, reason=reason)
    if not owner.email:
        return
    context.update(decision=decision, reason=reason)
    send_mail_later(
        owner.email,
        _("About your profile on %(site)s") % {"site": settings.SITE_NAME},
        f"moderation/email/{template}",
        {
            "profile": profile,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            **context,
        },
    )


def _decide_profile(*, pk: int, decision: str, reason: str, by: User) -> Model:
    profile = TherapistProfile.objects.select_related("owner").get(pk=pk)
    if decision == "approve":
        profile_approve(profile=profile, by=by, reason=reason)
        _tell_owner(profile, "profile_decided", decision=decision, reason=reason)
    elif decision == "reject":
        profile_reject(profile=profile, by=by, reason=reason)
        _tell_owner(profile, "profile_decided", decision=decision, reason=reason)
    else:
        profile_request_changes(profile=profile, by=by, reason=reason)
        _tell_owner(profile, "profile_decided", decision=decision, reason=reason)
    return profile


def _decide_revision(*, pk: int, decision: str, reason: str, by: User) -> Model:
    revision = ProfileRevision.objects.get(pk=pk)
    if decision == "approve":
        return revision_approve(revision=revision, by=by)
    # The editor has one way back for an edit: not approved, with a note the therapist sees
    # in the editor and by email; they change it and save again. "Ask for changes" says so.
    note = (
        reason if decision == "reject" else _("Changes requested: %(reason)s") % {"reason": reason}
    )
    return revision_reject(revision=revision, by=by, note=note)


def _decide_claim(*, pk: int, decision: str, reason: str, by: User) -> Model:
    claim = ClaimRequest.objects.get(pk=pk)
    if decision == "approve":
        return claim_request_approve(claim=claim, by=by)
    # Asking for more evidence closes this request: the claimant sends a new one with it.
    if decision == "changes":
        reason = _("Please send a new request with more evidence: %(reason)s") % {"reason": reason}
    return claim_request_reject(claim=claim, by=by, reason=reason)


def _decide_report(*, pk: int, decision: str, reason: str, by: User) -> Model:
    report = ProfileReport.objects.select_for_update().select_related("profile").get(pk=pk)
    if report.status != ReportStatus.OPEN:
        raise ReviewError(_("This report was already decided."))
    profile = report.profile
    if decision == "approve":
        # Upheld: the profile comes down until its owner or staff put it right.
        if profile.status == Status.PUBLISHED:
            profile_suspend(profile=profile, by=by, reason=reason or _("report upheld"))
            _tell_owner(profile, "profile_decided", decision="suspend", reason=reason)
        report.status = ReportStatus.UPHELD
    elif decision == "changes":
        _tell_owner(profile, "profile_decided", decision="changes", reason=reason)
        report.status = ReportStatus.UPHELD
    else:
        report.status = ReportStatus.DISMISSED
    report.decided_at = timezone.now()
    report.decided_by = by
    report.decision_note = reason
    report.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    audit_record(
        actor=by, action=f"moderation.report.{report.status}", target=report, reason=reason
    )
    if report.reply_to:
        send_mail_later(
            report.reply_to,
            _("Your report to %(site)s was reviewed") % {"site": settings.SITE_NAME},
            "moderation/email/report_decided",
            {"report": report, "site_name": settings.SITE_NAME},
        )
    return report


def _decide_flag(*, pk: int, decision: str, reason: str, by: User) -> Model:
    profile = TherapistProfile.objects.select_for_update().get(pk=pk)
    flags = [str(flag) for flag in profile.review_flags]
    if not flags:
        raise ReviewError(_("This profile has no flagged statements any more."))
    if decision == "reject":
        # The flagged approach statements come off the approach pages; the approach stays
        # listed. The owner is told why and can write a statement in their own words.
        slugs = [
            flag.split("approaches.", 1)[1]
            for flag in flags
            if flag.startswith("training-list:approaches.")
        ]
        ApproachStatement.objects.filter(profile=profile, approach__slug__in=slugs).update(
            statement=""
        )
    if decision in ("reject", "changes"):
        _tell_owner(profile, "flag_decided", decision=decision, reason=reason, flags=flags)
    profile.review_flags = []
    profile.save(update_fields=["review_flags", "updated_at"])
    profiles_changed(ids=[profile.pk])
    audit_record(
        actor=by,
        action="moderation.flags.cleared",
        target=profile,
        reason=f"{decision}: {', '.join(flags)}",
    )
    return profile


def _decide_spam(*, pk: int, decision: str, reason: str, by: User) -> Model:
    request = ContactRequest.objects.defer("sealed").get(pk=pk)
    if decision == "approve":
        contact_confirm_spam(request=request, by=by)
    else:
        contact_unmark_spam(request=request, by=by)
    return request


def waiting_by_kind(items: list[QueueItem]) -> Counter[str]:
    return Counter(item.kind for item in items)
