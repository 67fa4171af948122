"""The public profile page, read as someone deciding whether to reach out."""

from __future__ import annotations

import datetime
import html as htmllib
import json
import re

import pytest
from django.utils import timezone

from rapport.directory.models import ApproachStatement, License, LicenseStatus, Office, Status
from rapport.taxonomy.models import Kind
from rapport.testing import alice, alice_profile, charlie, make_profile, make_term

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"


def _get(client, profile):
    response = client.get(profile.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_it_shows_every_public_part_of_the_profile(client):
    profile = make_profile(
        name="Uriah Cty",
        credentials="M.A., LMFT",
        title="Licensed Marriage & Family Therapist",
        pronouns="he/him",
        npi="1234567893",
        terms=[
            (Kind.ISSUE, "anxiety", "Anxiety"),
            (Kind.ISSUE, "grief", "Grief"),
            (Kind.INSURANCE, "aetna", "Aetna"),
            (Kind.LANGUAGE, "es", "Spanish"),
            (Kind.AGE, "teens", "Teens"),
            (Kind.FORMAT, "couples", "Couples"),
            (Kind.COMMUNITY, "lgbtq", "LGBTQ+ people"),
        ],
        approaches=[
            ("relational-therapy", "We notice how we relate, together.", "Relational Therapy")
        ],
    )
    html = _get(client, profile)
    text = htmllib.unescape(html)

    assert '<div class="avatar" aria-hidden="true">UC</div>' in html
    assert '<h1 id="profile-name">Uriah Cty, M.A., LMFT</h1>' in html
    assert "he/him" in text
    assert "Licensed Marriage & Family Therapist in Tacoma, WA" in text
    assert "1201 Pacific Ave, Suite 600" in text and "Tacoma, WA 98402" in text
    assert "Can see clients located in: WA, OR (telehealth)" in text
    assert "$90–$150 per session (estimate)" in text
    assert "Sliding scale available" in text and "Free first consultation" in text
    for name in ["Anxiety", "Grief", "Aetna", "Spanish", "Teens", "Couples", "LGBTQ+ people"]:
        assert name in text
    assert "Relational Therapy" in text and "We notice how we relate, together." in text
    assert "Licensed Mental Health Counselor (LMHC)" in text and "licence LH60012345" in text
    assert "1234567893" in text
    assert 'href="tel:+12535550142"' in html
    assert (
        '<a href="https://jordan-rivera-counseling.example/" rel="nofollow noopener noreferrer">'
        "jordan-rivera-counseling.example</a>" in html
    )
    assert "the therapist's own site" in text
    confirmed = profile.accepting_confirmed_at.strftime("%B %-d, %Y")
    assert f"Accepting new clients (confirmed {confirmed})" in re.sub(r"<[^>]+>", "", text)


def test_it_never_shows_the_email_address(client):
    profile = make_profile(email="very.private+inbox@example.org")
    html = _get(client, profile)
    assert "very.private" not in html
    assert "very.private+inbox@example.org" not in htmllib.unescape(html)
    assert "mailto:" not in html


def test_it_never_shows_alices_email_even_though_it_is_her_login(client):
    html = _get(client, alice_profile())
    assert "alice@example.org" not in html


def test_it_titles_and_describes_the_page_from_the_display_line(client):
    profile = make_profile(name="Uriah Cty", credentials="LMFT", title="Counselor")
    html = _get(client, profile)
    assert "<title>Uriah Cty, LMFT — Counselor in Tacoma, WA | Rapport</title>" in html
    description = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    assert description.startswith("Uriah Cty, LMFT — Counselor in Tacoma, WA.")
    assert len(htmllib.unescape(description)) <= 160
    assert f'<link rel="canonical" href="http://testserver{profile.get_absolute_url()}">' in html


@pytest.mark.parametrize(
    ("offices", "expected"),
    [
        ([{"city": "", "state": "WA", "zip": ""}], "Counselor Associate in Washington"),
        ([{"city": "", "state": "", "zip": ""}], "Counselor Associate"),
        ([], "Counselor Associate"),
    ],
)
def test_it_never_shows_dangling_place_punctuation(client, offices, expected):
    profile = make_profile(title="Counselor Associate", offices=offices)
    text = htmllib.unescape(_get(client, profile))
    assert f'<p class="title-place">{expected}</p>' in text
    assert "in ," not in text and "Associate in <" not in text


def test_it_escapes_markup_in_every_text_field(client):
    profile = make_profile(
        name=f"Eve {XSS}",
        credentials=XSS,
        title=f"Counselor {XSS}",
        pronouns=XSS,
        statement=f"Hello\n\n{XSS}\n\n<b>bold</b>",
        phone=f"555 {XSS}",
        approaches=[("relational-therapy", f"My take {XSS}", "Relational")],
        offices=[{"address": XSS, "city": "Tacoma", "state": "WA", "zip": "98402"}],
    )
    html = _get(client, profile)
    assert "<script>alert(1)" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<p>&lt;b&gt;bold&lt;/b&gt;</p>" in html


def test_it_splits_statements_into_paragraphs_on_blank_lines(client):
    profile = make_profile(
        statement="First paragraph\nsame paragraph.\n  \n\nSecond.\r\n\r\nThird."
    )
    html = _get(client, profile)
    assert "<p>First paragraph<br>same paragraph.</p>\n<p>Second.</p>\n<p>Third.</p>" in html


def test_it_describes_the_therapist_as_a_schema_org_person(client):
    profile = make_profile(name="Uriah Cty", credentials="LMFT", title="Counselor")
    data = _json_ld(_get(client, profile))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Person"
    assert data["name"] == "Uriah Cty"
    assert data["jobTitle"] == "Counselor"
    assert data["url"] == f"http://testserver{profile.get_absolute_url()}"
    assert data["address"]["addressLocality"] == "Tacoma"
    assert data["address"]["addressRegion"] == "WA"
    assert data["telephone"] == "(253) 555-0142"
    assert "email" not in data


def test_it_leaves_unknown_parts_out_of_the_json_ld(client):
    profile = make_profile(title="", phone="", offices=[{"city": "", "state": ""}])
    data = _json_ld(_get(client, profile))
    assert "jobTitle" not in data and "telephone" not in data and "address" not in data


def test_it_keeps_json_ld_inert_whatever_a_name_contains(client):
    hostile = '</script><script>alert(1)</script><!-- & "quotes"'
    profile = make_profile(name=hostile, title=hostile)
    html = _get(client, profile)
    data = _json_ld(html)
    assert data["name"] == hostile and data["jobTitle"] == hostile
    assert "<script>alert(1)" not in html
    assert html.count("</script>") == 1  # only the JSON-LD block's own end tag


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.PENDING, Status.SUSPENDED, Status.REJECTED]
)
def test_it_hides_unpublished_profiles_behind_the_same_404(client, status):
    profile = make_profile(status=status, name="Hidden Person")
    response = client.get(profile.get_absolute_url())
    assert response.status_code == 404
    html = response.content.decode()
    assert "Hidden Person" not in html
    assert 'href="tel:988"' in _main(html)
    assert client.get("/therapists/no-such-person-abcdefgh/").status_code == 404


