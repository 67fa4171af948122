"""The matching evaluation: the vignettes, the independent checker, and the command."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rapport.directory import index as ix
from rapport.matching import scoring
from rapport.matching.evaluation.evaluate import (
    Rules,
    Vignette,
    VignetteError,
    evaluate,
    load_vignettes,
    read_facts,
    vignette_problems,
)
from rapport.taxonomy.models import Kind
from rapport.testing import make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

TODAY = dt.date(2026, 11, 29)
TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}
PORTLAND = {"city": "Portland", "state": "OR", "zip": "97201", "lat": 45.5078, "lon": -122.6897}
TERMS = [
    (Kind.ISSUE, "anxiety", "Anxiety"),
    (Kind.INSURANCE, "aetna", "Aetna"),
    (Kind.LANGUAGE, "en", "English"),
    (Kind.LANGUAGE, "es", "Spanish"),
    (Kind.AGE, "adults", "Adults"),
    (Kind.FORMAT, "individual", "Individual"),
]
# A woman who speaks Spanish, in network with Aetna, within 10 miles of Tacoma.
ANSWERS = scoring.Answers(
    location="98402",
    mode="in_person",
    radius=10,
    who="me",
    issues=("anxiety",),
    payment="insurance",
    insurance="aetna",
    preferences=(
        scoring.Preference("gender", "woman", must=True),
        scoring.Preference("language", "es", must=True),
    ),
)


# --- The vignettes -------------------------------------------------------------------------------


def test_the_bundled_vignettes_are_many_varied_and_valid() -> None:
    vignettes = load_vignettes()
    assert len(vignettes) >= 60
    assert len({v.id for v in vignettes}) == len(vignettes)
    assert sum(v.expect.crisis for v in vignettes) >= 8
    assert sum(1 for v in vignettes if not v.expect.crisis and v.answers.free_text) >= 20
    # "family" alone is only for answers saved before the children question.
    assert {v.answers.who for v in vignettes} == set(scoring.WHO) - {"family"}
    assert {v.answers.mode for v in vignettes} == {"both", "in_person", "online"}
    # Every slug exists in the taxonomy and every place resolves (or is meant not to).
    assert vignette_problems(vignettes) == []


def test_a_misspelt_vignette_is_refused_or_reported(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text(
        '[[vignette]]\nid = "x"\nstory = "s"\n[vignette.answers]\nlocation = "98402"\n'
        'colour = "blue"\n[vignette.expect]\ncrisis = false\n'
    )
    with pytest.raises(VignetteError, match="colour"):
        load_vignettes(path)
    path.write_text(
        '[[vignette]]\nid = "x"\nstory = "s"\n[vignette.answers]\nlocation = "98402"\n'
        'issues = ["anxeity"]\n[vignette.expect]\ncrisis = false\n'
    )
    assert vignette_problems(load_vignettes(path)) == ["x: unknown issue 'anxeity'"]


# --- The whole evaluation on demo data -----------------------------------------------------------


def test_matching_on_demo_data_breaks_no_hard_constraint_and_misses_no_crisis() -> None:
    call_command("seed_demo", therapists=400, seed=1, stdout=io.StringIO(), stderr=io.StringIO())
    ix.reset_for_tests()
    report = evaluate(load_vignettes(), today=TODAY, recount=True)

    assert report.shown >= 50, "too few matches to check anything"
    assert report.violations == []
    # The oracle's own eligible set has the size rank() reported, for every vignette.
    assert [o.vignette.id for o in report.count_mismatches] == []
    assert report.problems == []
    assert [o.vignette.id for o in report.crisis_missed] == []
    assert report.crisis_recall == 1.0
    text = report.as_text()
    assert "Hard-constraint violations: 0" in text
    assert "Result: PASS" in text


# --- The checker catches what it should -------------------------------------------------------------


def _profile(**overrides):
    fields = {
        "gender": "woman",
        "offices": [TACOMA],
        "terms": TERMS,
        "telehealth_states": ["WA"],
    }
    fields.update(overrides)
    return make_profile(**fields)


def _violations(profile, answers: scoring.Answers = ANSWERS, **shown) -> list[str]:
    return Rules.of(answers).violations(read_facts([profile.pk])[profile.pk], **shown)


def test_a_profile_that_meets_every_constraint_passes() -> None:
    assert _violations(_profile()) == []


@pytest.mark.parametrize(
    ("overrides", "answers", "reason"),
    [
        ({"accepting_new_clients": False}, {}, "not accepting new clients"),
        ({"status": "draft"}, {}, "not published"),
        ({"offices": [PORTLAND]}, {}, "cannot be seen in person"),
        ({"in_person": False}, {}, "cannot be seen in person"),
        ({"telehealth_states": ["OR"]}, {"mode": "online"}, "cannot be seen online"),
        ({"telehealth": False}, {"mode": "online"}, "cannot be seen online"),
        ({}, {"who": "relationship"}, "offers none of the formats"),
        ({}, {"who": "teen"}, "sees none of the ages"),
        ({"gender": "man"}, {}, "must be woman"),
        ({"terms": [t for t in TERMS if t[1] != "es"]}, {}, "must have language es"),
        ({"terms": [t for t in TERMS if t[1] != "aetna"]}, {}, "not in network with aetna"),
        ({"free_consultation": False}, {"free_consultation": "must"}, "free consultation"),
        (
            {"fee_min": 180, "sliding_scale": False},
            {"payment": "self_pay", "budget": 120},
            "over the budget",
        ),
        ({"sliding_scale": False}, {"payment": "sliding_scale"}, "no sliding scale"),
        (
            {"terms": TERMS},
            {"preferences": (scoring.Preference("faith", "secular", must=True),)},
            "must have community secular",
        ),
    ],
)
def test_the_checker_catches_each_broken_constraint(overrides, answers, reason) -> None:
    from dataclasses import replace

    found = _violations(_profile(**overrides), replace(ANSWERS, **answers))
    assert any(reason in v for v in found), found


def test_the_checker_catches_a_false_claim_about_how_a_match_qualifies() -> None:
    # Seen online in WA, so eligible with mode "both", but no office within 10 miles.
    profile = _profile(offices=[PORTLAND])
    both = scoring.Answers(location="98402", mode="both", radius=10)
    assert _violations(profile, both) == []
    assert _violations(profile, both, shown_in_person=True) == [
        "shown as in person, but no office qualifies"
    ]


def test_a_fabricated_match_that_breaks_a_constraint_fails_the_evaluation(monkeypatch) -> None:
    closed = _profile(accepting_new_clients=False)
    vignette = Vignette(
        id="tacoma",
        story="A woman in Tacoma.",
        answers=ANSWERS,
        expect=load_vignettes()[0].expect,
    )

    def fake_rank(answers, *, state=None, today=None):
        match = scoring.Match(profile=closed, score=9.0, distance=1.0, in_person=True, online=False)
        return scoring.MatchResult(
            answers=answers,
            location=None,
            location_problem="",
            eligible=1,
            matches=[match],
            relaxations=[],
        )

    monkeypatch.setattr(scoring, "rank", fake_rank)
    report = evaluate([vignette], today=TODAY)
    assert report.violations == [f"tacoma: profile {closed.pk}: not accepting new clients"]
    assert not report.ok
    assert "Result: FAIL" in report.as_text()


def test_a_card_line_that_is_untrue_fails_the_evaluation(monkeypatch) -> None:
    """The profile lists anxiety; a card saying "Doesn't list anxiety" is caught."""
    profile = _profile()
    vignette = Vignette(
        id="tacoma", story="A woman in Tacoma.", answers=ANSWERS, expect=load_vignettes()[0].expect
    )

    def fake_rank(answers, *, state=None, today=None):
        match = scoring.Match(
            profile=profile, score=9.0, distance=1.0, in_person=True, online=False
        )
        match.unmet = ["Doesn't list anxiety"]
        return scoring.MatchResult(
            answers=answers,
            location=None,
            location_problem="",
            eligible=1,
            matches=[match],
            relaxations=[],
        )

    monkeypatch.setattr(scoring, "rank", fake_rank)
    report = evaluate([vignette], today=TODAY)
    assert report.violations == [
        f"tacoma: profile {profile.pk}: untrue line: issue anxiety: said missing"
    ]


def test_an_offer_that_cannot_help_fails_the_evaluation(monkeypatch) -> None:
    """A relaxation finding no more than are already eligible, and a superbill offered
    to someone paying with Medicaid, are reported and fail the run."""
    vignette = Vignette(
        id="medicaid",
        story="Someone in Tacoma on Medicaid.",
        answers=scoring.Answers(location="98402", payment="insurance", insurance="medicaid"),
        expect=load_vignettes()[0].expect,
    )

    def fake_rank(answers, *, state=None, today=None):
        superbill = scoring.Relaxation(
            "Include therapists out of network (superbill)", 1, replace(answers, payment="")
        )
        return scoring.MatchResult(
            answers=answers,
            location=None,
            location_problem="",
            eligible=1,
            matches=[],
            relaxations=[superbill],
            medicaid=True,
        )

    monkeypatch.setattr(scoring, "rank", fake_rank)
    report = evaluate([vignette], today=TODAY)
    assert report.dishonest == [
        "medicaid: 1 relaxation(s) adding nobody",
        "medicaid: out of network (superbill, any fee) offered with Medicaid",
    ]
    assert not report.ok


# --- The command -----------------------------------------------------------------------------------


VIGNETTES_FILE = """
[[vignette]]
id = "calm"
story = "Someone in Tacoma."
[vignette.answers]
location = "98402"
issues = ["anxiety"]
free_text = "I'm killing it at work but I can't sleep."
[vignette.expect]
crisis = false

[[vignette]]
id = "crisis"
story = "Someone in Tacoma who wants to die."
[vignette.answers]
location = "98402"
free_text = "{text}"
[vignette.expect]
crisis = true
"""


def test_the_command_prints_the_report_and_exits_nonzero_on_a_missed_crisis(tmp_path) -> None:
    _profile()
    ix.index_touch(None)
    path = tmp_path / "v.toml"
    path.write_text(VIGNETTES_FILE.replace("{text}", "I want to die"))
    out = io.StringIO()
    call_command("evaluate_matching", vignettes=str(path), today="2026-11-29", stdout=out)
    assert "Hard-constraint violations: 0" in out.getvalue()
    assert "Result: PASS" in out.getvalue()

    path.write_text(VIGNETTES_FILE.replace("{text}", "Just looking for someone nice."))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 missed crisis vignette"):
        call_command("evaluate_matching", vignettes=str(path), today="2026-11-29", stdout=out)
    assert "missed crisis:" in out.getvalue()


def test_the_command_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("evaluate_matching", today="29/11/2026", stdout=io.StringIO())
