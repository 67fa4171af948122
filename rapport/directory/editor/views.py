"""The editor's pages at /account/profile/: one form per section, saved separately.

Without JavaScript everything is a plain POST: "Add another" and "Preview" post the
form back and re-render it (kept as a draft meanwhile); a failed save keeps what was
typed as a draft too. With htmx the form also autosaves its draft after a few
seconds of quiet, and the approach statements preview as they are typed.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rapport.moderation.notes import open_notes
from rapport.taxonomy.models import Kind

from .. import search as engine
from .. import validators as v
from ..account_data import deletion_date
from ..models import Status, TherapistProfile
from ..search import Hit
from ..services import TransitionError, profile_submit
from ..topics import Specialist, specialist
from ..views_account_data import paused_while_deleting
from . import forms as ef
from . import services
from .access import owned_profile, owned_profile_or_404
from .models import ProfileDraft, ProfileRevision, RevisionStatus
from .sections import SECTIONS, Section, section_or_404

if TYPE_CHECKING:
    from rapport.accounts.models import User

REJECTION_SHOWN_DAYS = 30


def _user(request: HttpRequest) -> User:
    """The signed-in account (every view here is behind login_required)."""
    return cast("User", request.user)


def _section_states(profile: TherapistProfile) -> dict[str, dict[str, Any]]:
    """Per section: an unsaved draft, an edit waiting for review, a recent rejection."""
    states: dict[str, dict[str, Any]] = {s.slug: {} for s in SECTIONS}
    for draft in ProfileDraft.objects.filter(profile=profile).only("section", "updated_at"):
        states.setdefault(draft.section, {})["draft"] = draft
    shown_since = timezone.now() - datetime.timedelta(days=REJECTION_SHOWN_DAYS)
    for revision in (
        ProfileRevision.objects.filter(profile=profile)
        .exclude(status=RevisionStatus.WITHDRAWN)
        .order_by("submitted_at", "pk")
    ):
        state = states.setdefault(revision.section, {})
        state.pop("rejected", None)  # a later revision replaces an older verdict
        if revision.status == RevisionStatus.PENDING:
            state["pending"] = revision
        elif (
            revision.status == RevisionStatus.REJECTED
            and revision.decided_at
            and revision.decided_at >= shown_since
        ):
            state["rejected"] = revision
    return states


@login_required
@require_safe
def profile_home(request: HttpRequest) -> HttpResponse:
    profile = owned_profile(request.user)
    leaving = deletion_date(_user(request))
    if profile is None:
        return render(
            request,
            "account_area/create.html",
            {"form": ef.CreateProfileForm(), "deletion_date": leaving},
        )
    document = services.profile_document(profile.pk)
    states = _section_states(profile)
    return render(
        request,
        "account_area/home.html",
        {
            "profile": profile,
            "sections": [(s, states.get(s.slug, {})) for s in SECTIONS],
            "missing": services.missing_for_review(document),
            "can_submit": profile.status in (Status.DRAFT, Status.REJECTED),
            "notes": open_notes([profile.pk]).get(profile.pk, []),
            "deletion_date": leaving,
        },
    )


@login_required
@paused_while_deleting
@require_POST
def profile_create(request: HttpRequest) -> HttpResponse:
    if owned_profile(request.user) is not None:
        return redirect("account:profile")
    form = ef.CreateProfileForm(request.POST)
    if not form.is_valid():
        return render(request, "account_area/create.html", {"form": form}, status=400)
    services.profile_create_for_owner(user=_user(request), name=form.cleaned_data["name"])
    messages.success(
        request, _("Your profile is created as a draft: nobody sees it until it is reviewed.")
    )
    return redirect("account:profile_section", section="basics")


@login_required
@paused_while_deleting
@require_POST
def profile_submit_for_review(request: HttpRequest) -> HttpResponse:
    profile = owned_profile_or_404(request.user)
    missing = services.missing_for_review(services.profile_document(profile.pk))
    if missing:
        messages.error(request, _("Your profile is not ready yet: see what is missing below."))
        return redirect("account:profile")
    try:
        profile_submit(profile=profile, by=_user(request))
    except TransitionError:
        messages.error(request, _("Your profile is already submitted or published."))
    else:
        messages.success(
            request, _("Submitted for review. We will email you when it is published.")
        )
    return redirect("account:profile")


def _form_for(
    section: Section,
    document: dict[str, Any],
    data: QueryDict | None,
    pending: ProfileRevision | None,
) -> ef.SectionForm:
    if pending is not None:
        document = {**document, **pending.data}  # the owner goes on from their own change
    return ef.FORMS[section.slug](data, document=document)


def _with_added_row(data: QueryDict, prefix: str) -> QueryDict:
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, ef.MAX_ROWS))
    return data


def _previews(profile: TherapistProfile, form: ef.SectionForm) -> dict[str, Specialist]:
    """Each approach's card exactly as its approach page would show it, with the
    statement as typed (an invalid one is previewed raw: still only text)."""
    if not isinstance(form, ef.ApproachesForm):
        return {}
    shown = TherapistProfile.objects.with_public_relations().get(pk=profile.pk)
    previews = {}
    for slug, bound in form.statement_fields():
        previews[slug] = _card(shown, str(bound.value() or ""))
    return previews


def _card(profile: TherapistProfile, statement: str) -> Specialist:
    try:
        text = v.text(statement, max_length=10 * ef.STATEMENT_LIMIT, multiline=True)
    except v.FieldError:
        text = statement
    hit = Hit(profile=profile, distance=None, in_person=False, online=False, matched={})  # type: ignore[arg-type]
    return specialist(hit, text, on_approach=True)


def _pickers(form: ef.SectionForm) -> list[ef.Picker]:
    pickers = []
    for name in form.pickers:
        field = form.fields[name]
        counts = (
            engine.term_counts(field.kind)
            if isinstance(field, ef.TermPickerField) and field.kind not in (Kind.AGE, Kind.FORMAT)
            else None
        )
        pickers.append(ef.term_picker(form[name], counts))
    if isinstance(form, ef.PracticeForm):
        pickers.insert(0, ef.state_picker(form["telehealth_states"]))
    return pickers


def _render(
    request: HttpRequest,
    section: Section,
    profile: TherapistProfile,
    form: ef.SectionForm,
    *,
    validate: bool,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    states = _section_states(profile)
    state = states.get(section.slug, {})
    context = {
        "profile": profile,
        "section": section,
        "sections": [(s, states.get(s.slug, {})) for s in SECTIONS],
        "form": form,
        "pickers": {p.name: p for p in _pickers(form)},
        "validate": validate,
        "error_links": form.error_links() if validate else [],
        "draft": state.get("draft"),
        "pending": state.get("pending"),
        "rejected": state.get("rejected"),
        "reviewed_here": bool(section.reviewed) and profile.status == Status.PUBLISHED,
        "previews": _previews(profile, form),
        "deletion_date": deletion_date(_user(request)),
        **(extra or {}),
    }
    return render(request, "account_area/section.html", context, status=status)


def _show_section(
    request: HttpRequest,
    chosen: Section,
    profile: TherapistProfile,
    pending: ProfileRevision | None,
) -> HttpResponse:
    """The section as saved, or as its draft left it (with that draft's errors)."""
    document = services.profile_document(profile.pk)
    draft = ProfileDraft.objects.filter(profile=profile, section=chosen.slug).first()
    if draft is None:
        form = _form_for(chosen, document, None, pending)
        return _render(request, chosen, profile, form, validate=False)
    form = _form_for(chosen, document, services.draft_as_querydict(draft), pending)
    return _render(request, chosen, profile, form, validate=True)


@login_required
@paused_while_deleting
@require_http_methods(["GET", "HEAD", "POST"])
def profile_section(request: HttpRequest, section: str) -> HttpResponse:
    chosen = section_or_404(section)
    profile = owned_profile_or_404(request.user)
    pending = ProfileRevision.objects.filter(
        profile=profile, section=chosen.slug, status=RevisionStatus.PENDING
    ).first()
    if request.method != "POST":
        return _show_section(request, chosen, profile, pending)

    data: QueryDict = request.POST
    if "_add" in data:  # "Add another": one more blank row, nothing saved but the draft
        data = _with_added_row(data, str(data["_add"]))
    with transaction.atomic():
        # Locked while the form is checked and saved: a save from another tab waits,
        # so neither is built on a document the other has just replaced.
        TherapistProfile.objects.select_for_update().filter(pk=profile.pk).exists()
        document = services.profile_document(profile.pk)
        form = _form_for(chosen, document, data, pending)
        if any(key in data for key in ("_add", "_preview", "_refresh")):
            services.draft_save(profile=profile, section=chosen.slug, data=data)
            return _render(request, chosen, profile, form, validate="_preview" in data)
        if not form.is_valid():
            services.draft_save(profile=profile, section=chosen.slug, data=data)
            return _render(request, chosen, profile, form, validate=True, status=400)
        errors: list[tuple[str, str]] = []
        outcome = None
        try:
            outcome = services.section_save(
                profile=profile,
                section=chosen,
                changes=form.to_document(),
                by=_user(request),
                document=document,
            )
        except services.EditorError as error:
            errors = error.errors  # the whole document broke a rule no field caught
    if outcome is None:
        services.draft_save(profile=profile, section=chosen.slug, data=data)
        for path, message in errors:
            form.add_error(None, f"{path}: {message}")
        return _render(request, chosen, profile, form, validate=True, status=400)
    if outcome.held is not None:
        messages.success(
            request,
            _(
                "Saved. Your change waits for review; your published profile stays as it is until it is approved."
            ),
        )
    elif outcome.applied:
        if profile.status == Status.PUBLISHED:
            messages.success(request, _("Saved. Your public profile shows the change now."))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.info(request, _("Saved: nothing had changed."))
    return HttpResponseRedirect(reverse("account:profile_section", args=[chosen.slug]), status=303)


@login_required
@paused_while_deleting
@require_POST
def profile_autosave(request: HttpRequest, section: str) -> HttpResponse:
    chosen = section_or_404(section)
    profile = owned_profile_or_404(request.user)
    draft = services.draft_save(profile=profile, section=chosen.slug, data=request.POST)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("account:profile_section", section=chosen.slug)
    when = timezone.localtime(draft.updated_at).strftime("%H:%M")
    return HttpResponse(_("Draft kept at %(time)s. Press Save to use it.") % {"time": when})


@login_required
@paused_while_deleting
@require_POST
def profile_discard(request: HttpRequest, section: str) -> HttpResponse:
    chosen = section_or_404(section)
    profile = owned_profile_or_404(request.user)
    services.draft_discard(profile=profile, section=chosen.slug)
    messages.info(request, _("Your unsaved changes were discarded."))
    return HttpResponseRedirect(reverse("account:profile_section", args=[chosen.slug]), status=303)


@login_required
@require_POST
def profile_preview(request: HttpRequest) -> HttpResponse:
    """One approach's card for the statement as typed (htmx, while typing)."""
    profile = owned_profile_or_404(request.user)
    slug = str(request.POST.get("approach", ""))
    statement = str(request.POST.get(ef.statement_field_name(slug), ""))[: 4 * ef.STATEMENT_LIMIT]
    shown = TherapistProfile.objects.with_public_relations().get(pk=profile.pk)
    return render(
        request, "account_area/_preview.html", {"s": _card(shown, statement), "slug": slug}
    )
