"""Find your match's ranking (`scoring.rank`, `scoring.score`): what it shares with search."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from rapport.directory import index as ix
from rapport.directory import search as engine
from rapport.directory.search import ranking, resolve_location
from rapport.matching import scoring
from rapport.taxonomy.models import Kind
from rapport.testing import count_city_lookups, make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}


@pytest.fixture
def looked_up(monkeypatch) -> list[str]:
    return count_city_lookups(monkeypatch)


CENTRALIA = {"city": "Centralia", "state": "WA", "zip": "98531", "lat": 46.7162, "lon": -122.9543}


@pytest.fixture
def ana():
    profile = make_profile(name="Ana Alvarez", offices=[TACOMA])
    # About 40 miles away: "Within 50 miles" finds one more.
    make_profile(name="Omar Olsen", offices=[CENTRALIA], telehealth=False)
    ix.index_touch(None)
    return profile


def test_it_reads_the_place_once_when_not_given_it(ana, looked_up) -> None:
    # One eligible profile: fewer than three, so the relaxations are searched too.
    result = scoring.rank(scoring.Answers(location="Tacoma, WA", mode="in_person"))
    assert [m.profile.name for m in result.matches] == ["Ana Alvarez"]
    assert result.relaxations, "few matches: relaxations are offered"
    assert looked_up == ["Tacoma"]


def test_it_uses_the_place_it_is_given(ana, looked_up) -> None:
    place = resolve_location("Tacoma, WA")
    looked_up.clear()
    result = scoring.rank(scoring.Answers(location="Tacoma, WA", mode="in_person"), place=place)
    assert [m.profile.name for m in result.matches] == ["Ana Alvarez"]
    assert result.location == place.location
    assert looked_up == []


@pytest.mark.parametrize("window", [(30, 180), (10, 20)])
def test_the_score_reads_freshness_from_search_s_one_rule(monkeypatch, window) -> None:
    """Matching scores freshness with search's FRESH_DAYS/STALE_DAYS (ranking.py), not numbers
    of its own: moving the window moves both."""
    monkeypatch.setattr(ranking, "FRESH_DAYS", window[0])
    monkeypatch.setattr(ranking, "STALE_DAYS", window[1])
    today = dt.date(2026, 6, 1)
    ages = [0, 5, 15, 25, 60, 90, None]  # within 90 days: all still "accepting"
    for i, age in enumerate(ages):
        make_profile(
            name=f"Therapist {i}",
            offices=[TACOMA],
            accepting_confirmed_at=None if age is None else today - dt.timedelta(days=age),
        )
    ix.index_touch(None)
    answers = scoring.Answers(location="Tacoma, WA", mode="online")  # no distance points
    _location, parts = scoring.eligible(answers, state=ix.get_index(), today=today)
    (part,) = [p for p in parts if len(p.positions)]
    scores = scoring.score(part, answers, today=today)
    assert len(scores) == len(ages)
    confirmed = part.segment.confirmed[part.positions]
    completeness = part.segment.completeness[part.positions]
    fresh, stale = window
    for points, day, complete in zip(scores, confirmed, completeness, strict=True):
        age = today.toordinal() - int(day)
        expected = 0.0 if day == 0 else min(max((stale - age) / (stale - fresh), 0.0), 1.0)
        assert points == pytest.approx(
            scoring.WEIGHTS["freshness"] * expected + scoring.WEIGHTS["completeness"] * complete
        )


# --- Issue 15: the request ranks first, the hierarchy, scarce specialties, honest lines --------

ADULT_ME = [(Kind.AGE, "adults"), (Kind.FORMAT, "individual")]


def _person(name: str, *, issues=(), office=TACOMA, extra=(), **fields):
    return make_profile(
        name=name,
        offices=[office],
        terms=[*ADULT_ME, *((Kind.ISSUE, s) for s in issues), *extra],
        **fields,
    )


def test_the_main_concern_and_approach_rank_before_distance_freshness_and_completeness() -> None:
    """Before: a near, fresh, complete generalist (3.5 points of quality) passed a
    therapist who practises the chosen approach (1.5 + 0.5 points)."""
    today = dt.date(2026, 6, 1)
    _person(
        "Gil Near",
        issues=("anxiety", "depression", "grief-bereavement"),
        accepting_confirmed_at=today,
        statement="x" * 300,
    )
    _person(
        "Fay Far",
        issues=("anxiety",),
        office=CENTRALIA,
        accepting_confirmed_at=None,
        approaches=[("gottman-method", "")],
    )
    ix.index_touch(None)
    answers = scoring.Answers(
        location="Tacoma, WA", mode="in_person", radius=50, approaches=("gottman-method",)
    )
    names = [m.profile.name for m in scoring.rank(answers, today=today).matches]
    assert names == ["Fay Far", "Gil Near"]
    # The main concern outranks an approach too.
    answers = replace(answers, issues=("depression",))
    names = [m.profile.name for m in scoring.rank(answers, today=today).matches]
    assert names == ["Gil Near", "Fay Far"]


def test_a_narrower_issue_counts_toward_the_main_concern_and_the_line_says_which() -> None:
    _person("Pia Panic", issues=("panic-attacks",))
    _person("Gus General", issues=("depression",), statement="x" * 300)
    ix.index_touch(None)
    result = scoring.rank(scoring.Answers(location="Tacoma, WA", issues=("anxiety",)))
    first, second = result.matches
    assert first.profile.name == "Pia Panic"
    assert "Works with panic attacks (part of anxiety)" in first.reasons
    assert "Doesn't list anxiety" in second.unmet
    assert result.specialists == 1 and result.specialists_shown == 1


def test_search_filtered_on_a_broad_term_finds_the_narrower_ones() -> None:
    _person("Sal Social", issues=("social-anxiety",))
    _person("Dan Down", issues=("depression",))
    _person("Ann Them", extra=[(Kind.INSURANCE, "anthem")])
    ix.index_touch(None)
    found = engine.search(engine.SearchQuery(location="Tacoma, WA", issues=("anxiety",)))
    assert [h.profile.name for h in found.hits] == ["Sal Social"]
    found = engine.search(
        engine.SearchQuery(location="Tacoma, WA", insurance=("blue-cross-blue-shield",))
    )
    assert [h.profile.name for h in found.hits] == ["Ann Them"]


def test_a_scarce_specialty_is_sought_further_and_shown_apart() -> None:
    _person("Gen One", issues=("depression",))
    _person("Eda Eating", issues=("eating-disorders",), office=CENTRALIA, telehealth=False)
    ix.index_touch(None)
    answers = scoring.Answers(
        location="Tacoma, WA", mode="in_person", radius=25, issues=("eating-disorders",)
    )
    result = scoring.rank(answers)
    assert [m.profile.name for m in result.matches] == ["Gen One"]  # the limits hold
    assert result.specialists == 0
    assert [m.profile.name for m in result.further] == ["Eda Eating"]
    assert result.further_answers is not None and result.further_answers.radius == 100
    assert result.finds_main == []  # the page shows those found further instead


def test_when_looking_further_finds_nobody_the_change_that_would_is_named() -> None:
    _person("Gen Two", issues=("depression",), gender="woman")
    _person("Ed Eating", issues=("eating-disorders",), gender="man")
    ix.index_touch(None)
    answers = scoring.Answers(
        location="Tacoma, WA",
        issues=("eating-disorders",),
        preferences=(scoring.Preference("gender", "woman", must=True),),
    )
    result = scoring.rank(answers)
    assert [m.profile.name for m in result.matches] == ["Gen Two"]
    assert result.further == []
    assert [(r.label, r.specialists) for r in result.finds_main] == [
        ("Make “Woman” a nice-to-have", 1)
    ]


def test_a_concern_nobody_lists_anywhere_is_not_looked_for_further(monkeypatch) -> None:
    _person("Gen Three", issues=("depression",))
    ix.index_touch(None)
    looked = []
    monkeypatch.setattr(scoring, "_look_further", lambda *a, **k: looked.append(a))
    answers = scoring.Answers(location="Tacoma, WA", issues=("eating-disorders",))
    result = scoring.rank(answers)
    assert [m.profile.name for m in result.matches] == ["Gen Three"]
    assert looked == []  # two wide searches would find no one
    _person("Eda Far", issues=("eating-disorders",), office=CENTRALIA, telehealth=False)
    ix.index_touch(None)
    scoring.rank(answers)
    assert len(looked) == 1


def test_medicaid_is_never_sent_out_of_network() -> None:
    _person("Mo Medicaid", extra=[(Kind.INSURANCE, "medicaid")])
    _person("Al Aetna", extra=[(Kind.INSURANCE, "aetna")])
    ix.index_touch(None)
    medicaid = scoring.rank(
        scoring.Answers(location="Tacoma, WA", payment="insurance", insurance="medicaid")
    )
    assert medicaid.medicaid
    assert not any("superbill" in r.label for r in medicaid.relaxations)
    aetna = scoring.rank(
        scoring.Answers(location="Tacoma, WA", payment="insurance", insurance="aetna")
    )
    assert any("superbill" in r.label for r in aetna.relaxations)


def test_a_relaxation_that_adds_nobody_is_not_offered(ana) -> None:
    """Both are within 50 miles in person: "Include online sessions" and "Within 100
    miles" would each still find the same two, so neither is offered (before: both
    were, as "Within 100 miles: 2 therapists" with 2 shown)."""
    result = scoring.rank(scoring.Answers(location="Tacoma, WA", mode="in_person", radius=50))
    assert result.eligible == 2
    assert result.relaxations == []
    closer = scoring.rank(scoring.Answers(location="Tacoma, WA", mode="in_person"))
    assert closer.eligible == 1
    assert [(r.label, r.count) for r in closer.relaxations] == [("Within 50 miles", 2)]


def test_a_family_with_a_child_sees_only_family_therapists_who_see_children() -> None:
    _person("Kim Kids", extra=[(Kind.FORMAT, "family"), (Kind.AGE, "children")])
    _person("Ada Adults", extra=[(Kind.FORMAT, "family")])
    ix.index_touch(None)
    child = scoring.rank(scoring.Answers(location="Tacoma, WA", who="family_child"))
    assert [m.profile.name for m in child.matches] == ["Kim Kids"]
    adults = scoring.rank(scoring.Answers(location="Tacoma, WA", who="family_adults"))
    assert {m.profile.name for m in adults.matches} == {"Ada Adults", "Kim Kids"}
