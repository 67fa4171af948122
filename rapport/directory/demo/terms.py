"""The taxonomy prepared for drawing: every weighted table the generator needs, built once.

The terms come from the taxonomy's data files through `rapport.taxonomy.sync`
(the one reader of those files, so the demo sees exactly what `sync_taxonomy`
loads into the database and the importer will accept). How often each term
is drawn comes from `tables/term_weights.py`; which licence kinds exist, from
`tables/licences.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rapport.taxonomy.sync import KIND_FILES, Entry, load_taxonomy

from .tables import licences as lic
from .tables import term_weights as tw
from .tables.licences import LicenseKind
from .weighted import Table, weighted

_INSURANCE_REGIONS = tuple((key, frozenset(states.split())) for key, states in tw.INSURANCE_REGIONS)


def load_terms(data_dir: Path | None = None) -> dict[str, list[Entry]]:
    """The taxonomy's terms per kind, in file order, as `sync_taxonomy` reads them."""
    terms: dict[str, list[Entry]] = {kind: [] for kind in KIND_FILES}
    for entry in load_taxonomy(data_dir):
        terms[entry.kind].append(entry)
    return terms


def _label_key(label: str) -> str:
    # The importer's matching rule for licence types: letters and digits, case-insensitive.
    return re.sub(r"[^a-z0-9]", "", label.lower())


def _phrase(name: str, slug: str = "") -> str:
    """'Trauma & PTSD' -> 'trauma and PTSD': how a person writes a term mid-sentence."""
    if slug in tw.ISSUE_PHRASES:
        return tw.ISSUE_PHRASES[slug]
    name = re.sub(r"\s*\([^)]*\)", "", name).replace("&", "and").replace(" / ", " and ")
    words = []
    for word in name.split():
        # Acronyms and proper adjectives stay as written.
        upper = sum(c.isupper() for c in word)
        keep = upper >= 2 or re.sub(r"\W|'s$", "", word) in tw.PROPER_WORDS
        words.append(word if keep else word.lower())
    return " ".join(words).strip()


def _has(slug: str, *words: str) -> bool:
    return any(w in slug for w in words)


def _approach_weight(slug: str, *, kids: bool, couples: bool, family: bool) -> float:
    if slug in tw.APPROACH_COUPLES:
        return tw.APPROACH_COUPLES[slug] if couples else 0.0
    if slug in tw.APPROACH_CHILD:
        return tw.APPROACH_CHILD[slug] if kids else 0.0
    if slug in tw.APPROACH_FAMILY:
        return tw.APPROACH_FAMILY[slug] if (family or kids) else 0.2
    return float(tw.APPROACH_WEIGHTS.get(slug, 0.6))


def _issue_weight(slug: str, *, kids: bool, couples: bool) -> float:
    # "Childhood abuse" is an adult's issue too; only children's own issues need kids.
    if _has(slug, *tw.CHILD_WORDS) or slug.startswith("child-") or slug.endswith("-child"):
        return 3.0 if kids else 0.0
    if _has(slug, *tw.COUPLES_WORDS):
        return 5.0 if couples else 0.4
    if slug in tw.ISSUE_TOP:
        return float(tw.ISSUE_TOP[slug])
    if _has(slug, *tw.ISSUE_COMMON):
        return 2.5
    return 1.0


@dataclass(slots=True)
class LicenseChoice:
    kind: LicenseKind
    label: str  # what the document's `type` says: the taxonomy's short name
    associate: bool