def test_it_hides_charlies_draft_even_from_a_signed_in_charlie(client):
    client.force_login(charlie())
    draft = charlie().profiles.get()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_it_marks_demo_profiles_visibly_and_keeps_them_out_of_search_engines(client):
    demo = make_profile(source="demo")
    real = make_profile()
    demo_html = _get(client, demo)
    real_html = _get(client, real)
    assert "Demo profile" in demo_html
    assert '<meta name="robots" content="noindex">' in demo_html
    assert "Demo profile" not in real_html
    assert 'name="robots"' not in real_html


def test_it_labels_licences_verified_only_when_verification_was_recorded(client):
    profile = make_profile(
        licenses=[
            {
                "license_type": "lmhc",
                "state": "WA",
                "number": "LH1",
                "verified_at": datetime.datetime(2026, 3, 4, 18, 0, tzinfo=datetime.UTC),
                "verification_source": "WA DOH",
            },
            {"license_type": "lmft", "state": "OR", "number": "T2"},
        ]
    )
    text = htmllib.unescape(_get(client, profile))
    assert "Verified March 4, 2026 (WA DOH)" in text
    assert text.count("Self-reported</p>") == 1
    assert text.index("LH1") < text.index("Verified March 4") < text.index("T2")
    assert text.index("T2") < text.index("Self-reported</p>")


