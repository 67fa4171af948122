"""The in-process columnar search index over published profiles.

Why: in the densest metro at a million profiles every row-at-a-time SQL plan
costs ~190 ms; a vectorised pass over columns costs a few (performance.md).
The database stays the source of truth; this is a cache of what search needs.

Layout of one `Segment` (profiles at positions 0..P-1):
- profiles are ordered by the state of their first office (telehealth-only
  profiles by their first telehealth state), then by the other states they
  offer online sessions in, then by that office's latitude.
  A place's candidates (the offices in a radius, the state's online
  therapists) then sit in a few short runs of positions, and every bitmap
  operation of a search touches only those words (`search._Band`);
- `bits[R, W]` holds one bitmap (W 64-bit words over P positions) per
  facet option (each used issue, approach, insurer, language, ...), per flag
  (accepting, telehealth, in person, ...), per gender, per telehealth state
  and per office state. A filter is an OR of rows, a query an AND of filters,
  and a facet count one popcount per row over the band. The rows that facet
  counts read come first (`counted_rows`), so all counts are one block pass;
- office points (a profile with two offices has two) sorted by latitude, for
  the radius query's `searchsorted` slice;
- per-profile columns: id, fees, completeness, confirmation date.

Freshness: a snapshot is built from the database and saved as .npy files that
other worker processes memory-map. Writes that change what search sees call
`index_touch()` in their transaction; each request reads the newest version
row (one indexed query) and, if it moved, the process either applies the
changed profiles as a small delta segment or reloads a full snapshot. That row
is the only signal between processes and app servers, and it and the builds
are read from the primary even with a replica (docs/decisions.md, "Several app
servers").
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from rapport.core.replica import primary
from rapport.core.states import STATE_CODES
from rapport.taxonomy import hierarchy
from rapport.taxonomy.models import Kind, Term

from .facets import FACETS, GENDERS
from .models import ApproachStatement, License, Office, Status, TherapistProfile

logger = logging.getLogger(__name__)

# Namespaces of the facets backed by taxonomy terms, in the facet table's order
# (facets.py): the order their rows are stored in.
TERM_FACETS: tuple[str, ...] = tuple(facet.namespace for facet in FACETS if facet.kind)
FLAGS: tuple[str, ...] = (
    "accepting", "telehealth", "in_person", "sliding_scale", "free_consultation", "verified",
)  # fmt: skip
# Namespaces whose every row gets a count on the search page (every facet's, then the
# flags); stored first.
COUNTED: tuple[str, ...] = (*(facet.namespace for facet in FACETS), "flag")
# Above this many changed profiles, a fresh snapshot is cheaper than a delta.
DELTA_LIMIT = 20_000
_ONE = np.uint64(1)
_NO_ROWS: tuple[list[str], np.ndarray] = ([], np.empty(0, dtype=np.intp))


# --- Bitmap helpers -------------------------------------------------------------


def words_for(nbits: int) -> int:
    return max((nbits + 63) // 64, 1)


def bitmap_from_positions(positions: np.ndarray, nbits: int) -> np.ndarray:
    flags = np.zeros(words_for(nbits) * 64, dtype=bool)
    flags[positions] = True
    return np.packbits(flags, bitorder="little").view(np.uint64)


# Per byte value, the offsets (0-7) of its set bits, padded with 8.
_BYTE_BITS = np.array(
    [
        [b for b in range(8) if value >> b & 1] + [8] * (8 - value.bit_count())
        for value in range(256)
    ],
    dtype=np.int64,
)


def set_bits(words: np.ndarray) -> np.ndarray:
    """The numbers of the set bits of a bitmap (64 per word, ascending).

    Byte by byte through a table: only non-empty bytes are expanded. Unpacking
    every bit first cost twice as much over a state's band (~2,800 words,
    ~5,000 bits set: 0.26 -> 0.12 ms). Bit i of a word is byte i // 8 of it, as
    in `bitmap_from_positions`, on the little-endian machines numpy runs on here.
    """
    data = np.ascontiguousarray(words).view(np.uint8)
    at = np.flatnonzero(data)
    offsets = _BYTE_BITS[data[at]]
    return ((at << 3)[:, None] + offsets)[offsets < 8]


def popcount(words: np.ndarray) -> int:
    return int(np.bitwise_count(words).sum())


# --- A segment: one immutable columnar block --------------------------------------


@dataclass
class Segment:
    ids: np.ndarray  # int64 [P] profile ids by position
    fee_min: np.ndarray  # int32 [P], -1 when unknown
    fee_max: np.ndarray  # int32 [P], -1 when unknown
    completeness: np.ndarray  # float32 [P] in 0..1
    confirmed: np.ndarray  # int32 [P] date ordinal of "accepting" confirmation, 0 when never
    bits: np.ndarray  # uint64 [R, W]
    pt_lat: np.ndarray  # float64 [O] office points sorted by latitude
    pt_lon: np.ndarray  # float64 [O]
    pt_pos: np.ndarray  # int32 [O] profile position of each point
    rows: dict[str, dict[str, int]]  # namespace -> key -> bitmap row
    id_order: np.ndarray = field(default=None)  # type: ignore[assignment]  # argsort of ids
    # Full-text matches per query word, kept while this segment lives (search/text.py).
    text_cache: OrderedDict = field(default_factory=OrderedDict, repr=False, compare=False)
    # Facet counts of the centre-independent part of searches, kept likewise (search/counts.py).
    tally_cache: OrderedDict = field(default_factory=OrderedDict, repr=False, compare=False)
    # Small lookups search (search/counts.py) derives from the layout (row runs per set of facets).
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.id_order is None:
            self.id_order = np.argsort(self.ids, kind="stable")
        # Row indexes per namespace as arrays, and how many leading rows the
        # facet counts read (older snapshots may interleave: then more).
        self.namespace_rows: dict[str, tuple[list[str], np.ndarray]] = {
            namespace: (list(keys), np.fromiter(keys.values(), dtype=np.intp, count=len(keys)))
            for namespace, keys in self.rows.items()
        }
        counted = [int(r.max()) for ns, (_k, r) in self.namespace_rows.items()
                   if ns in COUNTED and len(r)]  # fmt: skip
        self.counted_rows = max(counted) + 1 if counted else 0

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def words(self) -> int:
        return self.bits.shape[1]

    def row(self, namespace: str, key: str) -> np.ndarray | None:
        index = self.rows.get(namespace, {}).get(key)
        return None if index is None else self.bits[index]

    def namespace(self, namespace: str) -> tuple[list[str], np.ndarray]:
        """The keys of a namespace and their bitmap rows (none when no profile has one)."""
        return self.namespace_rows.get(namespace, _NO_ROWS)

    @cached_property
    def _points_by_profile(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.pt_pos, kind="stable")
        # int64 like the positions searched for: with int32 here, every
        # searchsorted would first copy the whole array to int64 (~1.5 ms at 1M).
        return order, self.pt_pos[order].astype(np.int64)

    @cached_property
    def _sorted_ids(self) -> np.ndarray:
        return self.ids[self.id_order]

    def points_of(self, positions: np.ndarray) -> np.ndarray:
        """Indexes of the office points of the profiles at these positions."""
        order, by_profile = self._points_by_profile
        positions = np.asarray(positions, dtype=np.int64)
        lo = np.searchsorted(by_profile, positions, side="left")
        counts = np.searchsorted(by_profile, positions, side="right") - lo
        total = int(counts.sum())
        if not total:
            return np.empty(0, dtype=np.int64)
        # lo[i], lo[i]+1, ..., lo[i]+counts[i]-1 for every i, without a Python loop.
        starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
        return order[starts + np.arange(total)]

    def positions_of(self, profile_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Positions of the given profile ids that are in this segment."""
        return self.locate(profile_ids)[0]

    def locate(self, profile_ids: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the ids in this segment, which of the given ids those are)."""
        wanted = np.asarray(profile_ids, dtype=np.int64)
        if not len(self.ids) or not len(wanted):
            return np.empty(0, dtype=np.int64), np.zeros(len(wanted), dtype=bool)
        sorted_ids = self._sorted_ids
        at = np.clip(np.searchsorted(sorted_ids, wanted), 0, len(sorted_ids) - 1)
        found = sorted_ids[at] == wanted
        return self.id_order[at[found]].astype(np.int64), found

    # --- persistence (memory-mapped snapshots) ---

    _ARRAYS = ("ids", "fee_min", "fee_max", "completeness", "confirmed", "bits",
               "pt_lat", "pt_lon", "pt_pos", "id_order")  # fmt: skip

    def save(self, directory: Path) -> None:
        tmp = directory.with_name(directory.name + f".tmp-{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        for name in self._ARRAYS:
            np.save(tmp / f"{name}.npy", getattr(self, name))
        (tmp / "rows.json").write_text(json.dumps(self.rows))
        try:
            tmp.rename(directory)  # atomic: readers see a whole snapshot or none
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # another process saved it first

    @classmethod
    def load(cls, directory: Path) -> Segment:
        # Plain ndarray views of the mapped files: the np.memmap subclass costs a
        # Python call per slice, and a search slices hundreds of bitmaps.
        arrays = {
            name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r"))
            for name in cls._ARRAYS
        }
        rows = json.loads((directory / "rows.json").read_text())
        return cls(rows=rows, **arrays)


# --- Building a segment from the database ------------------------------------------------


def _fetch(sql: str, params: Sequence[object], dtype: list[tuple[str, str]]) -> np.ndarray:
    """Run a query and return a numpy record array, fetching in chunks to bound memory."""
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            chunk = cursor.fetchmany(200_000)
            if not chunk:
                break
            parts.append(np.array(chunk, dtype=dtype))
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


def _id_filter(column: str, profile_ids: Sequence[int] | None) -> tuple[str, list[object]]:
    if profile_ids is None:
        return "", []
    if not profile_ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(profile_ids))})", list(profile_ids)


def build_segment(profile_ids: Sequence[int] | None = None) -> Segment:  # noqa: C901
    """Build from the database: every published profile, or only those of `profile_ids`."""
    p = TherapistProfile._meta.db_table
    published = Status.PUBLISHED
    id_sql, id_params = _id_filter("p.id", profile_ids)

    profiles = _fetch(
        f"SELECT p.id, COALESCE(p.fee_min, -1), COALESCE(p.fee_max, -1), p.accepting_new_clients,"
        f" p.telehealth, p.in_person, p.sliding_scale, p.free_consultation,"
        f" LENGTH(p.statement), CASE WHEN p.phone <> '' OR p.website <> '' THEN 1 ELSE 0 END"
        f" FROM {p} p WHERE p.status = %s{id_sql} ORDER BY p.id",
        [published, *id_params],
        [("id", "i8"), ("fee_min", "i4"), ("fee_max", "i4"), ("accepting", "?"),
         ("telehealth", "?"), ("in_person", "?"), ("sliding_scale", "?"),
         ("free_consultation", "?"), ("statement_len", "i4"), ("contact", "?")],
    )  # fmt: skip
    ids = profiles["id"]
    n = len(ids)

    def pos_of(profile_col: np.ndarray) -> np.ndarray:
        # Rows of child tables -> position in `ids` (sorted, so searchsorted).
        return np.searchsorted(ids, profile_col)

    # Small per-profile columns the SQL above cannot give as numbers.
    genders = np.zeros(n, dtype=np.int8)
    tele_states: list[list[str]] = [[] for _ in range(n)]
    confirmed = np.zeros(n, dtype=np.int32)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, p.gender, p.telehealth_states, p.accepting_confirmed_at FROM {p} p"
            f" WHERE p.status = %s{id_sql} ORDER BY p.id",
            [published, *id_params],
        )
        gender_code = {g: i + 1 for i, g in enumerate(GENDERS)}
        for i, (_pid, gender, states, confirmed_at) in enumerate(cursor.fetchall()):
            genders[i] = gender_code.get(gender, 0)
            if states:
                tele_states[i] = states if isinstance(states, list) else json.loads(states)
            if confirmed_at:
                if isinstance(confirmed_at, str):
                    confirmed_at = dt.date.fromisoformat(confirmed_at)
                confirmed[i] = confirmed_at.toordinal()

    o = Office._meta.db_table
    offices = _fetch(
        f"SELECT o.profile_id, o.lat, o.lon, o.position, o.state FROM {o} o JOIN {p} p"
        f" ON p.id = o.profile_id WHERE p.status = %s{id_sql}",
        [published, *id_params],
        [("profile_id", "i8"), ("lat", "f8"), ("lon", "f8"), ("position", "i4"), ("state", "U2")],
    )
    # Nulls arrive as NaN in float columns.
    links = _fetch(
        f"SELECT l.therapistprofile_id, l.term_id FROM {TherapistProfile.terms.through._meta.db_table} l"
        f" JOIN {p} p ON p.id = l.therapistprofile_id WHERE p.status = %s{id_sql}",
        [published, *id_params],
        [("profile_id", "i8"), ("term_id", "i8")],
    )
    approaches = _fetch(
        f"SELECT a.profile_id, a.approach_id, CASE WHEN a.statement <> '' THEN 1 ELSE 0 END"
        f" FROM {ApproachStatement._meta.db_table} a JOIN {p} p ON p.id = a.profile_id"
        f" WHERE p.status = %s{id_sql}",
        [published, *id_params],
        [("profile_id", "i8"), ("term_id", "i8"), ("has_statement", "?")],
    )
    licenses = _fetch(
        f"SELECT l.profile_id, l.license_type_id, CASE WHEN l.verified_at IS NULL THEN 0 ELSE 1 END"
        f" FROM {License._meta.db_table} l JOIN {p} p ON p.id = l.profile_id"
        f" WHERE p.status = %s{id_sql}",
        [published, *id_params],
        [("profile_id", "i8"), ("term_id", "i8"), ("verified", "?")],
    )

    # Order profiles by the state of their first located office (else their
    # first telehealth state), then by its latitude: see the module docstring.
    state_codes = np.array(sorted(STATE_CODES))
    nowhere = len(state_codes)

    def state_rank(codes: np.ndarray) -> np.ndarray:
        at = np.clip(np.searchsorted(state_codes, codes), 0, nowhere - 1)
        return np.where(state_codes[at] == codes, at, nowhere)

    first_lat = np.full(n, np.inf)
    home = np.full(n, nowhere, dtype=np.int64)
    located = offices[~np.isnan(offices["lat"])]
    if len(located):
        by_first = located[np.lexsort((located["position"], located["profile_id"]))]
        first_rows = np.unique(by_first["profile_id"], return_index=True)[1]
        at = pos_of(by_first["profile_id"][first_rows])
        first_lat[at] = by_first["lat"][first_rows]
        home[at] = state_rank(by_first["state"][first_rows])
    # Within a state, profiles who also offer online sessions in other states
    # are grouped by those states: a search in Kentucky then finds Indiana's
    # therapists licensed in Kentucky in one run of words, not scattered ones.
    elsewhere = [""] * n
    for i, states in enumerate(tele_states):
        if not states or not profiles["telehealth"][i]:
            continue
        if home[i] == nowhere:
            home[i] = state_rank(np.array(states[:1]))[0]
        here = state_codes[home[i]] if home[i] < nowhere else ""
        elsewhere[i] = " ".join(sorted(s for s in states if s != here))
    groups = np.unique(np.array(elsewhere), return_inverse=True)[1]  # "" (none) sorts first
    order = np.lexsort((first_lat, groups, home))  # position -> old index
    new_pos = np.empty(n, dtype=np.int64)
    new_pos[order] = np.arange(n)

    def placed(profile_col: np.ndarray) -> np.ndarray:
        return new_pos[pos_of(profile_col)]

    # Bitmap rows: namespace -> key -> row index.
    terms = dict(Term.objects.values_list("id", "kind"))
    slugs = dict(Term.objects.values_list("id", "slug"))
    rows: dict[str, dict[str, int]] = {}
    sets: list[np.ndarray] = []

    def add_row(namespace: str, key: str, positions: np.ndarray) -> None:
        rows.setdefault(namespace, {})[key] = len(sets)
        sets.append(positions)

    for name, mask in (
        ("accepting", profiles["accepting"]),
        ("telehealth", profiles["telehealth"]),
        ("in_person", profiles["in_person"]),
        ("sliding_scale", profiles["sliding_scale"]),
        ("free_consultation", profiles["free_consultation"]),
    ):
        add_row("flag", name, new_pos[np.flatnonzero(mask)])
    verified_ids = np.unique(licenses["profile_id"][licenses["verified"]])
    add_row("flag", "verified", placed(verified_ids))
    for code, gender in enumerate(GENDERS, start=1):
        add_row("gender", gender, new_pos[np.flatnonzero(genders == code)])

    tele_by_state: dict[str, list[int]] = {}
    for i, states in enumerate(tele_states):
        if profiles["telehealth"][i]:
            for state in states:
                tele_by_state.setdefault(state, []).append(new_pos[i])
    office_by_state: dict[str, np.ndarray] = {}
    in_person_offices = (
        offices[profiles["in_person"][pos_of(offices["profile_id"])]] if len(offices) else offices
    )
    for state in STATE_CODES:
        if state in tele_by_state:
            add_row("tele", state, np.asarray(tele_by_state[state], dtype=np.int64))
        here = in_person_offices["profile_id"][in_person_offices["state"] == state]
        if len(here):
            office_by_state[state] = placed(np.unique(here))
            add_row("office_state", state, office_by_state[state])

    def grouped(table: np.ndarray) -> Iterable[tuple[int, np.ndarray]]:
        # (term id, profile ids) per term, by one sort instead of a scan per term.
        if not len(table):
            return
        by_term = table[np.argsort(table["term_id"], kind="stable")]
        term_ids, starts = np.unique(by_term["term_id"], return_index=True)
        ends = [*starts[1:], len(by_term)]
        for term_id, start, end in zip(term_ids, starts, ends, strict=True):
            yield int(term_id), np.unique(by_term["profile_id"][start:end])

    for table in (links, approaches, licenses):
        for term_id, profile_ids_of_term in grouped(table):
            kind = terms.get(term_id, "")
            if kind in TERM_FACETS:
                add_row(kind, slugs[term_id], placed(profile_ids_of_term))
    # A broad term's row also holds the profiles listing a narrower one
    # (taxonomy.hierarchy: panic attacks count toward anxiety, a state Blue plan
    # toward Blue Cross Blue Shield), so a filter, its facet count and matching agree.
    for (kind, broad), counting in hierarchy.widened().items():
        keyed = rows.get(kind, {})
        found = [sets[keyed[s]] for s in counting if s in keyed]
        if kind in TERM_FACETS and found:
            if broad in keyed:
                sets[keyed[broad]] = np.unique(np.concatenate(found))
            else:
                add_row(kind, broad, np.unique(np.concatenate(found)))
    # Approaches the therapist wrote about, for "writes about X" ranking and explanations.
    with_statement = approaches[approaches["has_statement"]]
    for term_id, profile_ids_of_term in grouped(with_statement):
        add_row("approach_statement", slugs[term_id], placed(profile_ids_of_term))

    # The rows facet counts read first, so they are one contiguous block.
    entries = [(namespace, key, sets[r]) for namespace, keys in rows.items()
               for key, r in keys.items()]  # fmt: skip
    entries.sort(key=lambda entry: entry[0] not in COUNTED)
    rows = {}
    w = words_for(n)
    bits = np.zeros((len(entries), w), dtype=np.uint64)
    for r, (namespace, key, positions) in enumerate(entries):
        rows.setdefault(namespace, {})[key] = r
        if len(positions):
            bits[r] = bitmap_from_positions(positions, n)

    # Completeness: the share of what a person deciding needs that the profile gives.
    issue_counts = np.zeros(n, dtype=np.int32)
    issue_term_ids = np.array([t for t, k in terms.items() if k == Kind.ISSUE], dtype=np.int64)
    if len(links):
        is_issue = np.isin(links["term_id"], issue_term_ids)
        np.add.at(issue_counts, pos_of(links["profile_id"][is_issue]), 1)
    has = {
        "statement": profiles["statement_len"] >= 200,
        "approach_statement": np.isin(ids, with_statement["profile_id"]),
        "issues": issue_counts >= 3,
        "fees": (profiles["fee_min"] >= 0) | profiles["sliding_scale"],
        "license": np.isin(ids, licenses["profile_id"]),
        "place": np.isin(ids, located["profile_id"]) | profiles["telehealth"],
        "contact": profiles["contact"],
    }
    completeness = (sum(m.astype(np.float32) for m in has.values()) / len(has)).astype(np.float32)

    # Office points sorted by latitude (unlocated offices cannot be in a radius).
    # Only offices of in-person profiles: an online-only therapist who kept an
    # address is never an in-person match.
    pts = in_person_offices[~np.isnan(in_person_offices["lat"])]
    pt_order = np.argsort(pts["lat"], kind="stable")
    pts = pts[pt_order]
    return Segment(
        ids=ids[order].copy(),
        fee_min=profiles["fee_min"][order].copy(),
        fee_max=profiles["fee_max"][order].copy(),
        completeness=completeness[order],
        confirmed=confirmed[order],
        bits=bits,
        pt_lat=pts["lat"].astype(np.float64),
        pt_lon=pts["lon"].astype(np.float64),
        pt_pos=placed(pts["profile_id"]).astype(np.int32) if len(pts) else np.empty(0, np.int32),
        rows=rows,
    )


# --- Versioning: which writes the index has seen ---------------------------------------------


def index_touch(profile_ids: Iterable[int] | None) -> None:
    """Record that these profiles changed (None: everything did). Call inside the writer's transaction."""
    from .models import IndexChange, IndexVersion

    ids = None if profile_ids is None else sorted(set(profile_ids))
    full = ids is None or len(ids) > DELTA_LIMIT
    version = IndexVersion.objects.create(token=uuid.uuid4().hex, full=full)
    if not full and ids:
        IndexChange.objects.bulk_create(
            [IndexChange(version=version.pk, profile_id=pid) for pid in ids], batch_size=2000
        )


