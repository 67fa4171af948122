"""How a profile's name, title and place read on a page: the one place for it.

The spec's rule: "Name, Credentials — Title in City, ST", every missing part
dropped together with its punctuation. No "in , WA", no "Associate in ,", no
trailing commas; a state without a city reads as the state's name.
"""

from __future__ import annotations

import re

from .states import state_name

_SPACE = re.compile(r"\s+")


def _clean(value: str | None) -> str:
    # Stray commas and whitespace are what broken source data leaves behind.
    return _SPACE.sub(" ", (value or "")).strip(" ,;\t\n")


def location(city: str | None, state: str | None) -> str:
    """'Tacoma, WA'; 'Washington' with no city; 'Tacoma' with no state; '' with neither."""
    city, state = _clean(city), _clean(state).upper()
    if city and state:
        return f"{city}, {state}"
    if state:
        return state_name(state) or state
    return city


def name_and_credentials(name: str | None, credentials: str | None) -> str:
    name, credentials = _clean(name), _clean(credentials)
    return f"{name}, {credentials}" if name and credentials else name or credentials


def title_and_place(*, title: str | None, city: str | None, state: str | None) -> str:
    """'Licensed Marriage & Family Therapist in Tacoma, WA'; each part optional."""
    title, place = _clean(title), location(city, state)
    if title and place:
        return f"{title} in {place}"
    return title or place


def profile_line(
    *, name: str | None, credentials: str | None, title: str | None, city: str | None, state: str | None
) -> str:
    """'Name, Credentials — Title in City, ST' with every missing part dropped."""
    who = name_and_credentials(name, credentials)
    what = title_and_place(title=title, city=city, state=state)
    if who and what:
        return f"{who} — {what}"
    return who or what


def initials(name: str | None) -> str:
    """Up to two initials for the avatar when there is no photo: 'Uriah Cty' -> 'UC'."""
    words = [w for w in re.split(r"[\s\-]+", _clean(name)) if w and w[0].isalpha()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][0].upper()
    return (words[0][0] + words[-1][0]).upper()