def test_it_shows_an_associates_supervision(client):
    profile = make_profile(
        title="Counselor Associate",
        licenses=[
            {
                "license_type": "lmhca",
                "state": "WA",
                "number": "MC1",
                "status": LicenseStatus.ASSOCIATE,
                "supervisor": "Dana Whitfield, LMHC",
            }
        ],
    )
    text = htmllib.unescape(_get(client, profile))
    assert "Associate (pre-licensed), practising under supervision" in text
    assert "supervisor: Dana Whitfield, LMHC" in text


@pytest.mark.parametrize(
    ("fees", "expected"),
    [
        ({"fee_min": 120, "fee_max": 120}, "$120 per session (estimate)"),
        ({"fee_min": 60, "fee_max": None}, "From $60 per session (estimate)"),
        ({"fee_min": None, "fee_max": 200}, "Up to $200 per session (estimate)"),
        ({"fee_min": 1000, "fee_max": 1500}, "$1,000–$1,500 per session (estimate)"),
    ],
)
def test_it_shows_fees_as_estimates(client, fees, expected):
    text = htmllib.unescape(_get(client, make_profile(**fees)))
    assert expected in text


def test_it_says_so_when_fees_and_contact_are_missing(client):
    profile = make_profile(
        fee_min=None,
        fee_max=None,
        sliding_scale=False,
        free_consultation=False,
        phone="",
        website="",
        terms=[],
    )
    text = htmllib.unescape(_get(client, profile))
    assert "Fees not listed." in text
    assert "No insurance plans listed." in text
    assert "No public contact details yet." in text


def test_it_shows_not_accepting_without_a_confirmation_date(client):
    text = _get(client, make_profile(accepting_new_clients=False, accepting_confirmed_at=None))
    assert "Not accepting new clients right now" in text
    assert "confirmed" not in text


def test_it_drops_a_website_that_is_not_http(client):
    profile = make_profile(website="javascript:alert(1)")
    html = _get(client, profile)
    assert "javascript:" not in html


def test_it_reads_the_page_in_a_constant_number_of_queries(client, django_assert_num_queries):
    small = make_profile(terms=[], approaches=[], licenses=[], offices=[])
    big = make_profile()
    for n in range(5):
        Office.objects.create(profile=big, city=f"City {n}", state="WA", position=n + 1)
        License.objects.create(
            profile=big,
            license_type=make_term(Kind.LICENSE_TYPE, f"type-{n}", f"Type {n}"),
            state="WA",
            position=n + 1,
            verified_at=timezone.now(),
        )
        ApproachStatement.objects.create(
            profile=big, approach=make_term(Kind.APPROACH, f"a-{n}", f"A {n}"), position=n + 2
        )
        big.terms.add(make_term(Kind.ISSUE, f"issue-{n}", f"Issue {n}"))
    # One for the profile, one per relation (term links, approaches, licences, offices);
    # the vocabulary itself is a process-wide cache, read once, so warm it first.
    client.get(big.get_absolute_url())
    for profile in (small, big):
        with django_assert_num_queries(5):
            client.get(profile.get_absolute_url())


def test_it_shows_alice_her_profile_like_anyone_else(client):
    profile = alice_profile()
    client.force_login(alice())
    html = _get(client, profile)
    assert "Alice Okafor, PhD" in html
