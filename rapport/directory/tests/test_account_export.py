"""The account's own data through HTTP: the export ZIP, deletion, its 7-day undo and the purge."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from PIL import Image

from rapport.accounts.models import User
from rapport.directory import availability, claims, interchange
from rapport.directory import index as ix
from rapport.directory.account_data import account_deletion_cancel
from rapport.directory.editor.models import ProfileDraft, ProfileRevision, RevisionStatus
from rapport.directory.fulltext import fulltext_sync
from rapport.directory.models import ClaimRequest, DeletedListing, Status, TherapistProfile
from rapport.directory.services import TransitionError, profile_approve, profile_reject
from rapport.directory.tests.test_interchange import doc, run_import, write_jsonl
from rapport.moderation.models import AuditEvent, OwnerNote
from rapport.testing import (
    ALICE_EMAIL,
    DANA_EMAIL,
    PASSWORD,
    alice,
    alice_profile,
    bob,
    dana,
    imported_profile,
    make_profile,
    run_tasks,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

SEARCH = "/therapists/?location=98402"
APPROACH = "/approaches/relational-therapy/"  # make_profile's default approach
API = "/api/v1/therapists?location=98402"


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings) -> Path:
    """Photos in this test's own folder (never the developer's data/)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    return tmp_path / "media"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def webp(px: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (px, px), (200, 120, 40)).save(out, "WEBP")
    return out.getvalue()


def give_photo(profile: TherapistProfile) -> tuple[str, str]:
    small = default_storage.save(f"photos/{profile.pk}/x-160.webp", ContentFile(webp(160)))
    large = default_storage.save(f"photos/{profile.pk}/x-480.webp", ContentFile(webp(480)))
    TherapistProfile.objects.filter(pk=profile.pk).update(
        photo_small=small, photo_small_px=160, photo_large=large, photo_large_px=480
    )
    return small, large


def refresh() -> None:
    ix.index_touch(None)
    fulltext_sync(None)


def visible(client: Client, profile: TherapistProfile) -> dict[str, bool]:
    """Where the profile shows: every public place it can."""
    return {
        "profile page": client.get(profile.get_absolute_url()).status_code == 200,
        "search": profile.name in client.get(SEARCH).content.decode(),
        "approach page": profile.name in client.get(APPROACH).content.decode(),
        "sitemap": profile.slug in client.get("/sitemap-therapists.xml").content.decode(),
        "api": profile.name in client.get(API).content.decode(),
        "api profile": client.get(f"/api/v1/therapists/{profile.slug}").status_code == 200,
    }


EVERYWHERE = dict.fromkeys(
    ["profile page", "search", "approach page", "sitemap", "api", "api profile"], True
)
NOWHERE = dict.fromkeys(EVERYWHERE, False)


# --- Export ----------------------------------------------------------------------------------


