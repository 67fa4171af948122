"""Property tests: the columnar search and the plain ORM oracle agree on random data.

Each example builds a small random directory (profiles near a few centres,
including Alaska past the 180th meridian and Hawaii; some with two offices,
some online only), rebuilds the index and runs a few random queries through
both `search.search` and `oracle.oracle_search`: the page of ids in order,
the total, every facet count and every flag count must be identical, and
so must `count()`, `term_counts()` and the counts relaxations announce.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from rapport.core import geo
from rapport.directory import index as ix
from rapport.directory import search as s
from rapport.directory.facets import TERM_FIELDS
from rapport.directory.fulltext import fulltext_sync
from rapport.directory.models import (
    ApproachStatement,
    License,
    Office,
    Status,
    TherapistProfile,
)
from rapport.directory.search import bitmaps
from rapport.directory.search import text as search_text
from rapport.taxonomy.models import Kind, Term

from .oracle import oracle_search, oracle_term_counts, search_view

TODAY = dt.date(2025, 6, 15)

# A ZIP that does not exist, at the 180th meridian (west of Adak): no real ZIP
# lies there, and the radius query must still wrap around it.
MERIDIAN_ZIP = "99999"
MERIDIAN = geo.Place(51.95, 179.95, "Meridian", "AK", MERIDIAN_ZIP)

# Centres of the offices: (lat, lon, state).
CENTRES = (
    (47.2545, -122.4405, "WA"),  # Tacoma 98402
    (45.5207, -122.6888, "OR"),  # Portland 97205
    (21.3179, -157.8521, "HI"),  # Honolulu 96813
    (51.8549, -177.0888, "AK"),  # Adak 99546
    (MERIDIAN.lat, MERIDIAN.lon, "AK"),  # on the 180th meridian
)
LOCATIONS = (
    "", "98402", "98402", "Tacoma, WA", "Tacoma", "98101", "97205", "97205", "Portland, OR",
    "WA", "Oregon", "96813", "96813", "HI", "99546", "99546", "AK", MERIDIAN_ZIP, MERIDIAN_ZIP,
    "Springfield", "no such place",
)  # fmt: skip
TELE_STATES = ("WA", "OR", "HI", "AK", "CA")
# Another centre in the same state: its search reuses the facet counts kept for
# the state's online candidates (search._facet_tally) and must still agree.
SIBLINGS = {
    "98402": "98101", "Tacoma, WA": "98101", "Tacoma": "98101", "98101": "98402",
    "97205": "Portland, OR", "Portland, OR": "97205", "99546": MERIDIAN_ZIP, MERIDIAN_ZIP: "99546",
}  # fmt: skip

# Real slugs from rapport/taxonomy/data/*.toml (loaded by migrations).
OPTIONS: dict[str, tuple[str, ...]] = {
    "issues": ("anxiety", "depression", "panic-attacks", "stress"),
    "approaches": (
        "cognitive-behavioral-therapy",
        "dialectical-behavior-therapy",
        "acceptance-and-commitment-therapy",
    ),
    "insurance": ("aetna", "cigna", "optum"),
    "languages": ("en", "es", "vi"),
    "identities": ("black", "latine", "asian"),
    "communities": ("lgbtq-affirming", "trans-affirming"),
    "ages": ("children", "teens", "adults"),
    "formats": ("individual", "couples", "group"),
    "license_types": ("lmft", "lcsw", "psychologist", "lmhc"),
}
M2M_FIELDS = ("issues", "insurance", "languages", "identities", "communities", "ages", "formats")
GENDER_VALUES = ("", "woman", "man", "nonbinary", "two-spirit")
NAMES = ("Sam Taylor", "Jo Rivers", "Ana Garden", "Lee Park")
WORDS = ("garden", "river", "calm", "worry", "grief", "anxiety")
TEXTS = (
    "garden", "river calm", "anxiety", "CBT for anxiety", "worry garden", "gard", "ana gar",
    "anxiety & depression", "\"unbalanced AND (x* OR", "NEAR(river calm)",
    # Typos (search.text.correct_text): of a term, of a common word, quoted, one of two.
    "anxeity", "gardn", "calm rivr", "\"gardn\"", "CBT for anxeity", "anxeity zzqqz",
)  # fmt: skip

LONG = "I help people find their footing again after hard seasons of life. " * 4  # > 200 chars


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


office_st = st.fixed_dictionaries(
    {
        "centre": st.integers(0, len(CENTRES) - 1),
        # Mostly within the radii searched, some far out.
        "miles": st.one_of(st.floats(0, 30, allow_nan=False), st.floats(0, 120, allow_nan=False)),
        "bearing": st.floats(0, 360, allow_nan=False),
        "located": st.sampled_from([True, True, True, False]),
    }
)

profile_st = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        "words": st.lists(st.sampled_from(WORDS), max_size=2),
        "long": st.booleans(),
        "status": st.sampled_from([Status.PUBLISHED] * 5 + [Status.DRAFT, Status.SUSPENDED]),
        "in_person": st.sampled_from([True, True, False]),
        "telehealth": st.sampled_from([True, True, False]),
        "tele_states": st.lists(st.sampled_from(TELE_STATES), max_size=3, unique=True),
        "offices": st.one_of(
            st.lists(office_st, min_size=1, max_size=2), st.lists(office_st, max_size=2)
        ),
        "terms": st.fixed_dictionaries(
            {name: st.lists(st.sampled_from(OPTIONS[name]), unique=True) for name in M2M_FIELDS}
        ),
        "approaches": st.lists(
            st.tuples(st.sampled_from(OPTIONS["approaches"]), st.booleans()),
            max_size=2,
            unique_by=lambda a: a[0],
        ),
        "licenses": st.lists(
            st.tuples(st.sampled_from(OPTIONS["license_types"]), st.booleans()), max_size=2
        ),
        "gender": st.sampled_from(GENDER_VALUES),
        "fee_min": st.one_of(st.none(), st.integers(0, 250)),
        "sliding_scale": st.booleans(),
        "free_consultation": st.booleans(),
        "accepting": st.sampled_from([True, True, True, False]),
        "confirmed_days_ago": st.one_of(st.none(), st.integers(-5, 220)),
        "phone": st.booleans(),
    }
)


@st.composite
def query_st(draw: st.DrawFn) -> s.SearchQuery:
    # Up to two restrictions beyond place and mode, so most queries find something.
    kinds = [*OPTIONS, "genders", "max_fee", *s.BOOL_FILTERS, "text"]
    chosen: dict[str, object] = {}
    for name in draw(st.sets(st.sampled_from(kinds), max_size=2)):
        if name in OPTIONS or name == "genders":
            pool = GENDER_VALUES[1:4] if name == "genders" else OPTIONS[name]
            chosen[name] = tuple(
                draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True))
            )
        elif name == "max_fee":
            chosen[name] = draw(st.integers(0, 250))
        elif name == "text":
            chosen[name] = draw(st.sampled_from(TEXTS))
        else:
            chosen[name] = True
    return s.SearchQuery(
        location=draw(st.sampled_from(LOCATIONS)),
        radius=draw(st.sampled_from(s.RADII)),
        mode=draw(st.sampled_from(s.MODES)),
        accepting=draw(st.sampled_from([True, True, False])),
        sort=draw(st.sampled_from(s.PAGE_SORTS)),
        page=draw(st.sampled_from([1, 1, 2])),
        per_page=5,
        **chosen,  # type: ignore[arg-type]
    )


@pytest.fixture
def terms() -> dict[tuple[str, str], Term]:
    wanted = {(kind, slug) for name, kind in TERM_FIELDS.items() for slug in OPTIONS[name]}
    found = {(t.kind, t.slug): t for t in Term.objects.all() if (t.kind, t.slug) in wanted}
    assert set(found) == wanted, f"missing taxonomy terms: {wanted - set(found)}"
    return found


@pytest.fixture(autouse=True)
def isolated_index(tmp_path, monkeypatch):
    """Snapshots in a temporary directory, a fresh process cache, and the meridian ZIP."""
    monkeypatch.setenv("RAPPORT_INDEX_DIR", str(tmp_path / "index"))
    real_lookup = geo.lookup_zip

    def lookup_zip(value: str | None) -> geo.Place | None:
        return MERIDIAN if geo.zip5(value) == MERIDIAN_ZIP else real_lookup(value)

    monkeypatch.setattr(geo, "lookup_zip", lookup_zip)
    ix.reset_for_tests()
    yield
    ix.reset_for_tests()


def profile_fields(spec: dict) -> dict:
    confirmed = spec["confirmed_days_ago"]
    return {
        "name": spec["name"],
        "statement": (LONG if spec["long"] else "Short statement.") + " " + " ".join(spec["words"]),
        "status": spec["status"],
        "in_person": spec["in_person"],
        "telehealth": spec["telehealth"],
        "telehealth_states": spec["tele_states"],
        "gender": spec["gender"],
        "fee_min": spec["fee_min"],
        "fee_max": None if spec["fee_min"] is None else spec["fee_min"] + 50,
        "sliding_scale": spec["sliding_scale"],
        "free_consultation": spec["free_consultation"],
        "accepting_new_clients": spec["accepting"],
        "accepting_confirmed_at": None
        if confirmed is None
        else TODAY - dt.timedelta(days=confirmed),
        "phone": "(253) 555-0100" if spec["phone"] else "",
    }


def write_relations(
    pairs: list[tuple[TherapistProfile, dict]], terms: dict[tuple[str, str], Term]
) -> None:
    """Offices, licences, approach statements and term links of these profiles, in bulk."""
    offices, licenses, statements, links = [], [], [], []
    through = TherapistProfile.terms.through
    for profile, spec in pairs:
        for position, office in enumerate(spec["offices"]):
            lat0, lon0, state = CENTRES[office["centre"]]
            bearing = math.radians(office["bearing"])
            lat = lat0 + office["miles"] * math.cos(bearing) / 69.09
            lon = _wrap(
                lon0 + office["miles"] * math.sin(bearing) / (69.09 * math.cos(math.radians(lat0)))
            )
            located = office["located"]
            offices.append(
                Office(
                    profile=profile,
                    position=position,
                    state=state,
                    lat=lat if located else None,
                    lon=lon if located else None,
                )
            )
        for position, (slug, verified) in enumerate(spec["licenses"]):
            licenses.append(
                License(
                    profile=profile,
                    position=position,
                    license_type=terms[(Kind.LICENSE_TYPE, slug)],
                    state="WA",
                    verified_at=dt.datetime(2025, 1, 2, tzinfo=dt.UTC) if verified else None,
                )
            )
        for position, (slug, wrote) in enumerate(spec["approaches"]):
            statements.append(
                ApproachStatement(
                    profile=profile,
                    position=position,
                    approach=terms[(Kind.APPROACH, slug)],
                    statement="How I use it, in my own words." if wrote else "",
                )
            )
        for name in M2M_FIELDS:
            kind = TERM_FIELDS[name]
            links += [
                through(therapistprofile_id=profile.pk, term_id=terms[(kind, slug)].pk)
                for slug in spec["terms"][name]
            ]
    Office.objects.bulk_create(offices)
    License.objects.bulk_create(licenses)
    ApproachStatement.objects.bulk_create(statements)
    through.objects.bulk_create(links)


def build(specs: list[dict], terms: dict[tuple[str, str], Term]) -> list[TherapistProfile]:
    """Replace every profile with these (bulk ORM writes: fast enough for 60 examples)."""
    TherapistProfile.objects.all().delete()
    profiles = TherapistProfile.objects.bulk_create(
        [
            TherapistProfile(
                source="prop", external_id=f"p{n}", slug=f"p-{n}", **profile_fields(spec)
            )
            for n, spec in enumerate(specs)
        ]
    )
    write_relations(list(zip(profiles, specs, strict=True)), terms)
    fulltext_sync()
    ix.index_touch(None)
    return profiles


_added = itertools.count()


def edit(
    profiles: list[TherapistProfile], edits: list[tuple], terms: dict[tuple[str, str], Term]
) -> set[int]:
    """Apply edits the way writers do (ORM writes, then index_touch of the ids): the delta path."""
    changed: set[int] = set()
    rewritten: dict[int, tuple[TherapistProfile, dict]] = {}
    for op, index, spec in edits:
        if op == "add" or not profiles:
            n = next(_added)
            profile = TherapistProfile.objects.create(
                source="prop", external_id=f"new{n}", slug=f"new-{n}", **profile_fields(spec)
            )
            profiles.append(profile)
            rewritten[profile.pk] = (profile, spec)
            changed.add(profile.pk)
            continue
        profile = profiles[index % len(profiles)]
        changed.add(profile.pk)
        if op == "delete":
            TherapistProfile.objects.filter(pk=profile.pk).delete()
            profiles.remove(profile)
            rewritten.pop(profile.pk, None)
        elif op == "status":
            TherapistProfile.objects.filter(pk=profile.pk).update(status=spec["status"])
        else:  # rewrite everything search sees
            TherapistProfile.objects.filter(pk=profile.pk).update(**profile_fields(spec))
            rewritten[profile.pk] = (profile, spec)
    for profile, _spec in rewritten.values():
        for related in (Office, License, ApproachStatement):
            related.objects.filter(profile_id=profile.pk).delete()
        profile.terms.clear()
    write_relations(list(rewritten.values()), terms)
    fulltext_sync(sorted(changed))
    ix.index_touch(sorted(changed))
    return changed


def check(query: s.SearchQuery) -> None:
    expected = oracle_search(query, TODAY)
    result = s.search(query, today=TODAY)
    actual = search_view(result)
    event(f"total {'0' if not expected[1] else '1-5' if expected[1] <= 5 else '>5'}")
    event(f"{query.sort} sort, page of {min(len(expected[0]), 2)}+")
    labels = ("ids (page, in order)", "total", "facet counts", "flag counts")
    for label, want, got in zip(labels, expected, actual, strict=True):
        assert got == want, (
            f"{label} differ for {query!r}:\n oracle {want}\n search {got}\n{describe()}"
        )
    assert s.count(query, today=TODAY) == expected[1], f"count() differs for {query!r}"
    check_distances(result)
    # Each offered relaxation finds the number of results it announces.
    for relaxation in result.relaxations:
        assert relaxation.count == oracle_search(relaxation.query, TODAY)[1], (
            f"relaxation {relaxation.label!r} of {query!r}"
        )


def check_distances(result: s.SearchResult) -> None:
    """Each result's distance (computed on demand for the page) is the great-circle
    distance to its nearest office within the radius; an online-only result shows
    none, or its nearest office anywhere when nobody is within the radius."""
    location = result.location
    for hit in result.hits:
        if location is None or not location.has_point:
            assert hit.distance is None
            continue
        profile = TherapistProfile.objects.get(pk=hit.profile.pk)
        miles = [
            geo.haversine_miles(location.lat, location.lon, o.lat, o.lon)
            for o in profile.offices.all()
            if o.lat is not None and o.lon is not None and profile.in_person
        ]
        inside = [d for d in miles if d <= result.query.radius]
        if hit.in_person and inside:
            assert hit.distance == pytest.approx(min(inside), abs=1e-9)
        elif hit.distance is not None:
            assert miles and hit.distance == pytest.approx(min(miles), abs=1e-9)


def describe() -> str:
    """The profiles in the database, briefly, for a failure message."""
    lines = []
    for p in TherapistProfile.objects.prefetch_related(
        "offices", "licenses__license_type", "approach_statements__approach", "terms"
    ).order_by("id"):
        offices = [(o.lat, o.lon, o.state) for o in p.offices.all()]
        lines.append(
            f"  #{p.pk} {p.status} in_person={p.in_person} tele={p.telehealth}"
            f"{p.telehealth_states} offices={offices} fee={p.fee_min}"
            f" accepting={p.accepting_new_clients} gender={p.gender!r}"
            f" terms={sorted(t.slug for t in p.terms.all())}"
            f" approaches={[(a.approach.slug, bool(a.statement)) for a in p.approach_statements.all()]}"
            f" licences={[(x.license_type.slug, x.verified_at is not None) for x in p.licenses.all()]}"
        )
    return "\n".join(lines)


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    # A term whose profiles were all edited away keeps its row, with a zero count.
    return {key: count for key, count in counts.items() if count}


# Shrinking a failure here re-creates the database hundreds of times (up to Hypothesis's
# 5-minute cap), so it is opt-in: the failure message already lists every profile.
# RAPPORT_SHRINK=1 pytest ... for a minimal example.
PHASES = (
    tuple(Phase)
    if os.environ.get("RAPPORT_SHRINK")
    else tuple(p for p in Phase if p is not Phase.shrink)
)

SETTINGS = settings(
    max_examples=60,
    phases=PHASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def random_spec(rng: random.Random) -> dict:
    """A spec like profile_st's, from a seeded generator: cheap padding past 64 profiles."""

    def some(options: tuple[str, ...] | list[str]) -> list[str]:
        return [o for o in options if rng.random() < 0.35]

    return {
        "name": rng.choice(NAMES),
        "words": some(WORDS),
        "long": rng.random() < 0.5,
        "status": Status.PUBLISHED if rng.random() < 0.85 else Status.DRAFT,
        "in_person": rng.random() < 0.7,
        "telehealth": rng.random() < 0.6,
        "tele_states": some(TELE_STATES),
        "offices": [
            {
                "centre": rng.randrange(len(CENTRES)),
                "miles": rng.uniform(0, 60),
                "bearing": rng.uniform(0, 360),
                "located": rng.random() < 0.9,
            }
            for _ in range(rng.choice([0, 1, 1, 1, 2]))
        ],
        "terms": {name: some(OPTIONS[name]) for name in M2M_FIELDS},
        "approaches": [(slug, rng.random() < 0.5) for slug in some(OPTIONS["approaches"])],
        "licenses": [(slug, rng.random() < 0.5) for slug in some(OPTIONS["license_types"])],
        "gender": rng.choice(GENDER_VALUES),
        "fee_min": rng.choice([None, rng.randrange(0, 250)]),
        "sliding_scale": rng.random() < 0.5,
        "free_consultation": rng.random() < 0.5,
        "accepting": rng.random() < 0.8,
        "confirmed_days_ago": rng.choice([None, rng.randrange(-5, 220)]),
        "phone": rng.random() < 0.5,
    }


