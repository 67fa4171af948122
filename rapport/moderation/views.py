"""Staff pages (/staff/, namespace "staff"): the review queue, the audit log, roles; and the
public "report this profile" form (namespace "moderation")."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rapport.directory.models import Status, TherapistProfile
from rapport.directory.templatetags.profile_tags import lookup_table

from . import review
from .access import EXPORT_AUDIT, REVIEW, staff_area
from .forms import AuditFilterForm, DecisionForm, ReportForm, RoleForm, VerificationForm
from .models import AuditEvent, LicenseVerification
from .reports import report_create
from .roles import ROLES, RoleError, role_grant, role_revoke
from .services import audit_record
from .verification import VerificationError, verification_record

# --- The review queue ------------------------------------------------------------------


@staff_area(REVIEW)
def queue(request: HttpRequest) -> HttpResponse:
    items = review.queue_items()
    counts = review.queue_counts()
    return render(
        request,
        "moderation/queue.html",
        {
            "items": items,
            "counts": [(kind, review.KIND_LABELS[kind], counts[kind]) for kind in review.KINDS],
            "total": sum(counts.values()),
        },
    )


def _item_url(kind: str, pk: int) -> str:
    return reverse("staff:item", kwargs={"kind": kind, "pk": pk})


def _neighbours(kind: str, pk: int) -> tuple[str | None, str | None]:
    """The previous and next items in the queue's order (for k / j)."""
    items = review.queue_items(limit=review.PAGE)
    keys = [(item.kind, item.pk) for item in items]
    if (kind, pk) not in keys:
        return None, (_item_url(items[0].kind, items[0].pk) if items else None)
    at = keys.index((kind, pk))
    before = _item_url(*keys[at - 1]) if at > 0 else None
    after = _item_url(*keys[at + 1]) if at + 1 < len(keys) else None
    return before, after


def _licenses(profile: TherapistProfile) -> list[dict[str, Any]]:
    today = timezone.localdate()
    table = lookup_table()
    rows = []
    records = list(
        LicenseVerification.objects.filter(profile=profile)
        .select_related("verifier")
        .order_by("-verified_on", "-id")
    )
    for lic in profile.licenses.select_related("license_type").order_by("position"):
        mine = [
            r
            for r in records
            if (r.license_type_id, r.state.upper(), r.number.strip().casefold())
            == (lic.license_type_id, lic.state.upper(), lic.number.strip().casefold())
        ]
        rows.append(
            {
                "license": lic,
                "lookup": table.get(((lic.state or "").upper(), lic.license_type.group)),
                "records": mine,
                "current": [r for r in mine if r.is_current(today)],
            }
        )
    return rows


def _item_context(
    request: HttpRequest,
    kind: str,
    obj: Any,
    *,
    decision: DecisionForm | None = None,
    verification: VerificationForm | None = None,
) -> dict[str, Any]:
    profile = obj if isinstance(obj, TherapistProfile) else obj.profile
    before, after = _neighbours(kind, obj.pk)
    spam = review.spam_figures([obj]).get(obj.pk) if kind == "spam" else None
    flagged: list[Any] = []
    if kind == "flag":
        slugs = {
            f.split("approaches.", 1)[1]
            for f in map(str, profile.review_flags)
            if "approaches." in f
        }
        flagged = list(
            profile.approach_statements.filter(approach__slug__in=slugs).select_related("approach")
        )
    return {
        "kind": kind,
        "kind_label": review.KIND_SINGULAR[kind],
        "obj": obj,
        "profile": profile,
        "waiting": review.is_waiting(kind, obj),
        "decision_form": decision or DecisionForm(kind=kind),
        "verification_form": verification or VerificationForm(profile=profile),
        # A spam report is about a request, not the profile's licenses.
        "licenses": [] if kind == "spam" else _licenses(profile),
        "spam": spam,
        "can_ask_changes": kind not in review.NO_CHANGES,
        "flagged": flagged,
        "previous_url": before,
        "next_url": after,
        "public": profile.status == Status.PUBLISHED,
        "history": AuditEvent.objects.filter(
            target_type=obj._meta.label_lower, target_id=str(obj.pk)
        ).select_related("actor")[:20],
    }


_DONE = {
    "approve": gettext_lazy("Approved."),
    "reject": gettext_lazy("Rejected; the reason was sent."),
    "changes": gettext_lazy("Changes asked for; the request was sent."),
}
_SPAM_DONE = {
    "approve": gettext_lazy("Confirmed as spam; its contents are erased."),
    "reject": gettext_lazy("Marked not spam; it is back in the therapist's inbox."),
}


