"""Editor writes: section saves, drafts, revisions held for review, and their approval.

Every save goes through the importer's rules: the profile's interchange document
(`interchange.export_document`) with the section's part laid over it is run through
`interchange.clean_document`, and what comes out is written here and announced to
search with `profiles_changed`, in one transaction. On a published profile the
reviewed fields (name, licenses, statements) are not written but held as a
`ProfileRevision`, so the published version stays visible until staff approve.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.core.ids import profile_slug
from rapport.core.tasks import enqueue_email
from rapport.moderation.services import audit_record

from ..changes import profiles_changed
from ..interchange import CleanProfile, TermLookup, clean_document, export_document
from ..models import (
    EDITOR_SOURCE,
    ApproachStatement,
    License,
    Office,
    Status,
    TherapistProfile,
    cached_terms,
    slugs_moved,
    terms_by_profile,
)
from ..services import owner_leaving, status_kept
from .models import ProfileDraft, ProfileRevision, RevisionStatus
from .sections import SECTION_BY_SLUG, Section

if TYPE_CHECKING:
    from rapport.accounts.models import User

# The value of a document field that a document leaves out (export drops empty values).
_EMPTY: dict[str, Any] = {
    "name": "", "statement": "", "npi": "", "licenses": [], "approaches": [],
}  # fmt: skip
_VOCAB_SECONDS = 30.0
_vocab: tuple[float, TermLookup | None] = (0.0, None)


class EditorError(ValueError):
    """The document as a whole failed the interchange rules: [(path, message), ...]."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))
        self.errors = errors


class RevisionError(ValueError):
    pass


@dataclass
class SaveOutcome:
    applied: bool  # the profile changed now
    held: ProfileRevision | None  # the edit waiting for review, if any


def vocabulary() -> TermLookup:
    """The importer's term lookup, kept 30 s per process: building it reads every term."""
    global _vocab
    loaded_at, vocab = _vocab
    if vocab is None or time.monotonic() - loaded_at > _VOCAB_SECONDS:
        vocab = TermLookup()
        _vocab = (time.monotonic(), vocab)
    return vocab


def forget_vocabulary() -> None:
    global _vocab
    _vocab = (0.0, None)


def profile_document(profile_id: int) -> dict[str, Any]:
    """The profile as an interchange document (`interchange.export_document`): what the
    editor's forms start from and every save lays its section over.

    Read with four small queries and the process's term cache rather than
    `with_public_relations()`: the prefetch machinery cost ~20 ms of a ~25 ms save.
    """
    profile = TherapistProfile.objects.get(pk=profile_id)
    terms = cached_terms()
    wanted = list(
        ApproachStatement.objects.filter(profile_id=profile_id)
        .order_by("position")
        .values_list("approach_id", "statement")
    )
    licenses = list(
        License.objects.filter(profile_id=profile_id)
        .order_by("position")
        .values_list("license_type_id", "number", "state", "status", "supervisor")
    )
    if any(t not in terms for t, _s in wanted) or any(row[0] not in terms for row in licenses):
        terms = cached_terms(refresh=True)  # a term added since the cache was read: once
    source = _Relations(
        profile,
        approach_statements=[SimpleNamespace(approach=terms[t], statement=s) for t, s in wanted],
        licenses=[
            SimpleNamespace(
                license_type=terms[t], number=n, state=st, status=status, supervisor=sup
            )
            for t, n, st, status, sup in licenses
        ],
        offices=list(Office.objects.filter(profile_id=profile_id).order_by("position")),
        terms=terms_by_profile([profile_id]).get(profile_id, []),
    )
    return export_document(cast(TherapistProfile, source))


class _Rows(list[Any]):
    def all(self) -> _Rows:
        return self


