from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rapport.core.display import excerpt


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
