"""Folding text for comparison: the one rule search, full text and crisis language share.

Lowercase without the accents of Latin, Greek and Cyrillic letters: "José Núñez"
-> "jose nunez". Only combining marks of those blocks are dropped: the marks of
other scripts (a Devanagari virama or vowel sign, say) are letters of the word,
and dropping them would merge unrelated words and stop a search from finding a
word that the full-text index holds (`सत्र`, "session", kept whole). The full-text
migration keeps a frozen copy of this rule for the rows it wrote; a test holds
the two together.
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold", "MARK_RANGES"]

# Combining marks left by NFKD on Latin, Greek and Cyrillic letters.
MARK_RANGES = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)
_DROP_MARKS = {cp: None for lo, hi in MARK_RANGES for cp in range(lo, hi + 1)}


def fold(text: str) -> str:
    """Lowercase without Latin, Greek and Cyrillic accents: "José Núñez" -> "jose nunez"."""
    if text.isascii():
        # Most text is plain ASCII: skip the normalisation, ~20x faster.
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_DROP_MARKS).casefold()