@pytest.mark.django_db
@SETTINGS
@given(
    specs=st.lists(profile_st, min_size=12, max_size=40),
    # Beyond 64 profiles every bitmap has several words: exercises the band slicing.
    padding=st.sampled_from([0, 0, 50, 150]),
    seed=st.integers(0, 2**32 - 1),
    queries=st.lists(query_st(), min_size=1, max_size=4),
    # The band is one slice of words, runs of words or the gathered non-empty
    # words (search.bitmaps.Band): force each shape so all are held to the oracle.
    band=st.sampled_from(["default", "slice", "runs", "runs without gaps", "gather"]),
)
def test_search_agrees_with_the_oracle(terms, specs, padding, seed, queries, band) -> None:
    rng = random.Random(seed)
    build(specs + [random_spec(rng) for _ in range(padding)], terms)
    for kind in (Kind.APPROACH, Kind.ISSUE):
        assert nonzero(s.term_counts(kind)) == oracle_term_counts(kind)
    shapes = {
        "default": {},
        "slice": {"GATHER_BELOW": 0.0},
        "runs": {"GATHER_BELOW": 2.0, "MAX_RUNS": 10**6, "GATHER_WORDS": 0},
        "runs without gaps": {
            "GATHER_BELOW": 2.0, "MAX_RUNS": 10**6, "GATHER_WORDS": 0, "RUN_GAP": 0,
        },
        "gather": {"GATHER_BELOW": 2.0, "MAX_RUNS": 0},
    }  # fmt: skip
    defaults = {
        name: getattr(bitmaps.Band, name)
        for name in ("GATHER_BELOW", "MAX_RUNS", "GATHER_WORDS", "RUN_GAP")
    }
    for name, value in shapes[band].items():
        setattr(bitmaps.Band, name, value)
    try:
        for query in queries:
            check(query)
            if query.location in SIBLINGS:
                check(replace(query, location=SIBLINGS[query.location]))
    finally:
        for name, value in defaults.items():
            setattr(bitmaps.Band, name, value)


