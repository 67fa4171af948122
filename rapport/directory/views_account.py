"""The therapist's own area: the dashboard at /account/, availability, and claiming a profile.

Signed-in pages use Django's `login_required` (the accounts app brings the sign-in page). The
availability reminder's link works without signing in: its GET shows one button and changes
nothing (mail scanners open links), its POST confirms.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rapport.messaging import selectors as messaging_selectors
from rapport.moderation.models import OwnerNote
from rapport.moderation.notes import open_notes, owner_note_close

from . import account_data, availability, claims, profile_views
from .forms_account import AvailabilityForm, ClaimRequestForm
from .models import ClaimRequest, ClaimStatus, Status, TherapistProfile
from .views_account_data import paused_while_deleting

EDITOR_URL = "/account/profile/"  # the editor's page (another part of issue 16)
CLAIM_DECLINED_SHOWN_DAYS = 30  # a declined claim's reason stays on the dashboard this long


def _user_id(request: HttpRequest) -> int:
    """The signed-in person's id (views behind login_required)."""
    pk = request.user.pk
    if pk is None:
        raise Http404
    return int(pk)


def get_profile_for_owner(request: HttpRequest, profile_id: int) -> TherapistProfile:
    """The signed-in person's own profile, or 404: the same for missing and not theirs."""
    return get_object_or_404(TherapistProfile, pk=profile_id, owner_id=_user_id(request))


def get_note_for_owner(request: HttpRequest, note_id: int) -> OwnerNote:
    """A moderators' note to one of the signed-in person's profiles, or 404."""
    return get_object_or_404(OwnerNote, pk=note_id, profile__owner_id=_user_id(request))


def missing_items(profile: TherapistProfile) -> list[str]:
    """What the profile lacks that people look for, in the order the editor's sections go."""
    missing = []
    if not profile.licenses.exists():
        missing.append(_("a license"))
    if not profile.statement.strip():
        missing.append(_("a statement about how you work"))
    if not profile.approach_statements.exclude(statement="").exists():
        missing.append(_("an approach with a statement in your own words"))
    if not (profile.offices.exists() or (profile.telehealth and profile.telehealth_states)):
        missing.append(_("an office or the states you offer telehealth in"))
    if profile.fee_min is None and not profile.sliding_scale:
        missing.append(_("your fees"))
    if not (profile.phone or profile.website):
        missing.append(_("a phone number or website people can reach you at"))
    return missing


def _availability_form(profile: TherapistProfile) -> AvailabilityForm:
    now = availability.state(profile)
    return AvailabilityForm(
        initial={"availability": now.kind, "wait_weeks": now.wait_weeks},
        auto_id=_form_ids(profile),
    )


def _form_ids(profile: TherapistProfile) -> str:
    # One form per profile on the dashboard: ids must not repeat across them.
    return f"p{profile.pk}-%s"


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    today = availability.today()
    profiles = list(
        TherapistProfile.objects.filter(owner_id=_user_id(request)).order_by("name", "pk")
    )
    # Contact requests and marked replies per profile and week, for all profiles in one query.
    requests_per_week = messaging_selectors.weekly_counts(
        request.user, on=today, weeks=profile_views.WEEKS_SHOWN
    )
    notes = open_notes(p.pk for p in profiles)
    rows = [
        {
            "profile": p,
            "public": p.status == Status.PUBLISHED,
            "availability": availability.state(p, today),
            "form": _availability_form(p),
            "missing": missing_items(p),
            "notes": notes.get(p.pk, []),
            "weeks": [
                (monday, views, *requests_per_week.get(p.pk, {}).get(monday, (0, 0)))
                for monday, views in profile_views.views_per_week(p, on=today)
            ],
        }
        for p in profiles
    ]
    claims_pending = ClaimRequest.objects.filter(
        user_id=_user_id(request), status=ClaimStatus.PENDING
    ).select_related("profile")
    # A claim not approved stays on the dashboard with the reason for a month, then the email
    # is the record of it.
    claims_declined = ClaimRequest.objects.filter(
        user_id=_user_id(request),
        status=ClaimStatus.REJECTED,
        decided_at__gte=timezone.now() - datetime.timedelta(days=CLAIM_DECLINED_SHOWN_DAYS),
    ).select_related("profile")
    return render(
        request,
        "account_area/dashboard.html",
        {
            "rows": rows,
            "claims_pending": claims_pending,
            "claims_declined": claims_declined,
            "editor_url": EDITOR_URL,
            "unread": messaging_selectors.unread_count(request.user),
            "deletion_date": account_data.deletion_date(request.user),  # type: ignore[arg-type]
            "stale_days": availability.STALE_AFTER_DAYS,
            "expired_days": availability.EXPIRED_AFTER_DAYS,
            "remind_days": availability.REMIND_AFTER_DAYS,
        },
    )


