"""Triage in Find your match: the levels, the fixture's figures, and what a visitor sees.

Run with -s to print the fixture's and the held-out set's figures.
"""

from __future__ import annotations

import io
import logging
import re
import tomllib

import pytest
from django.core.management import call_command
from django.test import Client

from rapport.core import crisis as crisis_config
from rapport.matching.evaluation.triage_eval import (
    HOLDOUT,
    MINIMUM_PER_LEVEL,
    SECTIONS,
    evaluate_holdout,
    evaluate_triage,
    load_phrases,
)
from rapport.matching.session import SESSION_KEY
from rapport.matching.tests.test_views import directory, html, start, step  # noqa: F401 - fixture
from rapport.matching.triage import Level, triage

# --- The fixture ----------------------------------------------------------------------------


def test_the_fixture_has_enough_phrases_for_every_level():
    phrases = load_phrases()
    for name, level in SECTIONS.items():
        count = sum(1 for p in phrases if p.section is level)
        assert count >= MINIMUM_PER_LEVEL, (name, count)
    # Spanish in every level: the Lifeline and the hotline answer in Spanish, so should we.
    for level in (Level.IMMINENT, Level.COMMANDS, Level.VIOLENCE, Level.MEDICAL, Level.GENERAL):
        assert any(
            re.search(r"\b(me|mi|que|tengo|no)\b", p.text) and p.section is level for p in phrases
        ), level


def test_imminent_risk_is_never_missed_on_the_fixture():
    report = evaluate_triage()
    print(report.as_text(examples=20))
    assert report.levels[Level.IMMINENT].missed == []
    assert report.imminent_recall == 1.0


def test_the_held_out_set_is_apart_from_the_fixture_and_its_figures_are_reported():
    """Written after the lexicons, measured, never tuned on: what to expect on new words."""
    held_out = load_phrases(HOLDOUT)
    assert {p.text for p in held_out}.isdisjoint({p.text for p in load_phrases()})
    report = evaluate_holdout()
    print(report.as_text(examples=20))
    assert not report.gated and "not gated" in report.as_text()
    assert report.levels[Level.IMMINENT].phrases == sum(
        1 for p in held_out if p.section is Level.IMMINENT
    )


def test_a_phrase_in_two_sections_is_refused(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[imminent]\nphrases = ["x"]\n[general]\nphrases = ["x"]\n')
    with pytest.raises(ValueError, match="both"):
        load_phrases(path)


# --- Decisions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("I have a plan and the pills are in my drawer", Level.IMMINENT),
        ("the voices tell me to hurt my kids", Level.COMMANDS),
        ("he choked me last night", Level.VIOLENCE),
        ("I purge 5 times a day and I fainted", Level.MEDICAL),
        ("I get the shakes in the morning until I have a drink", Level.MEDICAL),
        ("I want to die", Level.GENERAL),
        ("me voy a matar esta noche", Level.IMMINENT),
        ("mi esposo me pega", Level.VIOLENCE),
    ],
)
def test_each_level_has_its_words(text, level):
    assert triage(text).level is level


def test_violence_that_is_over_is_not_violence_at_home_now():
    assert Level.VIOLENCE not in triage("my partner used to hit me years ago, I'm safe now").levels
    assert Level.VIOLENCE in triage("he used to only yell, now he hits me").levels
    assert Level.VIOLENCE in triage("my ex hit me again last week").levels
    assert Level.VIOLENCE not in triage("my husband and I fight but he has never hurt me").levels


def test_negated_or_feared_intent_is_not_imminent_but_still_brings_help():
    for text in (
        "I'm not going to kill myself but I think about it",
        "I'm afraid I'll hurt myself",
    ):
        result = triage(text)
        assert result.level is Level.GENERAL, text


def test_answers_count_with_the_words():
    assert triage("I keep fainting").level is Level.NONE
    assert triage("I keep fainting", ["eating-disorders"]).level is Level.MEDICAL
    assert triage("my hands shake every morning", ["alcohol-use"]).medical == {"withdrawal"}
    assert triage("they tell me to hurt myself", ["psychosis-schizophrenia"]).levels[0] is (
        Level.COMMANDS
    )
    # Choosing domestic violence: the hotline and quick exit, unless the words say it is over.
    assert triage("", ["domestic-violence"]).violence
    assert not triage("I left him five years ago", ["domestic-violence"]).violence
    assert triage("", ["suicidal-thoughts"]).level is Level.GENERAL
    assert not triage("", ["anxiety"])


