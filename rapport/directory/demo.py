"""Deterministic, realistic demo profiles in the interchange format.

`generate_documents(n, seed)` yields spec documents (`shared/spec/profile-format.md`)
with `source: "demo"`; `rapport seed_demo` feeds them to the same importer as any
file, so demo data is validated exactly like real data.

What "realistic" means here, because benchmarks and pages depend on it:

- Places: cities are weighted by their 2020 Census population (Zipf-like), so
  the densest metro holds roughly 5-8% of all profiles, like New York in the
  real workforce. Offices get real ZIP codes within ~15 miles of the city, and
  the importer geocodes them. ~10% of profiles are telehealth-only, and some
  offices lack a city or a ZIP, to exercise the display rules and geocoder.
- Licences follow the state (CA has LMFT/AMFT/LPCC..., NY has LMHC/LMSW...),
  the title and credentials follow the licence, associates name a supervisor.
- Taxonomy slugs come from `rapport/taxonomy/data/*.toml` at generation time,
  with a built-in fallback per vocabulary when a file is missing.
- Statements are composed from many sentence templates and slots, so a million
  of them differ and still read like a person wrote them.

Determinism: one `random.Random(seed)` stream, no clock, no global random.
Every draw of document i happens before any draw of document i+1 and nothing
depends on `n`, so the first K documents of any run with the same seed are the
same whatever `n` is (10k is a prefix of 100k).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import re
import tomllib
from bisect import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, product
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.utils.text import slugify

from rapport.core import geo

T = TypeVar("T")

SOURCE = "demo"
# A fixed "today" for confirmation dates: the data must not depend on the clock.
REFERENCE_DATE = dt.date(2026, 11, 1)
DATA_DIR = Path(__file__).resolve().parent / "data"
CITIES_CSV = DATA_DIR / "us_cities.csv"
TAXONOMY_DIR = Path(__file__).resolve().parent.parent / "taxonomy" / "data"

# Offices are drawn from ZIPs this close to a city's centre.
METRO_RADIUS_MILES = 15.0
# Population ** alpha: 1.0 is proportional to population; a little below 1
# keeps New York near 6-7% of all profiles with ~470 cities (see tests).
POPULATION_EXPONENT = 0.94

# --- Weighted tables ------------------------------------------------------------------


class Table(Generic[T]):
    """Weighted choice with precomputed cumulative weights (one bisect per draw)."""

    __slots__ = ("cum", "hi", "items", "total")

    def __init__(self, items: Sequence[T], weights: Sequence[float] | None = None) -> None:
        if not items:
            raise ValueError("a table needs at least one item")
        self.items = list(items)
        self.cum = list(accumulate(weights if weights is not None else [1.0] * len(self.items)))
        self.total = self.cum[-1]
        self.hi = len(self.items) - 1

    def pick(self, rnd: Any) -> T:
        # `hi` guards against rnd() * total rounding up to total.
        return self.items[bisect(self.cum, rnd() * self.total, 0, self.hi)]

    def pick_distinct(self, rnd: Any, k: int) -> list[T]:
        """Up to k different items, heavier ones likelier (draw a few extra, drop repeats)."""
        if k <= 0:
            return []
        items, cum, total, hi = self.items, self.cum, self.total, self.hi
        k = min(k, len(items))
        out = list(dict.fromkeys([items[bisect(cum, rnd() * total, 0, hi)] for _ in range(k + 2)]))
        tries = 0
        while len(out) < k and tries < 12 * k:
            item = items[bisect(cum, rnd() * total, 0, hi)]
            if item not in out:
                out.append(item)
            tries += 1
        return out[:k]

    def __len__(self) -> int:
        return len(self.items)


# --- Taxonomy ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VocabTerm:
    slug: str
    name: str
    short_name: str = ""
    group: str = ""
    aliases: tuple[str, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


_FILE_KINDS = {
    "approach": "approach", "approaches": "approach", "modalities": "approach",
    "issue": "issue", "issues": "issue", "specialties": "issue",
    "identity": "identity", "identities": "identity",
    "community": "community", "communities": "community",
    "insurance": "insurance", "insurances": "insurance", "insurers": "insurance",
    "language": "language", "languages": "language",
    "license_type": "license_type", "license_types": "license_type", "licence_types": "license_type",
    "licenses": "license_type", "licences": "license_type",
    "age": "age", "ages": "age", "age_groups": "age",
    "format": "format", "formats": "format",
}  # fmt: skip
KINDS = ("approach", "issue", "identity", "community", "insurance", "language",
         "license_type", "age", "format")  # fmt: skip


def _term_from(entry: dict[str, Any], group: str) -> VocabTerm | None:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    if entry.get("is_active") is False or entry.get("active") is False:
        return None
    slug = entry.get("slug") or slugify(name)
    aliases = entry.get("aliases") or ()
    attributes = entry.get("attributes") or {}
    return VocabTerm(
        slug=str(slug),
        name=name.strip(),
        short_name=str(entry.get("short_name") or entry.get("short") or ""),
        group=str(entry.get("group") or group),
        aliases=tuple(str(a) for a in aliases) if isinstance(aliases, list) else (),
        attributes=attributes if isinstance(attributes, dict) else {},
    )


def _walk_toml(node: Any, kind: str | None, group: str, out: dict[str, list[VocabTerm]]) -> None:
    """Collect terms from a TOML document whatever its nesting.

    The taxonomy files are edited by hand and their layout may change
    (`[[term]]`, `[[group]] ... terms = [...]`, a `kind` key per file or per
    term); a term is any table with a `name` and no nested list of tables.
    """
    if isinstance(node, list):
        for item in node:
            _walk_toml(item, kind, group, out)
        return
    if not isinstance(node, dict):
        return
    kind = _FILE_KINDS.get(str(node.get("kind", "")), kind)
    nested = {k: val for k, val in node.items() if isinstance(val, list | dict)
              and k not in ("aliases", "attributes")}  # fmt: skip
    has_children = any(
        isinstance(val, list) and any(isinstance(x, dict) for x in val) for val in nested.values()
    ) or any(isinstance(val, dict) for val in nested.values())
    if "name" in node and not has_children:
        term = _term_from(node, group)
        if term is not None and kind is not None:
            out.setdefault(kind, []).append(term)
        return
    # A table with a name *and* children is a group heading.
    child_group = str(node.get("name") or node.get("group") or group)
    for key, val in nested.items():
        _walk_toml(val, _FILE_KINDS.get(key, kind), child_group, out)


def load_vocabulary(directory: Path = TAXONOMY_DIR) -> dict[str, list[VocabTerm]]:
    """Terms per kind from the taxonomy TOML files; the built-in list for any missing kind."""
    found: dict[str, list[VocabTerm]] = {}
    if directory.is_dir():
        for path in sorted(directory.glob("*.toml")):
            try:
                with path.open("rb") as fh:
                    document = tomllib.load(fh)
            except (OSError, tomllib.TOMLDecodeError):
                continue  # a half-written file: use the fallback for its kind
            _walk_toml(document, _FILE_KINDS.get(path.stem.lower()), "", found)
    vocabulary: dict[str, list[VocabTerm]] = {}
    for kind in KINDS:
        terms = found.get(kind) or _fallback_terms(kind)
        seen: set[str] = set()
        vocabulary[kind] = [t for t in terms if not (t.slug in seen or seen.add(t.slug))]
    return vocabulary


def _fallback_terms(kind: str) -> list[VocabTerm]:
    if kind == "language":
        return [VocabTerm(code, name) for code, name in FALLBACK_LANGUAGES]
    if kind == "license_type":
        return [VocabTerm(slugify(code), info.title, code) for code, info in LICENSE_KINDS.items()]
    if kind == "age":
        return [VocabTerm(s, s.replace("-", " ").capitalize()) for s in
                ("children", "teens", "adults", "older-adults")]  # fmt: skip
    if kind == "format":
        return [VocabTerm(s, s.capitalize()) for s in ("individual", "couples", "family", "group")]
    terms = []
    for entry in FALLBACK_TERMS[kind]:
        name, _, short = entry.partition("|")
        terms.append(VocabTerm(slugify(name), name, short))
    return terms


# Used only when a taxonomy file is missing: names from domain.md section 6.
FALLBACK_TERMS: dict[str, tuple[str, ...]] = {
    "approach": (
        "Cognitive Behavioral Therapy|CBT", "Dialectical Behavior Therapy|DBT",
        "Acceptance and Commitment Therapy|ACT", "Behavioral Activation",
        "Exposure and Response Prevention|ERP", "Mindfulness-Based Cognitive Therapy|MBCT",
        "Motivational Interviewing|MI", "Solution-Focused Brief Therapy|SFBT", "EMDR",
        "Cognitive Processing Therapy|CPT", "Trauma-Focused CBT|TF-CBT", "Somatic Experiencing",
        "Psychodynamic Therapy", "Relational Therapy", "Attachment-Based Therapy",
        "Interpersonal Psychotherapy|IPT", "Person-Centered Therapy", "Emotion-Focused Therapy",
        "Gestalt Therapy", "Existential Therapy", "Narrative Therapy", "Strength-Based Therapy",
        "Feminist Therapy", "Multicultural Counseling", "Integrative Therapy",
        "Emotionally Focused Couples Therapy|EFT", "Gottman Method",
        "Internal Family Systems|IFS", "Family Systems Therapy", "Play Therapy", "Art Therapy",
        "Sex Therapy", "Trauma-Informed Care", "Compassion-Focused Therapy|CFT",
    ),
    "issue": (
        "Anxiety", "Depression", "Relationship issues", "Trauma & PTSD", "Stress", "Burnout",
        "Self-esteem", "Life transitions", "Grief & bereavement", "Panic attacks",
        "Social anxiety", "Obsessive-compulsive disorder (OCD)", "Bipolar disorder",
        "Perinatal & postpartum mood", "Perfectionism", "Anger management", "Loneliness",
        "Complex trauma", "Childhood abuse & neglect", "Racial trauma", "Religious trauma",
        "Self-harm", "Couples & marital", "Infidelity", "Divorce & separation", "Parenting",
        "Family conflict", "Codependency", "Infertility & family building", "Career & work stress",
        "Caregiver stress", "Chronic illness & chronic pain", "Immigration & acculturation",
        "Identity exploration", "ADHD", "Autism / neurodivergence", "Substance use",
        "Alcohol use", "Eating disorders", "Body image", "Sleep & insomnia", "LGBTQ+ concerns",
        "Gender identity & transition support", "Men's issues", "Women's issues",
        "Veterans & military life", "Behavioral issues (child)", "School refusal", "Bullying",
    ),
    "identity": (
        "Woman", "Man", "Nonbinary", "Transgender", "Black", "Hispanic/Latine", "Asian",
        "South Asian", "Middle Eastern/North African", "Indigenous", "Multiracial", "White",
        "LGBTQ+", "Queer", "Christian", "Jewish", "Muslim", "Buddhist", "Veteran", "Disabled",
        "Neurodivergent", "Immigrant or child of immigrants", "First-generation college",
    ),
    "community": (
        "LGBTQ+ affirming", "Trans and nonbinary affirming", "BIPOC-centered",
        "Immigrant and refugee informed", "Faith-integrated", "Religious-trauma-informed",
        "Neurodivergent affirming", "Disability affirming", "Chronic illness informed",
        "Weight-inclusive", "Sex-positive", "Polyamory affirming",
        "Veterans and military families", "First responders", "Healthcare workers", "Students",
        "Older adults", "Interracial and intercultural couples", "Adoptees",
    ),
    "insurance": (
        "Aetna", "Anthem", "Blue Cross Blue Shield", "Cigna", "UnitedHealthcare",
        "Optum Behavioral Health", "Humana", "Kaiser Permanente", "Oscar", "Ambetter",
        "Molina Healthcare", "Magellan Health", "Carelon Behavioral Health", "Medicare",
        "Medicaid", "TRICARE", "Lyra Health", "Spring Health", "ComPsych", "Out-of-network",
    ),
}  # fmt: skip
FALLBACK_LANGUAGES = (
    ("en", "English"), ("es", "Spanish"), ("zh", "Chinese"), ("vi", "Vietnamese"),
    ("ko", "Korean"), ("tl", "Tagalog"), ("ar", "Arabic"), ("ru", "Russian"), ("fr", "French"),
    ("pt", "Portuguese"), ("hi", "Hindi"), ("de", "German"), ("he", "Hebrew"),
    ("fa", "Persian"), ("ja", "Japanese"), ("pl", "Polish"), ("ht", "Haitian Creole"),
    ("uk", "Ukrainian"), ("it", "Italian"), ("el", "Greek"),
)  # fmt: skip


def _label_key(label: str) -> str:
    # The importer's matching rule for licence types: letters and digits, case-insensitive.
    return re.sub(r"[^a-z0-9]", "", label.lower())


# --- Licences --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LicenseKind:
    code: str
    category: str  # counselor, social, mft, psychologist, psychiatrist, pmhnp
    title: str
    associate: bool = False
    degrees: tuple[str, ...] = ()  # credential prefixes; "" means the licence alone
    aliases: tuple[str, ...] = ()


_COUNSELOR_DEGREES = ("MA", "MA", "MS", "MEd", "MC", "")
_SW_DEGREES = ("MSW", "")
_MFT_DEGREES = ("MA", "MS", "MFT", "")
LICENSE_KINDS: dict[str, LicenseKind] = {k.code: k for k in (
    LicenseKind("LMFT", "mft", "Licensed Marriage & Family Therapist", False, _MFT_DEGREES,
                ("Licensed Marriage and Family Therapist",)),
    LicenseKind("AMFT", "mft", "Associate Marriage & Family Therapist", True, ("MA", "MS"),
                ("Associate Marriage and Family Therapist",)),
    LicenseKind("LMFT-A", "mft", "Licensed Marriage & Family Therapist Associate", True,
                ("MA", "MS"), ("LMFT Associate", "LMFTA")),
    LicenseKind("LCMFT", "mft", "Licensed Clinical Marriage & Family Therapist", False,
                _MFT_DEGREES, ("Licensed Clinical Marriage and Family Therapist",)),
    LicenseKind("LCSW", "social", "Licensed Clinical Social Worker", False, _SW_DEGREES),
    LicenseKind("LICSW", "social", "Licensed Independent Clinical Social Worker", False,
                _SW_DEGREES),
    LicenseKind("LCSW-C", "social", "Licensed Certified Social Worker-Clinical", False,
                _SW_DEGREES),
    LicenseKind("LISW", "social", "Licensed Independent Social Worker", False, _SW_DEGREES),
    LicenseKind("ASW", "social", "Associate Clinical Social Worker", True, ("MSW",),
                ("Associate Social Worker",)),
    LicenseKind("LMSW", "social", "Licensed Master Social Worker", True, ("",)),
    LicenseKind("LSW", "social", "Licensed Social Worker", True, ("MSW", "")),
    LicenseKind("LGSW", "social", "Licensed Graduate Social Worker", True, ("MSW", "")),
    LicenseKind("LCSW-A", "social", "Licensed Clinical Social Worker Associate", True, ("MSW",)),
    LicenseKind("LPC", "counselor", "Licensed Professional Counselor", False, _COUNSELOR_DEGREES),
    LicenseKind("LPC-Associate", "counselor", "Licensed Professional Counselor Associate", True,
                ("MA", "MS", "MEd"), ("LPC Associate", "LPCA", "LPC-A")),
    LicenseKind("LPCC", "counselor", "Licensed Professional Clinical Counselor", False,
                _COUNSELOR_DEGREES),
    LicenseKind("APCC", "counselor", "Associate Professional Clinical Counselor", True,
                ("MA", "MS")),
    LicenseKind("LMHC", "counselor", "Licensed Mental Health Counselor", False,
                _COUNSELOR_DEGREES),
    LicenseKind("LCPC", "counselor", "Licensed Clinical Professional Counselor", False,
                _COUNSELOR_DEGREES),
    LicenseKind("LCMHC", "counselor", "Licensed Clinical Mental Health Counselor", False,
                _COUNSELOR_DEGREES),
    LicenseKind("LPC-MH", "counselor", "Licensed Professional Counselor – Mental Health", False,
                _COUNSELOR_DEGREES),
    LicenseKind("LPCMH", "counselor", "Licensed Professional Counselor of Mental Health", False,
                _COUNSELOR_DEGREES),
    LicenseKind("LIMHP", "counselor", "Licensed Independent Mental Health Practitioner", False,
                _COUNSELOR_DEGREES),
    LicenseKind("LMHCA", "counselor", "Licensed Mental Health Counselor Associate", True,
                ("MA", "MS", "MEd")),
    LicenseKind("LAPC", "counselor", "Licensed Associate Professional Counselor", True,
                ("MA", "MS", "MEd")),
    LicenseKind("LGPC", "counselor", "Licensed Graduate Professional Counselor", True,
                ("MA", "MS")),
    LicenseKind("Psychologist", "psychologist", "Psychologist", False,
                ("PhD", "PhD", "PsyD", "PsyD", "EdD"), ("Licensed Psychologist", "LP")),
    LicenseKind("Psychiatrist", "psychiatrist", "Psychiatrist", False, ("MD", "MD", "MD", "DO"),
                ("MD", "Physician (psychiatry)")),
    LicenseKind("PMHNP", "pmhnp", "Psychiatric Nurse Practitioner", False,
                ("PMHNP-BC", "MSN, PMHNP-BC", "DNP, PMHNP-BC", "APRN, PMHNP-BC"),
                ("PMHNP-BC", "Psychiatric-Mental Health Nurse Practitioner")),
)}  # fmt: skip
# When the taxonomy lacks a state-specific type, use the general one of its kind.
_LICENSE_FALLBACK = {"LICSW": "LCSW", "LCSW-C": "LCSW", "LISW": "LCSW", "LPCC": "LPC",
                     "LMHC": "LPC", "LCPC": "LPC", "LCMHC": "LPC", "LPC-MH": "LPC",
                     "LPCMH": "LPC", "LIMHP": "LPC", "LCMFT": "LMFT"}  # fmt: skip
_PRESCRIBERS = (("Psychiatrist", 3.0), ("PMHNP", 2.5))
_DEFAULT_MENU = (("LPC", 30), ("LCSW", 26), ("LMFT", 9), ("Psychologist", 11))
# (code, weight[, status]) per state; the two-tier and associate titles where we know them.
STATE_LICENSE_MENUS: dict[str, tuple[tuple[Any, ...], ...]] = {
    "CA": (("LMFT", 22), ("AMFT", 8), ("LCSW", 18), ("ASW", 5), ("LPCC", 8), ("APCC", 3),
           ("Psychologist", 12)),
    "NY": (("LMHC", 20), ("LCSW", 28), ("LMSW", 8), ("LMFT", 6), ("Psychologist", 14)),
    "TX": (("LPC", 28), ("LPC-Associate", 7), ("LCSW", 18), ("LMSW", 5), ("LMFT", 6),
           ("LMFT-A", 2), ("Psychologist", 10)),
    "IL": (("LCPC", 24), ("LPC", 7, "associate"), ("LCSW", 24), ("LSW", 5), ("LMFT", 5),
           ("Psychologist", 11)),
    "MA": (("LMHC", 26), ("LICSW", 26), ("LMFT", 6), ("Psychologist", 12)),
    "WA": (("LMHC", 24), ("LMHCA", 4), ("LICSW", 22), ("LMFT", 8), ("Psychologist", 10)),
    "GA": (("LPC", 26), ("LAPC", 6), ("LCSW", 24), ("LMFT", 8), ("Psychologist", 11)),
    "KS": (("LCPC", 20), ("LPC", 6, "associate"), ("LCSW", 22), ("LCMFT", 5), ("LMFT", 3),
           ("Psychologist", 11)),
    "SD": (("LPC-MH", 20), ("LPC", 10), ("LCSW", 20), ("LMFT", 6), ("Psychologist", 10)),
    "DE": (("LPCMH", 22), ("LCSW", 24), ("LMFT", 6), ("Psychologist", 10)),
    "NE": (("LIMHP", 22), ("LCSW", 18), ("LMFT", 6), ("Psychologist", 10)),
    "FL": (("LMHC", 24), ("LCSW", 24), ("LMFT", 8), ("Psychologist", 11)),
    "MD": (("LCPC", 22), ("LGPC", 4), ("LCSW-C", 24), ("LGSW", 4), ("LCMFT", 5),
           ("Psychologist", 11)),
    "NC": (("LCMHC", 28), ("LCSW", 22), ("LCSW-A", 4), ("LMFT", 7), ("Psychologist", 10)),
    "NH": (("LCMHC", 26), ("LICSW", 24), ("LMFT", 6), ("Psychologist", 10)),
    "VT": (("LCMHC", 26), ("LICSW", 24), ("LMFT", 6), ("Psychologist", 10)),
    "OH": (("LPCC", 22), ("LPC", 6, "associate"), ("LISW", 24), ("LSW", 5), ("LMFT", 5),
           ("Psychologist", 11)),
    "MN": (("LPCC", 22), ("LICSW", 26), ("LMFT", 9), ("Psychologist", 11)),
    "DC": (("LPC", 24), ("LICSW", 28), ("LMFT", 6), ("Psychologist", 14)),
}  # fmt: skip

NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "AL": ("FL", "GA", "MS", "TN"), "AK": ("WA",), "AZ": ("CA", "NV", "UT", "NM", "CO"),
    "AR": ("LA", "MS", "MO", "OK", "TN", "TX"), "CA": ("AZ", "NV", "OR"),
    "CO": ("AZ", "KS", "NE", "NM", "OK", "UT", "WY"), "CT": ("MA", "NY", "RI"),
    "DE": ("MD", "NJ", "PA"), "DC": ("MD", "VA"), "FL": ("AL", "GA"),
    "GA": ("AL", "FL", "NC", "SC", "TN"), "HI": ("CA",), "ID": ("MT", "NV", "OR", "UT", "WA", "WY"),
    "IL": ("IN", "IA", "KY", "MO", "WI"), "IN": ("IL", "KY", "MI", "OH"),
    "IA": ("IL", "MN", "MO", "NE", "SD", "WI"), "KS": ("CO", "MO", "NE", "OK"),
    "KY": ("IL", "IN", "MO", "OH", "TN", "VA", "WV"), "LA": ("AR", "MS", "TX"), "ME": ("NH",),
    "MD": ("DE", "PA", "VA", "WV", "DC"), "MA": ("CT", "NH", "NY", "RI", "VT"),
    "MI": ("IN", "OH", "WI"), "MN": ("IA", "ND", "SD", "WI"), "MS": ("AL", "AR", "LA", "TN"),
    "MO": ("AR", "IL", "IA", "KS", "KY", "NE", "OK", "TN"), "MT": ("ID", "ND", "SD", "WY"),
    "NE": ("CO", "IA", "KS", "MO", "SD", "WY"), "NV": ("AZ", "CA", "ID", "OR", "UT"),
    "NH": ("ME", "MA", "VT"), "NJ": ("DE", "NY", "PA"), "NM": ("AZ", "CO", "OK", "TX", "UT"),
    "NY": ("CT", "MA", "NJ", "PA", "VT"), "NC": ("GA", "SC", "TN", "VA"), "ND": ("MN", "MT", "SD"),
    "OH": ("IN", "KY", "MI", "PA", "WV"), "OK": ("AR", "CO", "KS", "MO", "NM", "TX"),
    "OR": ("CA", "ID", "NV", "WA"), "PA": ("DE", "MD", "NJ", "NY", "OH", "WV"),
    "RI": ("CT", "MA"), "SC": ("GA", "NC"), "SD": ("IA", "MN", "MT", "NE", "ND", "WY"),
    "TN": ("AL", "AR", "GA", "KY", "MS", "MO", "NC", "VA"), "TX": ("AR", "LA", "NM", "OK"),
    "UT": ("AZ", "CO", "ID", "NV", "NM", "WY"), "VT": ("MA", "NH", "NY"),
    "VA": ("KY", "MD", "NC", "TN", "WV", "DC"), "WA": ("ID", "OR"),
    "WV": ("KY", "MD", "OH", "PA", "VA"), "WI": ("IL", "IA", "MI", "MN"),
    "WY": ("CO", "ID", "MT", "NE", "SD", "UT"), "PR": ("FL", "NY"),
}  # fmt: skip

# Session fees relative to the national middle: rent and incomes differ a lot.
STATE_FEE_FACTOR = {
    "CA": 1.2, "NY": 1.25, "MA": 1.15, "DC": 1.2, "WA": 1.1, "NJ": 1.1, "CT": 1.1, "HI": 1.1,
    "CO": 1.05, "MD": 1.05, "IL": 1.05, "OR": 1.05, "VA": 1.0, "MN": 1.0,
    "MS": 0.8, "AR": 0.8, "WV": 0.8, "AL": 0.85, "KY": 0.85, "OK": 0.85, "LA": 0.85,
    "SD": 0.85, "ND": 0.9, "NE": 0.9, "IA": 0.9, "KS": 0.9, "MO": 0.9, "IN": 0.9, "PR": 0.7,
}  # fmt: skip
# (min low, min high, spread choices) per category; associates are cheaper.
FEE_BANDS = {
    "counselor": (95, 150),
    "social": (100, 160),
    "mft": (110, 170),
    "psychologist": (160, 250),
    "psychiatrist": (250, 400),
    "pmhnp": (170, 260),
    "associate": (55, 110),
}
_FEE_SPREADS = (0, 0, 10, 20, 25, 30, 40, 50, 60, 80, 100)

# --- Names -----------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WOMEN = _words(
    "Emily Sarah Jessica Ashley Megan Lauren Rachel Hannah Olivia Emma Sophia Ava Chloé Zoë Maya "
    "Aisha Fatima Priya Ananya Mei Ling Yuna Ji-woo Hana Thảo Linh María Lucía Sofía Valentina "
    "Camila Gabriela Ximena Guadalupe Rosa Ana Isabel Carmen Leticia Keisha Imani Aaliyah Jasmine "
    "Ebony Tanisha Nia Zainab Amara Chiamaka Adaeze Ngozi Nadia Leila Yasmin Noor Shira Tamar "
    "Miriam Rebecca Naomi Esther Katarzyna Agnieszka Olena Svetlana Irina Anya Ingrid Astrid "
    "Siobhán Niamh Aoife Margaret Elizabeth Catherine Jennifer Michelle Stephanie Nicole Amanda "
    "Kimberly Heather Amy Erin Kathleen Diane Susan Linda Patricia Deborah Brenda Denise Monica "
    "Angela Renée Dominique Geneviève Josephine Claire Julia Natalie Vanessa Tiffany Kayla "
    "Brianna Destiny Mariana Paola Daniela Noemí Inés Beatriz Mónica Francesca Giulia Keiko Aiko "
    "Sakura Saanvi Deepa Kavya Meera Lakshmi Farah Samira Dalia Layla Hoa Lan Mai Ngọc Sunita "
    "Yesenia Marisol Alejandra Pilar Rocío Itzel Citlali Grace Abigail Madison Charlotte Harper "
    "Evelyn Audrey Ruth Joanna Molly Bethany Colleen Tonya LaToya Shanice Danielle Crystal Andrea"
)
MEN = _words(
    "James Michael David Daniel Matthew Andrew Joshua Ryan Brian Kevin Jason Justin Brandon Tyler "
    "Nathan Ethan Noah Liam Lucas Benjamin Samuel Jonathan Christopher Anthony Mark Paul Steven "
    "Thomas Robert William Richard Charles Joseph Gregory Patrick Sean Connor Declan Marcus "
    "Darnell DeShawn Jamal Malik Terrence Andre Jerome Tyrone Isaiah Elijah Xavier José Luis "
    "Carlos Juan Miguel Alejandro Javier Diego Mateo Santiago Andrés Raúl Ramón Jesús Héctor "
    "Óscar Joaquín Emilio Wei Jun Hao Minh Huy Quang Dũng Tuấn Min-jun Seo-jun Hyun Jae Hiroshi "
    "Kenji Takeshi Raj Arjun Vikram Rohan Sanjay Amit Omar Ahmed Yusuf Karim Tariq Hassan Ali "
    "Mehdi Reza Dariush Chidi Emeka Kwame Kofi Tunde Oluwaseun Tesfaye Abdi Mohamed Ibrahim Avi "
    "Eli Yosef Noam Dmitri Sergei Pavel Tomasz Piotr Mikhail Oleksandr Jakub Lars Søren Björn "
    "Niklas Jürgen Matthias François Étienne Jean-Luc Luca Marco Giovanni Stefano Kieran Ciarán "
    "Eoin Rhys Aaron Adam Caleb Gabriel Henry Jack Owen Peter Scott Timothy Victor Zachary Derek"
)
NEUTRAL = _words(
    "Alex Jordan Taylor Morgan Casey Riley Jamie Avery Quinn Rowan Sage River Skyler Emerson "
    "Reese Kai Ari Noa Sasha Robin Charlie Frankie Jules Remy Ash Marlowe Devon Kendall Dakota "
    "Peyton Elliot Blair Kiran Sam Drew René Jessie Shiloh Wren Indigo Finley Hayden Lane Sol"
)
# Surname groups with a language some of them speak and identity keywords some
# of them share: a mild, realistic correlation, never a rule.
SURNAME_GROUPS: tuple[tuple[float, str, str, tuple[str, ...]], ...] = (
    (44, "", (
        "Smith Johnson Williams Brown Miller Davis Wilson Anderson Taylor Thomas Moore Martin "
        "Thompson White Harris Clark Lewis Walker Hall Allen Young King Wright Scott Green Baker "
        "Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins "
        "Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly "
        "Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray James Hughes Price Sanders "
        "Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan Fisher Henderson Coleman "
        "Simmons Patterson Jordan Reynolds Hamilton Graham Wallace Woods Cole West Owens Marshall "
        "Ellis McDonald O'Brien O'Connor Gallagher Schmidt Becker Wagner Larson Olson Lindqvist "
        "Sørensen Müller Schäfer Krüger Lefèvre Dubois Rossi Russo Esposito Romano Washington "
        "Jackson Jefferson Banks Robinson Freeman Mosley Gaines Dorsey Battle Whitfield Holloway "
        "Abernathy Underwood Kingsley Fairchild Hargrove Pemberton Thornton Whitaker Lockhart"
    ), ()),
    (16, "es", (
        "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores "
        "Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Ramos Castillo Jiménez Vargas "
        "Mendoza Ruiz Álvarez Romero Herrera Medina Aguilar Castro Vásquez Peña Domínguez Navarro "
        "Rojas Soto Delgado Figueroa Santiago Colón Ibáñez Muñoz Núñez Cabrera Acosta Salazar"
    ), ("hispanic", "latin")),
    (4, "zh", "Chen Wang Li Zhang Liu Huang Lin Wu Zhou Xu Lam Chan Wong Leung Tsai Cheng",
     ("chinese", "east-asian", "asian")),
    (3, "vi", "Nguyễn Trần Lê Phạm Huỳnh Võ Đặng Bùi Đỗ Hoàng", ("vietnamese", "southeast-asian", "asian")),
    (2.5, "ko", "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim", ("korean", "east-asian", "asian")),
    (4, "hi", (
        "Patel Shah Singh Sharma Gupta Desai Mehta Iyer Reddy Rao Chatterjee Banerjee Kapoor "
        "Malhotra Krishnan"
    ), ("south-asian", "asian")),
    (2, "ar", "Haddad Khalil Nasser Saleh Hassan Ibrahim Mansour Farah Aziz Darwish Khoury",
     ("middle-eastern", "mena", "arab")),
    (2, "tl", "Santos Bautista Dela_Cruz Villanueva Aquino Manalo Pascual Mercado Soriano",
     ("filipin", "southeast-asian", "asian")),
    (3, "he", "Cohen Levy Goldberg Katz Friedman Rosen Shapiro Weiss Stein Klein Feldman Adler",
     ("jewish",)),
    (2, "uk", "Shevchenko Bondarenko Kovalenko Novak Kowalski Nowak Horvat Novák Wiśniewski",
     ()),
    (1.5, "ja", "Tanaka Suzuki Sato Takahashi Watanabe Yamamoto Nakamura Kobayashi",
     ("japanese", "east-asian", "asian")),
    (1.5, "fa", "Tehrani Rahimi Hosseini Karimi Moradi Ahmadi Jafari", ("middle-eastern", "mena")),
    (2, "ht", "Jean-Baptiste Pierre Toussaint Joseph Charles Baptiste Dorvil Étienne",
     ("black", "caribbean")),
    (2, "", "Okafor Adeyemi Mensah Osei Nwosu Abebe Tesfaye Diallo Kamau Achebe Eze Boateng",
     ("black", "african")),
    (1, "el", "Papadopoulos Nikolaidis Georgiou Christodoulou Alexiou", ()),
)  # fmt: skip
PRONOUNS = {
    "woman": Table(["she/her", "she/they", ""], [86, 5, 9]),
    "man": Table(["he/him", "he/they", ""], [88, 3, 9]),
    "nonbinary": Table(["they/them", "she/they", "he/they", "ze/zir"], [78, 9, 8, 5]),
    "": Table(["", "they/them"], [80, 20]),
}
_OTHER_GENDERS = ("genderqueer", "agender", "two-spirit", "genderfluid")

# --- Statement parts ------------------------------------------------------------------
# Slots: {who} people served, {i1}-{i3} issue phrases, {a1}/{a2} approach names,
# {adj1}-{adj3} adjectives, {first} first name, {years} ("12 years"), {since}, {city}.

OPENINGS = (
    "I work with {who} navigating {i1} and {i2}.",
    "Most of the people I see are {who} dealing with {i1}, {i2}, or both.",
    "I specialize in helping {who} with {i1} and {i2}.",
    "My practice focuses on {who} who are living with {i1} or {i2}.",
    "If {i1} or {i2} has been getting in the way of the life you want, you are in the right place.",
    "Hi, I'm {first}. I help {who} work through {i1}, {i2} and {i3}.",
    "For {years} years I have been helping {who} untangle {i1} and {i2}.",
    "I love working with {who}, especially around {i1} and {i2}.",
    "Whether you're facing {i1}, {i2} or something you can't quite name yet, I'm glad you're here.",
    "People usually come to me when {i1} or {i2} has started to feel like too much.",
    "I'm {first}, and I work with {who} facing {i1}, {i2} and the everyday weight of {i3}.",
    "You might be here because of {i1}, or because {i2} has been harder to manage lately.",
    "Much of my work is with {who} who feel stuck in {i1} or worn down by {i2}.",
    "I offer a steady, private space for {who} working through {i1} and {i2}.",
    "Life can get heavy. I help {who} find their footing again after {i1} and {i2}.",
    "Hello and welcome. I see {who}, and my focus is {i1}, {i2} and {i3}.",
    "My clients are mostly {who}; many arrive carrying {i1}, {i2} or both.",
    "I have spent {years} years sitting with {who} through {i1}, {i2} and everything in between.",
)
APPROACH_LINES = (
    "My approach is {adj1} and {adj2}, drawing on {a1} and {a2}.",
    "In our sessions I blend {a1} with {a2}, and I keep things {adj1}.",
    "I'm trained in {a1}, but I adapt to what you need rather than following a script.",
    "Clients describe our work as {adj1}, {adj2} and sometimes surprisingly {adj3}.",
    "I lean on {a1} and {a2} while staying {adj1} and {adj2}.",
    "Therapy with me is {adj1}: we set goals together, and I draw on {a1} when it helps.",
    "I believe therapy works best when it is {adj1} and {adj2}, so that is how I practice.",
    "I use {a1} and {a2}, and I will always explain why we're trying something.",
    "My style is {adj1} and {adj2}; I draw mostly from {a1}.",
    "Expect a {adj1}, {adj2} therapist who brings {a1} into the room when it fits.",
    "I integrate {a1} and {a2}, tailoring each session to where you are that day.",
    "We'll work in a way that is {adj1} and {adj2}, with tools from {a1} along the way.",
)
ADJECTIVES = (
    "warm", "collaborative", "direct", "practical", "gentle", "curious", "down-to-earth",
    "structured", "compassionate", "nonjudgmental", "playful", "honest", "grounded",
    "culturally responsive", "client-led", "goal-oriented", "reflective", "relaxed",
    "thoughtful", "steady", "creative", "straightforward", "affirming", "patient", "hopeful",
    "engaged", "unhurried", "respectful",
)  # fmt: skip
MIDDLES = (
    "Together we'll {doing}.",
    "I believe {belief}.",
    "Sessions are a place to {doing}.",
    "My goal is to help you {goal}.",
    "In our work we will {doing}, at a pace that feels right for you.",
    "I hope you leave our sessions feeling able to {goal}.",
    "At its best, therapy helps you {goal}; I'm here to make that possible.",
    "I want to help you {goal}, and I know {belief}.",
    "We'll {doing}, and over time you'll {goal}.",
)
DOINGS = (
    "slow down and notice what your body is telling you", "make sense of old patterns",
    "build skills you can use between sessions", "find words for what has felt unspeakable",
    "figure out what you actually want", "practice setting boundaries that hold",
    "untangle the stories you tell yourself", "look honestly at what is and isn't working",
    "turn toward hard feelings instead of away from them", "rebuild trust in yourself",
    "experiment with new ways of responding", "get curious about the parts of you that protect you",
    "map out the changes you want to make", "make room for grief without being swallowed by it",
    "connect the dots between your past and your present", "name what you need out loud",
    "sort out what is yours to carry and what is not", "try small, doable steps",
)  # fmt: skip
BELIEFS = (
    "everyone deserves to be heard without judgment", "change is possible at any age",
    "you are the expert on your own life", "healing happens in relationship",
    "small steps add up", "humor has a place in therapy", "there is nothing wrong with you",
    "feelings are information, not enemies", "culture and identity matter in the therapy room",
    "the relationship between client and therapist is what makes therapy work",
    "you don't have to be in crisis to deserve support", "rest is not a reward you have to earn",
    "curiosity works better than criticism", "people make sense in context",
)  # fmt: skip
GOALS = (
    "feel more at home in yourself", "respond rather than react", "trust your own judgment again",
    "feel less alone with what you carry", "reconnect with the people who matter to you",
    "sleep, work and love with less worry", "set down some of the weight you've been carrying",
    "find your way back to what you care about", "treat yourself with more kindness",
    "have the hard conversations you've been avoiding", "feel calmer in your body",
    "build a life that fits who you are now", "understand why you feel the way you do",
    "move through change with more confidence",
)  # fmt: skip
BACKGROUNDS = (
    "Before becoming a therapist I worked as a {job}, which still shapes how I listen.",
    "I grew up in {place} and have called {city} home for {years2} years.",
    "Outside of sessions you'll find me {hobby}.",
    "I have been in practice since {since}.",
    "Much of my training happened in {setting}, and I still draw on it every day.",
    "I came to this work after years as a {job}.",
    "When I'm not working I'm usually {hobby}.",
    "I grew up in {place}, which taught me a lot about belonging and difference.",
    "I spent my early career in {setting}, working with people many others had given up on.",
    "I started out as a {job} and found my way to therapy in my thirties.",
)
JOBS = (
    "teacher", "nurse", "journalist", "software engineer", "chef", "case manager", "paramedic",
    "musician", "lawyer", "youth minister", "barista", "army medic", "graphic designer",
    "librarian", "soccer coach", "dancer", "accountant", "firefighter", "bartender",
    "school counselor", "hospice volunteer", "photographer", "social worker in child welfare",
    "marketing manager", "translator", "carpenter", "flight attendant", "research assistant",
)  # fmt: skip
PLACES = (
    "a small farming town", "a big immigrant family", "a military family that moved every few years",
    "the Midwest", "the Gulf Coast", "a bilingual household", "a tiny mountain town",
    "a close-knit church community", "a busy city neighborhood", "the Rio Grande Valley",
    "a family of teachers", "the Pacific Northwest", "a fishing town in New England",
    "a household where nobody talked about feelings", "the Deep South", "Appalachia",
)  # fmt: skip
HOBBIES = (
    "hiking with my dog", "baking bread", "at a climbing gym", "reading science fiction",
    "tending a stubborn vegetable garden", "playing pickup basketball",
    "singing in a community choir", "out on a long bike ride", "learning to play the cello",
    "at a farmers market", "cooking for friends", "swimming laps", "walking by the water",
    "working on a jigsaw puzzle", "chasing my kids around the park", "trying a new recipe",
    "at a pottery wheel", "camping with my family", "watching old movies", "knitting badly",
)  # fmt: skip
SETTINGS = (
    "a community mental health clinic", "a university counseling center", "a hospital trauma program",
    "a residential treatment center", "a crisis call center", "a public school district",
    "a VA medical center", "an outpatient eating disorder program", "a domestic violence shelter",
    "a substance use treatment program", "a group practice", "a pediatric hospital",
)  # fmt: skip
CLOSINGS = (
    "Reach out whenever you're ready; I'd be glad to hear from you.",
    "Taking the first step is hard. I'll meet you where you are.",
    "I'd be honored to walk alongside you.",
    "Let's talk about what you're hoping for.",
    "You don't have to figure this out alone.",
    "I look forward to hearing from you.",
    "When you're ready, send me a message and we can find a time to talk.",
    "Whatever brought you here, you are welcome.",
    "Reaching out is a brave first step, and I'm glad you're considering it.",
)
CLOSINGS_CONSULT = (
    "If you're curious whether we'd be a good fit, I offer a free 15-minute consultation.",
    "I offer a free phone consultation so we can see if working together feels right.",
    "Book a free consultation call and ask me anything about how I work.",
)
CLOSINGS_FULL = (
    "My caseload is full right now, but you are welcome to join my waitlist.",
    "I'm not taking new clients at the moment; feel free to check back in a few weeks.",
)
EXTRA_PARAGRAPHS = (
    "A typical first session is mostly listening. I'll ask about what brought you in, what you've "
    "already tried and what you'd like to be different. {belief_cap}. By the end of it we will "
    "have a rough plan, and you can decide whether it feels right.",
    "I know that starting therapy can bring up a lot of questions. How long will it take? Will it "
    "help? What if I don't know what to say? There are no wrong answers here. Some people come for "
    "a few months to work on something specific; others stay longer because the work opens up new "
    "questions. Either is fine.",
    "I also care about the practical side. I'll be clear about fees, scheduling and what to expect "
    "between sessions, and I'll check in regularly about whether our work is helping. If another "
    "kind of support would serve you better, I will tell you and help you find it.",
    "Identity and culture shape how we experience {i1} and how we heal. I try to bring humility to "
    "that, and I welcome conversations about race, gender, sexuality, faith, class and anything "
    "else that matters to you. You won't have to educate me about who you are.",
    "Outside the therapy room, I keep learning. I attend consultation groups, read widely and "
    "continue training in {a1}. It keeps me honest and it keeps the work fresh.",
    "If {i2} has been part of your story, you may have tried to manage it alone for a long time. "
    "Many of my clients tell me they waited years before reaching out. There is no perfect moment; "
    "there is only the next step, and we can take it together.",
)

APPROACH_STATEMENTS = (
    "I use {a} to help clients {goal}. {elab}",
    "{a} gives us a shared map. {elab}",
    "With {a}, we focus on {focus}. I find it especially helpful for {issue}.",
    "I trained in {a} {when} and use it most with clients facing {issue}.",
    "{a} is at the heart of how I work with {issue}. {elab}",
    "What I like about {a} is that it {likes}. {elab}",
    "Many of my clients dealing with {issue} find {a} a good fit, because it {likes}.",
    "I bring {a} into sessions when we want to look at {focus}. It {likes}.",
    "{a} helps us slow down and look at {focus}. I've seen it make a real difference for {issue}.",
)
ELABORATIONS = (
    "We look at the patterns that keep you stuck and try small experiments between sessions.",
    "It helps us notice what is happening in the moment instead of getting lost in it.",
    "Clients often tell me it gave them words for things they had felt for years.",
    "We move at your pace, and you can always say no to an exercise.",
    "It is practical: you leave each session with something to try.",
    "It makes room for both understanding where something comes from and changing it.",
    "I adapt it to your culture, your values and your goals.",
    "Over time, most clients learn to do this work on their own.",
)  # fmt: skip
FOCUSES = (
    "what is happening in the present moment", "the stories you tell about yourself",
    "how your nervous system responds to stress", "the relationships that shaped you",
    "the thoughts that fuel difficult feelings", "the parts of you that are in conflict",
    "what you value most", "the cycles that repeat between partners",
)  # fmt: skip
LIKES = (
    "treats you as the expert on your own life", "offers practical tools from the first session",
    "makes room for both insight and action", "is grounded in research but flexible in practice",
    "respects the pace your body and mind need", "gives clients skills they keep for life",
    "looks at the whole person, not just symptoms",
)  # fmt: skip
WHENS = ("early in my career", "several years ago", "after graduate school",
         "during my fellowship", "through a two-year program", "recently")  # fmt: skip

STREETS = (
    "Main", "Oak", "Maple", "Park", "Washington", "Lake", "Hill", "Cedar", "Elm", "Pine",
    "Church", "Broadway", "Market", "Center", "Highland", "Madison", "Jefferson", "Lincoln",
    "Franklin", "Sunset", "River", "Spring", "Union", "Grove", "Walnut", "Chestnut", "Willow",
    "College", "University", "Mill", "Bridge", "Valley", "Ridge", "Forest", "Second", "Third",
    "Fifth", "Magnolia", "Laurel", "Sycamore", "Harbor", "Meadow", "Orchard", "Prospect",
    "Central", "Front", "Water", "King", "Queen", "Adams", "Monroe", "Jackson", "Fairview",
)  # fmt: skip
STREET_TYPES = Table(["St", "Ave", "Blvd", "Rd", "Dr", "Way", "Ln", "Pl", "Street", "Avenue"],
                     [20, 18, 6, 8, 6, 4, 3, 3, 4, 4])  # fmt: skip


def _expand(
    templates: Sequence[str], fills: dict[str, Sequence[str]]
) -> tuple[tuple[str, ...], ...]:
    """Each template with every combination of its static slots filled in.

    Done once at import, so a document costs one pick per sentence instead of
    several picks and a `format`. Slots not in `fills` stay as `{name}` for the
    per-document values. Grouped per template so every template stays equally likely.
    """
    out = []
    for template in templates:
        names = [name for name in fills if "{" + name + "}" in template]
        variants = []
        for combo in product(*(fills[name] for name in names)):
            text = template
            for name, value in zip(names, combo, strict=True):
                text = text.replace("{" + name + "}", value)
            variants.append(text)
        out.append(tuple(variants))
    return tuple(out)


MIDDLE_VARIANTS = _expand(MIDDLES, {"doing": DOINGS, "belief": BELIEFS, "goal": GOALS})
BACKGROUND_VARIANTS = _expand(
    BACKGROUNDS, {"job": JOBS, "place": PLACES, "hobby": HOBBIES, "setting": SETTINGS}
)
APPROACH_STATEMENT_VARIANTS = _expand(
    APPROACH_STATEMENTS,
    {"goal": GOALS, "elab": ELABORATIONS, "focus": FOCUSES, "likes": LIKES, "when": WHENS},
)

# --- Geography ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZipSpot:
    zip: str
    city: str
    state: str
    lat: float
    lon: float
    area_code: str


@dataclass(slots=True)
class Metro:
    city: str
    state: str
    population: int
    lat: float
    lon: float
    zips: Table[ZipSpot]


def _zip_rows() -> list[tuple[str, float, float, str, str, str]]:
    """Standard (street-address) ZIPs the geocoder knows: PO boxes and one-building ZIPs are no office."""
    import zipcodes

    by_zip = geo._tables()[0]
    rows = []
    for row in zipcodes.list_all():
        if row.get("zip_code_type") != "STANDARD" or not row.get("active", True):
            continue
        place = by_zip.get(row["zip_code"])
        if place is None:
            continue
        codes = row.get("area_codes") or []
        rows.append((place.zip, place.lat, place.lon, place.city, place.state,
                     str(codes[0]) if codes else ""))  # fmt: skip
    return rows


@cache
def load_metros(path: Path = CITIES_CSV) -> tuple[Metro, ...]:
    """Cities from the CSV, each with the real ZIPs within METRO_RADIUS_MILES of its centre."""
    grid: dict[tuple[int, int], list[tuple[str, float, float, str, str, str]]] = {}
    for row in _zip_rows():
        grid.setdefault((math.floor(row[1] * 2), math.floor(row[2] * 2)), []).append(row)
    metros: list[Metro] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for entry in csv.DictReader(fh):
            centre = geo.lookup_city(entry["city"], entry["state"])
            if centre is None:
                continue  # the test suite checks every city resolves
            cy, cx = math.floor(centre.lat * 2), math.floor(centre.lon * 2)
            near: list[tuple[float, tuple[str, float, float, str, str, str]]] = []
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    for row in grid.get((cy + dy, cx + dx), ()):
                        d = geo.haversine_miles(centre.lat, centre.lon, row[1], row[2])
                        if d <= METRO_RADIUS_MILES:
                            near.append((d, row))
            if not near:
                # Islands and sparse places: the closest few ZIPs wherever they are.
                everything = [r for cell in grid.values() for r in cell if r[4] == centre.state]
                near = sorted(
                    (
                        (geo.haversine_miles(centre.lat, centre.lon, r[1], r[2]), r)
                        for r in everything
                    ),
                    key=lambda pair: pair[0],
                )[:3]
            if not near:
                continue
            near.sort(key=lambda pair: (pair[0], pair[1][0]))
            fallback_area = next((r[5] for _, r in near if r[5]), "555")
            spots = [ZipSpot(r[0], r[3], r[4], r[1], r[2], r[5] or fallback_area) for _, r in near]
            # Practices cluster toward the centre: closer ZIPs weigh more.
            weights = [1.0 / (1.0 + d / 4.0) for d, _ in near]
            metros.append(Metro(entry["city"], entry["state"], int(entry["population"]),
                                centre.lat, centre.lon, Table(spots, weights)))  # fmt: skip
    return tuple(metros)


# --- Vocabulary prepared for drawing --------------------------------------------------


_PROPER_WORDS = {"Black", "Latine", "Latinx", "Asian", "Native", "Indigenous", "Christian",
                 "Jewish", "Muslim", "Tourette", "Asperger", "American"}  # fmt: skip


# Where the taxonomy's name does not fit "helping people with ___".
_ISSUE_PHRASES = {
    "self-esteem": "low self-esteem", "sexual-health": "sexual concerns",
    "psychosis-schizophrenia": "psychosis", "identity-exploration": "questions of identity",
    "gender-identity": "questions about gender identity", "consensual-non-monogamy":
    "navigating non-monogamy", "mens-issues": "the pressures men face",
    "womens-issues": "the pressures women face", "lgbtq-concerns": "LGBTQ+ concerns",
    "racial-cultural-identity": "racial and cultural identity",
    "chronic-illness-chronic-pain": "chronic illness and pain",
    "existential-spiritual-concerns": "existential and spiritual questions",
}  # fmt: skip


def _phrase(name: str, slug: str = "") -> str:
    """'Trauma & PTSD' -> 'trauma and PTSD': how a person writes a term mid-sentence."""
    if slug in _ISSUE_PHRASES:
        return _ISSUE_PHRASES[slug]
    name = re.sub(r"\s*\([^)]*\)", "", name).replace("&", "and").replace(" / ", " and ")
    words = []
    for word in name.split():
        # Acronyms and proper adjectives stay as written.
        upper = sum(c.isupper() for c in word)
        keep = upper >= 2 or re.sub(r"\W|'s$", "", word) in _PROPER_WORDS
        words.append(word if keep else word.lower())
    return " ".join(words).strip()


def _has(slug: str, *words: str) -> bool:
    return any(w in slug for w in words)


# Directories list the common concerns far more often than the rare ones.
_ISSUE_TOP = {"anxiety": 14, "depression": 12, "relationship-issues": 9, "trauma-ptsd": 9,
              "stress": 6, "self-esteem": 5, "life-transitions": 5, "grief-bereavement": 4}  # fmt: skip
_ISSUE_COMMON = ("anxiety", "depress", "trauma", "relationship", "burnout", "stress", "grief",
                 "self-esteem", "adhd", "parenting", "family", "career", "lgbtq", "transition",
                 "perfection", "panic", "identity", "body-image", "emotional-regulation")  # fmt: skip
_CHILD_WORDS = ("school-refusal", "bullying", "selective-mutism", "oppositional", "peer-relation",
                "tic-disorder", "tourette", "parent-child")  # fmt: skip
_COUPLES_WORDS = ("couple", "marital", "premarital", "infidelity", "divorce", "non-monogamy",
                  "sexual-health")  # fmt: skip
# Exact taxonomy slugs; anything not listed weighs 0.6 (a slug renamed in the
# taxonomy only loses its weight, never breaks generation).
_APPROACH_WEIGHTS = {
    "cognitive-behavioral-therapy": 12, "acceptance-and-commitment-therapy": 7,
    "person-centered-therapy": 7, "psychodynamic-therapy": 7, "trauma-informed-care": 7,
    "eye-movement-desensitization-and-reprocessing": 7, "internal-family-systems": 6,
    "integrative-therapy": 6, "relational-therapy": 6, "dialectical-behavior-therapy": 5,
    "solution-focused-brief-therapy": 5, "mindfulness-based-cognitive-therapy": 4,
    "motivational-interviewing": 4, "strength-based-therapy": 4, "attachment-based-therapy": 4,
    "culturally-responsive-therapy": 4, "narrative-therapy": 3, "emotion-focused-therapy": 3,
    "somatic-experiencing": 3, "somatic-therapy": 3, "compassion-focused-therapy": 3,
    "interpersonal-psychotherapy": 3, "cognitive-processing-therapy": 2.5,
    "exposure-and-response-prevention": 2, "behavioral-activation": 2, "positive-psychology": 2,
    "feminist-therapy": 2, "existential-therapy": 2, "brainspotting": 2,
    "mindfulness-based-stress-reduction": 2, "gestalt-therapy": 1.5, "schema-therapy": 1.5,
    "cognitive-behavioral-therapy-for-insomnia": 1, "prolonged-exposure-therapy": 1,
    "applied-behavior-analysis": 0.1, "psychedelic-integration": 0.3, "adventure-therapy": 0.3,
}  # fmt: skip
# Only with couples / only with children / mostly with families.
_APPROACH_COUPLES = {"emotionally-focused-couples-therapy": 6, "gottman-method": 6,
                     "imago-relationship-therapy": 3, "discernment-counseling": 2,
                     "sex-therapy": 2}  # fmt: skip
_APPROACH_CHILD = {"play-therapy": 6, "trauma-focused-cognitive-behavioral-therapy": 4,
                   "sandtray-therapy": 3, "parent-child-interaction-therapy": 3,
                   "comprehensive-behavioral-intervention-for-tics": 0.5}  # fmt: skip
_APPROACH_FAMILY = {"bowen-family-systems-therapy": 3, "structural-family-therapy": 3,
                    "strategic-family-therapy": 2, "family-based-treatment": 1}  # fmt: skip
_APPROACH_PRESCRIBER = ("medication", "psychopharmacology")


def _approach_weight(slug: str, *, kids: bool, couples: bool, family: bool) -> float:
    if slug in _APPROACH_COUPLES:
        return _APPROACH_COUPLES[slug] if couples else 0.0
    if slug in _APPROACH_CHILD:
        return _APPROACH_CHILD[slug] if kids else 0.0
    if slug in _APPROACH_FAMILY:
        return _APPROACH_FAMILY[slug] if (family or kids) else 0.2
    return float(_APPROACH_WEIGHTS.get(slug, 0.6))


def _issue_weight(slug: str, *, kids: bool, couples: bool) -> float:
    # "Childhood abuse" is an adult's issue too; only children's own issues need kids.
    if _has(slug, *_CHILD_WORDS) or slug.startswith("child-") or slug.endswith("-child"):
        return 3.0 if kids else 0.0
    if _has(slug, *_COUPLES_WORDS):
        return 5.0 if couples else 0.4
    if slug in _ISSUE_TOP:
        return float(_ISSUE_TOP[slug])
    if _has(slug, *_ISSUE_COMMON):
        return 2.5
    return 1.0


_INSURANCE_WEIGHTS = (("aetna", 10), ("cigna", 10), ("evernorth", 6), ("united", 9),
                      ("optum", 8), ("blue-cross", 10), ("bcbs", 10), ("anthem", 7),
                      ("medicare", 6), ("medicaid", 5), ("tricare", 4), ("humana", 4),
                      ("magellan", 3), ("carelon", 3), ("oscar", 3), ("ambetter", 3),
                      ("molina", 3), ("out-of-network", 6), ("superbill", 5),
                      ("hsa", 2), ("lyra", 2), ("spring-health", 2), ("compsych", 2))  # fmt: skip
# Regional payers only appear where they sell plans.
_INSURANCE_REGIONS: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (key, frozenset(states.split()))
    for key, states in (
        ("kaiser", "CA OR WA CO GA HI MD VA DC"),
        ("medi-cal", "CA"),
        ("blue-shield-of-california", "CA"),
        ("masshealth", "MA"),
        ("premera", "WA AK"),
        ("regence", "OR WA ID UT"),
        ("emblem", "NY"),
        ("mvp", "NY VT"),
        ("excellus", "NY"),
        ("horizon", "NJ"),
        ("carefirst", "MD DC VA"),
        ("highmark", "PA WV DE NY"),
        ("independence", "PA NJ"),
        ("wellmark", "IA SD"),
        ("florida-blue", "FL"),
        ("harvard-pilgrim", "MA NH ME CT RI"),
        ("tufts", "MA NH ME CT RI"),
        ("point32", "MA NH ME CT RI"),
        ("priority-health", "MI"),
        ("healthpartners", "MN WI"),
        ("medica", "MN WI NE ND SD IA"),
        ("providence", "OR WA"),
        ("pacificsource", "OR ID MT WA"),
        ("moda", "OR AK TX"),
        ("geisinger", "PA"),
        ("upmc", "PA"),
        ("texas", "TX"),
        ("illinois", "IL"),
        ("michigan", "MI"),
        ("massachusetts", "MA"),
        ("north-carolina", "NC"),
        ("oxford", "NY NJ CT"),
        ("health-net", "CA AZ OR"),
        ("california", "CA"),
        ("new-york", "NY"),
    )
)
_LANGUAGE_WEIGHTS = {"es": 40, "zh": 6, "vi": 4, "ko": 3, "tl": 3, "ar": 3, "ru": 3, "fr": 4,
                     "pt": 3, "hi": 3, "de": 2, "he": 2, "fa": 2, "ja": 1.5, "pl": 1.5, "ht": 1.5,
                     "uk": 1.5, "it": 1.5, "el": 1, "asl": 2, "sgn": 2, "ase": 2}  # fmt: skip
_SPANISH_STATES = {"TX": 0.2, "CA": 0.2, "FL": 0.18, "AZ": 0.15, "NM": 0.2, "NY": 0.12,
                   "NJ": 0.12, "IL": 0.1, "NV": 0.12, "CO": 0.1, "PR": 0.97}  # fmt: skip
_GENDER_IDENTITY = {
    "woman": ("woman", "women", "female", "cisgender-woman"),
    "man": ("man", "men", "male", "cisgender-man"),
    "nonbinary": ("nonbinary", "non-binary", "genderqueer"),
}


@dataclass(slots=True)
class _LicenseChoice:
    kind: LicenseKind
    label: str  # what the document's `type` says: the taxonomy's short name
    associate: bool


class Vocabulary:
    """The taxonomy, with every weight table the generator draws from precomputed."""

    def __init__(self, terms: dict[str, list[VocabTerm]]) -> None:
        self.terms = terms
        issues = terms["issue"]
        approaches = terms["approach"]
        self.issue_phrase = {t.slug: _phrase(t.name, t.slug) for t in issues}
        # How people write an approach: "CBT", "Cognitive Behavioral Therapy (CBT)" or the name.
        self.approach_labels: dict[str, tuple[str, ...]] = {}
        for t in approaches:
            # Two-letter abbreviations ("BA", "MI") are jargon in a sentence; CBT or EMDR are not.
            short = t.short_name if len(t.short_name) >= 3 and t.short_name != t.name else ""
            self.approach_labels[t.slug] = (
                (short, short, f"{t.name} ({short})", t.name, t.name) if short else (t.name,)
            )
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
                    self.issue_tables[kids, couples, man] = _table(
                        [t.slug for t in issues], weights
                    )
        self.approach_tables: dict[tuple[bool, bool, bool], Table[str]] = {}
        for kids in (False, True):
            for couples in (False, True):
                for family in (False, True):
                    weights = [_approach_weight(t.slug, kids=kids, couples=couples, family=family)
                               for t in approaches]  # fmt: skip
                    self.approach_tables[kids, couples, family] = _table(
                        [t.slug for t in approaches], weights
                    )
        self.prescriber_approaches = [t.slug for t in approaches
                                      if _has(t.slug, *_APPROACH_PRESCRIBER)]  # fmt: skip

        self.ages = self._resolve(terms["age"], {
            "children": ("children", "child", "kids"), "teens": ("teens", "teen", "adolescent"),
            "adults": ("adults", "adult"), "older": ("older-adults", "older", "senior", "elder"),
        })  # fmt: skip
        self.formats = self._resolve(terms["format"], {
            "individual": ("individual",), "couples": ("couples", "couple"),
            "family": ("family",), "group": ("group",),
        })  # fmt: skip

        self.languages = {t.slug for t in terms["language"]}
        extra = [s for s in _LANGUAGE_WEIGHTS if s in self.languages and s != "es"]
        self.extra_languages = (
            _table(extra, [_LANGUAGE_WEIGHTS[s] for s in extra]) if extra else None
        )

        identities = terms["identity"]
        self.gender_identity: dict[str, str] = {}
        for gender, words in _GENDER_IDENTITY.items():
            slug = next((t.slug for t in identities if t.slug in words), None)
            if slug:
                self.gender_identity[gender] = slug
        gendered = set(self.gender_identity.values())
        shared = [t.slug for t in identities if t.slug not in gendered]
        # One identity per group reads like a person ("Christian" or "Jewish", not both).
        self.identity_group = {t.slug: t.group or t.slug for t in identities}
        self.identity_table = _table(shared, [1.0] * len(shared)) if shared else None
        communities = [t.slug for t in terms["community"]]
        self.community_table = (
            _table(communities, [3.0 if _has(s, "lgbt", "affirm") else 1.0 for s in communities])
            if communities else None
        )  # fmt: skip

        self._insurance = terms["insurance"]
        self._insurance_by_state: dict[str, Table[str] | None] = {}
        self.licenses = self._resolve_licenses(terms["license_type"])
        self._license_menus: dict[str, Table[tuple[_LicenseChoice, str]]] = {}

    @staticmethod
    def _resolve(terms: list[VocabTerm], wanted: dict[str, tuple[str, ...]]) -> dict[str, str]:
        slugs = [t.slug for t in terms]
        out: dict[str, str] = {}
        for key, candidates in wanted.items():
            match = next((c for c in candidates if c in slugs), None)
            match = match or next((s for s in slugs for c in candidates if c in s), None)
            if match:
                out[key] = match
        return out

    def _resolve_licenses(self, terms: list[VocabTerm]) -> dict[str, _LicenseChoice]:
        """Map each known licence kind to the taxonomy term the importer will accept."""
        by_label: dict[str, VocabTerm] = {}
        for t in terms:
            for label in (t.slug, t.short_name, t.name, *t.aliases):
                if label:
                    by_label.setdefault(_label_key(label), t)
        out: dict[str, _LicenseChoice] = {}
        for code, kind in LICENSE_KINDS.items():
            term = None
            for label in (code, kind.title, *kind.aliases):
                term = by_label.get(_label_key(label))
                if term is not None:
                    break
            if term is None:
                continue
            # The taxonomy's word on supervised status wins over ours.
            level = term.attributes.get("level")
            associate = (
                level == "associate" if level in ("associate", "independent") else kind.associate
            )
            out[code] = _LicenseChoice(kind, term.short_name or term.slug, associate)
        return out

    def license_menu(self, state: str) -> Table[tuple[_LicenseChoice, str]]:
        """(licence, status) choices for a state, weighted; cached per state."""
        menu = self._license_menus.get(state)
        if menu is not None:
            return menu
        entries: list[tuple[tuple[_LicenseChoice, str], float]] = []
        for entry in (*STATE_LICENSE_MENUS.get(state, _DEFAULT_MENU), *_PRESCRIBERS):
            code, weight = entry[0], float(entry[1])
            choice = self.licenses.get(code) or self.licenses.get(_LICENSE_FALLBACK.get(code, ""))
            if choice is None:
                continue
            associate = choice.associate or (len(entry) > 2 and entry[2] == "associate")
            entries.append(((choice, "associate" if associate else "licensed"), weight))
        if not entries:
            raise ValueError("the licence-type taxonomy has none of the common licence types")
        menu = _table([e for e, _ in entries], [w for _, w in entries])
        self._license_menus[state] = menu
        return menu

    def same_kind_in(
        self, state: str, kind: LicenseKind, status: str
    ) -> tuple[_LicenseChoice, str] | None:
        """The licence a holder of `kind` would hold in another state (same profession and tier)."""
        options = [
            item for item in self.license_menu(state).items
            if item[0].kind.category == kind.category and item[1] == status
        ]  # fmt: skip
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
            weight = next((w for key, w in _INSURANCE_WEIGHTS if key in t.slug), 1.5)
            slugs.append(t.slug)
            weights.append(weight)
        table = _table(slugs, weights) if slugs else None
        self._insurance_by_state[state] = table
        return table


def _table(items: list[T], weights: list[float]) -> Table[T]:
    pairs = [(i, w) for i, w in zip(items, weights, strict=True) if w > 0]
    if not pairs:
        pairs = [(i, 1.0) for i in items]
    return Table([i for i, _ in pairs], [w for _, w in pairs])


# --- The generator ------------------------------------------------------------------------


def npi_with_check_digit(base9: str) -> str:
    """The NPI for a 9-digit base: Luhn over '80840' + base (CMS NPI check digit)."""
    total = 0
    for i, ch in enumerate(reversed("80840" + base9)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return base9 + str((10 - total % 10) % 10)


def _round5(value: float) -> int:
    return int(5 * round(value / 5))


def _ascii_slug(value: str) -> str:
    return slugify(value) or "x"


class DemoGenerator:
    """Documents one at a time from a single seeded stream; see `generate_documents`."""

    def __init__(
        self,
        seed: int,
        *,
        vocabulary: Vocabulary | None = None,
        metros: Sequence[Metro] | None = None,
    ) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.vocab = vocabulary or Vocabulary(load_vocabulary())
        self.metros = list(metros if metros is not None else load_metros())
        self.metro_table = Table(
            self.metros, [m.population**POPULATION_EXPONENT for m in self.metros]
        )
        self.big_metro = {id(m) for m in self.metros if m.population >= 1_000_000}
        women, men, neutral = (tuple(x) for x in (WOMEN, MEN, NEUTRAL))
        self.first_names = {
            "woman": Table([*women, *neutral], [1.0] * len(women) + [0.25] * len(neutral)),
            "man": Table([*men, *neutral], [1.0] * len(men) + [0.15] * len(neutral)),
            "nonbinary": Table([*neutral, *women, *men],
                               [3.0] * len(neutral) + [0.3] * (len(women) + len(men))),
        }  # fmt: skip
        groups = []
        for weight, lang, names, identity_words in SURNAME_GROUPS:
            lang = lang if lang in self.vocab.languages else ""
            identity = ""
            if identity_words and self.vocab.identity_table is not None:
                identity = next(
                    (s for w in identity_words for s in self.vocab.identity_table.items if w in s),
                    "",
                )
            # "_" joins a surname of several words ("Dela_Cruz") in the lists above.
            surnames = [n.replace("_", " ") for n in names.split()]
            groups.append((surnames, lang, identity, weight))
        self.surname_groups = Table(
            [(n, lang, ident) for n, lang, ident, _ in groups], [w for *_, w in groups]
        )
        self.slugs: dict[str, str] = {}
        self.dates = [(REFERENCE_DATE - dt.timedelta(days=d)).isoformat() for d in range(541)]
        # NPI bases: a bijection of the document index onto 9-digit numbers starting
        # with 1, so NPIs never repeat within a run; the offset depends on the seed.
        self.npi_offset = random.Random(f"npi-{seed}").randrange(10**8)

    def _slug(self, name: str) -> str:
        slug = self.slugs.get(name)
        if slug is None:
            slug = self.slugs[name] = _ascii_slug(name)
        return slug

    # One document ------------------------------------------------------------------

    def document(self, index: int) -> dict[str, Any]:
        rng = self.rng
        rnd = rng.random
        vocab = self.vocab
        ext_id = f"{index + 1:07d}"

        # Who --------------------------------------------------------------------------
        g = rnd()
        gender = "woman" if g < 0.70 else "man" if g < 0.92 else "nonbinary" if g < 0.975 else ""
        first = self.first_names[gender or "nonbinary"].pick(rnd)
        surnames, lang_hint, identity_hint = self.surname_groups.pick(rnd)
        last = surnames[int(rnd() * len(surnames))]
        r = rnd()
        if r < 0.04:
            other_group = self.surname_groups.pick(rnd)[0]
            second = other_group[int(rnd() * len(other_group))]
            if second != last:
                last = f"{last}-{second}"
        elif r < 0.12:
            first = f"{first} {'ABCDEFGHJKLMNPRSTW'[int(rnd() * 18)]}."
        name = f"{first} {last}"
        pronouns = PRONOUNS[gender].pick(rnd)
        gender_value = gender or (_OTHER_GENDERS[int(rnd() * 4)] if rnd() < 0.4 else "")

        # Where --------------------------------------------------------------------------
        metro = self.metro_table.pick(rnd)
        spot = metro.zips.pick(rnd)
        home_state = spot.state

        # Licence, title, credentials ------------------------------------------------------
        choice, status = vocab.license_menu(home_state).pick(rnd)
        kind = choice.kind
        associate = status == "associate"
        category = kind.category
        prescriber = category in ("psychiatrist", "pmhnp")
        degree = kind.degrees[int(rnd() * len(kind.degrees))] if kind.degrees else ""
        if category in ("psychologist", "psychiatrist", "pmhnp"):
            credentials = degree
        else:
            credentials = f"{degree}, {choice.label}" if degree else choice.label
        title = kind.title
        if category == "psychologist":
            title = ("Psychologist", "Licensed Psychologist", "Clinical Psychologist")[
                int(rnd() * 3)
            ]
        if rnd() < 0.02:
            title = ""  # exercises "Name, Credentials — in City, ST" display rules
        licenses = [self._license(choice, status, home_state, kind)]
        years = 1 + int(rnd() * 3) if associate else 2 + int(rnd() * rnd() * 36)

        # Offices ----------------------------------------------------------------------------
        offices: list[dict[str, Any]] = []
        telehealth_only = rnd() < 0.10
        if not telehealth_only:
            offices.append(self._office(spot, rnd))
            if rnd() < 0.12:
                other = metro.zips.pick(rnd)
                if other.zip != spot.zip:
                    offices.append(self._office(other, rnd, full=True))
        telehealth = True if telehealth_only else rnd() < (0.8 if prescriber else 0.65)
        license_states = [home_state]
        if len(offices) > 1:
            # A second office across a state line (metros straddle them) needs a licence there.
            state = offices[1].get("state") or home_state
            if state not in license_states:
                extra = vocab.same_kind_in(state, kind, status)
                if extra is None:
                    offices.pop()
                else:
                    license_states.append(state)
                    licenses.append(self._license(extra[0], extra[1], state, extra[0].kind))
        if rnd() < 0.08:
            neighbours = NEIGHBOURS.get(home_state, ())
            if neighbours:
                state = neighbours[int(rnd() * len(neighbours))]
                extra = vocab.same_kind_in(state, kind, status)
                if extra is not None and state not in license_states:
                    license_states.append(state)
                    licenses.append(self._license(extra[0], extra[1], state, extra[0].kind))

        # Clinical focus ------------------------------------------------------------------
        ages_wanted = vocab.ages
        ages = []
        child_focus = rnd() < 0.08 and not prescriber
        if child_focus:
            ages = ["children", "teens"] if rnd() < 0.7 else ["children", "teens", "adults"]
        else:
            if rnd() < 0.35:
                ages.append("teens")
            ages.append("adults")
            if rnd() < 0.3:
                ages.append("older")
            if rnd() < 0.06:
                ages.insert(0, "children")
        kids = "children" in ages or "teens" in ages
        formats = ["individual"]
        if not prescriber:
            is_mft = category == "mft"
            if rnd() < (0.75 if is_mft else 0.3):
                formats.append("couples")
            if rnd() < (0.55 if is_mft else 0.45 if child_focus else 0.18):
                formats.append("family")
            if rnd() < 0.08:
                formats.append("group")
        couples = "couples" in formats
        family = "family" in formats
        issue_count = (3, 4, 4, 5, 5, 5, 6, 6, 7, 8)[int(rnd() * 10)]
        issues = vocab.issue_tables[kids, couples, gender == "man"].pick_distinct(rnd, issue_count)
        approach_count = (1, 2, 2, 2, 3, 3, 3, 4, 4, 5)[int(rnd() * 10)]
        approach_slugs = vocab.approach_tables[kids, couples, family].pick_distinct(
            rnd, approach_count
        )
        if prescriber and vocab.prescriber_approaches and rnd() < 0.8:
            slug = vocab.prescriber_approaches[int(rnd() * len(vocab.prescriber_approaches))]
            if slug not in approach_slugs:
                approach_slugs.insert(0, slug)

        # Languages, identities, communities --------------------------------------------
        languages = ["en"] if "en" in vocab.languages else []
        spanish = _SPANISH_STATES.get(home_state, 0.05)
        if lang_hint == "es":
            spanish = max(spanish, 0.45)
        if "es" in vocab.languages and rnd() < spanish:
            if home_state == "PR" and rnd() < 0.4:
                languages = ["es"]
            else:
                languages.append("es")
        if lang_hint and lang_hint != "es" and rnd() < 0.3:
            languages.append(lang_hint)
        elif vocab.extra_languages is not None and rnd() < 0.05:
            languages.append(vocab.extra_languages.pick(rnd))
        languages = list(dict.fromkeys(languages))

        identities: list[str] = []
        if vocab.identity_table is not None and rnd() < 0.5:
            if gender in vocab.gender_identity and rnd() < 0.4:
                identities.append(vocab.gender_identity[gender])
            if identity_hint and rnd() < 0.4:
                identities.append(identity_hint)
            groups = vocab.identity_group
            used = {groups.get(s, s) for s in identities}
            for slug in vocab.identity_table.pick_distinct(rnd, int(rnd() * 3)):
                if groups[slug] in used or (gender == "man" and slug == "lesbian"):
                    continue
                used.add(groups[slug])
                identities.append(slug)
        communities: list[str] = []
        if vocab.community_table is not None and rnd() < 0.55:
            communities = vocab.community_table.pick_distinct(rnd, 1 + int(rnd() * rnd() * 5))

        # Money ----------------------------------------------------------------------------
        insurance: list[str] = []
        table = vocab.insurance_table(home_state)
        if table is not None and rnd() < (0.85 if prescriber else 0.6):
            insurance = table.pick_distinct(rnd, 1 + int(rnd() * 6))
        fees: dict[str, Any] = {}
        if rnd() < 0.95:
            low, high = FEE_BANDS["associate" if associate else category]
            factor = STATE_FEE_FACTOR.get(home_state, 0.95) * (
                1.1 if id(metro) in self.big_metro else 1.0
            )
            fee_min = _round5((low + (high - low) * rnd()) * factor)
            fee_max = fee_min + _FEE_SPREADS[int(rnd() * len(_FEE_SPREADS))]
            if rnd() < 0.06:
                fee_min = max(20, _round5(fee_min * 0.4))  # a low sliding-scale floor
            fees = {"min": fee_min, "max": fee_max}
        sliding = rnd() < (0.55 if associate else 0.3)
        consult = rnd() < 0.55
        if sliding:
            fees["sliding_scale"] = True
        if consult:
            fees["free_consultation"] = True
        accepting = rnd() < 0.8
        confirmed = self.dates[int(rnd() * rnd() * 540)] if rnd() < 0.85 else ""

        # Words -------------------------------------------------------------------------------
        first_name = first.split(" ")[0]
        statement = self._statement(
            rnd,
            first_name,
            issues,
            approach_slugs,
            ages,
            formats,
            years,
            metro.city if not telehealth_only else "",
            consult,
            accepting,
        )
        approaches = []
        share = 0.6 + 0.2 * rnd()  # 60-80% of a person's approaches carry a statement
        for slug in approach_slugs:
            entry: dict[str, Any] = {"slug": slug}
            if rnd() < share:
                entry["statement"] = self._approach_statement(rnd, slug, issues)
            approaches.append(entry)

        # Assemble in spec order -----------------------------------------------------------
        doc: dict[str, Any] = {
            "id": ext_id,
            "source": SOURCE,
            "name": name,
            "credentials": credentials,
            "title": title,
        }
        if pronouns:
            doc["pronouns"] = pronouns
        if gender_value:
            doc["gender"] = gender_value
        if identities:
            doc["identities"] = identities
        if communities:
            doc["communities"] = communities
        doc["statement"] = statement
        doc["approaches"] = approaches
        doc["issues"] = issues
        doc["ages"] = [ages_wanted[a] for a in ages if a in ages_wanted]
        doc["formats"] = [vocab.formats[f] for f in formats if f in vocab.formats]
        doc["languages"] = languages
        doc["licenses"] = licenses
        if rnd() < 0.6:
            base9 = str(100_000_000 + (index * 48_271 + self.npi_offset) % 100_000_000)
            doc["npi"] = npi_with_check_digit(base9)
        if offices:
            doc["offices"] = offices
            doc["in_person"] = True
        else:
            doc["in_person"] = False
        doc["telehealth"] = telehealth
        if telehealth and rnd() < 0.8:
            # The rest leave it out, so the importer's default (licence states) is exercised.
            doc["telehealth_states"] = sorted(license_states)
        if insurance:
            doc["insurance"] = insurance
        if fees:
            doc["fees"] = fees
        doc["accepting_new_clients"] = accepting
        if confirmed:
            doc["accepting_confirmed_at"] = confirmed
        doc["email"] = f"demo+{ext_id}@example.org"
        if rnd() < 0.9:
            doc["phone"] = f"({spot.area_code}) 555-01{int(rnd() * 100):02d}"
        if rnd() < 0.35:
            tail = ("", "-therapy", "-counseling", "-lcsw", "-phd")[int(rnd() * 5)]
            doc["website"] = (
                f"https://example.org/{self._slug(first_name)}-{self._slug(last)}{tail}"
            )
        return doc

    def _license(
        self, choice: _LicenseChoice, status: str, state: str, kind: LicenseKind
    ) -> dict[str, Any]:
        rnd = self.rng.random
        digits = 5 + int(rnd() * 3)
        number = str(int(10 ** (digits - 1) + rnd() * 9 * 10 ** (digits - 1)))
        lic: dict[str, Any] = {"type": choice.label, "number": number, "state": state,
                               "status": status}  # fmt: skip
        if status == "associate":
            # The supervisor holds that state's independent licence of the same profession.
            sup = self.vocab.same_kind_in(state, kind, "licensed")
            sup_label = sup[0].label if sup else "LCSW"
            table = self.first_names["woman" if rnd() < 0.7 else "man"]
            surnames = self.surname_groups.pick(rnd)[0]
            lic["supervisor"] = (
                f"{table.pick(rnd)} {surnames[int(rnd() * len(surnames))]}, {sup_label}"
            )
        return lic

    def _office(self, spot: ZipSpot, rnd: Any, *, full: bool = False) -> dict[str, Any]:
        """An office at a real ZIP; some lack a city, a ZIP or a street, as real data does."""
        r = 0.0 if full else rnd()
        street = f"{100 + int(rnd() * 9800)} {STREETS[int(rnd() * len(STREETS))]} {STREET_TYPES.pick(rnd)}"
        if rnd() < 0.5:
            street += f", Suite {(1 + int(rnd() * 6)) * 100 + int(rnd() * 20)}"
        if r < 0.76:
            office = {"address": street, "city": spot.city, "state": spot.state, "zip": spot.zip}
            if rnd() < 0.35:
                # Geocoded to the building: a little off the ZIP centroid, kept on export.
                office["lat"] = round(spot.lat + (rnd() - 0.5) * 0.02, 5)
                office["lon"] = round(spot.lon + (rnd() - 0.5) * 0.02, 5)
            return office
        if r < 0.86:
            return {"city": spot.city, "state": spot.state, "zip": spot.zip}
        if r < 0.93:
            # City but no ZIP: the geocoder falls back to the city centroid.
            return {"address": street, "city": spot.city, "state": spot.state}
        if r < 0.965:
            return {"state": spot.state, "zip": spot.zip}  # ZIP only: "Title in Washington"
        return {"zip": spot.zip}

    # Statements ---------------------------------------------------------------------

    def _who(self, rnd: Any, ages: list[str], formats: list[str]) -> str:
        options = []
        if "children" in ages:
            options.append(("children and their families", "kids and the parents who love them",
                            "children and parents")[int(rnd() * 3)])  # fmt: skip
        if "teens" in ages:
            options.append(
                ("teens", "teenagers", "adolescents", "teens and young adults")[int(rnd() * 4)]
            )
        if "adults" in ages:
            options.append(("adults", "adults", "young adults", "adults in their twenties and thirties",
                            "busy professionals", "midlife adults", "college students",
                            "new parents", "people in helping professions")[int(rnd() * 9)])  # fmt: skip
        if "older" in ages:
            options.append(("older adults", "people in later life")[int(rnd() * 2)])
        if "couples" in formats:
            options.append(("couples", "partners", "couples at every stage")[int(rnd() * 3)])
        if "family" in formats and rnd() < 0.5:
            options.append("families")
        if len(options) > 2:
            a = int(rnd() * len(options))
            b = (a + 1 + int(rnd() * (len(options) - 1))) % len(options)
            options = [options[min(a, b)], options[max(a, b)]]
        if not options:
            return "adults"
        if len(options) == 2 and (" and " in options[0] or " and " in options[1]):
            return f"{options[0]} as well as {options[1]}"
        return " and ".join(options)

    def _approach_label(self, rnd: Any, slug: str) -> str:
        labels = self.vocab.approach_labels.get(slug) or (slug.replace("-", " "),)
        return labels[int(rnd() * len(labels))]

    def _statement(
        self,
        rnd: Any,
        first: str,
        issues: list[str],
        approaches: list[str],
        ages: list[str],
        formats: list[str],
        years: int,
        city: str,
        consult: bool,
        accepting: bool,
    ) -> str:
        phrase = self.vocab.issue_phrase
        picked = [phrase.get(s, s.replace("-", " ")) for s in issues[:3]]
        while len(picked) < 3:
            picked.append(("stress", "life changes", "relationships")[len(picked)])
        a1 = self._approach_label(rnd, approaches[0]) if approaches else "talk therapy"
        a2 = (
            self._approach_label(rnd, approaches[1]) if len(approaches) > 1
            else ("mindfulness", "skills practice", "plain conversation")[int(rnd() * 3)]
        )  # fmt: skip
        n_adj = len(ADJECTIVES)
        j = int(rnd() * n_adj)
        slots = {
            "who": self._who(rnd, ages, formats), "i1": picked[0], "i2": picked[1],
            "i3": picked[2], "a1": a1, "a2": a2, "adj1": ADJECTIVES[j],
            "adj2": ADJECTIVES[(j + 1 + int(rnd() * (n_adj - 2))) % n_adj],
            "adj3": ADJECTIVES[(j + n_adj - 1) % n_adj], "first": first,
            "years": f"{years} years" if years > 1 else "the past year",
            "since": REFERENCE_DATE.year - years, "city": city or "this area",
            "years2": 3 + int(rnd() * 20),
        }  # fmt: skip
        if slots["adj2"] == slots["adj1"]:
            slots["adj2"] = "kind"
        sentences = [
            OPENINGS[int(rnd() * len(OPENINGS))].format_map(slots),
            APPROACH_LINES[int(rnd() * len(APPROACH_LINES))].format_map(slots),
        ]
        variants = MIDDLE_VARIANTS[int(rnd() * len(MIDDLE_VARIANTS))]
        middle = variants[int(rnd() * len(variants))]
        variants = BACKGROUND_VARIANTS[int(rnd() * len(BACKGROUND_VARIANTS))]
        background = variants[int(rnd() * len(variants))]
        if "{" in background:
            background = background.format_map(slots)
        if not accepting and rnd() < 0.5:
            closing = CLOSINGS_FULL[int(rnd() * len(CLOSINGS_FULL))]
        elif consult and rnd() < 0.5:
            closing = CLOSINGS_CONSULT[int(rnd() * len(CLOSINGS_CONSULT))]
        else:
            closing = CLOSINGS[int(rnd() * len(CLOSINGS))]
        # Order varies a little, as people's do.
        if rnd() < 0.5:
            sentences.append(middle)
            sentences.append(background)
        else:
            if rnd() < 0.3:
                sentences.insert(1, background)
            else:
                sentences.append(background)
            sentences.append(middle)
        # 40-90 words: drop or add sentences to land in range.
        words = sum(s.count(" ") + 1 for s in sentences) + closing.count(" ") + 1
        if words > 90:
            sentences.pop()
            words = sum(s.count(" ") + 1 for s in sentences) + closing.count(" ") + 1
        while words < 40:
            variants = MIDDLE_VARIANTS[int(rnd() * len(MIDDLE_VARIANTS))]
            extra = variants[int(rnd() * len(variants))]
            sentences.append(extra)
            words += extra.count(" ") + 1
        split = rnd()
        if split < 0.35:
            text = " ".join(sentences) + "\n\n" + closing
        elif split < 0.55 and len(sentences) > 2:
            text = " ".join(sentences[:2]) + "\n\n" + " ".join(sentences[2:]) + " " + closing
        else:
            text = " ".join(sentences) + " " + closing
        if rnd() < 0.05:
            # Some people write a lot: long enough to need "Read more".
            paragraphs = [text]
            order = list(range(len(EXTRA_PARAGRAPHS)))
            start = int(rnd() * len(order))
            for k in range(len(order)):
                paragraphs.append(
                    EXTRA_PARAGRAPHS[(start + k) % len(order)].format(
                        belief_cap=BELIEFS[int(rnd() * len(BELIEFS))].capitalize(), **slots
                    )
                )
                if sum(len(p) for p in paragraphs) > 1150:
                    break
            text = "\n\n".join(paragraphs)
        return text[0].upper() + text[1:]

    def _approach_statement(self, rnd: Any, slug: str, issues: list[str]) -> str:
        phrase = self.vocab.issue_phrase
        issue = phrase.get(issues[int(rnd() * len(issues))], "stress") if issues else "stress"
        variants = APPROACH_STATEMENT_VARIANTS[int(rnd() * len(APPROACH_STATEMENT_VARIANTS))]
        text = variants[int(rnd() * len(variants))].format(
            a=self._approach_label(rnd, slug), issue=issue
        )
        # 20-60 words: short ones get a sentence or two more.
        words = text.count(" ") + 1
        n = len(ELABORATIONS)
        k = int(rnd() * n)
        while words < 20 or (words < 30 and rnd() < 0.4):
            extra = ELABORATIONS[k % n]
            if extra not in text:
                text += " " + extra
                words += extra.count(" ") + 1
            k += 1
        return text[0].upper() + text[1:]


def generate_documents(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """`n` demo documents for `seed`: the same every time, and a prefix of any longer run."""
    generator = DemoGenerator(seed)
    for index in range(n):
        yield generator.document(index)


def iter_numbered(documents: Iterable[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, document) pairs, as the importer takes them; numbers start at 1."""
    return enumerate(documents, start=1)