class TermTables:
    """The taxonomy, with every weight table the generator draws from precomputed."""

    def __init__(self, terms: dict[str, list[Entry]]) -> None:
        issues = terms["issue"]
        approaches = terms["approach"]
        self.issue_phrase = {t.slug: _phrase(t.values["name"], t.slug) for t in issues}
        # How people write an approach: "CBT", "Cognitive Behavioral Therapy (CBT)" or the name.
        self.approach_labels: dict[str, tuple[str, ...]] = {}
        for t in approaches:
            name, short = t.values["name"], t.values["short_name"]
            # Two-letter abbreviations ("BA", "MI") are jargon in a sentence; CBT or EMDR are not.
            if len(short) >= 3 and short != name:
                self.approach_labels[t.slug] = (short, short, f"{name} ({short})", name, name)
            else:
                self.approach_labels[t.slug] = (name,)
        # Tables per context: kids?, couples?, family? change what is plausible.
        self.issue_tables: dict[tuple[bool, bool, bool], Table[str]] = {}
        for kids in (False, True):
            for couples in (False, True):
                for man in (False, True):
                    weights = [
                        0.0
                        if t.slug == ("womens-issues" if man else "mens-issues")
                        else _issue_weight(t.slug, kids=kids, couples=couples)
                        for t in issues
                    ]
                    self.issue_tables[kids, couples, man] = weighted(
                        [t.slug for t in issues], weights
                    )
        self.approach_tables: dict[tuple[bool, bool, bool], Table[str]] = {}
        for kids in (False, True):
            for couples in (False, True):
                for family in (False, True):
                    weights = [
                        _approach_weight(t.slug, kids=kids, couples=couples, family=family)
                        for t in approaches
                    ]
                    self.approach_tables[kids, couples, family] = weighted(
                        [t.slug for t in approaches], weights
                    )
        self.prescriber_approaches = [
            t.slug for t in approaches if _has(t.slug, *tw.APPROACH_PRESCRIBER)
        ]

        self.ages = self._resolve(terms["age"], tw.AGE_SLUGS)
        self.formats = self._resolve(terms["format"], tw.FORMAT_SLUGS)

        self.languages = {t.slug for t in terms["language"]}
        extra = [s for s in tw.LANGUAGE_WEIGHTS if s in self.languages and s != "es"]
        self.extra_languages = (
            weighted(extra, [tw.LANGUAGE_WEIGHTS[s] for s in extra]) if extra else None
        )

        identities = terms["identity"]
        self.gender_identity: dict[str, str] = {}
        for gender, words in tw.GENDER_IDENTITY.items():
            slug = next((t.slug for t in identities if t.slug in words), None)
            if slug:
                self.gender_identity[gender] = slug
        gendered = set(self.gender_identity.values())
        shared = [t.slug for t in identities if t.slug not in gendered]
        # One identity per group reads like a person ("Christian" or "Jewish", not both).
        self.identity_group = {t.slug: t.values["group"] or t.slug for t in identities}
        self.identity_table = weighted(shared, [1.0] * len(shared)) if shared else None
        communities = [t.slug for t in terms["community"]]
        self.community_table = (
            weighted(communities, [3.0 if _has(s, "lgbt", "affirm") else 1.0 for s in communities])
            if communities
            else None
        )

        self._insurance = terms["insurance"]
        self._insurance_by_state: dict[str, Table[str] | None] = {}
        self.licenses = self._resolve_licenses(terms["license_type"])
        self._license_menus: dict[str, Table[tuple[LicenseChoice, str]]] = {}

    @staticmethod
    def _resolve(terms: list[Entry], wanted: dict[str, tuple[str, ...]]) -> dict[str, str]:
        slugs = [t.slug for t in terms]
        out: dict[str, str] = {}
        for key, candidates in wanted.items():
            match = next((c for c in candidates if c in slugs), None)
            match = match or next((s for s in slugs for c in candidates if c in s), None)
            if match:
                out[key] = match
        return out

    def _resolve_licenses(self, terms: list[Entry]) -> dict[str, LicenseChoice]:
        """Map each known licence kind to the taxonomy term the importer will accept."""
        by_label: dict[str, Entry] = {}
        for t in terms:
            for label in (t.slug, t.values["short_name"], t.values["name"], *t.values["aliases"]):
                if label:
                    by_label.setdefault(_label_key(label), t)
        out: dict[str, LicenseChoice] = {}
        for code, kind in lic.LICENSE_KINDS.items():
            term = None
            for label in (code, kind.title, *kind.aliases):
                term = by_label.get(_label_key(label))
                if term is not None:
                    break
            if term is None:
                continue
            # The taxonomy's word on supervised status wins over ours.
            level = term.values["attributes"].get("level")
            associate = (
                level == "associate" if level in ("associate", "independent") else kind.associate
            )
            out[code] = LicenseChoice(kind, term.values["short_name"] or term.slug, associate)
        return out

    def license_menu(self, state: str) -> Table[tuple[LicenseChoice, str]]:
        """(licence, status) choices for a state, weighted; cached per state."""
        menu = self._license_menus.get(state)
        if menu is not None:
            return menu
        entries: list[tuple[tuple[LicenseChoice, str], float]] = []
        for entry in (*lic.STATE_LICENSE_MENUS.get(state, lic.DEFAULT_MENU), *lic.PRESCRIBER_MENU):
            code, weight = entry[0], float(entry[1])
            choice = self.licenses.get(code) or self.licenses.get(
                lic.LICENSE_FALLBACK.get(code, "")
            )
            if choice is None:
                continue
            associate = choice.associate or (len(entry) > 2 and entry[2] == "associate")
            entries.append(((choice, "associate" if associate else "licensed"), weight))
        if not entries:
            raise ValueError("the licence-type taxonomy has none of the common licence types")
        menu = weighted([e for e, _ in entries], [w for _, w in entries])
        self._license_menus[state] = menu
        return menu

    def same_kind_in(
        self, state: str, kind: LicenseKind, status: str
    ) -> tuple[LicenseChoice, str] | None:
        """The licence a holder of `kind` would hold in another state (same profession and tier)."""
        options = [
            item
            for item in self.license_menu(state).items
            if item[0].kind.category == kind.category and item[1] == status
        ]
        return options[0] if options else None

    def insurance_table(self, state: str) -> Table[str] | None:
        if state in self._insurance_by_state:
            return self._insurance_by_state[state]
        slugs, weights = [], []
        for t in self._insurance:
            # Whole-word match: "medica" (a Midwest plan) must not catch "medicare".
            padded = f"-{t.slug}-"
            region = next(
                (states for key, states in _INSURANCE_REGIONS if f"-{key}-" in padded), None
            )
            if region is not None and state not in region:
                continue
            weight = next((w for key, w in tw.INSURANCE_WEIGHTS if key in t.slug), 1.5)
            slugs.append(t.slug)
            weights.append(weight)
        table = weighted(slugs, weights) if slugs else None
        self._insurance_by_state[state] = table
        return table
