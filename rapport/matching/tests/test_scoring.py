"""Find your match's ranking (`scoring.rank`): the place it is given is the place it uses."""

from __future__ import annotations

import pytest

from rapport.core import geo
from rapport.core.testing import make_profile
from rapport.directory import index as ix
from rapport.directory.search import resolve_location
from rapport.matching import scoring

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

TACOMA = {"city": "Tacoma", "state": "WA", "zip": "98402", "lat": 47.2529, "lon": -122.4443}


@pytest.fixture
def looked_up(monkeypatch) -> list[str]:
    """The cities the place parser looks up (`geo.lookup_city`, wrapped: it still answers)."""
    cities: list[str] = []
    real = geo.lookup_city

    def lookup_city(city, state):
        cities.append(city)
        return real(city, state)

    monkeypatch.setattr(geo, "lookup_city", lookup_city)
    return cities


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
