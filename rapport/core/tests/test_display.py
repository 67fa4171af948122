"""The display rules of profile-format.md, case by case.

Each case is a defect seen on a real directory page ("Counselor in , WA",
"Counselor Associate in ,"): the rule is that a missing part disappears with
its punctuation.
"""

from __future__ import annotations

import pytest

from rapport.core import display
from rapport.testing import make_profile


@pytest.mark.parametrize(
    ("title", "city", "state", "expected"),
    [
        ("Mental Health Counselor", "Tacoma", "WA", "Mental Health Counselor in Tacoma, WA"),
        ("Mental Health Counselor", "", "WA", "Mental Health Counselor in Washington"),
        ("Mental Health Counselor", "", "", "Mental Health Counselor"),
        ("Counselor Associate", "", "", "Counselor Associate"),
        ("Counselor Associate", None, None, "Counselor Associate"),
        ("Mental Health Counselor, ", " Tacoma ,", " wa ", "Mental Health Counselor in Tacoma, WA"),
        ("", "Tacoma", "WA", "Tacoma, WA"),
    ],
)
def test_it_drops_missing_place_parts_with_their_punctuation(title, city, state, expected):
    line = display.title_and_place(title=title, city=city, state=state)
    assert line == expected
    assert "in ," not in line
    assert not line.endswith((",", " ", " in"))


def test_it_reads_city_and_state_as_city_comma_code():
    assert display.location("Tacoma", "WA") == "Tacoma, WA"


def test_it_names_the_state_when_there_is_no_city():
    assert display.location("", "WA") == "Washington"
    assert display.title_and_place(title="Title", city="", state="WA") == "Title in Washington"


def test_it_shows_just_the_title_with_neither_city_nor_state():
    assert display.title_and_place(title="Title", city="", state="") == "Title"


def test_it_strips_trailing_commas_and_whitespace():
    assert (
        display.name_and_credentials("  Uriah Cty , ", " M.A., LMFT, ") == "Uriah Cty, M.A., LMFT"
    )
    assert display.location("Tacoma,  ", " WA ") == "Tacoma, WA"


def test_it_reads_a_name_without_credentials():
    assert display.name_and_credentials("Uriah Cty", "") == "Uriah Cty"
    line = display.profile_line(
        name="Uriah Cty", credentials="", title="Counselor", city="Tacoma", state="WA"
    )
    assert line == "Uriah Cty — Counselor in Tacoma, WA"


def test_it_reads_credentials_without_a_title():
    line = display.profile_line(
        name="Uriah Cty", credentials="LMFT", title="", city="Tacoma", state="WA"
    )
    assert line == "Uriah Cty, LMFT — Tacoma, WA"
    line = display.profile_line(name="Uriah Cty", credentials="LMFT", title="", city="", state="")
    assert line == "Uriah Cty, LMFT"


def test_it_reads_the_full_line():
    line = display.profile_line(
        name="Uriah Cty",
        credentials="M.A., LMFT",
        title="Licensed Marriage & Family Therapist",
        city="Tacoma",
        state="WA",
    )
    assert line == "Uriah Cty, M.A., LMFT — Licensed Marriage & Family Therapist in Tacoma, WA"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("offices", "title", "expected"),
    [
        ([{"city": "Tacoma", "state": "WA"}], "Counselor", "Counselor in Tacoma, WA"),
        ([{"city": "", "state": "WA"}], "Counselor", "Counselor in Washington"),
        ([{"city": "", "state": ""}], "Counselor Associate", "Counselor Associate"),
        ([], "Counselor Associate", "Counselor Associate"),
    ],
)
def test_it_applies_the_rules_to_profiles(offices, title, expected):
    profile = make_profile(title=title, offices=offices)
    assert profile.title_and_place() == expected
    assert profile.display_line() == f"Jordan Rivera, MA, LMHC — {expected}"
