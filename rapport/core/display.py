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
    *,
    name: str | None,
    credentials: str | None,
    title: str | None,
    city: str | None,
    state: str | None,
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


def flat_opening(text: str, limit: int) -> str:
    """`text` with its whitespace collapsed to single spaces, as far as an excerpt of
    `limit` characters needs: past `limit`, to the end of a whole word (all of it
    when shorter). A page of results excerpts twenty statements of a few KB each;
    collapsing just their openings costs a fraction of collapsing them whole."""
    head = text[: 2 * limit + 2]
    flat = " ".join(head.split())
    # A space past `limit` means the words up to it are whole, cut or not.
    if len(head) == len(text) or " " in flat[limit:]:
        return flat
    return " ".join(text.split())


def opening(text: str | None, limit: int) -> str:
    """The start of a statement for a list of results (the search page's cards, the API's
    `statement_excerpt`): whitespace collapsed, cut at the last word boundary within
    `limit` characters with an ellipsis. Never mid-word: one enormous first "word" (a
    URL, say) is kept whole rather than cut inside it, so the result can pass `limit`."""
    text = flat_opening(text or "", limit)
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    head = head.rsplit(" ", 1)[0] if " " in head else text.split(" ", 1)[0]
    return head.rstrip(" ,;:–—-.") + "…"


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]?\s")


def excerpt(text: str | None, limit: int = 280) -> tuple[str, bool]:
    """(shortened text, whether it was shortened). Never cuts a word.

    Ends at the last sentence boundary within `limit` when that keeps most of
    the text, else at the last word boundary with an ellipsis. The reference
    directory cut statements mid-word; a person deserves whole words.
    """
    text = _SPACE.sub(" ", text or "").strip()
    if len(text) <= limit:
        return text, False
    window = text[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] >= limit * 0.6:
        return window[: ends[-1]].rstrip(), True
    cut = window.rfind(" ")
    if cut <= 0:  # one enormous "word" (a URL): cut it, but say so
        return window[:limit].rstrip() + "…", True
    return window[:cut].rstrip(" ,;:-—–") + "…", True
