"""Publishing and review of edits, through HTTP: a draft is submitted when complete; an
edit to a published profile's name, licenses or statements waits for staff while the
published version stays visible; approval in the admin shows in search and on the
approach page on the next request; a rejection's note reaches the therapist."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core import mail
from django.test import Client

from rapport.directory.editor.models import ProfileRevision, RevisionStatus
from rapport.directory.editor.services import forget_vocabulary
from rapport.directory.models import (
    IndexChange,
    IndexVersion,
    Status,
    TherapistProfile,
    forget_terms,
)
from rapport.directory.services import profile_suspend
from rapport.moderation.models import AuditEvent
from rapport.testing import alice, alice_profile, bob, charlie, make_profile, run_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

EDITOR = "/account/profile/"
REVISIONS = "/admin/directory/profilerevision/"
PROFILES = "/admin/directory/therapistprofile/"
APPROACH = "/approaches/relational-therapy/"
NEW_STATEMENT = "Zephyrine attunement: we notice, together, what happens between us in the room."


@pytest.fixture(autouse=True)
def fresh_vocabulary():
    forget_terms()
    forget_vocabulary()
    yield
    forget_terms()
    forget_vocabulary()


def approaches_post(statement: str) -> dict[str, object]:
    return {
        "approaches": ["relational-therapy", "cognitive-behavioral-therapy"],
        "statement_relational-therapy": statement,
        "statement_cognitive-behavioral-therapy": "",
    }


def staff_client(client_class: type[Client]) -> Client:
    staff = client_class()
    staff.force_login(bob())
    return staff


def specialists(html: str) -> list[str]:
    return re.findall(r'<h3 class="specialist-name" id="sp-\d+"><a href="[^"]+">([^<]+)</a>', html)


def test_approval_puts_a_statement_in_search_and_on_the_approach_page(
    client, django_capture_on_commit_callbacks
) -> None:
    make_profile(name="Other Therapist", approaches=[("relational-therapy", "Other words.")])
    profile = alice_profile()
    visitor = Client()
    assert "Zephyrine" not in visitor.get(APPROACH).content.decode()  # warms the index

    client.force_login(alice())
    response = client.post(f"{EDITOR}approaches/", approaches_post(NEW_STATEMENT))
    assert response.status_code == 303
    revision = ProfileRevision.objects.get(profile=profile, section="approaches")
    assert revision.status == RevisionStatus.PENDING

    # Held: the published statement stays on every page until staff approve.
    assert "Zephyrine" not in visitor.get(APPROACH).content.decode()
    assert "Alice Okafor" not in visitor.get("/therapists/", {"q": "zephyrine"}).content.decode()
    assert "Zephyrine" not in visitor.get(profile.get_absolute_url()).content.decode()
    editor = client.get(f"{EDITOR}approaches/").content.decode()
    assert "waiting for review" in editor and "Zephyrine" in editor  # the owner sees their change

    before = IndexVersion.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    staff = staff_client(Client)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            REVISIONS, {"action": "approve_selected", "_selected_action": [revision.pk]}
        )
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.APPROVED and revision.decided_by == bob()
    # What every other app process reads on its next request: a newer version naming her.
    assert IndexChange.objects.filter(profile_id=profile.pk, version__gt=before).exists()

    # The very next request of a search process sees it: approach page, search, profile.
    page = unescape(visitor.get(APPROACH).content.decode())
    assert NEW_STATEMENT in page and "Alice Okafor, PhD" in specialists(page)
    found = visitor.get("/therapists/", {"q": "zephyrine"}).content.decode()
    assert "Alice Okafor" in found
    assert "Zephyrine" in visitor.get(profile.get_absolute_url()).content.decode()
    assert AuditEvent.objects.filter(action="directory.revision.approved").count() == 1
    run_tasks()  # the email goes through the task queue, as `rapport worker` sends it
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.org"]
    assert "approved" in mail.outbox[0].subject and "Zephyrine" not in mail.outbox[0].subject
    assert "waiting for review" not in client.get(f"{EDITOR}approaches/").content.decode()


def test_a_name_change_waits_while_other_basics_publish_at_once(client) -> None:
    profile = alice_profile()
    client.force_login(alice())
    data = {
        "name": "Alicia Okafor-Quist", "credentials": "PhD, ABPP", "title": profile.title,
        "pronouns": "she/her", "gender": "woman", "gender_self": "",
    }  # fmt: skip
    assert client.post(f"{EDITOR}basics/", data).status_code == 303
    profile.refresh_from_db()
    assert (profile.name, profile.credentials, profile.gender) == (
        "Alice Okafor",
        "PhD, ABPP",
        "woman",
    )
    revision = ProfileRevision.objects.get(section="basics", status=RevisionStatus.PENDING)
    assert revision.data == {"name": "Alicia Okafor-Quist"}

    visitor = Client()
    assert "Okafor-Quist" not in visitor.get("/therapists/", {"q": "okafor"}).content.decode()
    staff_client(Client).post(
        REVISIONS, {"action": "approve_selected", "_selected_action": [revision.pk]}
    )
    profile.refresh_from_db()
    assert profile.name == "Alicia Okafor-Quist"
    assert "Alicia Okafor-Quist" in visitor.get("/therapists/", {"q": "okafor"}).content.decode()
    assert visitor.get(profile.get_absolute_url()).status_code == 200


def rename(profile: TherapistProfile, name: str) -> None:
    """The owner renames the profile in the editor and staff approve the change."""
    owner = Client()
    owner.force_login(alice())
    data = {
        "name": name, "credentials": profile.credentials, "title": profile.title,
        "pronouns": "", "gender": "", "gender_self": "",
    }  # fmt: skip
    assert owner.post(f"{EDITOR}basics/", data).status_code == 303
    revision = ProfileRevision.objects.get(section="basics", status=RevisionStatus.PENDING)
    staff_client(Client).post(
        REVISIONS, {"action": "approve_selected", "_selected_action": [revision.pk]}
    )
    profile.refresh_from_db()


def test_a_renamed_profiles_old_urls_redirect_for_good_while_it_is_published(client) -> None:
    profile = alice_profile()
    first = profile.get_absolute_url()
    rename(profile, "Alicia Okafor-Quist")
    second = profile.get_absolute_url()
    assert second != first and "alicia-okafor-quist-" in second
    response = client.get(first)
    assert response.status_code == 301 and response["Location"] == second
    assert client.get(second).status_code == 200

    rename(profile, "Alice Okafor")  # and back: the first URL is current again
    assert profile.get_absolute_url() == first
    assert client.get(first).status_code == 200
    response = client.get(second)
    assert response.status_code == 301 and response["Location"] == first

    profile_suspend(profile=profile, by=bob(), reason="complaint")
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 404  # no redirect to a hidden profile
    assert client.get("/therapists/nobody-abcdefgh/").status_code == 404


def test_saving_the_published_value_again_withdraws_the_waiting_change(client) -> None:
    profile = alice_profile()
    client.force_login(alice())
    data = {
        "name": "Someone Else",
        "credentials": "PhD",
        "title": profile.title,
        "pronouns": "she/her",
        "gender": "",
    }
    client.post(f"{EDITOR}basics/", data)
    client.post(f"{EDITOR}basics/", {**data, "name": "Alice Okafor"})
    assert list(ProfileRevision.objects.values_list("status", flat=True)) == [
        RevisionStatus.WITHDRAWN
    ]


def test_a_second_edit_replaces_the_waiting_one(client) -> None:
    client.force_login(alice())
    client.post(f"{EDITOR}about/", {"statement": "First try."})
    client.post(f"{EDITOR}about/", {"statement": "Second try."})
    revision = ProfileRevision.objects.get()
    assert (
        revision.data == {"statement": "Second try."} and revision.status == RevisionStatus.PENDING
    )


def test_a_rejection_with_a_note_reaches_the_therapist(
    client, django_capture_on_commit_callbacks
) -> None:
    client.force_login(alice())
    client.post(
        f"{EDITOR}about/", {"statement": "Best therapist in the state, guaranteed results."}
    )
    revision = ProfileRevision.objects.get()
    staff = staff_client(Client)

    # The action asks for a note first, and insists on one.
    page = staff.post(REVISIONS, {"action": "reject_selected", "_selected_action": [revision.pk]})
    assert page.status_code == 200 and "Note to the therapist" in page.content.decode()
    page = staff.post(
        REVISIONS,
        {"action": "reject_selected", "_selected_action": [revision.pk], "apply": "1", "note": ""},
    )
    assert "Write a note" in page.content.decode()
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PENDING

    note = "Please describe how you work rather than promising results."
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            REVISIONS,
            {
                "action": "reject_selected",
                "_selected_action": [revision.pk],
                "apply": "1",
                "note": note,
            },
        )
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.REJECTED and revision.note == note
    assert "guaranteed" not in alice_profile().statement
    html = client.get(f"{EDITOR}about/").content.decode()
    assert "was not approved" in html and note in html
    run_tasks()
    assert note in mail.outbox[-1].body


def test_staff_cannot_approve_a_change_twice(client) -> None:
    client.force_login(alice())
    client.post(f"{EDITOR}about/", {"statement": "New words."})
    revision = ProfileRevision.objects.get()
    staff = staff_client(Client)
    staff.post(REVISIONS, {"action": "approve_selected", "_selected_action": [revision.pk]})
    response = staff.post(
        REVISIONS, {"action": "approve_selected", "_selected_action": [revision.pk]}, follow=True
    )
    assert "already decided" in response.content.decode()
    assert AuditEvent.objects.filter(action="directory.revision.approved").count() == 1


def test_the_revision_page_compares_published_and_proposed_as_text(client) -> None:
    client.force_login(alice())
    client.post(f"{EDITOR}about/", {"statement": "<b>bold</b> claim"})
    revision = ProfileRevision.objects.get()
    html = staff_client(Client).get(f"{REVISIONS}{revision.pk}/change/").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt; claim" in html and "<b>bold</b>" not in html
    assert "I work with adults" in html  # what is published now


# --- Submitting a new profile ------------------------------------------------------------------


def test_a_draft_is_submitted_only_when_complete(client) -> None:
    client.force_login(charlie())
    profile = TherapistProfile.objects.get(owner=charlie())
    client.post(f"{EDITOR}about/", {"statement": ""})
    html = client.get(EDITOR).content.decode()
    assert "Before you can submit" in html and "About me" in html
    assert 'action="/account/profile/submit/"' not in html
    client.post(f"{EDITOR}submit/")
    profile.refresh_from_db()
    assert profile.status == Status.DRAFT

    client.post(f"{EDITOR}about/", {"statement": "I help people find steadier ground."})
    html = client.get(EDITOR).content.decode()
    assert "has everything it needs" in html
    assert client.post(f"{EDITOR}submit/").status_code == 302
    profile.refresh_from_db()
    assert profile.status == Status.PENDING
    assert "Pending review" in client.get(EDITOR).content.decode()

    # Staff publish it in the admin; from then on it is public.
    staff_client(Client).post(
        PROFILES, {"action": "approve_selected", "_selected_action": [profile.pk]}
    )
    profile.refresh_from_db()
    assert profile.status == Status.PUBLISHED
    assert Client().get(profile.get_absolute_url()).status_code == 200


def test_staff_reject_a_pending_profile_with_a_note(client) -> None:
    profile = TherapistProfile.objects.get(owner=charlie())
    TherapistProfile.objects.filter(pk=profile.pk).update(status=Status.PENDING)
    staff_client(Client).post(
        PROFILES,
        {
            "action": "reject_selected",
            "_selected_action": [profile.pk],
            "apply": "1",
            "note": "License number not found.",
        },
    )
    profile.refresh_from_db()
    assert profile.status == Status.REJECTED
    event = AuditEvent.objects.get(action="directory.profile.rejected")
    assert event.reason == "License number not found."


# --- Preview -------------------------------------------------------------------------------------


def test_preview_shows_the_approach_page_card_without_saving(client) -> None:
    client.force_login(alice())
    response = client.post(
        f"{EDITOR}approaches/",
        {**approaches_post("Words I am still weighing."), "_preview": "relational-therapy"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    preview = html[html.index('id="preview-relational-therapy"') :]
    assert "Words I am still weighing." in preview[:3000]
    assert (
        'class="specialist-name" id="sp-preview-relational-therapy-' in preview
    )  # the approach page's card
    assert not ProfileRevision.objects.exists()
    assert (
        "Words I am still weighing"
        not in alice_profile()
        .approach_statements.get(approach__slug="relational-therapy")
        .statement
    )
    # The card says what the approach page says when there is no statement: their general words.
    preview = html[html.index('id="preview-cognitive-behavioral-therapy"') :][:3000]
    assert "From their profile:" in preview


def test_preview_updates_as_you_type_through_htmx(client) -> None:
    client.force_login(alice())
    response = client.post(
        f"{EDITOR}preview/",
        {
            "approach": "relational-therapy",
            "statement_relational-therapy": "Typed <em>just now</em>",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Typed &lt;em&gt;just now&lt;/em&gt;" in html and "Alice Okafor, PhD" in html