def test_levels_come_most_urgent_first_with_their_resources():
    result = triage(
        "the voices tell me to kill myself and I have the pills ready tonight, he hits me"
    )
    assert result.levels[:3] == (Level.IMMINENT, Level.COMMANDS, Level.VIOLENCE)
    first = {step.level: [r.slug for r in step.resources] for step in result.first}
    assert first[Level.IMMINENT] == ["988", "911"]
    assert first[Level.COMMANDS] == ["988", "911"]
    assert first[Level.VIOLENCE][0] == "domestic-violence-hotline"
    withdrawal = triage("I stopped my Klonopin cold turkey").first[0]
    assert [r.slug for r in withdrawal.resources] == ["911", "samhsa-helpline"]


def test_every_resource_offered_first_is_one_tap():
    config = crisis_config.load()
    for slug in ("988", "911", "domestic-violence-hotline", "samhsa-helpline"):
        resource = config.get(slug)
        assert resource is not None and resource.source.startswith("https://")
        assert any(a.href.startswith(("tel:", "sms:")) for a in resource.actions), slug
    hotline = config.get("domestic-violence-hotline")
    assert hotline is not None
    assert {a.href for a in hotline.actions} >= {"tel:+18007997233", "sms:88788"}


def test_a_crisis_source_must_be_https():
    with crisis_config.CONFIG_PATH.open("rb") as f:
        data = tomllib.load(f)
    data["resources"][0]["source"] = "http://988lifeline.org/"
    with pytest.raises(crisis_config.CrisisConfigError, match="source"):
        crisis_config.parse(data)


def test_spanish_words_bring_spanish_guidance():
    result = triage("tengo miedo de volver a casa, mi esposo me pega")
    assert result.spanish and result.violence
    assert "1-800-799-7233" in result.first[0].spanish
    assert not triage("he hits me and I'm scared to go home").spanish


# --- Through HTTP ------------------------------------------------------------------------------


def _questionnaire(client: Client, text: str, issues=("anxiety",)) -> list:
    """Steps 1 to 3 by plain form posts, then the results; every response on the way."""
    responses = [start(client), step(client, 1, {"who": "me", "action": "next"})]
    responses.append(step(client, 2, {"issues": list(issues), "text": text, "action": "next"}))
    if responses[-1]["Location"] == "/match/step/2/words/":
        responses.append(client.get("/match/step/2/words/"))
        responses.append(client.post("/match/step/2/words/", {"action": "next"}))
    responses.append(step(client, 3, {"location": "98402", "mode": "both", "radius": "25"}))
    responses.append(client.get("/match/results/"))
    return responses


def _crisis_section(page: str) -> str:
    match = re.search(r'<section class="crisis-now.*?</section>', page, re.S)
    assert match, "no crisis section"
    return match.group(0)


def _first_help(page: str) -> str:
    return re.findall(r'href="((?:tel|sms):[^"]+)"', _crisis_section(page))[0]