@dataclass
class IndexState:
    """What one process currently searches: a base snapshot plus a delta of changed profiles."""

    version: int
    token: str
    base: Segment
    base_version: int
    base_token: str
    dead: np.ndarray  # uint64 bitmap over base positions: profiles superseded by the delta
    delta: Segment | None
    _superseded: np.ndarray | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        # Usually nothing in the snapshot is superseded: searches then skip the
        # bitmap (a few whole-segment operations each) instead of masking with zeros.
        self._superseded = self.dead if self.dead.any() else None

    @property
    def segments(self) -> list[tuple[Segment, np.ndarray | None]]:
        parts: list[tuple[Segment, np.ndarray | None]] = [(self.base, self._superseded)]
        if self.delta is not None and self.delta.size:
            parts.append((self.delta, None))
        return parts

    @property
    def size(self) -> int:
        live = self.base.size - popcount(self.dead)
        return live + (self.delta.size if self.delta is not None else 0)


_lock = threading.Lock()
_state: IndexState | None = None


def index_dir() -> Path:
    return Path(os.environ.get("RAPPORT_INDEX_DIR", settings.DATA_DIR / "index"))


def _current_version() -> tuple[int, str, bool]:
    from .models import IndexVersion

    # Every request asks this: plain SQL, as compiling the ORM query took longer
    # than running it (~0.35 -> ~0.1 ms on SQLite). The newest row is the version.
    # `connection` is the primary even with a replica: the version never goes backwards,
    # and one process sees another's commit on its next request (docs/decisions.md).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, token, {connection.ops.quote_name('full')}"
            f" FROM {IndexVersion._meta.db_table} ORDER BY id DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return (int(row[0]), row[1], bool(row[2])) if row else (0, "", True)


