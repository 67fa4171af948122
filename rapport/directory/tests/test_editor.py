"""The profile editor at /account/profile/, through HTTP: access, each section's save,
drafts that keep what was typed, rows added without JavaScript, and markup shown as text."""

from __future__ import annotations

import re
from html import unescape

import pytest

from rapport.directory.editor.models import ProfileDraft, ProfileRevision
from rapport.directory.editor.services import forget_vocabulary
from rapport.directory.models import License, Status, TherapistProfile, forget_terms
from rapport.moderation.models import AuditEvent
from rapport.taxonomy.models import Kind
from rapport.testing import alice, alice_profile, charlie, dana, make_term

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

EDITOR = "/account/profile/"


@pytest.fixture(autouse=True)
def fresh_vocabulary():
    # Both caches are per process; each test has its own database.
    forget_terms()
    forget_vocabulary()
    yield
    forget_terms()
    forget_vocabulary()


def section(name: str) -> str:
    return f"{EDITOR}{name}/"


def basics(profile: TherapistProfile, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": profile.name,
        "credentials": profile.credentials,
        "title": profile.title,
        "pronouns": profile.pronouns,
        "gender": "",
        "gender_self": "",
    }
    data.update(changes)
    return data


def licenses_post(rows: list[dict[str, str]], **extra: str) -> dict[str, object]:
    data: dict[str, object] = {
        "licenses-TOTAL_FORMS": str(len(rows)),
        "licenses-INITIAL_FORMS": "0",
        "npi": "",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"licenses-{i}-{key}"] = value
    data.update(extra)
    return data


# --- Access -----------------------------------------------------------------------------


def test_it_sends_a_visitor_who_is_not_signed_in_to_the_login(client) -> None:
    for url in [EDITOR, section("basics"), section("approaches")]:
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"] and "next=" in response["Location"]
    assert client.post(section("basics"), {"name": "X"}).status_code == 302


def test_it_edits_only_the_signed_in_owners_profile(client) -> None:
    alice_profile()
    client.force_login(charlie())
    html = client.get(section("basics")).content.decode()
    assert "Charlie Baptiste" in html and "Alice Okafor" not in html
    client.post(
        section("basics"), basics(TherapistProfile.objects.get(owner=charlie()), name="Hacked")
    )
    assert alice_profile().name == "Alice Okafor"


def test_it_answers_404_for_a_section_that_does_not_exist(client) -> None:
    client.force_login(alice())
    assert client.get(section("nonsense")).status_code == 404


def test_it_offers_a_new_therapist_to_create_a_draft_profile(client) -> None:
    client.force_login(dana())
    html = client.get(EDITOR).content.decode()
    assert "Create your profile" in html
    assert client.get(section("basics")).status_code == 404  # nothing to edit yet

    response = client.post(f"{EDITOR}create/", {"name": "  "})
    assert response.status_code == 400
    assert "Name is required" in response.content.decode()
    assert not TherapistProfile.objects.filter(owner=dana()).exists()

    response = client.post(f"{EDITOR}create/", {"name": "Dana Whitfield"})
    assert response.status_code == 302 and response["Location"] == section("basics")
    profile = TherapistProfile.objects.get(owner=dana())
    assert (profile.status, profile.source, profile.name) == (
        Status.DRAFT,
        "account",
        "Dana Whitfield",
    )
    # Drafts are never public.
    assert client.get(profile.get_absolute_url()).status_code == 404
    # A second "create" does not make a second profile.
    client.post(f"{EDITOR}create/", {"name": "Dana Again"})
    assert TherapistProfile.objects.filter(owner=dana()).count() == 1


# --- Saving sections ------------------------------------------------------------------------


def test_it_saves_every_basics_field_of_a_draft_profile_at_once(client) -> None:
    client.force_login(charlie())
    profile = TherapistProfile.objects.get(owner=charlie())
    make_term(Kind.IDENTITY, "veteran", "Veteran", group="Experience")
    data = basics(
        profile, name="Charles Baptiste", credentials="MSW, LCSW", pronouns="he/they",
        gender="self", gender_self="Two-spirit", identities=["veteran"],
    )  # fmt: skip
    response = client.post(section("basics"), data)
    assert response.status_code == 303
    profile.refresh_from_db()
    assert (profile.name, profile.credentials, profile.pronouns, profile.gender) == (
        "Charles Baptiste", "MSW, LCSW", "he/they", "Two-spirit",
    )  # fmt: skip
    assert [t.slug for t in profile.terms.filter(kind=Kind.IDENTITY)] == ["veteran"]
    assert not ProfileRevision.objects.exists()  # a draft profile has nothing to review
    assert AuditEvent.objects.filter(
        action="directory.profile.edited", target_id=str(profile.pk)
    ).exists()
    html = client.get(section("basics")).content.decode()
    assert 'value="Charles Baptiste"' in html and "Saved." in html


