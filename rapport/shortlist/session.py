"""The shortlist in the person's session: therapist profile ids, nothing else.

What is kept: `request.session["shortlist"]`, a list of at most `CAP` profile
ids in the order they were saved. No names, no notes, no account: the session
cookie only appears once someone saves a therapist, so just browsing still sets
no cookie (core/privacy.html). Reading never creates a session: a visitor
without a session cookie has an empty shortlist and no session row is loaded.
Ids of profiles that are no longer published are dropped quietly when the
list is read for the compare page (`keep_only`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

SESSION_KEY = "shortlist"
# Enough to compare a real choice; a list longer than this is no longer a shortlist,
# and the cap keeps the session (and a shared row) small.
CAP = 20


def _clean(raw: Any) -> list[int]:
    """The stored value as a list of distinct positive ints; anything else is dropped."""
    ids: list[int] = []
    if not isinstance(raw, list):
        return ids
    for value in raw:
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and value > 0
            and value not in ids
        ):
            ids.append(value)
    return ids[:CAP]


def saved_ids(request: HttpRequest) -> list[int]:
    session = getattr(request, "session", None)
    if session is None:
        return []
    # No cookie and nothing written in this request: there is no list, and loading
    # (or creating) a session to find that out would cost a query and a Vary: Cookie.
    if session.session_key is None and not session.modified:
        return []
    return _clean(session.get(SESSION_KEY))


def _store(request: HttpRequest, ids: list[int]) -> None:
    if ids:
        request.session[SESSION_KEY] = ids
    elif SESSION_KEY in request.session:
        del request.session[SESSION_KEY]


def shortlist_add(request: HttpRequest, profile_id: int) -> bool:
    """Add one profile id (the caller has checked it is published). False when the
    list is full; adding one that is already there changes nothing and is True."""
    ids = saved_ids(request)
    if profile_id in ids:
        return True
    if len(ids) >= CAP:
        return False
    _store(request, [*ids, profile_id])
    return True


def shortlist_remove(request: HttpRequest, profile_id: int) -> None:
    ids = saved_ids(request)
    if profile_id in ids:
        _store(request, [pk for pk in ids if pk != profile_id])


def shortlist_clear(request: HttpRequest) -> None:
    if saved_ids(request):
        _store(request, [])


def keep_only(request: HttpRequest, published: set[int]) -> list[int]:
    """Drop ids that are no longer published profiles; the ids that remain, in order."""
    ids = saved_ids(request)
    kept = [pk for pk in ids if pk in published]
    if kept != ids:
        _store(request, kept)
    return kept
