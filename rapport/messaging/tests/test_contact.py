"""The contact form through HTTP, as the anonymous visitor uses it: sending, bad input that
keeps everything typed, one request per form however often it is sent, the crisis screen,
the honeypot and fill time, links, rate limits, and profiles that cannot receive."""

from __future__ import annotations

import re
import secrets
import time
from html import unescape
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from rapport.core.ratelimits import LIMITS
from rapport.directory import index as ix
from rapport.matching.tests.test_views import directory  # noqa: F401 - the fixture
from rapport.messaging import forms as contact_forms
from rapport.messaging.models import ContactRequest
from rapport.testing import (
    alice,
    alice_profile,
    imported_profile,
    make_profile,
    make_user,
    pin_ratelimit_clock,
    ratelimit_window_edge,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]


@pytest.fixture(autouse=True)
def _fresh_counts():
    # Rate-limit counts live in the cache: each test starts from none.
    cache.clear()
    yield
    cache.clear()


def contact_url(profile, **query: str) -> str:
    url = reverse("messaging:contact", kwargs={"slug": profile.slug})
    if query:
        url += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
    return url


def drawn_token(seconds_ago: int = 60) -> str:
    """The hidden token of a form drawn `seconds_ago` (what a person's browser posts back)."""
    signer = signing.TimestampSigner(salt=contact_forms._TOKEN_SALT)
    stamp = signing.b62_encode(int(time.time()) - seconds_ago)
    return signing.Signer.sign(signer, f"{secrets.token_urlsafe(24)}{signer.sep}{stamp}")


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Sam Rivera",
        "email": "sam.rivera@example.net",
        "phone": "",
        "preferred": "email",
        "message": "Hello, I'm looking for help with anxiety at work. Do you have evening times?",
        "looking_for": "",
        "token": drawn_token(),
        "fax_number": "",
    }
    data.update(overrides)
    return data


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


# --- The form ---------------------------------------------------------------------------------


def test_it_shows_the_form_with_the_crisis_notice_and_consent(client):
    response = client.get(contact_url(alice_profile()))
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert "Reach out to Alice Okafor" in text
    for name in ("name", "email", "phone", "preferred", "message", "looking_for", "token"):
        assert f'name="{name}"' in html
    assert "This directory is not an emergency or crisis service." in text
    assert 'href="tel:988"' in html and 'href="sms:988"' in html and 'href="tel:911"' in html
    assert "Crisis Text Line" in text and 'href="sms:741741"' in html
    assert "By sending, you agree" in text
    # The honeypot is in a block nobody sees; the message box has no maxlength (a browser
    # would cut a long paste without a word).
    assert 'class="hp" aria-hidden="true"' in html
    assert 'maxlength="2000"' not in html
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_it_sends_and_redirects_to_the_sent_page(client, django_capture_on_commit_callbacks):
    profile = alice_profile()
    next_url = "/therapists/?location=98402#card-12"
    response = client.post(contact_url(profile), form_data(next=next_url))
    assert response.status_code == 302 and response["Location"] == reverse("messaging:sent")
    row = ContactRequest.objects.get()
    assert row.profile == profile and row.recipient == alice()
    contents = row.contents()
    assert contents["name"] == "Sam Rivera" and contents["email"] == "sam.rivera@example.net"
    assert contents["looking_for"] == ""
    page = client.get(response["Location"])
    text = text_of(page)
    assert "Your message to Alice Okafor was sent" in text
    assert "What happens next" in text
    assert f'href="{next_url}"' in page.content.decode()
    assert "Back to where you were" in text
    # Nothing the person typed went into a URL.
    assert "Sam" not in response["Location"] and "anxiety" not in response["Location"]


def test_the_form_says_when_this_browser_just_sent_one(client):
    client.post(contact_url(alice_profile()), form_data())
    again = client.get(contact_url(alice_profile()))
    assert "There is no need to send it again." in text_of(again)
    other = make_profile(owner=make_user("other@example.org"), external_id="other")
    assert "There is no need to send it again." not in text_of(client.get(contact_url(other)))