def test_it_publishes_practice_fees_and_insurance_edits_at_once(client) -> None:
    client.force_login(alice())
    make_term(Kind.INSURANCE, "cigna", "Cigna", group="National")
    data = {
        "in_person": "on", "telehealth": "on", "telehealth_states": ["WA", "ID"],
        "offices-TOTAL_FORMS": "2", "offices-INITIAL_FORMS": "0",
        "offices-0-address": "1201 Pacific Ave", "offices-0-city": "Tacoma", "offices-0-state": "WA",
        "offices-0-zip": "98402",
        "offices-1-address": "", "offices-1-city": "", "offices-1-state": "", "offices-1-zip": "",
        "fee_min": "$80", "fee_max": "140", "sliding_scale": "on", "insurance": ["cigna"],
    }  # fmt: skip
    response = client.post(section("practice"), data)
    assert response.status_code == 303, response.content.decode()[:2000]
    profile = alice_profile()
    assert (profile.fee_min, profile.fee_max, profile.sliding_scale, profile.free_consultation) == (
        80, 140, True, False,
    )  # fmt: skip
    assert profile.telehealth_states == ["WA", "ID"]
    assert [t.slug for t in profile.terms.filter(kind=Kind.INSURANCE)] == ["cigna"]
    offices = list(profile.offices.all())
    assert len(offices) == 1 and offices[0].city == "Tacoma" and offices[0].lat is not None
    assert not ProfileRevision.objects.exists()  # not a reviewed field: no review
    public = client.get(profile.get_absolute_url()).content.decode()
    assert "Cigna" in public


def test_it_saves_who_i_see_and_contact(client) -> None:
    client.force_login(alice())
    make_term(Kind.ISSUE, "grief", "Grief", group="Loss")
    make_term(Kind.LANGUAGE, "fr", "French", group="European")
    response = client.post(
        section("clients"),
        {
            "issues": ["grief", "anxiety"],
            "languages": ["fr"],
            "ages": ["adults"],
            "formats": ["couples"],
        },
    )
    assert response.status_code == 303
    slugs = {(t.kind, t.slug) for t in alice_profile().terms.all()}
    assert {(Kind.ISSUE, "grief"), (Kind.ISSUE, "anxiety"), (Kind.LANGUAGE, "fr")} <= slugs
    assert (Kind.LANGUAGE, "es") not in slugs and (Kind.FORMAT, "individual") not in slugs

    response = client.post(
        section("contact"),
        {"email": "new@example.org", "phone": "(253) 555-0100", "website": "example.org"},
    )
    assert response.status_code == 303
    profile = alice_profile()
    assert (profile.email, profile.website) == ("new@example.org", "https://example.org")


def test_it_keeps_a_license_verified_while_it_is_unchanged(client) -> None:
    from django.utils import timezone

    client.force_login(charlie())
    profile = TherapistProfile.objects.get(owner=charlie())
    License.objects.filter(profile=profile).update(
        verified_at=timezone.now(), verification_source="or-board"
    )
    row = {"type": "lcsw", "state": "OR", "number": "L9876", "status": "licensed", "supervisor": ""}
    new = {
        "type": "lmft",
        "state": "WA",
        "number": "LF1",
        "status": "associate",
        "supervisor": "Pat Lee",
    }
    make_term(
        Kind.LICENSE_TYPE, "lmft", "Licensed Marriage and Family Therapist", short_name="LMFT"
    )
    response = client.post(section("licenses"), licenses_post([row, new]))
    assert response.status_code == 303, response.content.decode()[:3000]
    licenses = list(License.objects.filter(profile=profile).order_by("position"))
    assert [(lic.state, lic.is_verified) for lic in licenses] == [("OR", True), ("WA", False)]
    assert licenses[1].supervisor == "Pat Lee"

    # A changed number is a different license: checked again.
    response = client.post(section("licenses"), licenses_post([{**row, "number": "L0000"}]))
    assert response.status_code == 303
    assert [(lic.number, lic.is_verified) for lic in License.objects.filter(profile=profile)] == [
        ("L0000", False)
    ]


