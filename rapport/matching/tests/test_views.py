"""Find your match, through HTTP as a visitor without JavaScript (and with htmx headers)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from rapport.directory import index as ix
from rapport.matching.models import SavedMatch
from rapport.matching.session import SESSION_KEY
from rapport.taxonomy.models import Kind
from rapport.testing import count_city_lookups, make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}
LAKEWOOD = {"city": "Lakewood", "state": "WA", "zip": "98499", "lat": 47.1718, "lon": -122.5185}
BASE_TERMS = [
    (Kind.INSURANCE, "aetna", "Aetna"),
    (Kind.LANGUAGE, "en", "English"),
    (Kind.AGE, "adults", "Adults"),
    (Kind.FORMAT, "individual", "Individual"),
]
FREE_TEXT = "I can't sleep and fight with my partner"


def therapist(name: str, *, issues=(), extra=(), office=TACOMA, **fields):
    return make_profile(
        name=name,
        offices=[office],
        terms=[*BASE_TERMS, *((Kind.ISSUE, slug) for slug in issues), *extra],
        **fields,
    )


@pytest.fixture
def directory():
    """Five therapists near ZIP 98402 who see adults, one by one."""
    people = {
        "ana": therapist(
            "Ana Alvarez",
            issues=("anxiety", "sleep-insomnia"),
            gender="woman",
            approaches=[("relational-therapy", "We work through the relationship.")],
        ),
        "ben": therapist("Ben Brooks", issues=("depression", "anxiety"), gender="man"),
        "cy": therapist(
            "Cy Chen",
            issues=("relationship-issues", "couples-marital"),
            extra=[(Kind.FORMAT, "couples", "Couples")],
            gender="woman",
        ),
        "dee": therapist("Dee Diaz", issues=("trauma-ptsd", "anxiety"), office=LAKEWOOD),
        "eli": therapist("Eli Evans", issues=("grief-bereavement",), free_consultation=False),
    }
    # Written straight through the ORM: tell the search index.
    ix.index_touch(None)
    ix.reset_for_tests()
    return people


# --- Helpers ----------------------------------------------------------------------------------------


def start(client: Client, **prefill: str):
    response = client.post("/match/", {"action": "start", **prefill})
    assert response.status_code == 303
    assert response["Location"] == "/match/step/1/"
    return response


def step(client: Client, number: int, data: dict, **headers):
    return client.post(f"/match/step/{number}/", data, **headers)


def answer_everything(client: Client, *, text: str = "") -> list:
    """The whole questionnaire by plain form posts; returns every response on the way."""
    responses = [start(client)]
    responses.append(step(client, 1, {"who": "me", "action": "next"}))
    responses.append(step(client, 2, {"issues": ["anxiety"], "text": text, "action": "next"}))
    if responses[-1]["Location"] == "/match/step/2/words/":
        responses.append(client.get("/match/step/2/words/"))
        keep = re.findall(r'name="keep" value="([\w-]+)"', responses[-1].content.decode())
        responses.append(client.post("/match/step/2/words/", {"keep": keep, "action": "next"}))
    responses.append(
        step(client, 3, {"location": "98402", "mode": "both", "radius": "25", "action": "next"})
    )
    responses.append(
        step(client, 4, {"payment": "insurance", "insurance": "aetna", "plan_name": "Choice POS"})
    )
    responses.append(
        step(client, 5, {"gender": "woman", "gender_importance": "nice", "action": "next"})
    )
    responses.append(step(client, 6, {"approach_mode": "unsure", "action": "next"}))
    responses.append(step(client, 7, {"free_consultation": "nice", "action": "next"}))
    responses.append(client.get("/match/step/8/"))
    responses.append(step(client, 8, {"action": "go"}))
    responses.append(client.get("/match/results/"))
    return responses


def html(response) -> str:
    return response.content.decode()


class _Urls(HTMLParser):
    ATTRIBUTES = {"href", "src", "action", "formaction", "hx-post", "hx-get", "hx-push-url"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value or "" for name, value in attrs if name in self.ATTRIBUTES]


def urls_in(response) -> list[str]:
    parser = _Urls()
    parser.feed(html(response))
    return parser.urls


def session_state(client: Client) -> dict:
    return client.session[SESSION_KEY]


# --- The flow ---------------------------------------------------------------------------------------


def test_it_starts_by_saying_it_is_not_a_crisis_service(client):
    response = client.get("/match/")
    page = html(response)
    assert "This directory is not an emergency or crisis service" in page
    assert 'href="tel:988"' in page
    assert "never go into a web address" in page
    assert '<meta name="robots" content="noindex">' in page


def test_it_runs_the_whole_flow_without_javascript_and_explains_each_match(client, directory):
    responses = answer_everything(client)
    redirects = [r["Location"] for r in responses if r.status_code == 303]
    assert redirects == [
        "/match/step/1/",
        "/match/step/2/",
        "/match/step/3/",
        "/match/step/4/",
        "/match/step/5/",
        "/match/step/6/",
        "/match/step/7/",
        "/match/step/8/",
        "/match/results/",
    ]
    results = responses[-1]
    assert results.status_code == 200
    page = html(results)
    for name in ("Ana Alvarez", "Ben Brooks", "Dee Diaz"):
        assert name in page
    assert "Why this match" in page
    assert "Works with anxiety" in page
    assert "In network with Aetna (therapist-reported)" in page
    assert "A woman (self-described)" in page
    assert "Doesn&#x27;t list: A woman" in page  # Ben is a man
    assert "relationship with your therapist matters" in page
    assert "clinically proven" not in page.lower()
    assert directory["ana"].get_absolute_url() in page


def test_it_says_when_availability_was_confirmed_in_words_not_iso(client, directory):
    """Match cards showed "confirmed 2026-12-03"; dates read as on the rest of the site."""
    page = html(answer_everything(client)[-1])
    confirmed = timezone.localdate() - dt.timedelta(days=3)
    assert (
        f"Accepting new clients (confirmed {confirmed:%B} {confirmed.day}, {confirmed.year})"
        in page
    )
    assert confirmed.isoformat() not in page


def test_an_empty_list_offers_one_way_to_change_the_answers_and_nothing_to_keep(client, directory):
    """The empty results page offered "Keep these results" and "Change your answers" twice."""
    answer_everything(client)
    place = {"location": "Boston, MA", "mode": "in_person", "radius": "5", "action": "next"}
    step(client, 3, place)
    page = html(client.get("/match/results/"))
    assert "No therapists fit everything you said you must have." in page
    assert page.count("Change your answers") == 1
    assert "Keep these results" not in page
    # A list with matches still offers both, once each.
    step(client, 3, {"location": "98402", "mode": "both", "radius": "25", "action": "next"})
    page = html(client.get("/match/results/"))
    assert page.count("Change your answers") == 1 and "Keep these results" in page


def test_it_shows_the_review_with_every_answer(client, directory):
    responses = answer_everything(client)
    review = next(r for r in responses if r.status_code == 200 and "Check your answers" in html(r))
    page = html(review)
    assert "Main concern: Anxiety" in page
    assert "98402 (Tacoma, WA)" in page
    assert "Insurance: Aetna" in page
    assert "Choice POS" in page  # the plan name is shown back to its owner, and only there
    assert "A woman (nice to have)" in page
    for number in range(1, 8):
        assert f'href="/match/step/{number}/"' in page


def test_it_keeps_answers_going_back_and_forward(client, directory):
    start(client)
    step(client, 1, {"who": "relationship", "action": "next"})
    step(client, 2, {"issues": ["anxiety", "stress"], "action": "next"})
    step(client, 3, {"location": "98402", "mode": "in_person", "radius": "10", "action": "next"})
    # Back from step 4 keeps what was typed there, then shows step 3 as it was answered.
    response = step(client, 4, {"payment": "self_pay", "budget": "120", "action": "back"})
    assert response.status_code == 303 and response["Location"] == "/match/step/3/"
    page = html(client.get("/match/step/3/"))
    assert 'value="98402"' in page
    assert re.search(r'value="in_person"[^>]*checked', page)
    assert re.search(r'<option value="10" selected>', page)
    page = html(client.get("/match/step/2/"))
    assert re.search(r'value="anxiety" id="issue-anxiety" checked', page)
    assert re.search(r'value="stress" id="issue-stress" checked', page)
    page = html(client.get("/match/step/1/"))
    assert re.search(r'value="relationship"[^>]*checked', page)
    page = html(client.get("/match/step/4/"))
    assert 'value="120"' in page
    assert re.search(r'value="self_pay"[^>]*checked', page)


def test_it_lets_every_step_but_the_place_be_skipped(client, directory):
    start(client)
    for number in (1, 2):
        response = step(client, number, {"action": "skip"})
        assert response["Location"] == f"/match/step/{number + 1}/"
    # No Skip on the place, and a forced one is treated as Continue with nothing typed.
    page = html(client.get("/match/step/3/"))
    assert 'value="skip"' not in page
    for data in ({"action": "skip"}, {"location": "", "mode": "both", "radius": "25"}):
        response = step(client, 3, data)
        assert response.status_code == 200
        page = html(response)
        assert "Enter a ZIP code, a city and state, or a state" in page
        assert 'id="error-summary"' in page
        assert 'href="#id_location"' in page
        assert re.search(r'aria-describedby="id_location-hint id_location-error"', page)
        assert 'aria-invalid="true"' in page
    step(client, 3, {"location": "Tacoma, WA", "mode": "both", "radius": "25"})
    for number in (4, 5, 6, 7):
        response = step(client, number, {"action": "skip"})
        assert response["Location"] == f"/match/step/{number + 1}/"
    page = html(client.get("/match/results/"))
    assert "Ana Alvarez" in page


def test_it_explains_a_place_it_cannot_find_and_offers_the_ones_it_can(client, directory):
    start(client)
    response = step(client, 3, {"location": "Springfield", "mode": "both", "radius": "25"})
    page = html(response)
    assert "Several places are called Springfield" in page
    assert 'name="pick" value="Springfield, IL"' in page
    response = step(
        client,
        3,
        {"location": "Springfield", "pick": "Springfield, IL", "mode": "both", "radius": "25"},
    )
    assert response.status_code == 303
    assert session_state(client)["answers"]["location"] == "Springfield, IL"


def test_it_sends_an_unknown_place_from_the_results_back_to_the_place_question(client, directory):
    start(client)
    # Going back from an unfindable place keeps the words; the results then send them back.
    step(
        client,
        3,
        {"location": "Nowhereville, WA", "mode": "both", "radius": "25", "action": "back"},
    )
    response = client.get("/match/results/")
    assert response.status_code == 303 and response["Location"] == "/match/step/3/"
    page = html(client.get("/match/step/3/"))
    assert "We don&#x27;t know a place called Nowhereville in Washington" in page


def test_each_request_resolves_the_place_once(client, directory, monkeypatch):
    """The form, the review and the results (ranking included) pass the resolved place on.

    Counted where a "City, ST" is looked up (`geo.lookup_city`, which still answers), so a
    second reading anywhere in the request, in matching or in search, shows.
    """
    resolved = count_city_lookups(monkeypatch)

    def resolutions(request) -> int:
        resolved.clear()
        request()
        return len(resolved)

    answer_everything(client)
    htmx = {"HTTP_HX_REQUEST": "true"}
    # Changed after the review, the place goes back to the review, drawn in place.
    place = {"location": "Tacoma, WA", "mode": "both", "radius": "25"}
    assert resolutions(lambda: step(client, 3, place, **htmx)) == 1
    assert resolutions(lambda: client.get("/match/step/8/")) == 1
    assert resolutions(lambda: client.get("/match/results/")) == 1
    assert resolutions(lambda: client.get("/match/step/3/")) == 1
    # A place that cannot be found: kept on Back, explained on the next visit to step 3.
    place = {"location": "Nowhereville, WA", "mode": "both", "radius": "25", "action": "back"}
    assert resolutions(lambda: step(client, 3, place)) == 1
    assert resolutions(lambda: client.get("/match/step/3/")) == 1


def test_it_asks_the_age_when_therapy_is_for_a_child(client, directory):
    start(client)
    response = step(client, 1, {"who": "child"})
    assert response.status_code == 200
    assert "Choose under 13 or 13 to 17" in html(response)
    response = step(client, 1, {"who": "child", "child_age": "teen"})
    assert response.status_code == 303
    assert session_state(client)["answers"]["who"] == "teen"
    # No free text is asked about a child.
    assert 'name="text"' not in html(client.get("/match/step/2/"))


def test_it_needs_an_insurer_when_paying_with_insurance(client, directory):
    start(client)
    response = step(client, 4, {"payment": "insurance", "insurance": ""})
    assert response.status_code == 200
    assert "Choose your insurance company, or choose another way to pay." in html(response)


def test_it_prefills_the_page_the_person_came_from_but_not_the_answers(client, directory):
    page = html(client.get("/match/?approach=relational-therapy"))
    assert 'name="approach" value="relational-therapy"' in page
    assert "Relational Therapy" in page
    start(client, approach="relational-therapy")
    assert session_state(client)["answers"] == {}
    page = html(client.get("/match/step/6/"))
    assert re.search(r'value="relational-therapy" id="approach-relational-therapy" checked', page)

    client.post("/match/clear/")
    page = html(client.get("/match/?issue=anxiety"))
    assert 'name="issue" value="anxiety"' in page
    start(client, issue="anxiety")
    page = html(client.get("/match/step/2/"))
    assert re.search(r'value="anxiety" id="issue-anxiety" checked', page)
    assert session_state(client)["answers"] == {}


def test_it_ignores_an_unknown_entry_slug(client, directory):
    page = html(client.get("/match/?approach=not-a-real-approach&issue=anxiety-2"))
    assert 'type="hidden" name="approach"' not in page
    assert 'type="hidden" name="issue"' not in page
    start(client, approach="not-a-real-approach")
    assert session_state(client)["prefill"] == {}
    assert " checked" not in html(client.get("/match/step/6/")).split("Approaches (tick")[1]


def test_it_turns_free_text_into_chips_the_person_confirms(client, directory):
    start(client)
    response = step(client, 2, {"issues": ["anxiety"], "text": FREE_TEXT, "action": "next"})
    assert response["Location"] == "/match/step/2/words/"
    page = html(client.get("/match/step/2/words/"))
    assert "Step 2 of 8" in page
    chips = re.findall(r'name="keep" value="([\w-]+)"[^>]*checked', page)
    assert {"sleep-insomnia", "relationship-issues"} <= set(chips)
    assert "Sleep" in page
    assert "It sounds like" not in page
    # Remove one chip, keep the others.
    kept = [slug for slug in chips if slug != "relationship-issues"]
    response = client.post("/match/step/2/words/", {"keep": kept, "action": "next"})
    assert response["Location"] == "/match/step/3/"
    issues = session_state(client)["answers"]["issues"]
    assert issues[0] == "anxiety"
    assert "sleep-insomnia" in issues and "relationship-issues" not in issues


def test_it_shows_crisis_help_on_the_next_screen_and_lets_the_person_continue(client, directory):
    start(client)
    response = step(client, 2, {"text": "I want to kill myself", "action": "next"})
    assert response["Location"] == "/match/step/2/words/"
    page = html(client.get("/match/step/2/words/"))
    assert "It sounds like you may be going through a lot right now." in page
    assert 'href="tel:988"' in page and 'href="sms:988"' in page
    assert 'href="tel:911"' in page
    assert "Text HOME to 741741" in page
    # Shown before the question, and never blocking: Continue is right there.
    assert page.index("It sounds like") < page.index('id="step-heading"')
    assert 'value="next"' in page
    response = client.post("/match/step/2/words/", {"action": "next"})
    assert response["Location"] == "/match/step/3/"
    response = step(client, 3, {"location": "98402", "mode": "both", "radius": "25"})
    assert response["Location"] == "/match/step/4/"
    # No flag stored: only the text itself, in the session.
    state = session_state(client)
    assert not any("crisis" in key for key in state)
    assert "crisis" not in repr(state["answers"])


CRISIS_HELP = (
    "It sounds like you may be going through a lot right now.",
    'href="tel:988"',  # 988 Suicide & Crisis Lifeline: call
    'href="sms:988"',  # ... and text
    'href="sms:741741"',  # Crisis Text Line
    "Text HOME to 741741",
    "Crisis Text Line",
    'href="tel:911"',
)


@pytest.mark.parametrize("issue", ["suicidal-thoughts", "self-harm"])
def test_choosing_a_crisis_issue_shows_crisis_help_and_never_blocks(client, directory, issue):
    """A visitor who ticks "Suicidal thoughts" or "Self-harm", with no words typed."""
    start(client)
    response = step(client, 2, {"issues": [issue], "action": "next"})
    assert response.status_code == 303 and response["Location"] == "/match/step/2/words/"
    page = html(client.get("/match/step/2/words/"))
    for text in CRISIS_HELP:
        assert text in page, text
    assert page.index("It sounds like") < page.index('id="step-heading"')
    # Never a block: Continue is right there, and the questionnaire goes on to matches.
    assert 'value="next"' in page
    response = client.post("/match/step/2/words/", {"action": "next"})
    assert response["Location"] == "/match/step/3/"
    response = step(client, 3, {"location": "98402", "mode": "both", "radius": "25"})
    assert response["Location"] == "/match/step/4/"
    page = html(client.get("/match/results/"))
    for text in CRISIS_HELP:
        assert text in page, text
    assert page.index("It sounds like") < page.index('id="results-heading"')
    assert "Ana Alvarez" in page  # the matches are shown too
    # The choice is kept as an answer; no flag is stored beside it.
    state = session_state(client)
    assert state["answers"]["issues"] == [issue]
    assert not any("crisis" in key for key in state)


def test_an_ordinary_issue_brings_no_crisis_help(client, directory):
    start(client)
    response = step(client, 2, {"issues": ["anxiety"], "action": "next"})
    assert response["Location"] == "/match/step/3/"
    step(client, 3, {"location": "98402", "mode": "both", "radius": "25"})
    assert "It sounds like" not in html(client.get("/match/results/"))


def test_it_never_puts_answers_in_a_url(client, directory):
    responses = answer_everything(client, text=FREE_TEXT)
    responses.append(client.post("/match/results/keep/"))
    responses.append(client.get(responses[-1]["Location"]))
    secrets = ["anxiety", "sleep-insomnia", "relationship", "sleep", "partner", "aetna", "Choice"]
    for response in responses:
        for header in ("Location", "HX-Push-Url"):
            value = response.get(header, "")
            assert not any(word.lower() in value.lower() for word in secrets), value
        if response.get("Content-Type", "").startswith("text/html"):
            for url in urls_in(response):
                assert not any(word.lower() in url.lower() for word in secrets), url
    # The one search link carries the place and format, nothing else.
    results = html(responses[-3])
    assert 'href="/therapists/?location=98402"' in results


def test_it_never_puts_answers_in_a_log_line_or_an_email(client, directory, caplog, monkeypatch):
    # Every record of every logger, at every level: even those settings.py keeps quiet.
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and not logger.propagate:
            monkeypatch.setattr(logger, "propagate", True)
            caplog.set_level(logging.DEBUG, logger=name)
    answer_everything(client, text=FREE_TEXT)
    token = client.post("/match/results/keep/")["Location"].split("/")[-2]
    client.get(f"/match/saved/{token}/")
    client.get("/match/step/9/")  # Django logs a 404, with its path: the capture works
    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.args!r}" for record in caplog.records
    )
    assert "Not Found: /match/step/9/" in logged
    for word in ("anxiety", "sleep", "partner", "aetna", "Choice", token):
        assert word.lower() not in logged.lower(), word
    assert mail.outbox == []


def test_the_session_holds_only_what_session_py_lists(client, directory):
    answer_everything(client, text=FREE_TEXT)
    # A new key is a privacy decision: list it, with its reason, in matching/session.py.
    assert set(session_state(client)) == {
        "answers",
        "free_text",
        "plan_name",
        "answered",
        "suggested",
        "words_done",
        "reviewed",
        "prefill",
        "saved_at",
    }
    assert set(session_state(client)["answers"]) == {
        "who",
        "issues",
        "location",
        "mode",
        "radius",
        "payment",
        "insurance",
        "budget",
        "preferences",
        "approaches",
        "free_consultation",
    }


def test_it_forgets_answers_after_24_hours(client, directory):
    answer_everything(client)
    session = client.session
    state = session[SESSION_KEY]
    state["saved_at"] = (timezone.now() - dt.timedelta(hours=24, minutes=1)).isoformat()
    session[SESSION_KEY] = state
    session.save()
    response = client.get("/match/results/")
    assert response.status_code == 303 and response["Location"] == "/match/?expired=1"
    assert SESSION_KEY not in client.session
    assert "cleared after 24 hours" in html(client.get(response["Location"]))
    assert client.get("/match/step/3/")["Location"] == "/match/"
    htmx = step(client, 3, {"location": "98402"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == "/match/"


def test_a_visitors_session_itself_ends_a_day_after_the_last_answer(client, directory):
    start(client)
    assert client.session.get_expiry_age() == 24 * 60 * 60
    assert client.cookies["sessionid"]["max-age"] == 24 * 60 * 60


def test_it_keeps_answers_younger_than_a_day(client, directory):
    answer_everything(client)
    session = client.session
    state = session[SESSION_KEY]
    state["saved_at"] = (timezone.now() - dt.timedelta(hours=23)).isoformat()
    session[SESSION_KEY] = state
    session.save()
    assert client.get("/match/results/").status_code == 200


def test_results_are_never_cached_or_indexed(client, directory):
    results = answer_everything(client)[-1]
    assert "no-store" in results["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in html(results)
    assert "no-store" in client.get("/match/step/2/")["Cache-Control"]


def test_results_read_the_database_a_fixed_number_of_times(
    client, directory, django_assert_max_num_queries
):
    answer_everything(client)
    for n in range(12):  # more therapists than the ten shown
        therapist(f"Extra Person {n}", issues=("anxiety",))
    ix.index_touch(None)
    client.get("/match/results/")  # the index reloads once after the change
    # Session, index version, the profiles and their four prefetched relations.
    with django_assert_max_num_queries(8):
        page = html(client.get("/match/results/"))
    assert page.count('class="result"') == 10


def test_it_offers_relaxations_when_few_fit(client, directory):
    start(client)
    step(client, 3, {"location": "98402", "mode": "in_person", "radius": "5"})
    step(client, 5, {"gender": "nonbinary", "gender_importance": "must"})
    page = html(client.get("/match/results/"))
    assert "No therapists fit everything you said you must have." in page
    assert "Make “Nonbinary” a nice-to-have" in page
    option = re.search(r'name="option" value="(\d+)"', page.split("Make “Nonbinary”")[0][-600:])
    assert option
    response = client.post("/match/results/relax/", {"option": option.group(1)})
    assert response.status_code == 303 and response["Location"] == "/match/results/"
    page = html(client.get("/match/results/"))
    assert "Ana Alvarez" in page
    assert "Doesn&#x27;t list: Nonbinary" in page


def test_a_saved_list_works_until_it_expires_and_stores_only_the_token_hash(client, directory):
    answer_everything(client, text=FREE_TEXT)
    assert SavedMatch.objects.count() == 0  # nothing is stored until the person asks
    response = client.post("/match/results/keep/")
    assert response.status_code == 303
    token = response["Location"].removeprefix("/match/saved/").rstrip("/")
    assert len(token) >= 32
    row = SavedMatch.objects.get()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = repr(row.answers) + row.token_hash
    assert token not in stored
    assert "sleep" not in repr(row.answers).split("issues")[0]  # no free text
    assert "Choice POS" not in repr(row.answers) and "partner" not in repr(row.answers)
    assert row.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)

    other = Client()  # the link works in any browser, without the session
    page = other.get(f"/match/saved/{token}/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "same-origin"  # the token never leaves the site
    assert "Ana Alvarez" in html(page) and "Delete now" in html(page)

    SavedMatch.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    gone = other.get(f"/match/saved/{token}/")
    assert gone.status_code == 410
    assert "kept for 7 days" in html(gone)
    out = StringIO()
    call_command("purge_saved_matches", stdout=out)
    assert "Deleted 1" in out.getvalue()
    assert other.get(f"/match/saved/{token}/").status_code == 404


def test_a_saved_list_can_be_deleted_at_once(client, directory):
    answer_everything(client)
    token = client.post("/match/results/keep/")["Location"].split("/")[-2]
    response = client.post(f"/match/saved/{token}/delete/")
    assert response.status_code == 303
    assert SavedMatch.objects.count() == 0
    assert client.get(f"/match/saved/{token}/").status_code == 404


def test_purge_keeps_lists_that_have_not_expired(client, directory):
    answer_everything(client)
    client.post("/match/results/keep/")
    call_command("purge_saved_matches", stdout=StringIO())
    assert SavedMatch.objects.count() == 1


def test_htmx_requests_get_only_the_step(client, directory):
    start(client)
    response = step(client, 1, {"who": "me", "action": "next"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = html(response)
    assert "<html" not in page and 'class="site-header"' not in page
    assert 'id="match-step"' in page and "Step 2 of 8" in page
    assert "<title>Step 2 of 8: What would you like help with? | Find your match" in page
    assert response["HX-Push-Url"] == "/match/step/2/"
    assert "HX-Request" in response["Vary"]
    # An error comes back in place, with the step unchanged.
    response = step(client, 3, {"location": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "HX-Push-Url" not in response
    assert 'id="error-summary"' in html(response)
    # Leaving the steps for a whole page is a full load, never a page inside the step region.
    response = step(client, 1, {"action": "back"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == "/match/"
    # A GET of a step for htmx is the partial too; the full page is the default.
    assert "<html" not in html(client.get("/match/step/2/", HTTP_HX_REQUEST="true"))
    assert "<html" in html(client.get("/match/step/2/"))


def test_seeing_matches_from_htmx_loads_the_results_as_a_page(client, directory):
    start(client)
    step(client, 3, {"location": "98402", "mode": "both", "radius": "25"})
    response = step(client, 8, {"action": "go"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/match/results/"


def test_the_review_can_change_the_main_concern(client, directory):
    start(client)
    step(client, 2, {"issues": ["anxiety", "stress"]})
    response = step(client, 8, {"primary": "stress"})
    assert response.status_code == 303 and response["Location"] == "/match/step/8/"
    assert session_state(client)["answers"]["issues"] == ["stress", "anxiety"]
    assert "Main concern: Stress" in html(client.get("/match/step/8/"))


def test_after_the_review_a_changed_answer_returns_to_it(client, directory):
    answer_everything(client)
    response = step(client, 5, {"language": "es", "language_importance": "must"})
    assert response["Location"] == "/match/step/8/"


def test_clearing_forgets_everything(client, directory):
    answer_everything(client, text=FREE_TEXT)
    response = client.post("/match/clear/")
    assert response["Location"] == "/match/?cleared=1"
    assert SESSION_KEY not in client.session
    assert client.get("/match/results/")["Location"] == "/match/"


def test_answers_stay_out_of_the_account_of_a_logged_in_person(client, directory):
    from rapport.testing import alice

    user = alice()
    client.force_login(user)
    answer_everything(client, text=FREE_TEXT)
    user.refresh_from_db()
    # Only the session holds them; nothing about the user changed or points at answers.
    assert not [f.name for f in SavedMatch._meta.get_fields() if f.is_relation]
    assert SavedMatch.objects.count() == 0


def test_steps_without_a_session_go_to_the_start(client):
    for url in ("/match/step/1/", "/match/step/2/words/", "/match/results/"):
        response = client.get(url)
        assert response.status_code == 303 and response["Location"] == "/match/"
    assert client.get("/match/step/9/").status_code == 404


# --- Issue 15: family ages, honest cards and page, payer-fit advice ---------------------------------


def test_family_asks_whether_children_take_part_and_filters_ages(client, directory):
    therapist(
        "Fern Family",
        extra=[(Kind.FORMAT, "family", "Family"), (Kind.AGE, "children", "Children")],
    )
    therapist("Abe Adults", extra=[(Kind.FORMAT, "family", "Family")])
    ix.index_touch(None)
    start(client)
    page = html(client.get("/match/step/1/"))
    assert "Will children take part?" in page
    response = step(client, 1, {"who": "family", "action": "next"})
    assert response.status_code == 200  # asked again, with why; nothing lost
    assert "Say whether children will take part" in html(response)
    response = step(client, 1, {"who": "family", "family_children": "family_child"})
    assert response.status_code == 303
    assert session_state(client)["answers"]["who"] == "family_child"
    step(client, 3, {"location": "98402", "mode": "both", "radius": "25"})
    page = html(client.get("/match/results/"))
    assert "Fern Family" in page and "Abe Adults" not in page
    assert "a parent or guardian usually needs to consent" in page
    assert "My family, with a child under 13" in html(client.get("/match/step/8/"))


def test_cards_say_what_they_do_not_list_and_the_page_says_when_none_lists_the_concern(
    client, directory
):
    start(client)
    step(client, 2, {"issues": ["eating-disorders"], "action": "next"})
    step(client, 3, {"location": "98402", "mode": "in_person", "radius": "5"})
    page = html(client.get("/match/results/"))
    assert "Ana Alvarez" in page
    assert "Doesn&#x27;t list eating disorders" in page
    assert "None of these therapists lists eating disorders" in page


def test_the_page_offers_what_would_find_the_main_concern(client, directory):
    therapist("Olga Ocd", issues=("ocd",), office=LAKEWOOD, telehealth=False)
    ix.index_touch(None)
    start(client)
    step(client, 2, {"issues": ["ocd"], "action": "next"})
    step(client, 3, {"location": "98402", "mode": "in_person", "radius": "5"})
    page = html(client.get("/match/results/"))
    assert "None of these therapists lists" in page
    assert "Looking further for" in page and "Olga Ocd" in page
    assert "Farther than the 5 miles you chose." in page
    response = client.post("/match/results/relax/", {"option": "further"})
    assert response.status_code == 303
    assert session_state(client)["answers"]["radius"] == 100


def test_medicaid_gets_its_own_advice_and_never_a_superbill(client, directory):
    start(client)
    step(client, 3, {"location": "98402", "mode": "in_person", "radius": "5"})
    step(client, 4, {"payment": "insurance", "insurance": "medicaid"})
    page = html(client.get("/match/results/"))
    assert "No therapists fit everything" in page
    assert "superbill" not in page
    assert "community mental health centers" in page
    assert "member services" in page


def test_the_page_names_the_change_that_finds_the_main_concern_and_applies_it(client, directory):
    start(client)
    step(client, 2, {"issues": ["depression"], "action": "next"})
    step(client, 3, {"location": "98402", "mode": "both", "radius": "25"})
    step(client, 5, {"gender": "woman", "gender_importance": "must"})
    page = html(client.get("/match/results/"))
    assert "None of these therapists lists depression" in page
    assert "Make “Woman” a nice-to-have: 1 therapist who lists depression" in page
    assert "No change to your place" not in page
    response = client.post("/match/results/relax/", {"option": "main-0"})
    assert response.status_code == 303
    page = html(client.get("/match/results/"))
    assert "Ben Brooks" in page
    assert "None of these therapists lists" not in page
