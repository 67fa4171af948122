"""The questionnaire's state in the person's session, and answers to and from plain JSON.

This module is where Find your match's privacy rules are kept; every step, the
review and the results go through it. What someone needs help with is health
data (domain.md 3.3 and 4.4), so:

- What is kept, and where: only in the person's own session (a random cookie
  pointing at a server-side session row), under `request.session["match"]`:
  the answers (`answers_to_json` below lists them: place, format, radius, who,
  issues, payment, insurer, budget, preferences, approaches, free
  consultation), the free text, the insurance plan name, and the screens'
  bookkeeping (which steps were answered, the issues the free text suggested,
  the page they came from, the time of the last change). Never in the
  person's account, even when they are signed in.
- For how long: 24 hours after the last change (`EXPIRES_AFTER`). `load_state`
  discards older answers. A visitor's whole session then ends too, so
  `clearsessions` can purge its row instead of keeping it two weeks; a
  signed-in person's session keeps its own length, and their expired answers
  are dropped from it on their next visit to Find your match. "Clear my
  answers" (`clear_state`) forgets them at once; "Start again" replaces them.
- What never leaves the session: the answers and the free text never go into a
  URL (every step is a POST; step pages are addressed by number only), a log
  line, an email (subject or body) or analytics, and nothing links them to an
  account or a therapist. The free text and the plan name are never used for
  ranking and never saved. Whether the words or issues call for crisis help
  is worked out each time a screen is drawn, and no crisis flag is stored.
- The one exception, on request: "Keep these results" stores `answers_to_json`
  (without the free text and the plan name) in `SavedMatch` under a random
  link of which only the SHA-256 is kept, for seven days (`models.KEEP_FOR`),
  with no user, IP address or other pointer to a person; `rapport
  purge_saved_matches` deletes expired lists, and "Delete now" deletes at once.

The state is a plain dict so the session serializer can store it; `load_state`
is defensive about its shape, since a session may hold an older version's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from rapport.directory.search import DEFAULT_RADIUS, MODES, RADII
from rapport.matching.scoring import PREFERENCE_KINDS, WHO, Answers, Preference

__all__ = [
    "SESSION_KEY",
    "EXPIRES_AFTER",
    "STEPS",
    "new_state",
    "load_state",
    "save_state",
    "clear_state",
    "mark_answered",
    "next_unanswered",
    "answers_to_json",
    "answers_from_json",
    "state_answers",
]

SESSION_KEY = "match"
EXPIRES_AFTER = dt.timedelta(hours=24)
# Seven questions, then the review.
STEPS = 8


# --- The state --------------------------------------------------------------------------------


def new_state(prefill: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every key the session may hold for the questionnaire, with its empty value."""
    return {
        "answers": {},  # the shape of `answers_to_json`, filled step by step
        "free_text": "",  # "in your own words": session only, never ranked or saved
        "plan_name": "",  # the insurance plan: shown back on the review only
        "answered": [],  # step numbers the person has answered or skipped
        "suggested": [],  # issues suggested by the free text, awaiting confirmation
        "words_done": False,  # the suggestions were confirmed (step 2, part two)
        "reviewed": False,  # the review was seen: a changed answer returns to it
        "prefill": dict(prefill or {}),  # from the page they came from; not an answer
        "saved_at": timezone.now().isoformat(),
    }


def load_state(request: HttpRequest) -> tuple[dict[str, Any] | None, bool]:
    """(state, expired): the session's answers, or None; expired ones are discarded here."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        return None, False
    for key, default in new_state().items():
        if key != "saved_at":  # no timestamp means expired, below
            data.setdefault(key, default)  # a state from an older version of this page
    try:
        saved_at = dt.datetime.fromisoformat(data.get("saved_at", ""))
    except (TypeError, ValueError):
        saved_at = None
    if saved_at is None or timezone.is_naive(saved_at) or timezone.now() - saved_at > EXPIRES_AFTER:
        clear_state(request)
        return None, True
    return data, False


def save_state(request: HttpRequest, data: dict[str, Any]) -> None:
    data["saved_at"] = timezone.now().isoformat()
    request.session[SESSION_KEY] = data
    request.session.modified = True
    if not request.user.is_authenticated:
        # A visitor's session then ends a day after the last answer, so the stored
        # session row can be purged (`clearsessions`) instead of holding answers for
        # the default two weeks. A signed-in person's session length is left alone;
        # `load_state` still discards their answers after a day.
        request.session.set_expiry(int(EXPIRES_AFTER.total_seconds()))


def clear_state(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def mark_answered(data: dict[str, Any], step: int) -> None:
    if step not in data["answered"]:
        data["answered"] = sorted([*data["answered"], step])


def next_unanswered(data: dict[str, Any]) -> int:
    """The first question not yet answered or skipped, else the review."""
    return next((n for n in range(1, STEPS) if n not in data["answered"]), STEPS)


# --- Answers <-> JSON (the session and SavedMatch hold the same shape) ---------------------------


def answers_to_json(answers: Answers) -> dict[str, Any]:
    """Everything ranking needs, as plain JSON; never the free text (nor the plan name,
    which `Answers` does not hold): this is all a saved list keeps."""
    return {
        "location": answers.location,
        "mode": answers.mode,
        "radius": answers.radius,
        "who": answers.who,
        "issues": list(answers.issues),
        "payment": answers.payment,
        "insurance": answers.insurance,
        "budget": answers.budget,
        "preferences": [
            {"kind": p.kind, "value": p.value, "must": p.must} for p in answers.preferences
        ],
        "approaches": list(answers.approaches),
        "free_consultation": answers.free_consultation,
    }


def answers_from_json(raw: Mapping[str, Any], *, free_text: str = "") -> Answers:
    """Defensive: session and saved rows are ours, but old shapes must not crash a page."""
    mode = _text(raw.get("mode"), "both")
    radius = raw.get("radius")
    budget = raw.get("budget")
    who = _text(raw.get("who"), "me")
    preferences = []
    for pref in raw.get("preferences") or []:
        if (
            isinstance(pref, dict)
            and pref.get("kind") in (*PREFERENCE_KINDS, "faith")
            and isinstance(pref.get("value"), str)
        ):
            preferences.append(Preference(pref["kind"], pref["value"], bool(pref.get("must"))))
    return Answers(
        location=_text(raw.get("location")),
        mode=mode if mode in MODES else "both",
        radius=radius if isinstance(radius, int) and radius in RADII else DEFAULT_RADIUS,
        who=who if who in WHO else "me",
        issues=_slugs(raw.get("issues")),
        free_text=free_text,
        payment=_text(raw.get("payment")),
        insurance=_text(raw.get("insurance")),
        budget=budget if isinstance(budget, int) and not isinstance(budget, bool) else None,
        preferences=tuple(preferences),
        approaches=_slugs(raw.get("approaches")),
        free_consultation=_text(raw.get("free_consultation")),
    )


def state_answers(data: Mapping[str, Any]) -> Answers:
    """The session's answers as `Answers`, with the free text (which ranking ignores)."""
    return answers_from_json(data.get("answers") or {}, free_text=data.get("free_text", ""))


def _text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _slugs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()
