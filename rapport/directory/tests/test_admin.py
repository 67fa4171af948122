"""The staff admin for profiles, used by bob (a staff moderator, not a superuser)."""

from __future__ import annotations

import pytest

from rapport.directory.models import Status, TherapistProfile
from rapport.moderation.models import AuditEvent
from rapport.taxonomy.models import Kind, Term
from rapport.testing import alice_profile, bob, charlie, make_profile, make_term

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/directory/therapistprofile/"


def test_it_lists_profiles_for_staff(client):
    make_profile(name="Uriah Cty", source="demo")
    alice_profile()
    client.force_login(bob())
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Uriah Cty" in html and "Alice Okafor" in html
    for column in [
        "column-name",
        "column-source",
        "column-status",
        "column-accepting_new_clients",
        "column-updated_at",
    ]:
        assert column in html


def test_it_lists_profiles_in_a_constant_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(bob())
    for _ in range(3):
        make_profile()
    with django_assert_max_num_queries(12) as few:
        client.get(CHANGELIST)
    for _ in range(20):
        make_profile()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(CHANGELIST)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Okafor", 1), ("alice@example.org", 1), ("alice", 1), ("nobody-like-this", 0)],
)
def test_it_searches_by_name_email_and_external_id(client, query, expected):
    alice_profile()
    make_profile(name="Someone Else")
    client.force_login(bob())
    response = client.get(CHANGELIST, {"q": query})
    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_it_filters_by_status_and_source(client):
    make_profile(source="demo")
    make_profile(status=Status.PENDING)
    client.force_login(bob())
    assert client.get(CHANGELIST, {"source": "demo"}).context["cl"].result_count == 1
    assert client.get(CHANGELIST, {"status__exact": "pending"}).context["cl"].result_count == 1


def test_it_opens_the_change_page_with_inlines(client):
    profile = alice_profile()
    client.force_login(bob())
    response = client.get(f"{CHANGELIST}{profile.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "licenses-TOTAL_FORMS" in html
    assert "offices-TOTAL_FORMS" in html
    assert "approach_statements-TOTAL_FORMS" in html
    assert profile.slug in html
    # Status, slug and hash are shown, not editable.
    assert 'name="slug"' not in html and 'name="content_hash"' not in html
    assert 'name="status"' not in html


def test_it_opens_the_add_page(client):
    client.force_login(bob())
    response = client.get(f"{CHANGELIST}add/")
    assert response.status_code == 200
    assert 'name="status"' in response.content.decode()


def _management(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_it_adds_a_profile_with_a_slug_and_an_audit_event(client):
    issue = make_term(Kind.ISSUE, "grief", "Grief")
    user = bob()
    client.force_login(user)
    data = {
        "status": "draft",
        "source": "staff",
        "external_id": "s1",
        "name": "Nadia Haddad",
        "telehealth_states": "[]",
        "terms": str(issue.pk),
        "accepting_new_clients": "on",
        **_management("licenses"),
        **_management("offices"),
        **_management("approach_statements"),
    }
    response = client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile = TherapistProfile.objects.get(source="staff", external_id="s1")
    assert profile.slug.startswith("nadia-haddad-")
    assert list(profile.terms.all()) == [issue]
    event = AuditEvent.objects.get(action="directory.profile.created")
    assert event.actor == user and event.target_id == str(profile.pk)


def test_it_publishes_and_suspends_through_the_moderation_services(client):
    pending = make_profile(status=Status.PENDING)
    draft = make_profile(status=Status.DRAFT)
    user = bob()
    client.force_login(user)
    response = client.post(
        CHANGELIST,
        {"action": "approve_selected", "_selected_action": [pending.pk, draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    pending.refresh_from_db()
    draft.refresh_from_db()
    assert pending.status == Status.PUBLISHED
    assert draft.status == Status.DRAFT  # a draft must be submitted first: the service refuses
    assert AuditEvent.objects.filter(
        action="directory.profile.approved", target_id=str(pending.pk), actor=user
    ).exists()

    client.post(CHANGELIST, {"action": "suspend_selected", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.status == Status.SUSPENDED
    assert AuditEvent.objects.filter(action="directory.profile.suspended").count() == 1


def test_it_keeps_therapists_out_of_the_admin(client):
    client.force_login(charlie())
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_it_offers_only_licence_types_when_picking_a_licence_type(client):
    client.force_login(bob())
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "directory",
            "model_name": "license",
            "field_name": "license_type",
            "term": "l",
        },
    )
    assert response.status_code == 200
    ids = [int(item["id"]) for item in response.json()["results"]]
    assert ids
    assert set(Term.objects.filter(pk__in=ids).values_list("kind", flat=True)) == {
        Kind.LICENSE_TYPE
    }
