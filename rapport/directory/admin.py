"""Staff admin for therapist profiles.

Status is read-only on an existing profile: it changes only through the
moderation services (as admin actions), which check the transition and write
the audit event. Editing the status field directly would skip both.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rapport.core.ids import profile_slug
from rapport.moderation.services import audit_record
from rapport.taxonomy.admin import TermAdmin as TaxonomyTermAdmin
from rapport.taxonomy.models import Term

from .changes import profiles_changed
from .claims import ClaimError, claim_request_approve, claim_request_reject
from .editor.models import ProfileRevision, RevisionStatus
from .editor.services import (
    EditorError,
    RevisionError,
    profile_document,
    revision_approve,
    revision_reject,
)
from .index import index_touch
from .models import (
    ApproachStatement,
    ClaimRequest,
    DeletedListing,
    License,
    Office,
    TherapistProfile,
    forget_terms,
)
from .services import TransitionError, profile_approve, profile_reject, profile_suspend


class LicenseInline(admin.TabularInline):
    model = License
    extra = 0
    autocomplete_fields = ("license_type",)
    fields = (
        "position",
        "license_type",
        "state",
        "number",
        "status",
        "supervisor",
        "verified_at",
        "verification_source",
    )
    # Derived from verification records (moderation/verification.py), never typed in here:
    # a badge without a record is what issue 18 forbids.
    readonly_fields = ("verified_at", "verification_source")


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0
    fields = ("position", "address", "city", "state", "zip", "lat", "lon", "geocoded")


class ApproachStatementInline(admin.StackedInline):
    model = ApproachStatement
    extra = 0
    autocomplete_fields = ("approach",)
    fields = (("approach", "position"), "statement")


class NeedsReviewFilter(admin.SimpleListFilter):
    title = _("needs review")
    parameter_name = "needs_review"

    def lookups(self, request: HttpRequest, model_admin):  # type: ignore[no-untyped-def]
        return [("yes", _("Flagged for review"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet):  # type: ignore[no-untyped-def]
        if self.value() == "yes":
            return queryset.exclude(review_flags=[])
        return queryset


def _note_page(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, action: str, title: str
):  # type: ignore[no-untyped-def]
    """The "with note" step of a reject action: None once a note is given, else the page asking for it."""
    note = request.POST.get("note", "").strip()
    if "apply" in request.POST and note:
        return None, note
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": queryset,
        "action": action,
        "note": note,
        "missing_note": "apply" in request.POST,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/directory/reject_with_note.html", context), ""


@admin.register(TherapistProfile)
class TherapistProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "status", "accepting_new_clients", "updated_at")
    list_filter = ("status", NeedsReviewFilter, "source", "accepting_new_clients", "telehealth")
    search_fields = ("name", "external_id", "email", "npi", "slug")
    list_select_related = ("owner",)
    list_per_page = 50
    # Counting a million rows on every changelist page is slow; "Show all" is not needed.
    show_full_result_count = False
    # Hundreds of terms and possibly many users: search-as-you-type, not giant selects.
    # (The Term autocomplete honours each foreign key's limit_choices_to by kind.)
    autocomplete_fields = ("terms",)
    raw_id_fields = ("owner",)
    readonly_fields = ("slug", "content_hash", "created_at", "updated_at")
    inlines = (LicenseInline, OfficeInline, ApproachStatementInline)
    actions = ("approve_selected", "suspend_selected", "reject_selected")
    # Therapists type "example.org"; assume https, as Django 6 will by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("status", "source", "external_id", "slug", "owner")}),
        (
            _("Who"),
            {"fields": ("name", "credentials", "title", "pronouns", "gender", "npi", "statement")},
        ),
        (_("Facets"), {"fields": ("terms",)}),
        (_("Where"), {"fields": ("in_person", "telehealth", "telehealth_states")}),
        (
            _("Fees and availability"),
            {
                "fields": (
                    ("fee_min", "fee_max"),
                    ("sliding_scale", "free_consultation"),
                    ("accepting_new_clients", "accepting_confirmed_at", "expected_wait_weeks"),
                )
            },
        ),
        (
            _("Contact"),
            {
                "fields": ("email", "phone", "website"),
                "description": _("The email address is private: never shown on the site."),
            },
        ),
        (_("Record"), {"fields": ("content_hash", "created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: TherapistProfile | None = None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "status") if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: TherapistProfile, form, change: bool) -> None:
        if not obj.slug:
            # Same derivation as the importer, so an export re-imported elsewhere keeps the URL.
            obj.slug = profile_slug(obj.name, obj.source, obj.external_id)
        super().save_model(request, obj, form, change)
        if not change:
            audit_record(
                actor=request.user,
                action="directory.profile.created",
                target=obj,
                reason=f"created in the admin as {obj.status}",
            )

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Inside the admin's transaction: search sees the edit on its next request.
        profiles_changed(ids=[form.instance.pk])

    def delete_model(self, request: HttpRequest, obj: TherapistProfile) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        profiles_changed(ids=[pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        profiles_changed(ids=ids)

    def _run_transition(
        self, request: HttpRequest, queryset: QuerySet, service, *, reason: str, done: str
    ) -> None:
        changed, refused = 0, []
        for profile in queryset:
            try:
                service(profile=profile, by=request.user, reason=reason)
            except TransitionError as error:
                refused.append(f"{profile.name}: {error}")
            else:
                changed += 1
        if changed:
            self.message_user(
                request,
                ngettext("%(count)d profile %(done)s.", "%(count)d profiles %(done)s.", changed)
                % {"count": changed, "done": done},
                messages.SUCCESS,
            )
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description=_("Publish selected pending or suspended profiles"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run_transition(
            request, queryset, profile_approve, reason="approved in the admin", done=_("published")
        )

    @admin.action(description=_("Reject selected pending profiles with a note"))
    def reject_selected(self, request: HttpRequest, queryset: QuerySet):  # type: ignore[no-untyped-def]
        page, note = _note_page(
            self, request, queryset, "reject_selected", _("Reject profiles with a note")
        )
        if page is not None:
            return page
        self._run_transition(request, queryset, profile_reject, reason=note, done=_("rejected"))
        return None

    @admin.action(description=_("Suspend selected published profiles"))
    def suspend_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run_transition(
            request, queryset, profile_suspend, reason="suspended in the admin", done=_("suspended")
        )


# The taxonomy's term admin, re-registered here because a term edit changes what
# search and profile pages show, and those caches are the directory's: the
# taxonomy app must not call into the directory (the dependency runs one way).
admin.site.unregister(Term)


@admin.register(Term)
class TermAdmin(TaxonomyTermAdmin):
    def save_model(self, request: HttpRequest, obj: Term, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Search caches labels and taxonomy words per index version; an empty
        # change moves the version so every process sees the edit.
        index_touch([])
        forget_terms()


# --- Review of editor changes (the editor's revisions, and pending profiles) ----------------
# Staff approve here for now; a review queue comes with the moderation issue.


@admin.register(ProfileRevision)
class ProfileRevisionAdmin(admin.ModelAdmin):
    list_display = ("profile", "section", "status", "submitted_at", "decided_at")
    list_filter = ("status", "section")
    list_select_related = ("profile",)
    search_fields = ("profile__name", "profile__slug")
    ordering = ("status", "submitted_at")
    fields = (
        "profile",
        "section",
        "status",
        "submitted_at",
        "changes",
        "decided_by",
        "decided_at",
        "note",
    )
    readonly_fields = fields
    actions = ("approve_selected", "reject_selected")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ProfileRevision | None = None
    ) -> bool:
        return False

    @admin.display(description=_("Published now → proposed"))
    def changes(self, obj: ProfileRevision) -> str:
        published = profile_document(obj.profile_id)
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td><pre class='revision-text'>{}</pre></td><td><pre class='revision-text'>{}</pre></td></tr>",
            (
                (key, _shown(published.get(key, "")), _shown(value))
                for key, value in obj.data.items()
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("field"), _("published now"), _("proposed"), rows,
        )  # fmt: skip

    def _decide(self, request: HttpRequest, queryset: QuerySet, decide, done: str) -> None:  # type: ignore[no-untyped-def]
        count = 0
        for revision in queryset.filter(status=RevisionStatus.PENDING):
            try:
                decide(revision)
            except (RevisionError, EditorError) as error:
                self.message_user(request, f"{revision}: {error}", messages.WARNING)
            else:
                count += 1
        skipped = queryset.exclude(status=RevisionStatus.PENDING).count()
        if count:
            self.message_user(
                request,
                ngettext("%(count)d change %(done)s.", "%(count)d changes %(done)s.", count)
                % {"count": count, "done": done},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                _("%(count)d already decided, left as they were.") % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Approve selected changes (publish them)"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(
            request,
            queryset,
            lambda r: revision_approve(revision=r, by=request.user),
            _("approved"),
        )

    @admin.action(description=_("Reject selected changes with a note"))
    def reject_selected(self, request: HttpRequest, queryset: QuerySet):  # type: ignore[no-untyped-def]
        page, note = _note_page(
            self, request, queryset, "reject_selected", _("Reject changes with a note")
        )
        if page is not None:
            return page
        self._decide(
            request,
            queryset,
            lambda r: revision_reject(revision=r, by=request.user, note=note),
            _("rejected"),
        )
        return None


def _shown(value: object) -> str:
    """A document value as plain text for the comparison (escaped by format_html_join)."""
    import json

    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=1)


# --- Claim requests (issue 16): staff approve or reject; approval sets the owner ------------


@admin.register(ClaimRequest)
class ClaimRequestAdmin(admin.ModelAdmin):
    list_display = ("profile", "user", "license_number", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("profile__name", "user__email", "license_number")
    list_select_related = ("profile", "user")
    readonly_fields = (
        "profile", "user", "license_number", "evidence", "status", "created_at", "decided_at",
        "decided_by",
    )  # fmt: skip
    actions = ("approve_selected", "reject_selected")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # claims come from the claim page, with who asked

    def _decide(self, request: HttpRequest, queryset: QuerySet, decide, done: str) -> None:  # type: ignore[no-untyped-def]
        ok = 0
        for claim in queryset:
            try:
                decide(claim=claim, by=request.user)
            except ClaimError as problem:
                self.message_user(request, f"{claim}: {problem}", messages.WARNING)
            else:
                ok += 1
        if ok:
            self.message_user(request, done % {"count": ok}, messages.SUCCESS)

    @admin.action(description=_("Approve selected claims (the claimant becomes the owner)"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(
            request, queryset, claim_request_approve, str(_("%(count)d claim(s) approved."))
        )

    @admin.action(description=_("Reject selected claims"))
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide(
            request, queryset, claim_request_reject, str(_("%(count)d claim(s) rejected."))
        )


# --- Listings deleted with their therapist's account: the importer skips them --------------


@admin.register(DeletedListing)
class DeletedListingAdmin(admin.ModelAdmin):
    """Only the key is kept (see the model). Deleting a row lets the next import list the
    therapist again: for when they ask to be back in the directory from the same feed."""

    list_display = ("source", "external_id")
    search_fields = ("external_id",)
    list_filter = ("source",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written by the purge only

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