edit_st = st.tuples(
    st.sampled_from(["rewrite", "rewrite", "status", "delete", "add"]),
    st.integers(0, 150),
    profile_st,
)


@pytest.mark.django_db
@settings(SETTINGS, max_examples=25)
@given(
    specs=st.lists(profile_st, min_size=8, max_size=25),
    padding=st.sampled_from([0, 0, 100]),
    seed=st.integers(0, 2**32 - 1),
    rounds=st.lists(st.lists(edit_st, min_size=1, max_size=4), min_size=1, max_size=2),
    queries=st.lists(query_st(), min_size=1, max_size=3),
    # Full text asks the engine about every profile or about a segment's own
    # ids (search.text.TEXT_WITHIN_BELOW), and keeps each word's matches per segment.
    within_below=st.sampled_from([0, 10**9]),
)
def test_search_agrees_with_the_oracle_after_edits(
    terms, specs, padding, seed, rounds, queries, within_below
) -> None:
    """Edits reach search as a delta segment over the base snapshot (index.get_index)."""
    rng = random.Random(seed)
    profiles = build(specs + [random_spec(rng) for _ in range(padding)], terms)
    default_within_below = search_text.TEXT_WITHIN_BELOW
    search_text.TEXT_WITHIN_BELOW = within_below
    try:
        # The base snapshot, and its kept text matches, before the edits.
        for query in queries:
            check(query)
        _check_after_edits(profiles, rounds, queries, terms)
    finally:
        search_text.TEXT_WITHIN_BELOW = default_within_below


def _check_after_edits(profiles, rounds, queries, terms) -> None:
    for edits in rounds:
        edit(profiles, edits, terms)
        state = ix.get_index()
        assert state.delta is not None, "expected the delta path, got a full rebuild"
        for kind in (Kind.APPROACH, Kind.ISSUE):
            assert nonzero(s.term_counts(kind)) == oracle_term_counts(kind)
        for query in queries:
            check(query)


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(
        st.one_of(
            st.integers(0, 2**64 - 1),
            st.sampled_from([0, 1, 2**63, 2**64 - 1, 0xFF00, 0x8000000000000001]),
        ),
        max_size=40,
    )
)
def test_set_bits_agrees_with_unpacking_every_bit(words) -> None:
    # The byte-table fast path against the obvious way: every bit unpacked.
    bitmap = np.array(words, dtype=np.uint64)
    expected = np.flatnonzero(np.unpackbits(bitmap.view(np.uint8), bitorder="little"))
    assert ix.set_bits(bitmap).tolist() == expected.tolist()
    # ...and against the bit numbers written by bitmap_from_positions.
    if len(expected):
        assert ix.set_bits(ix.bitmap_from_positions(expected, len(words) * 64)).tolist() == (
            expected.tolist()
        )
