from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rapport.core.display import excerpt, flat_opening, opening


def test_short_text_is_whole() -> None:
    assert excerpt("I help couples.", 100) == ("I help couples.", False)


def test_it_ends_at_a_sentence_when_that_keeps_most_of_the_text() -> None:
    text = "First sentence is here. Second sentence is a bit longer than the first one. Third."
    assert excerpt(text, 80) == (
        "First sentence is here. Second sentence is a bit longer than the first one.",
        True,
    )
    # A sentence end too early to keep most of the text: cut at a word instead.
    assert excerpt(text, 70) == (
        "First sentence is here. Second sentence is a bit longer than the first…",
        True,
    )


def test_it_never_cuts_a_word() -> None:
    short, cut = excerpt("anxiety depression relationships trauma", 22)
    assert cut and short == "anxiety depression…"


@given(st.text(alphabet=st.sampled_from("abc ée.,!?\n"), max_size=400), st.integers(20, 300))
def test_every_excerpt_is_a_prefix_made_of_whole_words(text: str, limit: int) -> None:
    short, cut = excerpt(text, limit)
    normalised = " ".join(text.split())
    body = short[:-1] if short.endswith("…") else short
    assert normalised.startswith(body)
    assert len(body) <= limit
    if cut and body and " " in normalised[: limit + 1]:
        following = normalised[len(body) : len(body) + 1]
        assert following in ("", " ") or body[-1] in ".!?…", (short, normalised)


# flat_opening collapses only what an excerpt needs; `opening` (the search page's cards and
# the API's statement_excerpt) must read exactly as when the whole text was collapsed.
_PIECES = st.sampled_from(
    ["word", "a", "longerword" * 9, " ", "  ", "\n", "\t", "\u00a0", ".", ","]
)


@given(st.lists(_PIECES, max_size=120).map("".join), st.integers(1, 60))
def test_flat_opening_is_the_opening_of_the_whole_collapsed_text(text, limit) -> None:
    whole = " ".join(text.split())
    flat = flat_opening(text, limit)
    assert whole.startswith(flat)
    assert flat == whole or (len(flat) > limit and " " in flat[limit:])


def _opening_reference(text: str, limit: int) -> str:
    """`opening` written on the whole collapsed text: what it must read as."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    head = head.rsplit(" ", 1)[0] if " " in head else text.split(" ", 1)[0]
    return head.rstrip(" ,;:–—-.") + "…"


@given(st.lists(_PIECES, max_size=120).map("".join), st.integers(2, 60))
def test_an_opening_reads_as_if_the_whole_text_were_collapsed(text, limit) -> None:
    assert opening(text, limit) == _opening_reference(text, limit)


@given(st.lists(_PIECES, max_size=120).map("".join), st.integers(2, 60))
def test_an_opening_is_made_of_whole_words(text, limit) -> None:
    """The page's rule, now the API's too: a prefix of whole words, within the limit
    unless the first word alone is longer (then that word, whole)."""
    whole = " ".join(text.split())
    short = opening(text, limit)
    body = short[:-1] if short.endswith("…") else short
    assert whole.startswith(body)
    # What follows is the end of the text or of a word (after punctuation the cut dropped).
    rest = whole[len(body) :].lstrip(",;:–—-.")
    assert rest == "" or rest[0] == " ", (short, whole)
    assert len(body) <= limit or " " not in body


def test_the_api_and_the_page_share_the_opening_rule() -> None:
    """The API used to cut one long word in the middle; both now keep it whole."""
    from rapport.api import api
    from rapport.directory import views

    word = "https://example.org/" + "a" * 300
    assert opening(word + " more", api.EXCERPT_LENGTH) == word + "…"
    assert opening(word + " more", views.SNIPPET_CHARS) == word + "…"
