"""Centres, facet values, text terms and the scenarios of performance.md, chosen from the data.

Everything is derived from the prepared dataset with fixed rules, so the same
seed gives the same choices on SQLite and PostgreSQL:
- centres: the densest (New York, ZIP 10001), the city at the median of
  "profiles within 25 miles" over rapport/directory/data/us_cities.csv, and
  a sparse one near the 10th percentile with at least a few profiles;
- facet values: "anxiety", then the most common value of each facet;
- text terms: words of the statements at ~25% / ~3% / ~0.2% document frequency
  that are neither stop words nor taxonomy words (search turns those into facets).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace

import numpy as np

from rapport.directory import fulltext
from rapport.directory import index as ix
from rapport.directory import search as s
from rapport.directory.demo import CITIES_CSV
from rapport.directory.facets import TERM_FIELDS
from rapport.directory.search.distance import within_radius
from rapport.directory.search.text import STOPWORDS

DENSE_ZIP = "10001"
RADII = (10, 25, 50)
DEFAULT_RADIUS = 25
MIN_SPARSE = 3  # "a sparse centre with at least a few profiles"
TEXT_TARGETS = {"common": 0.25, "medium": 0.03, "rare": 0.002}
TEXT_SAMPLE = 20_000  # statements read to estimate document frequency


@dataclass
class Centre:
    key: str  # dense, median, sparse
    location: str  # what the search box gets: "10001" or "City, ST"
    state: str
    lat: float
    lon: float
    counts: dict[int, int] = field(default_factory=dict)  # radius -> profiles in person

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "location": self.location, "state": self.state,
                "lat": self.lat, "lon": self.lon, "counts": self.counts}  # fmt: skip


@dataclass
class Scenario:
    id: str
    description: str
    centre: str  # Centre.key or "state"
    radius: int
    query: s.SearchQuery

    @property
    def label(self) -> str:
        return (
            f"{self.id} {self.centre} {self.radius}mi"
            if self.centre != "state"
            else f"{self.id} state"
        )


def _profiles_within(segment: ix.Segment, lat: float, lon: float, radius: float) -> int:
    positions = within_radius(segment, lat, lon, radius)
    return len(np.unique(positions))


def choose_centres(segment: ix.Segment, *, verbose: bool = True) -> dict[str, Centre]:
    counts: list[tuple[int, str, str, s.Location]] = []
    with CITIES_CSV.open(newline="") as fh:
        for row in csv.DictReader(fh):
            # The centre search() itself uses for "City, ST".
            place = s.resolve_location(f"{row['city']}, {row['state']}").location
            if place is None or not place.has_point:
                continue
            n = _profiles_within(segment, place.lat, place.lon, DEFAULT_RADIUS)
            counts.append((n, row["city"], row["state"], place))
    counts.sort(key=lambda c: (c[0], c[1], c[2]))
    median = counts[len(counts) // 2]
    start = len(counts) // 10
    sparse = next((c for c in counts[start:] if c[0] >= MIN_SPARSE), counts[start])
    dense_place = s.resolve_location(DENSE_ZIP).location
    assert dense_place is not None and dense_place.has_point
    centres = {
        "dense": Centre("dense", DENSE_ZIP, dense_place.state, dense_place.lat, dense_place.lon),
        "median": Centre(
            "median", f"{median[1]}, {median[2]}", median[2], median[3].lat, median[3].lon
        ),
        "sparse": Centre(
            "sparse", f"{sparse[1]}, {sparse[2]}", sparse[2], sparse[3].lat, sparse[3].lon
        ),
    }
    for centre in centres.values():
        centre.counts = {r: _profiles_within(segment, centre.lat, centre.lon, r) for r in RADII}
    if verbose:
        values = [c[0] for c in counts]
        print(f"cities: {len(counts)}; profiles within 25 mi: min {values[0]}, p10"
              f" {values[len(values) // 10]}, median {values[len(values) // 2]}, max {values[-1]}")  # fmt: skip
        for centre in centres.values():
            shown = ", ".join(f"{n:,} within {r} mi" for r, n in centre.counts.items())
            print(f"  {centre.key:<7} {centre.location:<24} {shown}")
    return centres


def _popcount(segment: ix.Segment, namespace: str, key: str) -> int:
    row = segment.row(namespace, key)
    return 0 if row is None else ix.popcount(np.asarray(row))


def most_common(
    segment: ix.Segment, namespace: str, *, exclude: tuple[str, ...] = ()
) -> str | None:
    rows = segment.rows.get(namespace, {})
    ranked = sorted(((_popcount(segment, namespace, k), k) for k in rows if k not in exclude),
                    key=lambda t: (-t[0], t[1]))  # fmt: skip
    return ranked[0][1] if ranked and ranked[0][0] else None


def choose_values(segment: ix.Segment) -> dict[str, str]:
    """One value per facet: the most common (anxiety for issues)."""
    values: dict[str, str] = {}
    for name, kind in TERM_FIELDS.items():
        value = "anxiety" if name == "issues" and segment.row(kind, "anxiety") is not None else None
        value = value or most_common(segment, kind)
        if value:
            values[name] = value
    gender = most_common(segment, "gender")
    if gender:
        values["genders"] = gender
    return values


def choose_text_terms(segment: ix.Segment, *, verbose: bool = True) -> dict[str, str]:
    """Words at target document frequencies, from the first statements by id."""
    vocab = s.term_dictionary(ix.get_index())
    df, docs = s.statement_word_counts(TEXT_SAMPLE)
    if not docs:
        return {}

    def usable(word: str) -> bool:
        if len(word) < 4 or word.isdigit() or word in fulltext.STOP_WORDS or word in STOPWORDS:
            return False
        found, rest = vocab.split_text(word)
        return not found and rest == word  # not a taxonomy word (those become facets)

    chosen: dict[str, str] = {}
    for label, target in TEXT_TARGETS.items():
        want = target * docs
        ranked = sorted((w for w in df if usable(w) and w not in chosen.values()),
                        key=lambda w: (abs(df[w] - want), w))  # fmt: skip
        if ranked:
            chosen[label] = ranked[0]
    if verbose:
        shown = ", ".join(f"{k} {w!r} ({df[w] / docs:.1%} of {docs:,} statements)"
                          for k, w in chosen.items())  # fmt: skip
        print(f"text terms: {shown}")
    return chosen


def busiest_tele_state(segment: ix.Segment) -> str:
    return most_common(segment, "tele") or "CA"


def build(
    centres: dict[str, Centre],
    values: dict[str, str],
    text_terms: dict[str, str],
    tele_state: str,
    segment: ix.Segment,
    *,
    radii: tuple[int, ...] = RADII,
    text_available: bool = True,
) -> list[Scenario]:
    """Every scenario of performance.md at every centre; S0-S2 at each radius, the rest at 25."""
    issue = values.get("issues", "anxiety")
    s3_filters: dict[str, object] = {
        name: (values[name],) for name in (*TERM_FIELDS, "genders") if name in values
    }
    # Flags the data has (the demo data verifies no licence: requiring it would always give 0).
    for flag in s.BOOL_FILTERS:
        if _popcount(segment, "flag", flag):
            s3_filters[flag] = True
    fees = segment.fee_min[np.asarray(segment.fee_min) >= 0]
    s3_filters["max_fee"] = int(np.median(fees)) if len(fees) else 150

    out: list[Scenario] = []
    for key, centre in centres.items():
        base = s.SearchQuery(location=centre.location)
        for radius in radii:
            geo_only = replace(base, radius=radius)
            out.append(Scenario("S0", "geo only", key, radius, geo_only))
            s1 = replace(geo_only, issues=(issue,))
            out.append(Scenario("S1", f"+ issue {issue}", key, radius, s1))
            s2 = replace(s1, insurance=(values["insurance"],), accepting=True, mode="both")
            out.append(
                Scenario(
                    "S2", f"+ insurance {values['insurance']}, accepting, online", key, radius, s2
                )
            )
        at25 = replace(base, radius=DEFAULT_RADIUS)
        out.append(Scenario("S3", "every filter", key, DEFAULT_RADIUS, replace(at25, **s3_filters)))
        if text_available:
            for label, word in text_terms.items():
                q = replace(at25, issues=(issue,), text=word)
                out.append(
                    Scenario(f"S4-{label}", f"S1 + {label} word {word!r}", key, DEFAULT_RADIUS, q)
                )
        out.append(
            Scenario(
                "S6", "S1, page 5", key, DEFAULT_RADIUS, replace(at25, issues=(issue,), page=5)
            )
        )
    if text_available and "common" in text_terms:
        q = s.SearchQuery(location=tele_state, mode="online", text=text_terms["common"])
        out.append(Scenario("S5", f"text {text_terms['common']!r} only, telehealth in {tele_state}",
                            "state", 0, q))  # fmt: skip
    order = {"S0": 0, "S1": 1, "S2": 2, "S3": 3, "S4": 4, "S5": 5, "S6": 6}
    centre_order = {"dense": 0, "median": 1, "sparse": 2, "state": 3}
    out.sort(key=lambda sc: (order[sc.id[:2]], sc.id, centre_order[sc.centre], sc.radius))
    return out


def select(scenarios: list[Scenario], ids: str, centres: str) -> list[Scenario]:
    """Filter by comma-separated id prefixes ("S0,S4") and centre keys."""
    wanted = [w.strip() for w in ids.split(",") if w.strip()]
    keys = {c.strip() for c in centres.split(",") if c.strip()}
    return [
        sc
        for sc in scenarios
        if (not wanted or any(sc.id == w or sc.id.startswith(w) for w in wanted))
        and (not keys or sc.centre in keys or sc.centre == "state")
    ]
