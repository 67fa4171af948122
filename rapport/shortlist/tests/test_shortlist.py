"""The shortlist through HTTP: save from every list of therapists, compare, share, delete.

Browsers send `Sec-Fetch-Site` (or `Origin`) with a POST; the test client sends
neither unless told, so the save buttons' requests say where they come from.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rapport.directory import index as ix
from rapport.directory.models import License, Status
from rapport.matching.models import hash_token
from rapport.shortlist.models import SavedShortlist
from rapport.shortlist.session import CAP, SESSION_KEY
from rapport.taxonomy.models import Kind
from rapport.testing import alice_profile, make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
HTMX = {**SAME_SITE, "HX-Request": "true"}
CHANGE = "/shortlist/change/"


def html(response) -> str:
    return unescape(response.content.decode())


def save(client: Client, pk: int, *, next_url: str = "/", **headers: str):
    return client.post(CHANGE, {"add": str(pk), "next": next_url}, headers={**SAME_SITE, **headers})


def remove(client: Client, pk: int, *, next_url: str = "/"):
    return client.post(CHANGE, {"remove": str(pk), "next": next_url}, headers=SAME_SITE)


def saved(client: Client) -> list[int]:
    return list(client.session.get(SESSION_KEY, []))


@pytest.fixture
def ana():
    return make_profile(
        name="Ana Alvarez",
        credentials="LMFT",
        fee_min=80,
        fee_max=120,
        sliding_scale=True,
        free_consultation=False,
        in_person=True,
        telehealth=False,
        terms=[
            (Kind.INSURANCE, "cigna", "Cigna"),
            (Kind.LANGUAGE, "es", "Spanish"),
            (Kind.ISSUE, "grief", "Grief"),
            (Kind.FORMAT, "couples", "Couples"),
        ],
        approaches=[("emdr", "", "EMDR")],
        licenses=[{"license_type": "lmft", "state": "WA", "number": "LF1"}],
    )


@pytest.fixture
def ben():
    profile = make_profile(
        name="Ben Brooks",
        fee_min=None,
        fee_max=None,
        sliding_scale=False,
        accepting_new_clients=False,
        in_person=False,
        telehealth=True,
        telehealth_states=["OR"],
        offices=[],
    )
    License.objects.filter(profile=profile).update(verified_at=timezone.now())
    return profile


# --- Saving from each surface ------------------------------------------------------------------


def control(page: str, pk: int) -> str:
    found = re.search(
        rf'<(form|div) class="shortlist-control" id="sl-{pk}".*?</(form|div)>', page, re.S
    )
    assert found, f"no shortlist control for {pk}"
    return found.group(0)


def test_profile_page_saves_without_javascript_and_comes_back(client, ana):
    url = ana.get_absolute_url()
    page = html(client.get(url))
    button = control(page, ana.pk)
    assert 'method="post" action="/shortlist/change/"' in button
    assert 'aria-label="Save to shortlist: Ana Alvarez">Save to shortlist</button>' in button
    assert f'name="next" value="{url}"' in button

    response = save(client, ana.pk, next_url=url)
    # Back to the same card (not the top of the page), where the control shows the change.
    assert response.status_code == 302 and response["Location"] == f"{url}#sl-{ana.pk}"
    assert saved(client) == [ana.pk]
    page = html(client.get(url))
    assert "Saved Ana Alvarez to your shortlist." in page  # the message, once
    assert 'aria-label="Remove Ana Alvarez from your shortlist">Remove</button>' in control(
        page, ana.pk
    )
    assert re.search(
        r'<li id="nav-shortlist"><a href="/shortlist/">Shortlist\xa0<span class="nav-count">\(1\)',
        page,
    )


def test_browsing_sets_no_cookie_and_hides_the_header_link(client, ana):
    ix.index_touch(None)
    for url in (ana.get_absolute_url(), "/therapists/?location=98402"):
        response = client.get(url)
        assert response.cookies == {}, url  # no CSRF token, no session: just browsing
        assert '<li id="nav-shortlist" hidden>' in html(response)


def test_search_cards_post_from_inside_the_search_form(client, ana):
    ix.index_touch(None)
    search = "/therapists/?location=98402&q=grief"
    page = html(client.get(search))
    button = control(page, ana.pk)
    assert button.startswith('<div class="shortlist-control"')  # no form inside the GET form
    assert 'formaction="/shortlist/change/" formmethod="post"' in button
    assert f'name="add" value="{ana.pk}"' in button
    # Without JavaScript the whole search form is posted; the Referer says where to return.
    response = client.post(
        CHANGE,
        {"q": "grief", "location": "98402", "add": str(ana.pk)},
        headers={**SAME_SITE, "Referer": f"http://testserver{search}"},
    )
    assert response.status_code == 302 and response["Location"] == f"{search}#sl-{ana.pk}"
    assert saved(client) == [ana.pk]
    assert f'name="remove" value="{ana.pk}"' in control(html(client.get(search)), ana.pk)


def test_search_cards_swap_in_place_with_htmx(client, ana):
    response = client.post(CHANGE, {"add": str(ana.pk), "in_form": "1"}, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<div class="shortlist-control" id="sl-{ana.pk}">')
    assert (
        f'hx-vals="{{&quot;remove&quot;: &quot;{ana.pk}&quot;, &quot;in_form&quot;: &quot;1&quot;}}"'
        in body
    )
    assert '<li id="nav-shortlist" hx-swap-oob="true">' in body and "(1)" in body
    assert (
        '<p id="shortlist-live" hx-swap-oob="innerHTML">Saved Ana Alvarez to your shortlist.</p>'
        in body
    )
    assert saved(client) == [ana.pk]


def test_approach_page_cards_save_with_and_without_htmx(client, ana):
    ix.index_touch(None)
    url = reverse("directory:approach", args=["emdr"])
    page = html(client.get(url))
    assert control(page, ana.pk).startswith(f'<form class="shortlist-control" id="sl-{ana.pk}"')
    response = client.post(CHANGE, {"add": str(ana.pk), "next": url}, headers=HTMX)
    assert response.status_code == 200
    assert response.content.decode().startswith(f'<form class="shortlist-control" id="sl-{ana.pk}"')
    assert "Saved" in response.content.decode()
    response = remove(client, ana.pk, next_url=url)
    assert response.status_code == 302 and response["Location"] == f"{url}#sl-{ana.pk}"
    assert saved(client) == []
    assert "Removed Ana Alvarez from your shortlist." in html(client.get(url))


def test_match_results_cards_save(client):
    ana = make_profile(name="Ana Alvarez")  # adults, anxiety, near 98402: a match
    ix.index_touch(None)
    client.post("/match/", {"action": "start"})
    client.post("/match/step/1/", {"who": "me", "action": "next"})
    client.post("/match/step/2/", {"issues": ["anxiety"], "action": "next"})
    client.post(
        "/match/step/3/", {"location": "98402", "mode": "both", "radius": "25", "action": "next"}
    )
    page = html(client.get("/match/results/"))
    assert control(page, ana.pk).startswith("<form")
    response = save(client, ana.pk, next_url="/match/results/", **{"HX-Request": "true"})
    assert response.status_code == 200 and "Remove" in response.content.decode()
    response = save(client, ana.pk, next_url="/match/results/")  # twice is still once
    assert response["Location"] == f"/match/results/#sl-{ana.pk}"
    assert saved(client) == [ana.pk]


# --- Guards --------------------------------------------------------------------------------------


def test_a_post_from_another_site_or_from_nowhere_is_refused(client, ana):
    assert client.post(CHANGE, {"add": str(ana.pk)}).status_code == 403
    assert save(client, ana.pk, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    evil = client.post(CHANGE, {"add": str(ana.pk)}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert saved(client) == []
    # Browsers without Sec-Fetch-Site send Origin; our own origin is accepted.
    ok = client.post(CHANGE, {"add": str(ana.pk)}, headers={"Origin": "http://testserver"})
    assert ok.status_code == 302 and saved(client) == [ana.pk]


def test_share_clear_and_delete_need_the_csrf_token(ana):
    client = Client(enforce_csrf_checks=True)
    client.post(CHANGE, {"add": str(ana.pk)}, headers=SAME_SITE)
    assert client.post("/shortlist/share/", headers=SAME_SITE).status_code == 403
    assert client.post("/shortlist/clear/", headers=SAME_SITE).status_code == 403
    page = client.get("/shortlist/").content.decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    token = found.group(1)
    response = client.post("/shortlist/share/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"].startswith("/shortlist/s/")


def test_an_unsafe_next_is_ignored(client, ana):
    for bad in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = save(client, ana.pk, next_url=bad)
        assert response.status_code == 302 and response["Location"] == "/shortlist/", bad
    response = save(client, ana.pk, next_url="", Referer="https://evil.example/page")
    assert response["Location"] == "/shortlist/"


def test_unknown_unpublished_and_malformed_ids_are_not_saved(client, ana):
    hidden = make_profile(name="Di Hidden", status=Status.PENDING)
    response = save(client, hidden.pk, next_url="/")
    assert response.status_code == 302 and saved(client) == []
    assert "no longer listed" in html(client.get("/"))
    assert save(client, 999_999).status_code == 302 and saved(client) == []
    assert client.post(CHANGE, {"add": "x1"}, headers=SAME_SITE).status_code == 302
    assert saved(client) == []
    htmx = client.post(CHANGE, {"add": str(hidden.pk)}, headers=HTMX)
    assert htmx["HX-Reswap"] == "none" and "no longer listed" in htmx.content.decode()


def test_the_list_is_capped(client):
    people = [make_profile(name=f"Person {n}") for n in range(CAP + 1)]
    for person in people[:CAP]:
        save(client, person.pk)
    response = save(client, people[CAP].pk, next_url="/")
    assert len(saved(client)) == CAP and people[CAP].pk not in saved(client)
    assert "Your shortlist is full (20 therapists)" in html(client.get(response["Location"]))


# --- The compare page ---------------------------------------------------------------------------


def test_compare_page_shows_each_row_with_the_real_values(client, ana, ben):
    save(client, ana.pk)
    save(client, ben.pk)
    response = client.get("/shortlist/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = html(response)
    assert '<meta name="robots" content="noindex">' in page
    assert "2 therapists saved." in page
    table = page[page.index('<table class="compare-table">') : page.index("</table>")]
    names = re.findall(
        r'<th scope="col">\s*<span class="compare-name"><a href="[^"]+">([^<]+)</a>', table
    )
    assert names == ["Ana Alvarez, LMFT", "Ben Brooks, MA, LMHC"]  # the order they were saved

    def row(label: str) -> list[str]:
        found = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', table, re.S)
        assert found, label
        cells = re.findall(r"<td>(.*?)</td>", found.group(1), re.S)
        return [" | ".join(re.findall(r'<span class="part[^"]*">([^<]*)</span>', c)) for c in cells]

    assert row("Availability")[0].startswith("✓ Accepting new clients | Confirmed ")
    assert row("Availability")[1] == "Not accepting new clients right now"
    assert row("Fee per session") == ["$80–$120 per session (estimate)", "Not listed"]
    assert row("Sliding scale") == ["Yes", "No"]
    assert row("Free first consultation") == ["No", "Yes"]
    insurance = row("Insurance")
    assert insurance[0].startswith("Cigna") and insurance[1] == "Aetna"
    assert row("In person") == ["Yes | Tacoma, WA", "No"]
    assert row("Online") == ["No", "Yes | Clients in OR"]
    assert row("Sessions") == ["Couples", "Individual, Couples"]
    assert row("Approaches") == ["EMDR", "Relational Therapy, Cognitive Behavioral Therapy"]
    assert row("Can help with") == ["Grief", "Anxiety, Depression"]
    assert row("Languages") == ["Spanish", "English, Spanish"]
    licence = row("License")
    assert (
        licence[0]
        == "Licensed Marriage and Family Therapist (Washington) | Self-reported, not yet checked"
    )
    assert re.fullmatch(
        r"Licensed Mental Health Counselor \(Washington\) \| ✓ License verified \w+ \d{4}",
        licence[1],
    )
    # The phone layout says the same, one card per therapist.
    cards = page[page.index('<ol class="compare-cards">') : page.index("</ol>")]
    assert cards.count('<article class="compare-card"') == 2
    assert '<dt>Sliding scale</dt><dd><span class="part part-good">Yes</span></dd>' in cards


def test_compare_page_reads_a_fixed_number_of_times(client, django_assert_max_num_queries):
    for n in range(6):
        save(client, make_profile(name=f"Person {n}").pk)
    with django_assert_max_num_queries(9):  # session, profiles, 4 relations, terms, messages
        assert client.get("/shortlist/").status_code == 200


def test_an_unpublished_profile_drops_out_quietly(client, ana, ben):
    save(client, ana.pk)
    save(client, ben.pk)
    ana.status = Status.SUSPENDED
    ana.save(update_fields=["status"])
    page = html(client.get("/shortlist/"))
    listed = page[page.index("<h1>") :]  # after the messages that the saves left
    assert "Ana Alvarez" not in listed and "Ben Brooks" in listed and "One therapist saved." in page
    assert saved(client) == [ben.pk]
    nav = re.search(r'<li id="nav-shortlist">.*?</li>', page, re.S)
    assert nav is not None and "(1)" in nav.group(0)


def test_remove_and_remove_everyone(client, ana, ben):
    save(client, ana.pk)
    save(client, ben.pk)
    response = remove(client, ana.pk, next_url="/shortlist/")
    assert response["Location"] == "/shortlist/" and saved(client) == [ben.pk]
    assert client.post("/shortlist/clear/").status_code == 302
    page = html(client.get("/shortlist/"))
    assert saved(client) == [] and "Your shortlist is empty" in page
    assert '<li id="nav-shortlist" hidden>' in page


def test_an_empty_shortlist_explains_itself_and_offers_nothing_to_share(client):
    page = html(client.get("/shortlist/"))
    assert "Your shortlist is empty." in page and "Share this shortlist" not in page
    assert client.post("/shortlist/share/").status_code == 302
    assert SavedShortlist.objects.count() == 0


# --- Sharing --------------------------------------------------------------------------------------


def share(client: Client) -> str:
    response = client.post("/shortlist/share/")
    assert response.status_code == 302
    return response["Location"]


def test_a_shared_link_works_for_someone_else_read_only(client, ana, ben):
    save(client, ana.pk)
    save(client, ben.pk)
    url = share(client)
    token = url.split("/")[3]
    row = SavedShortlist.objects.get()
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert row.profile_ids == [ana.pk, ben.pk]  # the ids, and nothing about the person
    assert {f.name for f in SavedShortlist._meta.fields} == {
        "id", "token_hash", "profile_ids", "created_at", "expires_at",
    }  # fmt: skip

    other = Client()
    response = other.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    page = html(response)
    assert "Shared shortlist" in page and '<meta name="robots" content="noindex">' in page
    assert "Ana Alvarez" in page and "Ben Brooks" in page and "$80–$120" in page
    assert f"http://testserver{url}" in page  # the link to copy
    assert "Share this shortlist" not in page and 'name="remove"' not in page  # read-only
    assert other.session.get(SESSION_KEY) is None  # their own shortlist is untouched


def test_a_shared_link_expires_after_seven_days(client, ana):
    save(client, ana.pk)
    url = share(client)
    row = SavedShortlist.objects.get()
    assert abs(row.expires_at - row.created_at - dt.timedelta(days=7)) < dt.timedelta(seconds=5)
    row.expires_at = timezone.now() - dt.timedelta(seconds=1)
    row.save(update_fields=["expires_at"])
    response = Client().get(url)
    assert response.status_code == 410 and "has expired" in html(response)
    assert "Ana Alvarez" not in html(response)
    out = StringIO()
    call_command("purge_saved_shortlists", stdout=out)
    assert "Deleted 1 expired" in out.getvalue() and SavedShortlist.objects.count() == 0


def test_a_shared_link_can_be_deleted_now(client, ana):
    save(client, ana.pk)
    url = share(client)
    response = Client().post(url + "delete/")
    assert response.status_code == 302 and SavedShortlist.objects.count() == 0
    gone = Client().get(url)
    assert gone.status_code == 404 and "isn't available" in html(gone)
    assert Client().get("/shortlist/s/not-a-token/").status_code == 404


def test_a_shared_list_drops_profiles_that_left_the_directory(client, ana):
    save(client, ana.pk)
    url = share(client)
    ana.status = Status.SUSPENDED
    ana.save(update_fields=["status"])
    page = html(Client().get(url))
    assert "Ana Alvarez" not in page and "None of the therapists" in page
    assert SavedShortlist.objects.get().profile_ids == [ana.pk]  # the link is not rewritten


def test_the_personas_profile_can_be_saved(client):
    profile = alice_profile()
    save(client, profile.pk)
    assert "Alice Okafor" in html(client.get("/shortlist/"))
