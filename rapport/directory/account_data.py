"""Everything an account holds: its export (a ZIP) and its deletion with a 7-day undo.

Deletion hides first and deletes later. `account_deletion_request` unpublishes every owned
profile at once (status SUSPENDED: already hidden from every page, search, the sitemap and
the API, so no new status is needed), keeps each profile's previous status on the user so
`account_deletion_cancel` can restore it exactly, and signs the person out everywhere.
Signing in again within DELETION_UNDO_DAYS shows "Keep my account". After that the daily
`purge_deleted_accounts` job (`accounts_purge`) deletes the user, their profiles (and photo
files), drafts, revisions and claim requests; audit events keep only ids.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.services import end_all_sessions
from rapport.core.tasks import send_mail_later
from rapport.moderation.services import audit_record

from .changes import profiles_changed
from .interchange import export_document
from .models import DeletedListing, Status, TherapistProfile
from .photos import _delete_files

DELETION_UNDO_DAYS = 7


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8") + b"\n"


def account_export(user: User) -> bytes:
    """The ZIP of everything the account holds, built in memory (photos are small WebPs).

    account.json: the email and sign-up date; per owned profile, profiles/<id>/profile.json
    (the interchange document, contact fields included: it is the owner's own data),
    edits.json (unsaved drafts, edits waiting for review and staff's notes to the owner) and
    the two photo files;
    requests.json: the contact requests the account received, decrypted (what people wrote
    to this therapist is theirs to take along; erased ones have empty contents).
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "account.json",
            _json(
                {
                    "email": user.email,
                    "signed_up": user.date_joined.isoformat(),
                    "deletion_requested_at": (
                        user.deletion_requested_at.isoformat()
                        if user.deletion_requested_at
                        else None
                    ),
                }
            ),
        )
        profiles = (
            TherapistProfile.objects.filter(owner=user).order_by("pk").with_public_relations()
        )
        for profile in profiles:
            folder = f"profiles/{profile.pk}"
            archive.writestr(f"{folder}/profile.json", _json(export_document(profile)))
            edits = {
                "drafts": [
                    {"section": d.section, "data": d.data, "updated_at": d.updated_at}
                    for d in profile.drafts.order_by("section")
                ],
                "revisions": [
                    {
                        "section": r.section,
                        "data": r.data,
                        "status": r.status,
                        "submitted_at": r.submitted_at,
                        "decided_at": r.decided_at,
                        "note": r.note,
                    }
                    for r in profile.revisions.all()
                ],
                # What moderators asked of the owner (shown on the dashboard until done).
                "staff_notes": [
                    {
                        "kind": n.kind,
                        "reason": n.reason,
                        "created_at": n.created_at,
                        "closed_at": n.closed_at,
                    }
                    for n in profile.owner_notes.all()
                ],
            }
            if edits["drafts"] or edits["revisions"] or edits["staff_notes"]:
                archive.writestr(f"{folder}/edits.json", _json(edits))
            for size, name in (("large", profile.photo_large), ("small", profile.photo_small)):
                if name and default_storage.exists(name):
                    with default_storage.open(name, "rb") as handle:
                        archive.writestr(f"{folder}/photo-{size}.webp", handle.read())
        requests = _received_requests(user)
        if requests:
            archive.writestr("requests.json", _json(requests))
    return out.getvalue()


def _received_requests(user: User) -> list[dict[str, Any]]:
    from rapport.messaging import crypto
    from rapport.messaging.models import ContactRequest

    rows = []
    for request in ContactRequest.objects.for_owner(user).order_by("created_at", "pk"):
        try:
            contents: dict[str, Any] | None = request.contents()
        except crypto.InvalidToken:  # sealed with a key no longer configured
            contents = None
        rows.append(
            {
                "id": str(request.public_id),
                "profile": request.profile_id,
                "sent_at": request.created_at,
                "read_at": request.read_at,
                "replied_at": request.replied_at,
                "replied_via": request.replied_via,
                "archived_at": request.archived_at,
                "spam_reported_at": request.spam_reported_at,
                "withdrawn_at": request.withdrawn_at,
                "deleted_at": request.deleted_at,
                "contents": contents,
            }
        )
    return rows


def deletion_date(user: User) -> datetime | None:
    """When the account will be deleted, or None when no deletion is scheduled."""
    if user.deletion_requested_at is None:
        return None
    return user.deletion_requested_at + timedelta(days=DELETION_UNDO_DAYS)


def account_deletion_request(*, user: User, site_url: str = "") -> None:
    """Hide every owned profile now, sign out everywhere, and email how to undo."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.deletion_requested_at is not None:
            return  # already scheduled: a second click changes nothing
        profiles = list(TherapistProfile.objects.select_for_update().filter(owner=locked))
        locked.deletion_restore = {str(p.pk): p.status for p in profiles}
        locked.deletion_requested_at = timezone.now()
        locked.save(update_fields=["deletion_requested_at", "deletion_restore"])
        TherapistProfile.objects.filter(pk__in=[p.pk for p in profiles]).update(
            status=Status.SUSPENDED, updated_at=timezone.now()
        )
        profiles_changed(ids=[p.pk for p in profiles])
        for p in profiles:
            audit_record(actor=locked, action="directory.profile.hidden_for_deletion", target=p)
        audit_record(actor=locked, action="accounts.user.deletion_requested", target=locked)
        end_all_sessions(locked)
        send_mail_later(
            locked.email,
            f"Your {settings.SITE_NAME} account is scheduled for deletion",
            "account_area/email/deletion_scheduled",
            {
                "site_name": settings.SITE_NAME,
                "date": deletion_date(locked),
                "days": DELETION_UNDO_DAYS,
                "site_url": site_url,
                "imported": any(p.imported for p in profiles),
            },
        )
    user.deletion_requested_at = locked.deletion_requested_at
    user.deletion_restore = locked.deletion_restore
    user.session_token = locked.session_token


def account_deletion_cancel(*, user: User) -> None:
    """Keep the account: every profile gets back the status it had before the request."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.deletion_requested_at is None:
            return
        restore = {int(pk): status for pk, status in locked.deletion_restore.items()}
        profiles = list(
            TherapistProfile.objects.select_for_update().filter(owner=locked, pk__in=restore)
        )
        for p in profiles:
            p.status = restore[p.pk]
            p.save(update_fields=["status", "updated_at"])
            audit_record(actor=locked, action="directory.profile.deletion_undone", target=p)
        profiles_changed(ids=[p.pk for p in profiles])
        locked.deletion_requested_at = None
        locked.deletion_restore = {}
        locked.save(update_fields=["deletion_requested_at", "deletion_restore"])
        audit_record(actor=locked, action="accounts.user.deletion_cancelled", target=locked)
    user.deletion_requested_at = None
    user.deletion_restore = {}


def accounts_purge(now: datetime | None = None) -> int:
    """Delete the accounts whose undo window is over; returns how many.

    Drafts, revisions, claim requests, contact requests, offices and licenses go with their
    profile or user (CASCADE); audit events lose their actor (SET_NULL) and keep the
    target's id only.
    """
    cutoff = (now or timezone.now()) - timedelta(days=DELETION_UNDO_DAYS)
    deleted = 0
    for user_id in User.objects.filter(deletion_requested_at__lte=cutoff).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            user = (
                User.objects.select_for_update()
                .filter(pk=user_id, deletion_requested_at__lte=cutoff)
                .first()
            )
            if user is None:
                continue  # kept (or asked again) meanwhile, or gone
            profiles = list(TherapistProfile.objects.filter(owner=user))
            files = [n for p in profiles for n in (p.photo_small, p.photo_large) if n]
            ids = [p.pk for p in profiles]
            for p in profiles:
                audit_record(actor=None, action="directory.profile.deleted_with_account", target=p)
            audit_record(actor=None, action="accounts.user.deleted", target=user)
            # The feed still lists them: without this the next import publishes them again.
            DeletedListing.objects.bulk_create(
                [DeletedListing(source=p.source, external_id=p.external_id) for p in profiles],
                ignore_conflicts=True,
            )
            TherapistProfile.objects.filter(pk__in=ids).delete()
            profiles_changed(ids=ids)
            user.delete()
            transaction.on_commit(partial(_delete_files, files))
        deleted += 1
    return deleted