class _Relations:
    """A profile with its relations already read: what `export_document` asks of one."""

    def __init__(self, profile: TherapistProfile, **relations: list[Any]) -> None:
        self._profile = profile
        self._relations = {name: _Rows(rows) for name, rows in relations.items()}

    def __getattr__(self, name: str) -> Any:
        if name in self._relations:
            return self._relations[name]
        return getattr(self._profile, name)


def _clean(document: dict[str, Any]) -> CleanProfile:
    clean, errors = clean_document(document, vocabulary())
    if clean is None and any("unknown" in message for _path, message in errors):
        forget_vocabulary()  # a term added since the lookup was built: once
        clean, errors = clean_document(document, vocabulary())
    if clean is None:
        raise EditorError(errors)
    return clean


def _value(document: dict[str, Any], key: str) -> Any:
    return document.get(key, _EMPTY.get(key, ""))


# --- Creating and saving -------------------------------------------------------------------


def profile_create_for_owner(*, user: User, name: str) -> TherapistProfile:
    """A new draft profile owned by this account (source "account"): nothing public yet."""
    external_id = f"u{user.pk}-{secrets.token_hex(4)}"
    with transaction.atomic():
        profile = TherapistProfile.objects.create(
            source=EDITOR_SOURCE,
            external_id=external_id,
            slug=profile_slug(name, EDITOR_SOURCE, external_id),
            name=name,
            owner=user,
            status=Status.DRAFT,
            accepting_new_clients=True,
        )
        audit_record(
            actor=user,
            action="directory.profile.created",
            target=profile,
            reason="created in the editor",
        )
    return profile


def section_save(
    *,
    profile: TherapistProfile,
    section: Section,
    changes: dict[str, Any],
    by: User | None,
    document: dict[str, Any] | None = None,
) -> SaveOutcome:
    """Save one section's part of the document. On a published profile, the reviewed
    fields that changed become (or replace) the section's pending revision; the rest is
    written now. Raises EditorError when the result breaks the interchange rules.

    `document`: the profile's document, when the caller read it inside its own
    transaction after locking the profile (the editor's view does, to build its form)."""
    with transaction.atomic():
        leaving = owner_leaving(profile)
        current = TherapistProfile.objects.select_for_update().get(pk=profile.pk)
        # Hidden for a pending account deletion, a published profile is still reviewed:
        # "Keep my account" would publish it again.
        published = status_kept(current, leaving) == Status.PUBLISHED
        if document is None:
            document = profile_document(current.pk)
        before = _clean(document)
        proposed = _clean({**document, **changes})
        held: dict[str, Any] = {}
        if published:
            held = {
                key: _value(proposed.document, key)
                for key in section.reviewed
                if _value(proposed.document, key) != _value(before.document, key)
            }
        now_part = {
            key: value
            for key, value in changes.items()
            if key not in section.reviewed or not published
        }
        applied = False
        if now_part:
            written = _clean({**document, **now_part}) if held else proposed
            if written.document != before.document:
                _write(current, before, written, by=by, reason=f"edited: {section.slug}")
                applied = True
        revision = _hold(current, section, held) if section.reviewed else None
        ProfileDraft.objects.filter(profile=current, section=section.slug).delete()
    return SaveOutcome(applied=applied, held=revision)


def _hold(
    profile: TherapistProfile, section: Section, held: dict[str, Any]
) -> ProfileRevision | None:
    """The section's pending revision becomes `held`; with nothing held, it is withdrawn
    (the therapist put back what is published)."""
    pending = (
        ProfileRevision.objects.select_for_update()
        .filter(profile=profile, section=section.slug, status=RevisionStatus.PENDING)
        .first()
    )
    if not held:
        if pending is not None:
            pending.status = RevisionStatus.WITHDRAWN
            pending.decided_at = timezone.now()
            pending.save(update_fields=["status", "decided_at"])
        return None
    if pending is None:
        return ProfileRevision.objects.create(
            profile=profile, section=section.slug, data=held, submitted_at=timezone.now()
        )
    pending.data = held
    pending.submitted_at = timezone.now()
    pending.save(update_fields=["data", "submitted_at"])
    return pending


