"""Find your match's ranking (`scoring.rank`, `scoring.score`): what it shares with search."""

from __future__ import annotations

import datetime as dt

import pytest

from rapport.directory import index as ix
from rapport.directory.search import ranking, resolve_location
from rapport.matching import scoring
from rapport.testing import count_city_lookups, make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}


@pytest.fixture
def looked_up(monkeypatch) -> list[str]:
    return count_city_lookups(monkeypatch)


@pytest.fixture
def ana():
    profile = make_profile(name="Ana Alvarez", offices=[TACOMA])
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
