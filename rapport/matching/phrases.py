"""Free text to issues: "I can't sleep and I fight with my partner" -> sleep, relationships.

The reading itself is `understanding.suggest_issues()` (a bilingual phrase lexicon with
negation, ranked by a small text model shipped in the repository; docs/matching.md,
"Reading the need"). This keeps only the issues active in the taxonomy, so a retired
issue is never suggested. The result is shown back as chips the person can remove; it is
a suggestion, never a diagnosis.
"""

from __future__ import annotations

from rapport.directory import index as ix
from rapport.directory.search import term_dictionary
from rapport.matching.understanding import suggest_issues
from rapport.taxonomy.models import Kind


def issues_in_text(text: str, *, state: ix.IndexState | None = None) -> list[str]:
    """Issue slugs suggested by free text, most salient first (the first is the main concern)."""
    if not text or not text.strip():
        return []
    suggested = suggest_issues(text)
    if not suggested:
        return []
    known = term_dictionary(state or ix.get_index()).labels
    return [slug for slug in suggested if (Kind.ISSUE, slug) in known]