def test_a_double_submit_is_one_request(client):
    data = form_data()
    first = client.post(contact_url(alice_profile()), data)
    second = client.post(contact_url(alice_profile()), data)
    assert first.status_code == second.status_code == 302
    assert ContactRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"message": ""}, "Write a message to the therapist."),
        ({"message": "   "}, "Write a message to the therapist."),
        ({"message": "x" * 20_000}, "Your message is 20,000 characters long; the limit is 2,000."),
        ({"email": "sam.rivera"}, "Enter a full email address with a domain"),
        ({"email": "sam.rivera@"}, "Enter a full email address with a domain"),
        ({"email": "sam.rivera@localhost"}, "Enter a full email address with a domain"),
        ({"name": ""}, "Enter your name"),
        ({"preferred": "phone"}, "Add a phone number, or choose to be contacted by email."),
        ({"phone": "call me"}, "Enter a phone number with its area code"),
    ],
)
def test_bad_input_gets_a_message_and_keeps_everything(client, overrides, message):
    data = form_data(
        phone=overrides.get("phone", "(253) 555-0100"),
        looking_for="Evenings, in person",
        include_looking_for="on",
        notify_on_read="on",
    )
    data.update(overrides)
    if overrides.get("preferred") == "phone":
        data["phone"] = ""
    response = client.post(contact_url(alice_profile()), data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert "Nothing you typed is lost" in text_of(response)
    assert ContactRequest.objects.count() == 0
    html = response.content.decode()
    for field in ("name", "email", "phone"):
        if data[field]:
            assert f'value="{data[field]}"' in unescape(html), field
    assert data["message"].strip() in unescape(html)
    assert "Evenings, in person" in html
    assert re.search(r'name="include_looking_for"[^>]*checked', html)
    assert re.search(r'name="notify_on_read"[^>]*checked', html)
    # The same token again: a corrected resubmit is still the same one request.
    assert f'value="{data["token"]}"' in html


def test_markup_is_text(client):
    markup = '<script>alert("hi")</script><b>bold</b>'
    response = client.post(contact_url(alice_profile()), form_data(message=markup, name=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html  # kept, as text
    client.post(contact_url(alice_profile()), form_data(message=markup))
    assert ContactRequest.objects.get().contents()["message"] == markup
    client.force_login(alice())
    row = ContactRequest.objects.get()
    page = client.get(reverse("messaging:request", kwargs={"public_id": row.public_id}))
    assert "<b>bold</b>" not in page.content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page.content.decode()


def test_more_than_three_links_are_refused(client):
    four = " ".join(f"https://example.com/{n}" for n in range(4))
    response = client.post(contact_url(alice_profile()), form_data(message=f"See {four}"))
    assert response.status_code == 400
    assert "no more than 3 links" in text_of(response)
    assert four in response.content.decode()
    assert ContactRequest.objects.count() == 0
    three = " ".join(f"www.example.com/{n}" for n in range(3))
    assert client.post(contact_url(alice_profile()), form_data(message=three)).status_code == 302


# --- Scripts ---------------------------------------------------------------------------------


def test_a_filled_honeypot_sends_nothing_and_keeps_the_words(client):
    response = client.post(contact_url(alice_profile()), form_data(fax_number="555"))
    assert response.status_code == 400
    assert "Sorry, that did not go through" in text_of(response)
    assert "evening times" in response.content.decode()
    assert ContactRequest.objects.count() == 0


def test_a_form_sent_back_too_fast_sends_nothing_and_keeps_the_words(client):
    page = client.get(contact_url(alice_profile())).content.decode()
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found is not None
    token = unescape(found.group(1))
    response = client.post(contact_url(alice_profile()), form_data(token=token))
    assert response.status_code == 400
    assert "Please check your message and press Send again" in text_of(response)
    assert "evening times" in response.content.decode()
    assert ContactRequest.objects.count() == 0


def test_a_forged_token_sends_nothing_and_gets_a_new_one(client):
    response = client.post(contact_url(alice_profile()), form_data(token="made-up"))
    assert response.status_code == 400
    assert "made-up" not in response.content.decode()
    assert ContactRequest.objects.count() == 0


# --- Crisis language ---------------------------------------------------------------------------


def test_crisis_words_show_help_first_and_never_block(client):
    words = "I don't want to live anymore and I need someone to talk to."
    response = client.post(contact_url(alice_profile()), form_data(message=words))
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert "help is there right now" in text
    assert 'href="tel:988"' in html and 'href="sms:741741"' in html and "911" in text
    assert "Send my message" in text
    assert ContactRequest.objects.count() == 0  # nothing sent yet, nothing stored about it
    # The confirmation carries everything; "Send my message" sends it.
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    hidden = {k: unescape(v) for k, v in hidden.items()}
    assert hidden["message"] == words and hidden["crisis_seen"] == "1"
    sent = client.post(contact_url(alice_profile()), hidden)
    assert sent.status_code == 302
    assert ContactRequest.objects.get().contents()["message"] == words


def test_go_back_and_edit_returns_to_the_form_with_everything(client):
    words = "Sometimes I think about suicide."
    data = form_data(message=words, crisis_seen="1", edit="1")
    response = client.post(contact_url(alice_profile()), data)
    assert response.status_code == 200
    assert words in unescape(response.content.decode())
    assert 'name="message"' in response.content.decode()
    assert ContactRequest.objects.count() == 0


# --- What I'm looking for ----------------------------------------------------------------------


def _with_match_answers(client) -> None:
    from rapport.matching.session import new_state

    state = new_state()
    state["answers"] = {"who": "myself", "location": "98402", "mode": "both", "radius": 25}
    state["free_text"] = "panic on the bus"
    state["answered"] = [1, 2, 3]
    session = client.session
    session["match"] = state
    session.save()


def test_match_answers_fill_the_box_only_when_ticked_and_can_be_edited(client):
    _with_match_answers(client)
    page = client.get(contact_url(alice_profile())).content.decode()
    assert "panic on the bus" not in page  # nothing from the answers until asked
    ticked = client.post(contact_url(alice_profile()), form_data(include_looking_for="on"))
    html = unescape(ticked.content.decode())
    assert ticked.status_code == 200
    assert "We filled in" in html and "panic on the bus" in html and "98402 (Tacoma, WA)" in html
    assert ContactRequest.objects.count() == 0  # shown to read and change first
    edited = "In my own words: panic on the bus; evenings"
    client.post(
        contact_url(alice_profile()), form_data(include_looking_for="on", looking_for=edited)
    )
    assert ContactRequest.objects.get().contents()["looking_for"] == edited


def test_an_unticked_box_sends_no_looking_for(client):
    client.post(contact_url(alice_profile()), form_data(looking_for="kept out"))
    assert ContactRequest.objects.get().contents()["looking_for"] == ""


# --- Where they came from ----------------------------------------------------------------------


def test_next_must_be_a_page_of_this_site(client):
    profile = alice_profile()
    for bad in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        page = client.get(contact_url(profile, next=bad)).content.decode()
        assert "evil.example" not in page and "javascript:" not in page
        assert f'href="{profile.get_absolute_url()}"' in page
    client.post(contact_url(profile), form_data(next="https://evil.example/"))
    sent = client.get(reverse("messaging:sent")).content.decode()
    assert "evil.example" not in sent and f'href="{profile.get_absolute_url()}"' in sent


def test_the_sent_page_without_a_sent_request_says_so(client):
    response = client.get(reverse("messaging:sent"))
    assert response.status_code == 404
    assert "Nothing sent from this browser recently" in text_of(response)


# --- Who can receive -----------------------------------------------------------------------------


def test_an_unclaimed_profile_shows_its_details_and_no_form(client, mailoutbox):
    profile = imported_profile(phone="(253) 555-0199", website="https://dana.example/")
    response = client.get(contact_url(profile))
    text = text_of(response)
    assert "This therapist hasn't joined Rapport yet" in text
    assert "(253) 555-0199" in text and "dana.example" in text
    assert 'name="message"' not in response.content.decode()
    posted = client.post(contact_url(profile), form_data())
    assert 'name="message"' not in posted.content.decode()
    assert ContactRequest.objects.count() == 0 and mailoutbox == []
    profile_page = client.get(profile.get_absolute_url()).content.decode()
    assert "hasn't joined Rapport yet" in profile_page
    assert contact_url(profile) not in profile_page


def test_an_owner_without_a_verified_address_gets_nothing(client, mailoutbox):
    owner = make_user("unverified@example.org")
    EmailAddress.objects.filter(user=owner).update(verified=False)
    profile = make_profile(owner=owner, external_id="unverified")
    assert 'name="message"' not in client.get(contact_url(profile)).content.decode()
    client.post(contact_url(profile), form_data())
    assert ContactRequest.objects.count() == 0 and mailoutbox == []
    assert contact_url(profile) not in client.get(profile.get_absolute_url()).content.decode()


def test_the_profile_page_links_to_the_form(client):
    profile = alice_profile()
    html = client.get(profile.get_absolute_url()).content.decode()
    assert f'href="{contact_url(profile)}"' in html
    assert "Send Alice Okafor a message" in html


# --- Rate limits --------------------------------------------------------------------------------


def test_the_limits_are_the_documented_figures():
    rates = {limit.group: limit.rate for limit in LIMITS["messaging:contact"]}
    assert rates == {"contact-ip": "10/h", "contact-ip-day": "20/d", "contact-recipient": "30/d"}


def test_one_address_gets_429_with_retry_after_after_ten_posts_an_hour(client):
    url = contact_url(alice_profile())
    for _ in range(10):
        assert client.post(url, form_data(name="")).status_code == 400  # counted all the same
    response = client.post(url, form_data(phone="(253) 555-0100", looking_for="Evenings"))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert ContactRequest.objects.count() == 0
    # The form again with how long to wait and everything typed: nothing lost to the limit.
    text = text_of(response)
    assert re.search(r"sending is paused\. Please wait \d+ minutes?, then press Send again", text)
    assert "Nothing you typed is lost" in text and "There is a problem" not in text
    html = unescape(response.content.decode())
    assert "evening times?" in html and 'value="(253) 555-0100"' in html and "Evenings" in html
    # Reading the form is never limited.
    assert client.get(url).status_code == 200


def test_one_therapist_gets_at_most_thirty_posts_a_day_from_anywhere(client, monkeypatch):
    profile = alice_profile()
    url = contact_url(profile)
    other = make_profile(owner=make_user("other@example.org"), external_id="other")
    # The clock one second into this therapist's day window (django-ratelimit places each
    # key's window edge at a fixed second of the period): the wait must be the rest of the
    # day. At the real time the wait is anything from 1 s to a day, which says nothing.
    day = 24 * 3600
    pin_ratelimit_clock(monkeypatch, ratelimit_window_edge(profile.slug, day) + 1)
    for n in range(30):
        response = client.post(url, form_data(name=""), REMOTE_ADDR=f"10.0.{n}.1")
        assert response.status_code == 400
    response = client.post(url, form_data(), REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429 and response["Retry-After"] == str(day - 1)
    # Another therapist is not affected.
    assert client.post(contact_url(other), form_data(), REMOTE_ADDR="10.9.9.9").status_code == 302


# --- Withdraw ----------------------------------------------------------------------------------


def test_the_sender_can_withdraw_with_the_receipt_link(client):
    from rapport.messaging import services

    client.post(contact_url(alice_profile()), form_data())
    row = ContactRequest.objects.get()
    url = reverse("messaging:withdraw", kwargs={"token": services.withdraw_token(row)})
    page = client.get(url)
    assert page.status_code == 200 and "Withdraw your message?" in text_of(page)
    row.refresh_from_db()
    assert row.withdrawn_at is None  # a GET (a mail scanner) changes nothing
    done = client.post(url)
    assert "Your message was withdrawn" in text_of(done)
    row.refresh_from_db()
    assert row.withdrawn_at is not None and row.sealed == ""
    assert client.get(url).status_code == 410
    assert (
        client.get(reverse("messaging:withdraw", kwargs={"token": "nonsense"})).status_code == 410
    )


# --- Reach out on the lists ---------------------------------------------------------------------


def _reach_out_hrefs(html: str) -> list[str]:
    return [
        unescape(h)
        for h in re.findall(r'<a class="button button-small reach-out" href="([^"]+)"', html)
    ]


def test_search_cards_reach_out_with_the_place_in_the_list(client, django_assert_max_num_queries):
    own = alice_profile()
    unclaimed = imported_profile()
    ix.index_touch(None)
    url = "/therapists/?location=98402"
    html = client.get(url).content.decode()
    hrefs = _reach_out_hrefs(html)
    assert hrefs == [contact_url(own, next=f"{url}#card-{own.pk}")]
    assert contact_url(unclaimed) not in html
    # One query for the whole page, not one per card.
    for n in range(8):
        make_profile(owner=make_user(f"t{n}@example.org"), external_id=f"t{n}", name=f"Tess {n}")
    ix.index_touch(None)
    client.get(url)
    with django_assert_max_num_queries(9):
        many = client.get(url).content.decode()
    assert len(_reach_out_hrefs(many)) == 9


def test_approach_page_specialists_reach_out(client, django_assert_max_num_queries):
    own = alice_profile()
    imported_profile()
    ix.index_touch(None)
    url = reverse("directory:approach", args=["relational-therapy"])
    html = client.get(url).content.decode()
    assert _reach_out_hrefs(html) == [contact_url(own, next=f"{url}#sp-{own.pk}")]
    for n in range(6):
        make_profile(owner=make_user(f"s{n}@example.org"), external_id=f"s{n}", name=f"Sia {n}")
    ix.index_touch(None)
    client.get(url)
    with django_assert_max_num_queries(12):
        html = client.get(url).content.decode()
    assert len(_reach_out_hrefs(html)) == 7


def test_match_results_reach_out_back_to_the_card(client, request):
    from rapport.matching.tests.test_views import answer_everything

    ana = request.getfixturevalue("directory")["ana"]  # Find your match's own five therapists
    ana.owner = make_user("ana@example.org")
    ana.save(update_fields=["owner"])
    answer_everything(client)
    html = client.get("/match/results/").content.decode()
    assert _reach_out_hrefs(html) == [contact_url(ana, next=f"/match/results/#match-{ana.pk}")]
    assert f'id="match-{ana.pk}"' in html


def test_the_pages_load_nothing_from_elsewhere_and_nothing_inline(client):
    from rapport.testing import scan_page, third_party_urls

    pages = [
        client.get(contact_url(alice_profile())),
        client.post(contact_url(alice_profile()), form_data(message="I want to die")),
        client.post(contact_url(alice_profile()), form_data(email="x")),
    ]
    client.post(contact_url(alice_profile()), form_data())
    pages.append(client.get(reverse("messaging:sent")))
    for response in pages:
        html = response.content.decode()
        scanned = scan_page(html)
        assert not third_party_urls(html, own_hosts={"testserver"})
        assert not scanned.inline_scripts and not scanned.style_attributes
        assert not scanned.event_handlers