@login_required
@require_POST
def owner_note_done(request: HttpRequest, note_id: int) -> HttpResponse:
    note = get_note_for_owner(request, note_id)
    owner_note_close(note=note, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Marked as done."))
    # Back where the note was shown: the editor or the dashboard (never a URL from the form).
    if request.POST.get("back") == "editor":
        return redirect(EDITOR_URL)
    return redirect(f"{reverse('account:dashboard')}#profile-{note.profile_id}")


@login_required
@paused_while_deleting
@require_POST
def availability_update(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile = get_profile_for_owner(request, profile_id)
    form = AvailabilityForm(request.POST, auto_id=_form_ids(profile))
    if not form.is_valid():
        # The page again with the errors beside the fields and what was chosen kept.
        messages.error(request, _("Your availability was not saved: see the message below."))
        return render(
            request,
            "account_area/availability_form.html",
            {"profile": profile, "form": form},
            status=400,
        )
    availability.availability_set(
        profile=profile,
        kind=form.cleaned_data["availability"],
        wait_weeks=form.cleaned_data.get("wait_weeks"),
        by=request.user,
    )
    messages.success(request, _("Saved and confirmed for today. Thank you."))
    return redirect(f"{reverse('account:dashboard')}#profile-{profile.pk}")


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_availability(request: HttpRequest, token: str) -> HttpResponse:
    """The reminder's one-click link: GET shows a button (nothing changes), POST confirms."""
    try:
        profile = availability.profile_for_reminder(token)
    except availability.ReminderError as problem:
        return render(
            request,
            "account_area/confirm_availability.html",
            {"problem": str(problem), "dashboard": reverse("account:dashboard")},
            status=410,
        )
    if request.method == "POST":
        availability.availability_confirm(profile=profile, by=profile.owner)
        return render(
            request,
            "account_area/confirm_availability.html",
            {"done": True, "profile": profile, "now": availability.state(profile)},
        )
    return render(
        request,
        "account_area/confirm_availability.html",
        {"profile": profile, "now": availability.state(profile), "token": token},
    )


# --- Claiming --------------------------------------------------------------------------------


def _claimable(slug: str) -> TherapistProfile:
    # Only what the public can see can be claimed from its page.
    return get_object_or_404(TherapistProfile.objects.published(), slug=slug)


def _claim_page(
    request: HttpRequest, profile: TherapistProfile, *, form: ClaimRequestForm | None = None,
    problem: str = "", status: int = 200,
) -> HttpResponse:  # fmt: skip
    return render(
        request,
        "account_area/claim_start.html",
        {
            "profile": profile,
            "claimable": claims.is_claimable(profile),
            "yours": profile.owner_id == request.user.pk,
            "has_email": bool(profile.email),
            "form": form or ClaimRequestForm(),
            "problem": problem,
            "pending": ClaimRequest.objects.filter(
                profile=profile, user_id=_user_id(request), status=ClaimStatus.PENDING
            ).exists(),
            "deletion_date": account_data.deletion_date(request.user),  # type: ignore[arg-type]
        },
        status=status,
    )


@login_required
@require_safe
def claim_start(request: HttpRequest, slug: str) -> HttpResponse:
    return _claim_page(request, _claimable(slug))


@login_required
@paused_while_deleting
@require_POST
def claim_email(request: HttpRequest, slug: str) -> HttpResponse:
    profile = _claimable(slug)
    try:
        claims.claim_link_send(
            profile=profile,
            user=request.user,  # type: ignore[arg-type]  # login_required
            link_for=lambda token: request.build_absolute_uri(
                reverse("account:claim_confirm", kwargs={"token": token})
            ),
        )
    except claims.ClaimError as problem:
        return _claim_page(request, profile, problem=str(problem), status=409)
    return render(request, "account_area/claim_sent.html", {"profile": profile})


@login_required
@paused_while_deleting
@require_http_methods(["GET", "HEAD", "POST"])
def claim_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: GET shows what will be claimed and a button, POST claims."""
    try:
        link = claims.read_claim_token(token)
    except claims.ClaimError as problem:
        return render(
            request, "account_area/claim_done.html", {"problem": str(problem)}, status=410
        )
    profile = TherapistProfile.objects.filter(pk=link.profile_id).first()
    if profile is None:
        raise Http404
    if request.method == "POST":
        try:
            claims.claim_with_token(token=token, user=request.user)  # type: ignore[arg-type]
        except claims.ClaimError as problem:
            return render(
                request,
                "account_area/claim_done.html",
                {"problem": str(problem), "profile": profile},
                status=410,
            )
        messages.success(
            request,
            _("This profile is yours now. Nothing on it changes until you publish an edit."),
        )
        return redirect("account:dashboard")
    return render(request, "account_area/claim_done.html", {"profile": profile, "token": token})


@login_required
@paused_while_deleting
@require_POST
def claim_request(request: HttpRequest, slug: str) -> HttpResponse:
    profile = _claimable(slug)
    form = ClaimRequestForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, profile, form=form, status=400)
    try:
        claims.claim_request_create(
            profile=profile,
            user=request.user,  # type: ignore[arg-type]
            license_number=form.cleaned_data["license_number"],
            evidence=form.cleaned_data["evidence"],
        )
    except claims.ClaimError as problem:
        return _claim_page(request, profile, form=form, problem=str(problem), status=409)
    messages.success(
        request,
        _("Thank you: our staff will review your request and email you when it is decided."),
    )
    return redirect("account:dashboard")