def _write(
    profile: TherapistProfile,
    before: CleanProfile,
    after: CleanProfile,
    *,
    by: User | None,
    reason: str,
) -> None:
    """Write a cleaned document over the profile (inside the caller's transaction), keeping
    what the document does not carry: status, owner, moderators' flags, verification of
    every license that is unchanged."""
    fields = dict(after.fields)
    flags = [f for f in profile.review_flags if not str(f).startswith("training-list:")]
    fields["review_flags"] = flags + list(fields["review_flags"])
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.content_hash = after.content_hash
    old_slug = profile.slug
    profile.slug = profile_slug(after.fields["name"], profile.source, profile.external_id)
    profile.save(update_fields=[*fields, "content_hash", "slug", "updated_at"])
    slugs_moved([(profile.pk, old_slug, profile.slug)])  # a new name: the old URL redirects
    profile.terms.set(after.term_ids)
    if before.approaches != after.approaches:
        ApproachStatement.objects.filter(profile=profile).delete()
        ApproachStatement.objects.bulk_create(
            ApproachStatement(profile=profile, approach_id=term_id, statement=statement, position=i)
            for i, (term_id, statement) in enumerate(after.approaches)
        )
    if before.licenses != after.licenses:
        _write_licenses(profile, after.licenses)
    if before.offices != after.offices:
        Office.objects.filter(profile=profile).delete()
        Office.objects.bulk_create(
            Office(profile=profile, position=i, **office) for i, office in enumerate(after.offices)
        )
    profiles_changed(ids=[profile.pk])
    audit_record(actor=by, action="directory.profile.edited", target=profile, reason=reason)


def _write_licenses(profile: TherapistProfile, licenses: list[dict[str, Any]]) -> None:
    # A license whose type, state and number are unchanged keeps its verification;
    # a changed number is a different license, checked again.
    verified = {
        (lic.license_type_id, lic.state, lic.number): (lic.verified_at, lic.verification_source)
        for lic in License.objects.filter(profile=profile)
    }
    License.objects.filter(profile=profile).delete()
    rows = []
    for i, lic in enumerate(licenses):
        verified_at, verification_source = verified.get(
            (lic["type_id"], lic["state"], lic["number"]), (None, "")
        )
        rows.append(
            License(
                profile=profile,
                license_type_id=lic["type_id"],
                number=lic["number"],
                state=lic["state"],
                status=lic["status"],
                supervisor=lic["supervisor"],
                verified_at=verified_at,
                verification_source=verification_source,
                position=i,
            )  # fmt: skip
        )
    License.objects.bulk_create(rows)


# --- Drafts ---------------------------------------------------------------------------------


def draft_fields(data: QueryDict) -> dict[str, list[str]]:
    """The posted fields worth keeping: not the CSRF token, not the buttons ("_add", ...)."""
    return {
        key: data.getlist(key)
        for key in data
        if key != "csrfmiddlewaretoken" and not key.startswith("_")
    }


def draft_save(*, profile: TherapistProfile, section: str, data: QueryDict) -> ProfileDraft:
    draft, _created = ProfileDraft.objects.update_or_create(
        profile=profile, section=section, defaults={"data": draft_fields(data)}
    )
    return draft


def draft_discard(*, profile: TherapistProfile, section: str) -> None:
    ProfileDraft.objects.filter(profile=profile, section=section).delete()


def draft_as_querydict(draft: ProfileDraft) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in draft.data.items():
        data.setlist(key, [str(value) for value in values])
    return data


# --- Review ------------------------------------------------------------------------------