def test_export_is_a_zip_of_everything_the_account_holds() -> None:
    profile = alice_profile()
    small, large = give_photo(profile)
    ProfileDraft.objects.create(profile=profile, section="about", data={"statement": ["half"]})
    OwnerNote.objects.create(profile=profile, kind="changes", reason="Add your fees.")
    response = signed_in(alice()).post("/account/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="rapport-export-')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    folder = f"profiles/{profile.pk}"
    assert sorted(archive.namelist()) == sorted(
        [
            "account.json",
            f"{folder}/profile.json",
            f"{folder}/edits.json",
            f"{folder}/photo-large.webp",
            f"{folder}/photo-small.webp",
        ]
    )
    account = json.loads(archive.read("account.json"))
    assert account["email"] == ALICE_EMAIL and account["signed_up"]
    doc = json.loads(archive.read(f"{folder}/profile.json"))
    assert doc["name"] == "Alice Okafor" and doc["email"] == ALICE_EMAIL  # private contact too
    clean, problems = interchange.clean_document(doc, interchange.TermLookup())
    assert not problems and clean is not None
    edits = json.loads(archive.read(f"{folder}/edits.json"))
    assert edits["drafts"][0]["section"] == "about"
    assert [(n["kind"], n["reason"]) for n in edits["staff_notes"]] == [
        ("changes", "Add your fees.")
    ]
    assert archive.read(f"{folder}/photo-large.webp") == default_storage.open(large).read()
    assert archive.read(f"{folder}/photo-small.webp") == default_storage.open(small).read()


def test_export_of_an_account_without_profiles_has_the_account_only() -> None:
    response = signed_in(dana()).post("/account/export/")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["account.json"]


def test_export_needs_sign_in_and_a_post(client) -> None:
    assert client.post("/account/export/").status_code == 302  # to the sign-in page
    assert signed_in(alice()).get("/account/export/").status_code == 405


def test_the_dashboard_offers_export_and_deletion() -> None:
    html = signed_in(alice()).get("/account/").content.decode()
    assert 'action="/account/export/"' in html and 'href="/account/delete/"' in html


# --- Deletion --------------------------------------------------------------------------------


def test_a_wrong_email_is_refused_with_a_message_and_nothing_changes() -> None:
    client = signed_in(alice())
    assert "Delete your account" in client.get("/account/delete/").content.decode()
    response = client.post("/account/delete/", {"email": "someone@example.org"})
    assert response.status_code == 400
    assert "not the email address of this account" in response.content.decode()
    assert 'value="someone@example.org"' in response.content.decode()  # kept
    empty = client.post("/account/delete/", {})
    assert empty.status_code == 400 and "Type your email address to confirm." in empty.text
    assert alice().deletion_requested_at is None
    assert alice_profile().status == Status.PUBLISHED
    assert client.get("/account/").status_code == 200  # still signed in


def test_deletion_hides_everywhere_at_once_and_undo_restores_all(client) -> None:
    profile = alice_profile()
    other = make_profile(name="Olive Other")
    draft = make_profile(name="Alice Draft", owner=alice(), status=Status.DRAFT)
    refresh()
    assert visible(client, profile) == EVERYWHERE
    total = client.get(API).json()["total"]
    owner = signed_in(alice())
    response = owner.post("/account/delete/", {"email": ALICE_EMAIL.upper()})
    assert response.status_code == 200
    assert "scheduled for deletion" in response.content.decode()
    assert visible(client, profile) == NOWHERE
    assert visible(client, other) == EVERYWHERE  # other people's profiles untouched
    # The index itself knows (counts, facets), not only the pages that re-read the rows.
    assert client.get(API).json()["total"] == total - 1
    assert owner.get("/account/").status_code == 302  # signed out
    run_tasks()
    (email,) = mail.outbox
    assert email.to == [ALICE_EMAIL] and "Keep my account" in email.body

    # Signing in again within 7 days works and leads to "Keep my account".
    again = Client()
    response = again.post("/accounts/login/", {"login": ALICE_EMAIL, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account/delete/"
    html = again.get("/account/delete/").content.decode()
    assert "scheduled for deletion on" in html and "Keep my account" in html
    assert "Keep my account" in again.get("/account/").content.decode()
    assert again.post("/account/delete/keep/").status_code == 302
    assert visible(client, profile) == EVERYWHERE
    assert client.get(API).json()["total"] == total
    assert TherapistProfile.objects.get(pk=draft.pk).status == Status.DRAFT  # as it was
    assert alice().deletion_requested_at is None


def test_after_seven_days_the_purge_deletes_everything_and_undo_is_gone(
    django_capture_on_commit_callbacks,
) -> None:
    profile = alice_profile()
    small, large = give_photo(profile)
    ProfileDraft.objects.create(profile=profile, section="about", data={})
    other = make_profile(name="Olive Other")
    ClaimRequest.objects.create(
        profile=other, user=alice(), license_number="PY1", evidence="my website"
    )
    signed_in(alice()).post("/account/delete/", {"email": ALICE_EMAIL})
    user_id, profile_id = alice().pk, profile.pk

    call_command("purge_deleted_accounts")  # inside the window: nothing is deleted
    assert User.objects.filter(pk=user_id).exists()

    asked = User.objects.get(pk=user_id).deletion_requested_at
    assert asked is not None
    User.objects.filter(pk=user_id).update(
        deletion_requested_at=asked - timedelta(days=7, minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):  # the files go once committed
        call_command("purge_deleted_accounts")
    assert not User.objects.filter(pk=user_id).exists()
    assert not TherapistProfile.objects.filter(pk=profile_id).exists()
    assert not ProfileDraft.objects.filter(profile_id=profile_id).exists()
    assert not ClaimRequest.objects.filter(profile=other).exists()
    assert not default_storage.exists(small) and not default_storage.exists(large)
    assert TherapistProfile.objects.filter(pk=other.pk, status=Status.PUBLISHED).exists()
    deleted = AuditEvent.objects.get(action="accounts.user.deleted")
    assert deleted.target_id == str(user_id) and deleted.actor is None
    assert not AuditEvent.objects.filter(actor_id=user_id).exists()
    response = Client().post("/accounts/login/", {"login": ALICE_EMAIL, "password": PASSWORD})
    assert response.status_code == 200  # no such account any more: the form again


def purge_after_the_window(user_id: int) -> None:
    asked = User.objects.get(pk=user_id).deletion_requested_at
    assert asked is not None
    User.objects.filter(pk=user_id).update(
        deletion_requested_at=asked - timedelta(days=7, minutes=1)
    )
    call_command("purge_deleted_accounts")


def test_a_deleted_imported_listing_does_not_come_back_with_the_next_import(
    tmp_path: Path,
) -> None:
    feed = write_jsonl(tmp_path / "feed.jsonl", [doc(id="t1"), doc(id="t2", name="Tess Two")])
    run_import(feed)
    # Dana claimed her imported listing, then deletes her account.
    TherapistProfile.objects.filter(source="test", external_id="t1").update(owner=dana())
    owner = signed_in(dana())
    page = owner.get("/account/delete/").text
    assert "will not come back when we import that source again" in page
    done = owner.post("/account/delete/", {"email": DANA_EMAIL})
    assert "your imported listing will not come back" in done.text
    run_tasks()
    assert "it will not come back when we import that source again" in mail.outbox[-1].body
    purge_after_the_window(dana().pk)
    assert not TherapistProfile.objects.filter(external_id="t1").exists()
    # Only the key is kept: nothing about the person.
    assert list(DeletedListing.objects.values()) == [
        {"id": DeletedListing.objects.get().pk, "source": "test", "external_id": "t1"}
    ]

    for _ in range(2):  # the feed is imported again, and again
        out, _err = run_import(feed)
        assert (
            "0 created, 0 updated, 1 unchanged, 0 failed, 1 skipped as their therapist deleted them (t1)"
            in out
        )
        assert not TherapistProfile.objects.filter(source="test", external_id="t1").exists()
    event = AuditEvent.objects.filter(action="directory.profiles.imported").latest("pk")
    assert "1 skipped as their therapist deleted them (t1)" in event.reason
    # The same id from another source is another listing.
    run_import(write_jsonl(tmp_path / "other.jsonl", [doc(id="t1", source="other")]))
    assert TherapistProfile.objects.filter(source="other", external_id="t1").exists()

    # Should the therapist ask to be listed from the feed again, staff remove the row.
    staff = signed_in(bob())
    assert "t1" in staff.get("/admin/directory/deletedlisting/").text
    staff.post(
        "/admin/directory/deletedlisting/",
        {
            "action": "delete_selected",
            "_selected_action": [DeletedListing.objects.get().pk],
            "post": "yes",
        },
    )
    assert not DeletedListing.objects.exists()
    assert run_import(feed)[0].startswith("1 created, 0 updated, 1 unchanged, 0 failed in")


def test_a_profile_made_in_the_editor_says_nothing_about_imports() -> None:
    client = signed_in(dana())
    client.post("/account/profile/create/", {"name": "Dana Whitfield"})
    assert TherapistProfile.objects.get(owner=dana()).source == "account"
    assert "import" not in client.get("/account/delete/").text


# --- Staff decisions while a deletion is pending ----------------------------------------------


def test_approvals_in_the_undo_window_stay_hidden_until_the_owner_keeps_the_account(
    client,
) -> None:
    published = alice_profile()
    pending = make_profile(name="Alice Pending", owner=alice(), status=Status.PENDING)
    owner = signed_in(alice())
    basics = {
        "name": "Alicia Okafor-Quist", "credentials": published.credentials,
        "title": published.title, "pronouns": "", "gender": "", "gender_self": "",
    }  # fmt: skip
    assert owner.post("/account/profile/basics/", basics).status_code == 303
    revision = ProfileRevision.objects.get(profile=published, status=RevisionStatus.PENDING)
    owner.post("/account/delete/", {"email": ALICE_EMAIL})

    staff = signed_in(bob())
    staff.post(
        "/admin/directory/therapistprofile/",
        {"action": "approve_selected", "_selected_action": [pending.pk]},
    )
    staff.post(
        "/admin/directory/profilerevision/",
        {"action": "approve_selected", "_selected_action": [revision.pk]},
    )
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.APPROVED
    for profile in (published, pending):
        profile.refresh_from_db()
        assert profile.status == Status.SUSPENDED
        assert visible(client, profile) == NOWHERE
    assert published.name == "Alicia Okafor-Quist"  # written, still hidden
    assert alice().deletion_restore == {
        str(published.pk): Status.PUBLISHED,
        str(pending.pk): Status.PUBLISHED,  # the approval, kept for the undo
    }
    assert AuditEvent.objects.get(action="directory.profile.approved").reason.endswith(
        "(kept hidden: the owner's account is being deleted)"
    )
    run_tasks()
    assert "scheduled for deletion" in mail.outbox[-1].body  # not "now on your profile"

    keeper = Client()
    keeper.force_login(alice())
    keeper.post("/account/delete/keep/")
    for profile in (published, pending):
        profile.refresh_from_db()
        assert visible(client, profile) == EVERYWHERE
    assert published.name == "Alicia Okafor-Quist"


def test_a_rejection_or_a_refused_approval_in_the_undo_window_is_kept_for_the_undo() -> None:
    published = alice_profile()
    pending = make_profile(name="Alice Pending", owner=alice(), status=Status.PENDING)
    signed_in(alice()).post("/account/delete/", {"email": ALICE_EMAIL})
    with pytest.raises(TransitionError, match="A published profile cannot be approved"):
        profile_approve(profile=published, by=bob())
    profile_reject(profile=pending, by=bob(), reason="no license found")
    assert alice().deletion_restore[str(pending.pk)] == Status.REJECTED
    account_deletion_cancel(user=alice())
    pending.refresh_from_db()
    published.refresh_from_db()
    assert (published.status, pending.status) == (Status.PUBLISHED, Status.REJECTED)


BASICS = {
    "name": "Alicia Okafor-Quist", "credentials": "PhD", "title": "Licensed Psychologist",
    "pronouns": "", "gender": "", "gender_self": "",
}  # fmt: skip


def test_in_the_undo_window_the_editor_and_claiming_change_nothing_and_offer_the_undo(
    client,
) -> None:
    published = alice_profile()
    listing = imported_profile()
    token = claims.make_claim_token(profile=listing, user=alice())  # asked for before
    long_ago = availability.today() - timedelta(days=40)
    TherapistProfile.objects.filter(pk=published.pk).update(accepting_confirmed_at=long_ago)
    published.refresh_from_db()
    reminder = availability.make_reminder_token(published)  # emailed before
    signed_in(alice()).post("/account/delete/", {"email": ALICE_EMAIL})
    run_tasks()
    mail.outbox.clear()
    again = signed_in(alice())

    # The editor's pages still show, and say why nothing can be saved.
    page = again.get("/account/profile/basics/")
    assert page.status_code == 200
    assert "Editing and claiming are paused" in page.text
    assert 'action="/account/delete/keep/"' in page.text  # the undo, right there
    assert "Editing and claiming are paused" in again.get("/account/profile/").text
    assert "Editing and claiming are paused" in again.get("/account/profile/photo/").text
    dashboard = again.get("/account/").text
    assert f'action="/account/profiles/{published.pk}/availability/"' not in dashboard
    assert "Changing your availability is paused" in dashboard
    claim_page = again.get(f"/account/claim/{listing.slug}/").text
    assert "Editing and claiming are paused" in claim_page
    assert f"/account/claim/{listing.slug}/email/" not in claim_page

    # Every write is refused with a page that says why and offers the undo and the export.
    writes = {
        "section save": ("/account/profile/basics/", BASICS),
        "autosave": ("/account/profile/basics/draft/", BASICS),
        "discard": ("/account/profile/basics/discard/", {}),
        "submit": ("/account/profile/submit/", {}),
        "photo alt": ("/account/profile/photo/", {"alt": "Me"}),
        "photo remove": ("/account/profile/photo/remove/", {}),
        "availability": (
            f"/account/profiles/{published.pk}/availability/",
            {"availability": "not_accepting"},
        ),
        "claim by email": (f"/account/claim/{listing.slug}/email/", {}),
        "claim by review": (
            f"/account/claim/{listing.slug}/request/",
            {"license_number": "LMFT1", "evidence": "my site"},
        ),
        "claim link": (f"/account/claim/confirm/{token}/", {}),
    }
    for what, (url, data) in writes.items():
        response = again.post(url, data)
        assert response.status_code == 409, what
        assert "Nothing was changed" in response.text, what
        assert 'action="/account/delete/keep/"' in response.text, what
        assert 'action="/account/export/"' in response.text, what
    published.refresh_from_db()
    listing.refresh_from_db()
    assert published.name == "Alice Okafor" and published.accepting_new_clients
    assert not ProfileRevision.objects.filter(profile=published).exists()
    assert not ProfileDraft.objects.filter(profile=published).exists()
    assert listing.owner is None and not ClaimRequest.objects.exists()
    # The availability reminder's link (no sign-in) does not confirm either.
    link = Client().post(f"/account/availability/confirm/{reminder}/")
    assert link.status_code == 410 and "scheduled for deletion" in link.text
    assert alice_profile().accepting_confirmed_at == long_ago
    run_tasks()
    assert mail.outbox == []  # no claim link went out

    # Export still works, and keeping the account opens the editor again.
    assert again.post("/account/export/").status_code == 200
    assert again.post("/account/delete/keep/").status_code == 302
    assert again.post("/account/profile/basics/", BASICS).status_code == 303
    assert "Editing and claiming are paused" not in again.get("/account/profile/basics/").text


def test_a_claim_cannot_be_completed_for_an_account_being_deleted() -> None:
    listing = imported_profile()
    token = claims.make_claim_token(profile=listing, user=alice())
    claims.claim_request_create(
        profile=listing, user=alice(), license_number="LMFT1", evidence="my site"
    )
    signed_in(alice()).post("/account/delete/", {"email": ALICE_EMAIL})
    # The services refuse too, whoever calls them: the purge would delete the profile.
    with pytest.raises(claims.ClaimError, match="scheduled for deletion"):
        claims.claim_with_token(token=token, user=alice())
    staff = signed_in(bob())
    response = staff.post(
        "/admin/directory/claimrequest/",
        {"action": "approve_selected", "_selected_action": [ClaimRequest.objects.get().pk]},
        follow=True,
    )
    assert "account is scheduled for deletion" in response.text
    listing.refresh_from_db()
    assert listing.owner is None
    assert ClaimRequest.objects.get().status == "pending"  # decided once they keep it or not