def test_it_adds_a_license_row_by_posting_back_without_saving(client) -> None:
    client.force_login(charlie())
    row = {"type": "lcsw", "state": "OR", "number": "TYPED-BUT-UNSAVED", "status": "licensed"}
    response = client.post(section("licenses"), licenses_post([row], _add="licenses"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="licenses-1-number"' in html  # the new, blank row
    assert 'value="TYPED-BUT-UNSAVED"' in html  # what was typed is still there
    assert "error-summary" not in html  # adding a row is not a failed save
    assert not License.objects.filter(number="TYPED-BUT-UNSAVED").exists()
    assert ProfileDraft.objects.filter(section="licenses").exists()


def test_it_removes_a_row_ticked_for_removal(client) -> None:
    client.force_login(charlie())
    row = {"type": "lcsw", "state": "OR", "number": "L9876", "status": "licensed"}
    other = {"type": "lcsw", "state": "WA", "number": "L2", "status": "licensed", "DELETE": "on"}
    assert client.post(section("licenses"), licenses_post([row, other])).status_code == 303
    assert list(
        License.objects.filter(profile__owner=charlie()).values_list("state", flat=True)
    ) == ["OR"]


# --- Errors and drafts ------------------------------------------------------------------------


def test_it_shows_each_error_next_to_its_field_and_keeps_the_typing_as_a_draft(client) -> None:
    client.force_login(alice())
    data = {"email": "not-an-address", "phone": "call me", "website": "javascript:alert(1)"}
    response = client.post(section("contact"), data)
    assert response.status_code == 400
    html = response.content.decode()
    # The summary links to each field; each field points at its message.
    for field in ("email", "phone", "website"):
        assert f'<a href="#id_{field}">' in html
        assert f'id="id_{field}-error"' in html
        assert re.search(
            rf'<input[^>]*aria-describedby="id_{field}-hint id_{field}-error"[^>]*id="id_{field}"',
            html,
        ) or re.search(
            rf'<input[^>]*id="id_{field}"[^>]*aria-describedby="id_{field}-hint id_{field}-error"',
            html,
        )
    assert 'value="not-an-address"' in html
    assert alice_profile().email == "alice@example.org"  # nothing saved

    # Coming back later: the form still holds what was typed, with a way to discard it.
    html = client.get(section("contact")).content.decode()
    assert "You have unsaved changes from" in html and 'value="not-an-address"' in html
    client.post(section("contact") + "discard/")
    html = client.get(section("contact")).content.decode()
    assert "You have unsaved changes" not in html and 'value="alice@example.org"' in html


def test_it_autosaves_a_draft_through_htmx_and_drops_it_on_a_good_save(client) -> None:
    client.force_login(alice())
    response = client.post(
        section("about") + "draft/", {"statement": "Half a thought, typed before the tab closed"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200 and "Draft kept at" in response.content.decode()
    html = client.get(section("about")).content.decode()
    assert "Half a thought, typed before the tab closed" in html
    assert "unsaved changes" in html
    client.post(section("about"), {"statement": "A whole thought."})
    assert not ProfileDraft.objects.exists()


def test_it_refuses_a_statement_over_1500_characters_and_loses_nothing(client) -> None:
    client.force_login(charlie())
    text = "word " * 320  # 1,600 characters
    response = client.post(
        section("approaches"),
        {"approaches": ["relational-therapy"], "statement_relational-therapy": text},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "the limit is 1,500" in html
    assert text.strip() in unescape(html)
    assert ProfileDraft.objects.get(section="approaches").data["statement_relational-therapy"] == [
        text
    ]


# --- Markup is text ---------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script>'


def test_it_shows_markup_in_a_name_and_a_statement_as_text(client) -> None:
    client.force_login(charlie())
    profile = TherapistProfile.objects.get(owner=charlie())
    assert (
        client.post(section("basics"), basics(profile, name=f"Charlie {SCRIPT}")).status_code == 303
    )
    assert (
        client.post(
            section("approaches"),
            {
                "approaches": ["relational-therapy"],
                "statement_relational-therapy": f"I use {SCRIPT} daily",
            },
        ).status_code
        == 303
    )
    profile.refresh_from_db()
    assert SCRIPT in profile.name  # stored as typed ...
    for url in (section("basics"), section("approaches"), EDITOR):
        html = client.get(url).content.decode()
        assert SCRIPT not in html  # ... and never markup on a page
    html = client.get(section("approaches")).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


# --- Pickers -------------------------------------------------------------------------------------


def test_it_lists_taxonomy_choices_chosen_first_then_by_group(client) -> None:
    client.force_login(alice())
    make_term(Kind.ISSUE, "grief", "Grief", group="Loss and change")
    html = client.get(section("clients")).content.decode()
    picker = html[html.index('id="picker-issues"') :]
    picker = picker[: picker.index("</fieldset>")]
    # Alice's own issues are in the first list, ticked; the rest under their group.
    top = picker[: picker.index("picker-more")]
    assert 'value="anxiety" id="issues-anxiety" checked' in top
    assert "Loss and change" in picker[picker.index("picker-more") :]
    assert 'value="grief" id="issues-grief">' in picker
    assert "data-picker-filter" in picker and "hidden" in picker  # the filter box waits for JS


def test_it_holds_a_license_change_of_a_published_profile_for_review(client) -> None:
    client.force_login(alice())
    row = {"type": "psychologist", "state": "WA", "number": "PY-CHANGED", "status": "licensed"}
    assert client.post(section("licenses"), licenses_post([row])).status_code == 303
    assert list(
        License.objects.filter(profile=alice_profile()).values_list("number", flat=True)
    ) == ["PY60054321"]
    revision = ProfileRevision.objects.get(section="licenses")
    assert revision.data["licenses"][0]["number"] == "PY-CHANGED"
    # The owner's form shows their change, and says it waits.
    html = client.get(section("licenses")).content.decode()
    assert 'value="PY-CHANGED"' in html and "waiting for review" in html


def test_it_explains_fees_and_places_that_do_not_add_up(client) -> None:
    client.force_login(alice())
    data = {
        "in_person": "on", "offices-TOTAL_FORMS": "1", "offices-INITIAL_FORMS": "0",
        "offices-0-address": "", "offices-0-city": "", "offices-0-state": "", "offices-0-zip": "",
        "fee_min": "200", "fee_max": "120",
    }  # fmt: skip
    html = client.post(section("practice"), data).content.decode()
    assert "Highest fee is less than the lowest fee." in html
    data["fee_max"] = "250"
    html = client.post(section("practice"), data).content.decode()
    assert "Add an office with a city or ZIP code" in html
    data["offices-0-address"] = "12 Main St"  # an address alone places nobody
    html = client.post(section("practice"), data).content.decode()
    assert "City or ZIP code is required" in html
    assert alice_profile().fee_min == 90


def test_the_access_rule_answers_404_for_a_profile_that_is_not_yours() -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from rapport.directory.editor.access import owned_profile_or_404

    mine = TherapistProfile.objects.get(owner=charlie())
    assert owned_profile_or_404(charlie(), mine.pk) == mine
    for user, pk in [(charlie(), alice_profile().pk), (dana(), None), (AnonymousUser(), mine.pk)]:
        with pytest.raises(Http404):
            owned_profile_or_404(user, pk)


def test_it_keeps_an_offices_exact_point_while_its_address_is_unchanged(client) -> None:
    client.force_login(alice())
    office = alice_profile().offices.get()
    office.lat, office.lon, office.geocoded = 47.25555, -122.44444, False
    office.save()
    data = {
        "in_person": "on", "offices-TOTAL_FORMS": "1", "offices-INITIAL_FORMS": "0",
        "offices-0-address": office.address, "offices-0-city": office.city,
        "offices-0-state": office.state, "offices-0-zip": office.zip, "fee_min": "95",
    }  # fmt: skip
    assert client.post(section("practice"), data).status_code == 303
    kept = alice_profile().offices.get()
    assert (kept.lat, kept.lon) == (47.25555, -122.44444)
    data["offices-0-zip"] = "98406"  # moved: the point comes from the new ZIP
    assert client.post(section("practice"), data).status_code == 303
    moved = alice_profile().offices.get()
    assert moved.lat != 47.25555 and moved.geocoded


@pytest.mark.parametrize(
    "name",
    ["", "basics/", "licenses/", "practice/", "clients/", "approaches/", "about/", "contact/"],
)
def test_every_editor_page_runs_only_our_own_files(client, name: str) -> None:
    from rapport.testing import scan_page, third_party_urls

    client.force_login(alice())
    response = client.get(f"{EDITOR}{name}")
    html = response.content.decode()
    page = scan_page(html)
    assert (page.inline_scripts, page.style_attributes, page.event_handlers) == ([], [], [])
    assert third_party_urls(html, own_hosts={"testserver"}) == []
    assert "noindex" in html and "988" in html  # private pages; the crisis line is one tap away
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_ticking_an_approach_brings_its_statement_box_without_saving(client) -> None:
    client.force_login(charlie())
    make_term(Kind.APPROACH, "narrative-therapy", "Narrative Therapy", group="Other")
    data = {
        "approaches": ["relational-therapy", "narrative-therapy"],
        "statement_relational-therapy": "Kept as typed.",
        "_refresh": "1",
    }
    response = client.post(section("approaches"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="statement_narrative-therapy"' in html and "Kept as typed." in html
    assert 'id="preview-narrative-therapy"' in html
    profile = TherapistProfile.objects.get(owner=charlie())
    assert not profile.approach_statements.filter(approach__slug="narrative-therapy").exists()


def test_an_editor_save_keeps_the_waitlist_set_on_the_dashboard(client) -> None:
    # The editor writes what the importer's rules give back, expected_wait_weeks included
    # (it is in the interchange document now): a save elsewhere must hand it back unchanged.
    TherapistProfile.objects.filter(pk=alice_profile().pk).update(expected_wait_weeks=6)
    client.force_login(alice())
    response = client.post(section("basics"), basics(alice_profile(), pronouns="she/they"))
    assert response.status_code == 303, response.content.decode()[:2000]
    profile = alice_profile()
    assert profile.pronouns == "she/they" and profile.expected_wait_weeks == 6