def revision_approve(*, revision: ProfileRevision, by: User | None) -> ProfileRevision:
    """Write a pending revision over the published profile, through the same rules as a
    save, and tell search: every process shows it from its next request."""
    with transaction.atomic():
        current = ProfileRevision.objects.select_for_update().get(pk=revision.pk)
        if current.status != RevisionStatus.PENDING:
            raise RevisionError(
                _("This change was already decided (%(status)s).")
                % {"status": current.get_status_display()}
            )
        leaving = owner_leaving(current.profile)
        profile = TherapistProfile.objects.select_for_update().get(pk=current.profile_id)
        document = profile_document(profile.pk)
        before = _clean(document)
        after = _clean({**document, **current.data})
        _write(profile, before, after, by=by, reason=f"revision {current.pk} approved")
        current.status = RevisionStatus.APPROVED
        current.decided_by = by if getattr(by, "pk", None) else None
        current.decided_at = timezone.now()
        current.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=by, action="directory.revision.approved", target=current, reason=current.section
        )
        title = (
            SECTION_BY_SLUG[current.section].title
            if current.section in SECTION_BY_SLUG
            else current.section
        )
        # The status is left alone: a profile hidden for its owner's pending account
        # deletion stays hidden, and shows the change if they keep the account.
        body = (
            _("Your change to “%(section)s” was approved and is now on your public profile.")
            if leaving is None
            else _(
                "Your change to “%(section)s” was approved. Your account is scheduled for deletion: if you keep it, your profile shows the change."
            )
        )
        notify_owner(
            profile=profile,
            subject=_("Your profile change was approved"),
            body=body % {"section": title},
        )
    revision.status = current.status
    return current


def revision_reject(*, revision: ProfileRevision, by: User | None, note: str) -> ProfileRevision:
    """Turn a pending revision down with a note the therapist sees in the editor."""
    with transaction.atomic():
        current = ProfileRevision.objects.select_for_update().get(pk=revision.pk)
        if current.status != RevisionStatus.PENDING:
            raise RevisionError(
                _("This change was already decided (%(status)s).")
                % {"status": current.get_status_display()}
            )
        current.status = RevisionStatus.REJECTED
        current.note = note
        current.decided_by = by if getattr(by, "pk", None) else None
        current.decided_at = timezone.now()
        current.save(update_fields=["status", "note", "decided_by", "decided_at"])
        audit_record(actor=by, action="directory.revision.rejected", target=current, reason=note)
        title = (
            SECTION_BY_SLUG[current.section].title
            if current.section in SECTION_BY_SLUG
            else current.section
        )
        notify_owner(
            profile=current.profile,
            subject=_("Your profile change was not approved"),
            body=_(
                "Your change to “%(section)s” was not approved. The reviewer's note: %(note)s\n\nYou can edit it and save again."
            )
            % {"section": title, "note": note},
        )
    revision.status = current.status
    return current


def notify_owner(*, profile: TherapistProfile, subject: str, body: str) -> None:
    """Queue an email to the profile's owner in the current transaction (the task queue sends
    it after commit, with retries; nothing is sent if the change rolls back). The subject never
    carries what the therapist wrote."""
    owner = profile.owner
    if owner is None or not owner.email:
        return
    enqueue_email(owner.email, str(subject), str(body))


# --- Submitting for review -------------------------------------------------------------------


def missing_for_review(document: dict[str, Any]) -> list[tuple[str, str]]:
    """What a profile needs before it can be submitted: (section slug, what is missing)."""
    missing: list[tuple[str, str]] = []
    if not document.get("name"):
        missing.append(("basics", _("Your name")))
    if not document.get("licenses"):
        missing.append(("licenses", _("At least one license")))
    has_place = any(o.get("city") or o.get("zip") for o in document.get("offices", []))
    if not (has_place or (document.get("telehealth") and document.get("telehealth_states"))):
        missing.append(
            (
                "practice",
                _(
                    "Where you see clients: an office with a city or ZIP code, or online with a state"
                ),
            )
        )
    if not document.get("issues"):
        missing.append(("clients", _("At least one thing you help with")))
    if not document.get("statement"):
        missing.append(("about", _("Your “About me” statement")))
    return missing