@staff_area(REVIEW)
@require_http_methods(["GET", "POST"])
def item(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in review.KINDS:
        raise Http404
    obj = review.get_item_for_moderator(kind, pk)
    if obj is None:
        raise Http404
    if request.method == "POST":
        form = DecisionForm(request.POST, kind=kind)
        if form.is_valid():
            try:
                review.review_decide(
                    kind=kind,
                    pk=pk,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,  # type: ignore[arg-type]
                )
            except review.ReviewError as exc:
                form.add_error(None, str(exc))
            else:
                done = (_SPAM_DONE if kind == "spam" else _DONE)[form.cleaned_data["decision"]]
                following = review.next_item(after=(kind, pk))
                if following is None:
                    messages.success(request, f"{done} {_('The queue is clear.')}")
                    return redirect("staff:queue")
                messages.success(request, done)
                return HttpResponseRedirect(_item_url(following.kind, following.pk))
        return render(
            request,
            "moderation/item.html",
            _item_context(request, kind, obj, decision=form),
            status=400,
        )
    return render(request, "moderation/item.html", _item_context(request, kind, obj))


@staff_area(REVIEW)
@require_POST
def verify(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    # A spam report's page offers no license check (it is about a request, not a profile).
    if kind not in review.KINDS or kind == "spam":
        raise Http404
    obj = review.get_item_for_moderator(kind, pk)
    if obj is None:
        raise Http404
    profile = obj if isinstance(obj, TherapistProfile) else obj.profile  # type: ignore[attr-defined]
    form = VerificationForm(request.POST, profile=profile)
    if form.is_valid():
        data = form.cleaned_data
        try:
            verification_record(
                license=data["license"],
                by=request.user,  # type: ignore[arg-type]
                method=data["method"],
                verified_on=data["verified_on"],
                expires_on=data["expires_on"],
                lookup_url=data["lookup_url"],
                result=data["result"],
                note=data["note"],
            )
        except VerificationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Verification recorded: the license shows as verified until %(date)s.")
                % {"date": data["expires_on"].strftime("%B %-d, %Y")},
            )
            return HttpResponseRedirect(_item_url(kind, pk) + "#licenses")
    return render(
        request,
        "moderation/item.html",
        _item_context(request, kind, obj, verification=form),
        status=400,
    )


# --- The audit log (administrators) -----------------------------------------------------


def _audit_events(request: HttpRequest) -> tuple[Any, AuditFilterForm]:
    """The events the page's filters select; none while a filter is wrong (its message says
    what to fix): a mistyped date must not look like an empty or a complete log."""
    form = AuditFilterForm(request.GET)
    events = AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")
    if not form.is_valid():
        return events.none(), form
    return form.filter(events), form


@staff_area(EXPORT_AUDIT)
def audit(request: HttpRequest) -> HttpResponse:
    events, form = _audit_events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "moderation/audit.html",
        {"page": page, "form": form},
        status=200 if form.is_valid() else 400,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet: written as text instead.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@staff_area(EXPORT_AUDIT)  # type: ignore[arg-type]
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    events, form = _audit_events(request)
    if not form.is_valid():  # the page again, with what to fix
        return render(request, "moderation/audit.html", {"page": [], "form": form}, status=400)
    # The export is itself an event, written before the rows are read (so it is in them).
    audit_record(
        actor=request.user,
        action="moderation.audit.exported",
        target=request.user,  # type: ignore[arg-type]
        reason=form.summary(),
    )
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(["time", "action", "actor", "target_type", "target_id", "reason"])
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    event.created_at.isoformat(),
                    _cell(event.action),
                    _cell(event.actor.email if event.actor else ""),
                    _cell(event.target_type),
                    _cell(event.target_id),
                    _cell(event.reason),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


# --- Roles (administrators) --------------------------------------------------------------


@staff_area(EXPORT_AUDIT)
@require_http_methods(["GET", "POST"])
def roles(request: HttpRequest) -> HttpResponse:
    User = get_user_model()
    form = RoleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if user is None:
                form.add_error("email", _("No account has this email address."))
            else:
                change = role_grant if form.cleaned_data["action"] == "grant" else role_revoke
                try:
                    change(user=user, role=form.cleaned_data["role"], by=request.user)  # type: ignore[arg-type]
                except RoleError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("Roles updated."))
                    return redirect("staff:roles")
        status = 400
    holders = {role: User.objects.filter(groups__name=role).order_by("email") for role in ROLES}
    return render(
        request, "moderation/roles.html", {"form": form, "holders": holders}, status=status
    )


# --- Reporting a profile (public) ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, slug: str) -> HttpResponse:
    profile = get_object_or_404(TherapistProfile.objects.published(), slug=slug)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["website"]:
            report_create(
                profile=profile,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
                reply_to=form.cleaned_data["reply_to"],
            )
        # The honeypot gets the same answer: a script learns nothing from it.
        return render(request, "moderation/report_done.html", {"profile": profile})
    return render(
        request,
        "moderation/report.html",
        {"profile": profile, "form": form},
        status=400 if request.method == "POST" else 200,
    )