CASES = [
    ("I have a plan to kill myself this weekend, the pills are ready", "tel:988", "imminent"),
    ("the voices keep telling me to hurt my kids", "tel:988", "commands"),
    ("my husband hits me and I'm scared to go home", "tel:+18007997233", "violence"),
    ("I make myself throw up after every meal and I fainted at work", "tel:911", "medical"),
    ("I've been drinking a fifth a day and want to stop cold turkey", "tel:911", "medical"),
    ("I wish I was dead", "tel:988", ""),
]


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
@pytest.mark.parametrize(("text", "first", "level"), CASES)
def test_the_right_help_comes_first_and_the_list_still_shows(client, directory, text, first, level):  # noqa: F811
    responses = _questionnaire(client, text)
    words = html(responses[3])
    results = html(responses[-1])
    for page, heading in ((words, 'id="step-heading"'), (results, 'id="results-heading"')):
        assert _first_help(page) == first
        assert page.index('class="crisis-now') < page.index(heading)
        if level:
            assert f'class="triage-step triage-{level}"' in page
        else:
            assert "It sounds like you may be going through a lot right now." in page
        # 988 and 911 are always on screen with any of it.
        section = _crisis_section(page)
        assert 'href="tel:988"' in section and 'href="tel:911"' in section
    assert 'value="next"' in words  # never blocked
    assert "Ana Alvarez" in results  # the therapists are still listed
    assert ("data-quick-exit" in results) is (level == "violence")
    # Nothing about the level is stored: only the text itself, in the session.
    state = client.session[SESSION_KEY]
    # (The person's own issue choices may name violence, e.g. the chip "domestic-violence" read
    # from their words; what must not be there is a triage level or flag.)
    stored = repr({k: v for k, v in state.items() if k != "answers"}).lower()
    stored += repr(sorted(state["answers"])).lower()
    assert set(state) >= {"free_text"} and not any(
        k in stored for k in ("triage", "imminent", "crisis", "level", "medical")
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_spanish_words_get_the_hotline_first_in_spanish_too(client, directory):  # noqa: F811
    responses = _questionnaire(client, "mi esposo me golpea y tengo miedo de volver a casa")
    page = html(responses[-1])
    assert _first_help(page) == "tel:+18007997233"
    assert 'lang="es"' in page and "atiende en español" in page
    assert 'href="sms:88788"' in page and "Text START to 88788" in page
    assert "Staying safe online" in page
    assert 'class="quick-exit" href="https://weather.com/" rel="noreferrer"' in page
    assert "Ana Alvarez" in page


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_choosing_domestic_violence_shows_the_hotline_and_a_quick_exit(client, directory):  # noqa: F811
    responses = _questionnaire(client, "", issues=("domestic-violence",))
    assert responses[2]["Location"] == "/match/step/2/words/"
    page = html(responses[-1])
    assert _first_help(page) == "tel:+18007997233"
    assert "data-quick-exit" in page and "quick-exit.js" in page


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_the_words_never_reach_a_url_or_a_log(client, directory, caplog, monkeypatch):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and not logger.propagate:
            monkeypatch.setattr(logger, "propagate", True)
            caplog.set_level(logging.DEBUG, logger=name)
    secrets = ("plan", "pills", "voices", "husband", "golpea", "fainted", "imminent", "violence")
    texts = [case[0] for case in CASES] + ["mi esposo me golpea y tengo miedo"]
    for text in texts:
        for response in _questionnaire(client, text):
            for header in ("Location", "HX-Push-Url"):
                value = response.get(header, "").lower()
                assert not any(word in value for word in secrets), value
        client.post("/match/clear/")
    client.get("/match/step/9/")  # Django logs a 404, with its path: the capture works
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records).lower()
    assert "not found: /match/step/9/" in logged
    for word in secrets:
        assert word not in logged, word


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_htmx_draws_the_triage_in_the_step(client, directory):  # noqa: F811
    start(client)
    response = step(
        client,
        2,
        {"text": "the voices tell me to kill myself", "action": "next"},
        HTTP_HX_REQUEST="true",
    )
    page = html(response)
    assert response["HX-Push-Url"] == "/match/step/2/words/"
    assert 'class="triage-step triage-commands"' in page and "data-focus-first" in page


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_the_evaluation_command_prints_the_triage_figures(tmp_path):
    from rapport.directory import index as ix
    from rapport.matching.tests.test_evaluation import VIGNETTES_FILE, _profile

    _profile()
    ix.index_touch(None)
    path = tmp_path / "v.toml"
    path.write_text(VIGNETTES_FILE.replace("{text}", "I want to die"))
    out = io.StringIO()
    call_command("evaluate_matching", vignettes=str(path), today="2026-11-29", stdout=out)
    text = out.getvalue()
    assert "Triage levels (rapport/matching/evaluation/triage_phrases.toml)" in text
    assert re.search(r"imminent\s+recall (\d+)/\1 \(100\.0%\)  \[PASS\]", text)
    assert "held-out set (reported, not gated)" in text
