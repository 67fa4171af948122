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

from .tables import affinities as af
from .tables import licences as lic
from .tables import term_weights as tw
from .tables.licences import LicenseKind
from .weighted import Table, from_pairs, weighted

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


def _approach_weight(
    slug: str, group: str, *, kids: bool, children: bool, couples: bool, family: bool
) -> float:
    if slug in af.APPROACH_NEEDS_CHILDREN and not children:
        return 0.0
    if slug in tw.APPROACH_COUPLES:
        return tw.APPROACH_COUPLES[slug] if couples else 0.0
    if slug in tw.APPROACH_CHILD:
        return tw.APPROACH_CHILD[slug] if kids else 0.0
    if slug in tw.APPROACH_FAMILY:
        return tw.APPROACH_FAMILY[slug] if (family or kids) else 0.2
    if slug in tw.APPROACH_WEIGHTS:
        return float(tw.APPROACH_WEIGHTS[slug])
    if group == tw.SYSTEMIC_GROUP:
        # A couples or family model this table does not know yet (a new taxonomy term):
        # only where couples or families are seen, never on an individual-only practice.
        return 0.6 if (couples or family) else 0.0
    return 0.6


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
class Niche:
    """A specialty (affinities.SPECIALTIES) resolved against the taxonomy."""

    name: str
    weight: float
    issues: Table[str]
    approaches: Table[str] | None
    ages: dict[str, float]
    formats: tuple[str, ...]
    licences: dict[str, float]


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
        # Which taxonomy slug each key of affinities.py stands for: itself, or for a term
        # the taxonomy is expected to gain, the first of its likely slugs that exists.
        known = {t.slug for t in issues} | {t.slug for t in approaches}
        self.slug_for: dict[str, str] = {key: key for key in known}
        for key, candidates in af.ANTICIPATED.items():
            found = next((c for c in candidates if c in known), None)
            if found is not None and key not in known:
                self.slug_for[key] = found
        self._key_for = {slug: key for key, slug in self.slug_for.items() if key != slug}
        self._issues = [t.slug for t in issues]
        self._approaches = [(t.slug, t.values.get("group") or "") for t in approaches]
        # Tables per context, built on first use: who is seen, in which format, by which
        # licence changes what is plausible.
        self.issue_tables: dict[tuple[bool, bool, bool, str], tuple[Table[str], frozenset[str]]]
        self.issue_tables = {}
        self._issue_base: dict[tuple[bool, bool], list[float]] = {}
        self.approach_tables: dict[
            tuple[bool, bool, bool, bool, str], tuple[Table[str], frozenset[str]]
        ] = {}
        # Approach -> the issues it is mostly used for, as (issue slug, probability).
        self.approach_issues: dict[str, tuple[tuple[str, float], ...]] = {}
        issue_slugs = set(self._issues)
        for key, pairs in af.APPROACH_ISSUES.items():
            approach = self.slug_for.get(key)
            resolved = tuple(
                (self.slug_for[issue], p)
                for issue, p in pairs
                if self.slug_for.get(issue) in issue_slugs
            )
            if approach is not None and resolved:
                self.approach_issues[approach] = resolved
        # Approach -> the format it needs (affinities.APPROACH_FORMATS).
        self.approach_formats = {
            self.slug_for[key]: fmt
            for key, fmt in af.APPROACH_FORMATS.items()
            if key in self.slug_for
        }
        for family_work in self.approach_formats:
            # The generator handles formats in its approach_issues loop: be in it.
            self.approach_issues.setdefault(family_work, ())
        self.niches = self._resolve_niches()
        self._niche_tables: dict[str, Table[Niche] | None] = {}
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

    def issue_table(
        self, kids: bool, couples: bool, man: bool, category: str
    ) -> tuple[Table[str], frozenset[str]]:
        """Issues for a context, weighted, with the set a profile in it may list."""
        cache_key = (kids, couples, man, category)
        found = self.issue_tables.get(cache_key)
        if found is not None:
            return found
        boost = af.LICENSE_ISSUE_WEIGHTS.get(category, {})
        excluded = "womens-issues" if man else "mens-issues"
        base = self._issue_base.get((kids, couples))
        if base is None:
            base = [_issue_weight(slug, kids=kids, couples=couples) for slug in self._issues]
            self._issue_base[kids, couples] = base
        weights = []
        for slug, weight in zip(self._issues, base, strict=True):
            key = self._key_for.get(slug, slug)
            weights.append(0.0 if slug == excluded else weight * boost.get(key, 1.0))
        table = weighted(list(self._issues), weights)
        found = (table, frozenset(table.items))
        self.issue_tables[cache_key] = found
        return found

    def approach_table(
        self, kids: bool, children: bool, couples: bool, family: bool, category: str
    ) -> tuple[Table[str], frozenset[str]]:
        """Approaches for a context, weighted, with the set a profile in it may list."""
        cache_key = (kids, children, couples, family, category)
        found = self.approach_tables.get(cache_key)
        if found is not None:
            return found
        boost = af.LICENSE_APPROACH_WEIGHTS.get(category, {})
        weights = []
        for slug, group in self._approaches:
            key = self._key_for.get(slug, slug)
            weight = _approach_weight(
                key, group, kids=kids, children=children, couples=couples, family=family
            )
            weights.append(weight * boost.get(key, 1.0))
        table = weighted([slug for slug, _ in self._approaches], weights)
        found = (table, frozenset(table.items))
        self.approach_tables[cache_key] = found
        return found

    def _resolve_niches(self) -> list[Niche]:
        issues, approaches = set(self._issues), {slug for slug, _ in self._approaches}
        out = []
        for spec in af.SPECIALTIES:
            issue_pairs = [
                (self.slug_for[k], float(w))
                for k, w in spec.issues
                if self.slug_for.get(k) in issues
            ]
            approach_pairs = [
                (self.slug_for[k], float(w))
                for k, w in spec.approaches
                if self.slug_for.get(k) in approaches
            ]
            if not issue_pairs:
                continue  # a taxonomy without the specialty's issues has no such specialists
            out.append(
                Niche(
                    name=spec.name,
                    weight=float(spec.weight),
                    issues=from_pairs(issue_pairs),
                    approaches=from_pairs(approach_pairs) if approach_pairs else None,
                    ages=spec.ages,
                    formats=spec.formats,
                    licences=spec.licences,
                )
            )
        return out

    def niche_table(self, category: str) -> Table[Niche] | None:
        """The specialties a holder of a licence category may have, weighted; None if none."""
        if category in self._niche_tables:
            return self._niche_tables[category]
        pairs = [(n, n.weight * n.licences.get(category, 1.0)) for n in self.niches]
        pairs = [(n, w) for n, w in pairs if w > 0]
        table = from_pairs(pairs) if pairs else None
        self._niche_tables[category] = table
        return table

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
            # A regional plan the taxonomy places (attributes.states) is drawn only there.
            only = t.values["attributes"].get("states")
            if only and state not in only:
                continue
            weight = next((w for key, w in tw.INSURANCE_WEIGHTS if key in t.slug), 1.5)
            slugs.append(t.slug)
            weights.append(weight)
        table = weighted(slugs, weights) if slugs else None
        self._insurance_by_state[state] = table
        return table