def _build_state(version: int, token: str) -> IndexState:
    directory = index_dir() / f"snapshot-{version}-{token or 'empty'}"
    base: Segment | None = None
    if directory.exists():
        try:
            base = Segment.load(directory)
        except (OSError, ValueError):
            base = None
    if base is None:
        base = build_segment()
        try:
            directory.parent.mkdir(parents=True, exist_ok=True)
            base.save(directory)
            _prune_snapshots(directory)
        except OSError:
            logger.warning("search index snapshot not saved in %s", directory.parent)
    return IndexState(version, token, base, version, token, np.zeros(base.words, np.uint64), None)


def _prune_snapshots(keep: Path) -> None:
    snapshots = sorted(keep.parent.glob("snapshot-*"), key=lambda d: d.stat().st_mtime)
    for old in snapshots[:-3]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def _apply_changes(state: IndexState, version: int, token: str) -> IndexState | None:
    """Bring a state forward with a delta segment; None when a full rebuild is needed."""
    from .models import IndexChange, IndexVersion

    lineage = (
        IndexVersion.objects.filter(pk=state.base_version).values_list("token", flat=True).first()
    )
    if state.base_version == 0 or lineage != state.base_token:
        return None  # the base snapshot is not in this database's history
    if IndexVersion.objects.filter(pk__gt=state.base_version, full=True).exists():
        return None
    changed = list(
        IndexChange.objects.filter(version__gt=state.base_version)
        .values_list("profile_id", flat=True)
        .distinct()
    )
    if len(changed) > DELTA_LIMIT:
        return None
    dead_positions = state.base.positions_of(changed)
    dead = bitmap_from_positions(dead_positions, state.base.size)[: state.base.words]
    delta = build_segment(changed)
    return IndexState(version, token, state.base, state.base_version, state.base_token, dead, delta)


def get_index() -> IndexState:
    """The index as of the newest committed version: checked on every call."""
    global _state
    version, token, _full = _current_version()
    state = _state
    if state is not None and state.version == version and state.token == token:
        return state
    # Built from the primary: a replica that lags would store an older copy under this version.
    with _lock, primary():
        state = _state
        if state is not None and state.version == version and state.token == token:
            return state
        new_state = _apply_changes(state, version, token) if state is not None else None
        if new_state is None:
            new_state = _build_state(version, token)
        _state = new_state
        return new_state


def rebuild_index() -> IndexState:
    """Build a fresh snapshot now (after bulk imports); other processes load it on their next request."""
    global _state
    with transaction.atomic():
        index_touch(None)
    version, token, _ = _current_version()
    with _lock, primary():
        _state = _build_state(version, token)
        return _state


def reset_for_tests() -> None:
    from .models import forget_terms

    global _state
    with _lock:
        _state = None
    forget_terms()


def latest_change_version() -> int:
    from .models import IndexVersion

    with primary():
        return IndexVersion.objects.aggregate(v=Max("id"))["v"] or 0
