"""One fold for search, full text and crisis language (`rapport.core.text.fold`).

The three used to disagree: search's dropped every combining mark, full text's
only Latin, Greek and Cyrillic ones, so a Devanagari word that the full-text
index held was searched for without its virama and found nobody.
"""

from __future__ import annotations

import importlib

import pytest

from rapport.core.crisis_language import mentions_crisis
from rapport.core.text import fold
from rapport.directory import index as ix
from rapport.directory.fulltext import fulltext_sync, query_words
from rapport.directory.search import fold_words
from rapport.testing import make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

SESSION_HI = "सत्र"  # "session": स, त, the virama ्, र


def test_it_finds_a_devanagari_word_from_a_published_statement(client) -> None:
    make_profile(
        name="Asha Verma", statement=f"पहला {SESSION_HI} मुफ़्त है। The first session is free."
    )
    make_profile(name="Ben Brooks")
    ix.index_touch(None)
    fulltext_sync(None)

    page = client.get("/therapists/", {"q": SESSION_HI}).content.decode()

    assert "Asha Verma" in page
    assert "Ben Brooks" not in page


@pytest.mark.parametrize(
    "text, folded, words, query",
    [
        ("José Núñez", "jose nunez", ["jose", "nunez"], ["jose", "nunez"]),
        ("STRASSE", "strasse", ["strasse"], ["strasse"]),
        ("Ψυχοθεραπεία", "ψυχοθεραπεια", ["ψυχοθεραπεια"], ["ψυχοθεραπεια"]),
        # The virama stays; like the full-text tokenizers, words split at marks
        # (and a query drops a one-letter last word after others).
        (SESSION_HI, SESSION_HI, ["सत", "र"], ["सत"]),
    ],
)
def test_it_folds_every_script_alike_in_search_full_text_and_crisis_language(
    text, folded, words, query
) -> None:
    assert fold(text) == folded
    assert fold_words(text) == words
    assert query_words(text) == query


def test_crisis_language_is_found_through_accents() -> None:
    assert mentions_crisis("I think about SUICÍDIO and suicide")
    assert mentions_crisis("Quiero morir, I want to díe")


def test_the_full_text_migration_keeps_the_same_fold() -> None:
    """The migration froze a copy of the rule for the rows it wrote: it must not drift."""
    migration = importlib.import_module("rapport.directory.migrations.0002_fulltext")
    for text in ("José Núñez", "Ψυχοθεραπεία", SESSION_HI, "ﬁne ＡＢＣ", "Straße"):
        assert migration._fold(text) == fold(text)
