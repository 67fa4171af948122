"""The profile interchange format: reading, validating, writing, exporting.

`docs/profile-format.md` is the contract. Every way a profile enters
the directory in bulk (import, demo data, later the API) goes through
`clean_document()` and `import_documents()`, so one set of rules decides what
is valid, and `export_documents()` writes exactly what the importer reads.

Import is an upsert by (source, id) in atomic batches: a crash loses at most
the batch in flight, and rerunning the same file finishes the job, counting
the already imported profiles as unchanged (a content hash decides).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import zlib
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.db import connection, transaction
from django.utils import timezone

from rapport.core.ids import profile_slug
from rapport.core.progress import Progress
from rapport.moderation.models import LicenseVerification
from rapport.moderation.verification import licenses_refresh
from rapport.taxonomy.models import Kind, Term

from . import validators as v
from .changes import is_bulk, profiles_changed
from .facets import DOCUMENT_TERM_FIELDS
from .models import (
    ApproachStatement,
    DeletedListing,
    License,
    LicenseStatus,
    Office,
    Status,
    TherapistProfile,
    slugs_moved,
)

# Spec order: export writes fields in this order.
FIELDS = (
    "id", "source", "name", "credentials", "title", "pronouns", "gender", "identities",
    "communities", "statement", "approaches", "issues", "ages", "formats", "languages",
    "licenses", "npi", "offices", "in_person", "telehealth", "telehealth_states", "insurance",
    "fees", "accepting_new_clients", "accepting_confirmed_at", "expected_wait_weeks", "email",
    "phone", "website",
)  # fmt: skip
LIST_FIELDS = {
    "identities", "communities", "issues", "ages", "formats", "languages",
    "telehealth_states", "insurance", "approaches",
}  # fmt: skip
# Simple list fields stored as Term links, with the vocabulary each draws on: the facet
# table's interchange fields (facets.py), in spec order.
TERM_FIELDS: dict[str, str] = dict(
    sorted(DOCUMENT_TERM_FIELDS.items(), key=lambda item: FIELDS.index(item[0]))
)
_KIND_NOUN = {
    Kind.IDENTITY: "identity",
    Kind.COMMUNITY: "community",
    Kind.ISSUE: "issue",
    Kind.AGE: "age group",
    Kind.FORMAT: "format",
    Kind.LANGUAGE: "language",
    Kind.INSURANCE: "insurance",
    Kind.APPROACH: "approach",
    Kind.LICENSE_TYPE: "licence type",
}
GENDERS = ("woman", "man", "nonbinary")
_LICENSE_STATUSES = frozenset(LicenseStatus.values)
OFFICE_KEYS = ("address", "city", "state", "zip", "lat", "lon")
LICENSE_KEYS = ("type", "number", "state", "status", "supervisor")
FEE_KEYS = ("min", "max", "sliding_scale", "free_consultation")


# --- Errors and results ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "document"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


MAINTAINED_SHOWN = 20  # ids of skipped claimed profiles named in the summary
# Errors kept for the report: a file of a million bad lines must not grow a million-item list
# (the command shows 200; every error is counted).
MAX_ERRORS_KEPT = 1000


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed_lines: int = 0
    # Listings whose therapist deleted their account (DeletedListing): never created again.
    deleted: list[str] = field(default_factory=list)  # the file's ids
    # Claimed profiles the file also holds, left alone: their therapist keeps them now.
    maintained: list[str] = field(default_factory=list)  # the file's ids
    errors: list[LineError] = field(default_factory=list)  # the first MAX_ERRORS_KEPT
    error_count: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    stopped: str = ""  # why the file could not be read to its end (InputRefused)

    @property
    def ok(self) -> bool:
        return self.failed_lines == 0 and not self.stopped

    def add_failed_line(self, line: int, errors: list[tuple[str, str]]) -> None:
        self.failed_lines += 1
        self.error_count += len(errors)
        room = max(MAX_ERRORS_KEPT - len(self.errors), 0)
        self.errors.extend(LineError(line, path, message) for path, message in errors[:room])

    @property
    def skipped(self) -> int:
        return len(self.maintained) + len(self.deleted)

    def summary(self) -> str:
        text = (
            f"{self.created:,} created, {self.updated:,} updated, {self.unchanged:,} unchanged, "
            f"{self.failed_lines:,} failed"
        )
        if self.maintained:
            text += _skipped(self.maintained, "their therapist maintains them")
        if self.deleted:
            text += _skipped(self.deleted, "their therapist deleted them")
        if self.seconds:
            total = self.created + self.updated + self.unchanged + self.skipped
            text += f" in {self.seconds:,.1f}s ({total / max(self.seconds, 1e-9):,.0f} profiles/s)"
        if self.dry_run:
            text += " (nothing imported: --strict and the file is not valid)"
        return text


def _skipped(ids: list[str], reason: str) -> str:
    """The summary's words for lines skipped for one reason: the count, the first
    MAINTAINED_SHOWN ids (for either reason) and how many more."""
    shown = ", ".join(ids[:MAINTAINED_SHOWN])
    more = len(ids) - MAINTAINED_SHOWN
    return (
        f", {len(ids):,} skipped as {reason} ({shown}{f' and {more:,} more' if more > 0 else ''})"
    )


# --- The taxonomy terms the validator checks slugs against ----------------------


class TermLookup:
    """Every active taxonomy term, loaded once per import: slug -> id per kind.

    It also matches licence types by any of their labels, and knows the
    taxonomy order that lists are stored in.
    """

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, int]] = defaultdict(dict)
        self.license_types: dict[str, int] = {}
        self.license_labels: dict[int, str] = {}
        # Taxonomy order: lists are stored and exported in it, so a profile's
        # document is canonical whatever order its file listed slugs in.
        self.rank: dict[str, dict[str, int]] = defaultdict(dict)
        for rank, term in enumerate(
            Term.objects.active().only("id", "kind", "slug", "name", "short_name", "aliases")
        ):
            self.ids[term.kind][term.slug] = term.id
            self.rank[term.kind][term.slug] = rank
            if term.kind == Kind.LICENSE_TYPE:
                # Files write "LMFT", "lmft" or "Licensed Marriage and Family Therapist".
                for label in [term.slug, term.short_name, term.name, *term.aliases]:
                    if label:
                        self.license_types.setdefault(_label_key(label), term.id)
                self.license_labels[term.id] = term.short_name or term.slug

    def term_id(self, kind: str, slug: str) -> int:
        known = self.ids[kind]
        if slug in known:
            return known[slug]
        raise v.FieldError(f"unknown {_KIND_NOUN[kind]} {slug!r}{v.did_you_mean(slug, known)}")

    def license_type_id(self, label: str) -> int:
        key = _label_key(label)
        if key in self.license_types:
            return self.license_types[key]
        raise v.FieldError(
            f"unknown licence type {label!r}"
            f"{v.did_you_mean(label.upper(), self.license_labels.values())}"
        )


def _label_key(label: str) -> str:
    return re.sub(r"[^a-z0-9]", "", label.lower())


# --- Validation ----------------------------------------------------------------


@dataclass
class CleanProfile:
    """A validated document, ready to write; `document` is its canonical export form."""

    source: str
    external_id: str
    fields: dict[str, Any]
    term_ids: list[int]
    approaches: list[tuple[int, str]]
    licenses: list[dict[str, Any]]
    offices: list[dict[str, Any]]
    document: dict[str, Any]
    content_hash: str


class _Collector:
    """Gathers every problem in a document, so one pass reports them all."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def run(self, path: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return fn(*args, **kwargs)
        except v.FieldError as exc:
            self.errors.append((path, exc.message))
            return None


def _as_list(value: object, path: str, col: _Collector) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        # Lenient with a single value where a list was meant.
        return [value]
    if not isinstance(value, list):
        col.errors.append((path, f"expected a list, got {type(value).__name__}"))
        return []
    return value


def _slug_list(
    value: object, path: str, kind: str, vocab: TermLookup, col: _Collector
) -> list[str]:
    slugs: list[str] = []
    for i, item in enumerate(_as_list(value, path, col)):
        if not isinstance(item, str):
            col.errors.append((f"{path}[{i}]", f"expected a slug, got {type(item).__name__}"))
            continue
        slug = item.strip().lower()
        if col.run(f"{path}[{i}]", vocab.term_id, kind, slug) is not None and slug not in slugs:
            slugs.append(slug)
    return sorted(slugs, key=vocab.rank[kind].__getitem__)


def clean_document(
    raw: object, vocab: TermLookup, *, today=None
) -> tuple[CleanProfile | None, list[tuple[str, str]]]:
    """Validate one spec document. Returns (profile, []) or (None, [(path, message), ...])."""
    if not isinstance(raw, dict):
        return None, [("", f"expected a JSON object, got {type(raw).__name__}")]
    col = _Collector()
    today = today or timezone.localdate()
    doc: dict[str, Any] = {}

    ext_id = raw.get("id")
    if isinstance(ext_id, int) and not isinstance(ext_id, bool):
        ext_id = str(ext_id)
    doc["id"] = col.run("id", v.text, ext_id, max_length=64, required=True)
    doc["source"] = (
        col.run("source", v.text, raw.get("source") or "import", max_length=32) or "import"
    )
    doc["name"] = col.run(
        "name", v.text, _without_bidi(raw.get("name")), max_length=120, required=True
    )
    for key, limit in (("credentials", 60), ("title", 120), ("pronouns", 30)):
        doc[key] = col.run(key, v.text, _without_bidi(raw.get(key)), max_length=limit) or ""
    gender = col.run("gender", v.text, raw.get("gender"), max_length=40) or ""
    doc["gender"] = gender.lower() if gender.lower() in GENDERS else gender

    for key in ("identities", "communities"):
        doc[key] = _slug_list(raw.get(key), key, TERM_FIELDS[key], vocab, col)
    doc["statement"] = (
        col.run("statement", v.text, raw.get("statement"), max_length=5000, multiline=True) or ""
    )

    approaches: list[dict[str, str]] = []
    # One row per approach per profile (a unique constraint). A repeat is this
    # line's error, not an IntegrityError aborting the batch, and not silently
    # merged like a repeated issue slug: each entry may carry its own statement.
    first_seen: dict[str, int] = {}
    for i, item in enumerate(_as_list(raw.get("approaches"), "approaches", col)):
        path = f"approaches[{i}]"
        if isinstance(item, str):
            item = {"slug": item}
        if not isinstance(item, dict):
            col.errors.append((path, "expected an object with 'slug' and 'statement'"))
            continue
        slug = str(item.get("slug") or "").strip().lower()
        if not slug:
            col.errors.append((f"{path}.slug", "is required"))
            continue
        if col.run(f"{path}.slug", vocab.term_id, Kind.APPROACH, slug) is None:
            continue
        if slug in first_seen:
            col.errors.append(
                (
                    f"{path}.slug",
                    f"{slug!r} is listed twice, also as approaches[{first_seen[slug]}]",
                )
            )
            continue
        first_seen[slug] = i
        statement = col.run(
            f"{path}.statement", v.text, item.get("statement"), max_length=1500, multiline=True
        )
        entry = {"slug": slug}
        if statement:
            entry["statement"] = statement
        approaches.append(entry)
    doc["approaches"] = approaches

    doc["issues"] = _slug_list(raw.get("issues"), "issues", Kind.ISSUE, vocab, col)
    doc["ages"] = _slug_list(raw.get("ages"), "ages", Kind.AGE, vocab, col)
    doc["formats"] = _slug_list(raw.get("formats"), "formats", Kind.FORMAT, vocab, col)
    languages = raw.get("languages")
    doc["languages"] = _slug_list(
        ["en"] if languages in (None, "", []) else languages, "languages", Kind.LANGUAGE, vocab, col
    )

    licenses: list[dict[str, Any]] = []
    for i, item in enumerate(_as_list(raw.get("licenses"), "licenses", col)):
        path = f"licenses[{i}]"
        if not isinstance(item, dict):
            col.errors.append((path, "expected an object with 'type' and 'state'"))
            continue
        label = col.run(f"{path}.type", v.text, item.get("type"), max_length=60, required=True)
        type_id = col.run(f"{path}.type", vocab.license_type_id, label) if label else None
        state = col.run(f"{path}.state", v.state_code, item.get("state"))
        number = col.run(f"{path}.number", v.text, item.get("number"), max_length=40) or ""
        status = (str(item.get("status") or LicenseStatus.LICENSED)).strip().lower()
        if status not in _LICENSE_STATUSES:
            col.errors.append(
                (f"{path}.status", f"{status!r} is not one of licensed, associate, student")
            )
        supervisor = col.run(f"{path}.supervisor", v.text, item.get("supervisor"), max_length=120)
        if type_id is None or state is None:
            continue
        licenses.append(
            {"type_id": type_id, "number": number, "state": state, "status": status,
             "supervisor": supervisor or ""}
        )  # fmt: skip
    doc["licenses"] = [
        _drop_empty(
            {
                "type": vocab.license_labels[lic["type_id"]],
                "number": lic["number"],
                "state": lic["state"],
                "status": lic["status"],
                "supervisor": lic["supervisor"],
            }
        )  # fmt: skip
        for lic in licenses
    ]
    doc["npi"] = col.run("npi", v.npi, raw.get("npi")) or ""

    offices: list[dict[str, Any]] = []
    for i, item in enumerate(_as_list(raw.get("offices"), "offices", col)):
        path = f"offices[{i}]"
        if not isinstance(item, dict):
            col.errors.append((path, "expected an object with address, city, state, zip"))
            continue
        address = col.run(f"{path}.address", v.text, item.get("address"), max_length=200) or ""
        city = col.run(f"{path}.city", v.text, item.get("city"), max_length=80) or ""
        raw_state = item.get("state")
        state = col.run(f"{path}.state", v.state_code, raw_state) if raw_state else ""
        zip_value = item.get("zip")
        city, state, zip_value = v.split_city(city, state or "", str(zip_value or ""))
        zip_value = col.run(f"{path}.zip", v.zip_code, zip_value) or ""
        lat = col.run(f"{path}.lat", v.coordinate, item.get("lat"), low=-90, high=90)
        lon = col.run(f"{path}.lon", v.coordinate, item.get("lon"), low=-180, high=180)
        if (lat is None) != (lon is None):
            col.errors.append((path, "give both lat and lon, or neither"))
            lat = lon = None
        geocoded = False
        if lat is None:
            found = v.fill_coordinates(city=city, state=state or "", zip_value=zip_value)
            if found is not None:
                lat, lon, found_state = found
                state = state or found_state
                geocoded = True
        if not (address or city or state or zip_value or lat is not None):
            continue  # an office with nothing in it is no office
        offices.append(
            {"address": address, "city": city, "state": state or "", "zip": zip_value,
             "lat": lat, "lon": lon, "geocoded": geocoded}
        )  # fmt: skip
    doc["offices"] = [
        _drop_empty(
            {"address": o["address"], "city": o["city"], "state": o["state"], "zip": o["zip"]}
            | ({} if o["geocoded"] else {"lat": o["lat"], "lon": o["lon"]})
        )
        for o in offices
    ]

    has_place = any(o["city"] or o["zip"] for o in offices)
    in_person = raw.get("in_person")
    doc["in_person"] = (
        has_place if in_person in (None, "") else col.run("in_person", v.boolean, in_person)
    )
    telehealth = raw.get("telehealth")
    doc["telehealth"] = (
        False if telehealth in (None, "") else col.run("telehealth", v.boolean, telehealth)
    )
    if raw.get("telehealth_states") in (None, "", []):
        states = sorted({lic["state"] for lic in licenses}) if doc["telehealth"] else []
    else:
        states = []
        for i, item in enumerate(_as_list(raw.get("telehealth_states"), "telehealth_states", col)):
            code = col.run(f"telehealth_states[{i}]", v.state_code, item)
            if code and code not in states:
                states.append(code)
    doc["telehealth_states"] = states
    doc["insurance"] = _slug_list(raw.get("insurance"), "insurance", Kind.INSURANCE, vocab, col)

    fees_raw = raw.get("fees") or {}
    fees: dict[str, Any] = {}
    if not isinstance(fees_raw, dict):
        col.errors.append(
            ("fees", "expected an object with min, max, sliding_scale, free_consultation")
        )
        fees_raw = {}
    fees["min"] = col.run("fees.min", v.whole_dollars, fees_raw.get("min"))
    fees["max"] = col.run("fees.max", v.whole_dollars, fees_raw.get("max"))
    if fees["min"] is not None and fees["max"] is not None and fees["min"] > fees["max"]:
        col.errors.append(("fees", f"min ({fees['min']}) is more than max ({fees['max']})"))
    for key in ("sliding_scale", "free_consultation"):
        value = fees_raw.get(key)
        fees[key] = False if value in (None, "") else col.run(f"fees.{key}", v.boolean, value)
    doc["fees"] = {k: fees[k] for k in FEE_KEYS if fees[k] not in (None, False)}

    accepting = raw.get("accepting_new_clients")
    doc["accepting_new_clients"] = (
        True if accepting in (None, "") else col.run("accepting_new_clients", v.boolean, accepting)
    )
    confirmed = col.run(
        "accepting_confirmed_at", v.iso_date, raw.get("accepting_confirmed_at"), today=today
    )
    doc["accepting_confirmed_at"] = confirmed.isoformat() if confirmed else ""
    # A waitlist is a way of accepting (availability.py): a wait on a profile that is not
    # accepting would be silently meaningless, so it is an error instead.
    wait = col.run("expected_wait_weeks", v.wait_weeks, raw.get("expected_wait_weeks"))
    if wait is not None and doc["accepting_new_clients"] is False:
        col.errors.append(
            (
                "expected_wait_weeks",
                "a waitlist needs accepting_new_clients true (leave the wait empty when not "
                "accepting)",
            )
        )
    doc["expected_wait_weeks"] = wait
    doc["email"] = col.run("email", v.email, raw.get("email")) or ""
    doc["phone"] = col.run("phone", v.phone, raw.get("phone")) or ""
    doc["website"] = col.run("website", v.website, raw.get("website")) or ""

    if col.errors:
        return None, col.errors

    document = {key: doc[key] for key in FIELDS if _has_value(doc[key])}
    # The document's key order is fixed (FIELDS), so no sort_keys needed.
    content_hash = hashlib.sha256(json.dumps(document, ensure_ascii=False).encode()).hexdigest()
    term_ids = [vocab.ids[kind][slug] for key, kind in TERM_FIELDS.items() for slug in doc[key]]
    review_flags = [
        f"training-list:{where}"
        for where, text in [("statement", doc["statement"])]
        + [(f"approaches.{a['slug']}", a.get("statement", "")) for a in approaches]
        if text and v.is_training_list(text)
    ]
    return (
        CleanProfile(
            source=doc["source"],
            external_id=doc["id"],
            fields={
                "name": doc["name"],
                "credentials": doc["credentials"],
                "title": doc["title"],
                "pronouns": doc["pronouns"],
                "gender": doc["gender"],
                "statement": doc["statement"],
                "npi": doc["npi"],
                "in_person": bool(doc["in_person"]),
                "telehealth": bool(doc["telehealth"]),
                "telehealth_states": doc["telehealth_states"],
                "fee_min": fees["min"],
                "fee_max": fees["max"],
                "sliding_scale": bool(fees["sliding_scale"]),
                "free_consultation": bool(fees["free_consultation"]),
                "accepting_new_clients": bool(doc["accepting_new_clients"]),
                "accepting_confirmed_at": confirmed,
                "expected_wait_weeks": wait,
                "email": doc["email"],
                "phone": doc["phone"],
                "website": doc["website"],
                "review_flags": review_flags,
            },  # fmt: skip
            term_ids=term_ids,
            approaches=[
                (vocab.ids[Kind.APPROACH][a["slug"]], a.get("statement", "")) for a in approaches
            ],
            licenses=licenses,
            offices=offices,
            document=document,
            content_hash=content_hash,
        ),
        [],
    )


# Bidirectional formatting characters: invisible, and in a name or title they reorder what a
# reader sees ("\u202e" shows "Dr. Ana" as "anA .rD"), so two different names can look alike.
# A name in Arabic or Hebrew displays correctly without them; statements keep theirs.
_BIDI = dict.fromkeys([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def _without_bidi(value: object) -> object:
    return value.translate(_BIDI) if isinstance(value, str) else value


def _has_value(value: object) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: val for k, val in mapping.items() if _has_value(val)}


# --- Reading files ---------------------------------------------------------------


# A profile line is a few KB (1.9 KB on average in the demo data). Every text at its longest
# (a 5,000-character statement and all 83 approaches with 1,500-character statements), every
# character written as a \uXXXX escape, makes about 800 KB. A longer line is no profile but a
# file of the wrong kind or a gzip bomb, and reading it whole would take as much memory as it
# is long.
MAX_LINE_CHARS = 1 << 20
# 1M profiles (the whole US workforce) are about 2 GB of JSON Lines: four times that by default.
MAX_BYTES = 8 << 30
# Profile files compress 5 to 10 times (6.2 for the demo data, 6.1 for its first MB); deflate
# can reach 1,000. A file that expands more than this is refused as soon as it has produced
# enough text for the ratio to mean something: a bomb of short lines ("{}" a billion times)
# passes the line limit, and each of its lines costs a validation.
MAX_GZIP_RATIO = 100
GZIP_RATIO_AFTER = 256 << 10


class InputRefused(Exception):
    """The file cannot be read to its end (too big, a line too long, a damaged gzip).

    The import stops there, keeping the batches already written; the message says why.
    """


class _LimitedFile(io.RawIOBase):
    """A file's bytes (decompressed for .gz), counted, so no file can make the import read
    more than `max_bytes` or a gzip bomb expand for long."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path, self.max_bytes, self.count = path, max_bytes, 0
        self._file = path.open("rb")
        self._gzip = (
            gzip.GzipFile(fileobj=_SmallReads(self._file)) if path.suffix.lower() == ".gz" else None
        )

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._gzip is None:
            n = self._file.readinto(buffer)
        else:
            try:
                n = self._gzip.readinto(buffer)
            except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
                raise InputRefused(f"{self.path}: not a complete gzip file ({exc})") from exc
        self.count += n
        if self.count > self.max_bytes:
            raise InputRefused(
                f"{self.path}: more than {self.max_bytes:,} bytes"
                f"{' once decompressed' if self._gzip else ''}; stopped there"
                " (--max-bytes raises the limit)"
            )
        if (
            self._gzip is not None
            and self.count > GZIP_RATIO_AFTER
            and self.count > MAX_GZIP_RATIO * self._file.tell()
        ):
            raise InputRefused(
                f"{self.path}: expands more than {MAX_GZIP_RATIO} times when decompressed, which"
                f" no profile file does (a gzip bomb?); stopped after {self.count:,} bytes"
            )
        return n

    def close(self) -> None:
        if self._gzip is not None:
            self._gzip.close()
        self._file.close()
        super().close()


class _SmallReads:
    """Hands gzip 1 KB at a time (it asks for 128 KB), so the compressed position that the
    ratio is measured against follows the decompressed text closely (the file object
    buffers, so this costs no extra system calls)."""

    def __init__(self, file: Any) -> None:
        self._file = file

    def read(self, size: int = -1) -> bytes:
        return self._file.read(1024 if size < 0 else min(size, 1024))


def open_text(path: str | Path, *, max_bytes: int = MAX_BYTES) -> TextIO:
    # surrogateescape: a byte that is not UTF-8 (a file saved as Windows-1252)
    # becomes a stand-in character instead of an exception that would stop the
    # import mid-file, so read_documents() can report the line it is on.
    raw = io.BufferedReader(_LimitedFile(Path(path), max_bytes))
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")


def file_format(path: str | Path) -> str:
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] == ".csv":
        return "csv"
    if suffixes and suffixes[-1] in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise ValueError(f"{path}: unknown format; name it .jsonl or .csv (optionally .gz)")


class ProfileFile:
    """A file's documents, read afresh on each iteration: `--strict` checks the whole file in
    a first pass and imports it in a second, holding neither the file nor its profiles."""

    def __init__(
        self, path: str | Path, *, max_bytes: int = MAX_BYTES, max_line: int = MAX_LINE_CHARS
    ) -> None:
        self.path, self.max_bytes, self.max_line = Path(path), max_bytes, max_line
        self.format = file_format(path)
        self._first_seen: tuple[int, int] | None = None

    def __iter__(self) -> Iterator[tuple[int, object]]:
        try:
            stream = open_text(self.path, max_bytes=self.max_bytes)
            stat = self.path.stat()
        except OSError as exc:
            raise InputRefused(f"{self.path}: {exc.strerror or exc}") from exc
        # The second pass must read what the first one checked, or --strict could write
        # lines it never validated (a file still being downloaded, say).
        seen = (stat.st_size, stat.st_mtime_ns)
        if self._first_seen not in (None, seen):
            stream.close()
            raise InputRefused(
                f"{self.path}: changed since it was checked; import it again once it is complete"
            )
        self._first_seen = seen
        with stream:
            yield from read_documents(stream, self.format, max_line=self.max_line)


def _lines(stream: TextIO, max_line: int) -> Iterator[str]:
    """The stream's lines, each read with a limit: a 2 GB line is refused after 1 MB."""
    number = 0
    while line := stream.readline(max_line + 1):
        number += 1
        if len(line) > max_line:
            raise InputRefused(
                f"line {number}: longer than {max_line:,} characters, which no profile is"
                " (is this the right file?); stopped there"
            )
        yield line


def read_documents(
    stream: TextIO, fmt: str, *, max_line: int = MAX_LINE_CHARS
) -> Iterator[tuple[int, object]]:
    """Yield (line number, document or ParseFailure) for a JSONL or CSV stream."""
    lines = _lines(stream, max_line)
    if fmt == "csv":
        yield from _read_csv(lines)
        return
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if failure := _utf8_failure(line):
            yield number, failure
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, ParseFailure(f"not valid JSON: {exc.msg} at column {exc.colno}")


@dataclass(frozen=True)
class ParseFailure:
    message: str


def _utf8_failure(*texts: object) -> ParseFailure | None:
    """A failure when a text holds a byte that was not UTF-8 (a stand-in from open_text())."""
    if any(isinstance(t, str) and not t.isascii() and not v.is_utf8(t) for t in texts):
        return ParseFailure("not valid UTF-8 (save the file as UTF-8 and import it again)")
    return None


def _read_csv(lines: Iterator[str]) -> Iterator[tuple[int, object]]:
    reader = csv.DictReader(lines)
    try:
        for row in reader:
            # line_num counts physical lines, so multi-line quoted cells keep
            # the number a person sees in an editor (the row's last line).
            yield reader.line_num, _utf8_failure(*_cells(row)) or unflatten_csv_row(row)
    except csv.Error as exc:
        # Usually a quote left open until the cell passes csv's field limit (128 KB): the
        # rows after it cannot be told apart, so the import stops there.
        # (DictReader's own line_num is only updated after a row is read.)
        line = reader.reader.line_num
        raise InputRefused(f"line {line}: not readable as CSV ({exc}); stopped there") from exc


def _cells(row: dict[str | None, Any]) -> Iterator[object]:
    """The header names and values of a CSV row, with any cells beyond the header."""
    for key, value in row.items():
        yield key
        yield from value if isinstance(value, list) else [value]


def unflatten_csv_row(row: dict[str, str | None]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    statements: dict[str, str] = {}
    for key, value in row.items():
        if key is None or value is None:
            continue
        key = key.strip()
        if value == "":
            continue
        value = unguard_formula(value)
        if key.startswith("approach_statements."):
            statements[key.split(".", 1)[1].strip().lower()] = value
            continue
        parts = key.split(".")
        if len(parts) == 1:
            doc[key] = (
                [p.strip() for p in value.split(";") if p.strip()] if key in LIST_FIELDS else value
            )
        elif len(parts) == 2 and not parts[1].isdigit():
            doc.setdefault(parts[0], {})[parts[1]] = value
        elif len(parts) == 3 and parts[1].isdigit():
            items = doc.setdefault(parts[0], {})
            if isinstance(items, dict):
                items.setdefault(int(parts[1]), {})[parts[2]] = value
    for key in ("licenses", "offices"):
        if isinstance(doc.get(key), dict):
            doc[key] = [doc[key][i] for i in sorted(doc[key])]
    slugs = [str(s).lower() for s in doc.get("approaches", [])]
    slugs += [s for s in statements if s not in slugs]
    if slugs:
        doc["approaches"] = [
            {"slug": s, **({"statement": statements[s]} if s in statements else {})} for s in slugs
        ]
    return doc


# --- Writing -------------------------------------------------------------------------


def import_documents(
    documents: Iterable[tuple[int, object]],
    *,
    strict: bool = False,
    pending: bool = False,
    batch_size: int = 2000,
    progress: Progress | None = None,
    terms: TermLookup | None = None,
    result: ImportResult | None = None,
) -> ImportResult:
    """Validate and upsert documents given as (line number, document) pairs.

    Valid documents are written in atomic batches; invalid ones are reported
    with line, path and reason. Whatever a unique constraint would refuse (an
    approach listed twice, a (source, id) seen on an earlier line) is found
    here, as that line's error, so no batch fails on an IntegrityError. With
    `strict`, the documents are read twice: a first pass validates them all,
    keeping only the (source, id) pairs, and a second writes them if every one
    was valid; so `documents` must be readable twice (a list, a ProfileFile).
    A file that cannot be read to its end (InputRefused) stops the import:
    `result.stopped` says why, and the batches written before it stay.
    Pass `result` to see what was done even when the import raises.
    """
    if strict and isinstance(documents, Iterator):
        raise TypeError("strict needs documents it can read twice (a list or a ProfileFile)")
    vocab = terms or TermLookup()
    result = result if result is not None else ImportResult()
    status = Status.PENDING if pending else Status.PUBLISHED
    today = timezone.localdate()
    started = timezone.now()
    seen: dict[tuple[str, str], int] = {}

    def valid_batches() -> Iterator[list[CleanProfile]]:
        seen.clear()
        batch: list[CleanProfile] = []
        for number, raw in documents:
            if isinstance(raw, ParseFailure):
                profile, errors = None, [("", raw.message)]
            else:
                profile, errors = clean_document(raw, vocab, today=today)
            if profile is not None:
                # (source, id) is unique: a repeat in the file is an error, never a
                # second insert (IntegrityError) nor a silent overwrite of the first.
                key = (profile.source, profile.external_id)
                if key in seen:
                    profile, errors = (
                        None,
                        [("id", f"{profile.external_id!r} already appeared on line {seen[key]}")],
                    )
                else:
                    seen[key] = number
            if profile is None:
                result.add_failed_line(number, errors)
                if progress:
                    progress.update(1)
                continue
            batch.append(profile)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    try:
        if strict:
            # The first pass only validates: each batch is dropped as soon as it is checked.
            deque(valid_batches(), maxlen=0)
            if not result.ok:
                result.dry_run = True
                return result
        changed_so_far = 0
        for batch in valid_batches():
            # Small imports tell the search index which profiles changed; big ones
            # ask for a fresh snapshot instead of logging every id.
            bulk = is_bulk(changed_so_far + len(batch))
            created, updated, unchanged = _write_batch(
                batch, status=status, bulk=bulk, result=result
            )
            changed_so_far += created + updated
            result.created += created
            result.updated += updated
            result.unchanged += unchanged
            if progress:
                progress.update(len(batch))
    except InputRefused as exc:
        result.stopped = str(exc)
        result.dry_run = strict and not (result.created or result.updated)
    finally:
        result.seconds = (timezone.now() - started).total_seconds()
    return result


def _write_batch(
    batch: list[CleanProfile], *, status: str, bulk: bool = False, result: ImportResult
) -> tuple[int, int, int]:
    """Upsert one batch in one transaction. Returns (created, updated, unchanged) and adds
    the ids of claimed profiles, which are never overwritten, to `result.maintained`, and
    those of listings deleted with their therapist's account, never created again, to
    `result.deleted`."""
    by_source: dict[str, list[CleanProfile]] = defaultdict(list)
    for profile in batch:
        by_source[profile.source].append(profile)
    created = updated = unchanged = 0
    with transaction.atomic():
        to_create: list[CleanProfile] = []
        to_update: list[tuple[int, CleanProfile]] = []
        old_slugs: dict[int, str] = {}
        for source, profiles in by_source.items():
            existing = {
                ext: (pk, digest, owner, slug)
                for pk, ext, digest, owner, slug in _rows_by_key(
                    "id, external_id, content_hash, owner_id, slug",
                    source,
                    [p.external_id for p in profiles],
                )
            }
            gone = _deleted_ids(
                source, [p.external_id for p in profiles if p.external_id not in existing]
            )
            for profile in profiles:
                if profile.external_id in gone:
                    # Its therapist deleted their account: the feed does not bring it back.
                    result.deleted.append(profile.external_id)
                elif profile.external_id not in existing:
                    to_create.append(profile)
                elif existing[profile.external_id][2] is not None:
                    # Claimed: the therapist's own edits win over any file.
                    result.maintained.append(profile.external_id)
                elif existing[profile.external_id][1] == profile.content_hash:
                    unchanged += 1
                else:
                    to_update.append((existing[profile.external_id][0], profile))
                    old_slugs[existing[profile.external_id][0]] = existing[profile.external_id][3]

        now = timezone.now()
        created = _insert_profiles(to_create, status=status, now=now)
        written = created

        if to_update:
            ids = [pk for pk, _ in to_update]
            # Replace the children wholesale: simpler and as fast as diffing them.
            TherapistProfile.terms.through.objects.filter(therapistprofile_id__in=ids).delete()
            ApproachStatement.objects.filter(profile_id__in=ids).delete()
            License.objects.filter(profile_id__in=ids).delete()
            Office.objects.filter(profile_id__in=ids).delete()
            moves = []
            for pk, p in to_update:
                slug = profile_slug(p.fields["name"], p.source, p.external_id)
                TherapistProfile.objects.filter(pk=pk).update(
                    slug=slug, content_hash=p.content_hash, updated_at=now, **p.fields
                )
                moves.append((pk, old_slugs[pk], slug))
            slugs_moved(moves)  # renamed in the file: old URLs redirect
            written = [*written, *to_update]
            updated = len(to_update)

        _insert_children(written)
        if to_update:
            # The license rows were written afresh without `verified_at`: a license staff
            # checked (same type, state and number) keeps its badge now, not at the next
            # daily refresh. Only profiles with a record are read again.
            checked = set(
                LicenseVerification.objects.filter(
                    profile_id__in=[pk for pk, _ in to_update]
                ).values_list("profile_id", flat=True)
            )
            if checked:
                licenses_refresh(profile_ids=checked)
        if written:
            profiles_changed(ids=[pk for pk, _ in written], bulk=bulk)
    return len(created), updated, unchanged


_PROFILE_COLUMNS = (
    "source", "external_id", "slug", "status", "content_hash", "created_at", "updated_at",
    "name", "credentials", "title", "pronouns", "gender", "statement", "npi", "in_person",
    "telehealth", "telehealth_states", "fee_min", "fee_max", "sliding_scale",
    "free_consultation", "accepting_new_clients", "accepting_confirmed_at",
    "expected_wait_weeks", "email", "phone", "website", "review_flags",
)  # fmt: skip


def _deleted_ids(source: str, external_ids: list[str]) -> set[str]:
    """Which of these ids of one source were deleted with their therapist's account."""
    if not external_ids or not DeletedListing.objects.exists():
        return set()  # the usual case, and a first import's every line: one tiny query
    table = DeletedListing._meta.db_table
    return {ext for (ext,) in _rows_by_key("external_id", source, external_ids, table=table)}


def _rows_by_key(
    columns: str, source: str, external_ids: list[str], *, table: str = ""
) -> list[tuple]:
    """Profiles (or rows of another table keyed the same) of one source by external id, in
    raw SQL: the ORM's per-parameter preparation of a 2,000-item IN list cost more than the
    query."""
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(external_ids), 5000):
            chunk = external_ids[start : start + 5000]
            cursor.execute(
                f"SELECT {columns} FROM {table or TherapistProfile._meta.db_table}"
                f" WHERE source = %s AND external_id IN ({', '.join(['%s'] * len(chunk))})",
                [source, *chunk],
            )
            rows.extend(cursor.fetchall())
    return rows


def _insert_profiles(
    profiles: list[CleanProfile], *, status: str, now
) -> list[tuple[int, CleanProfile]]:
    """INSERT with executemany, then read the new ids back by (source, id).

    `bulk_create` spent most of its time building model instances and SQL
    per object; this is the same statement without that, on both backends.
    """
    if not profiles:
        return []
    fields = {f.name: f for f in TherapistProfile._meta.concrete_fields}
    prep = {
        name: (lambda value, f=fields[name]: f.get_db_prep_save(value, connection))
        for name in (
            "telehealth_states",
            "accepting_confirmed_at",
            "created_at",
            "updated_at",
            "review_flags",
        )  # fmt: skip
    }
    stamp = prep["created_at"](now)
    rows = []
    for p in profiles:
        f = p.fields
        rows.append(
            (
                p.source,
                p.external_id,
                profile_slug(f["name"], p.source, p.external_id),
                status,
                p.content_hash,
                stamp,
                stamp,
                f["name"],
                f["credentials"],
                f["title"],
                f["pronouns"],
                f["gender"],
                f["statement"],
                f["npi"],
                f["in_person"],
                f["telehealth"],
                prep["telehealth_states"](f["telehealth_states"]),
                f["fee_min"],
                f["fee_max"],
                f["sliding_scale"],
                f["free_consultation"],
                f["accepting_new_clients"],
                prep["accepting_confirmed_at"](f["accepting_confirmed_at"]),
                f["expected_wait_weeks"],
                f["email"],
                f["phone"],
                f["website"],
                prep["review_flags"](f["review_flags"]),
            )  # fmt: skip
        )
    table = TherapistProfile._meta.db_table
    placeholders = ", ".join(["%s"] * len(_PROFILE_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(_PROFILE_COLUMNS)}) VALUES ({placeholders})", rows
        )
    ids: dict[tuple[str, str], int] = {}
    by_source: dict[str, list[str]] = defaultdict(list)
    for p in profiles:
        by_source[p.source].append(p.external_id)
    for source, external_ids in by_source.items():
        for pk, ext in _rows_by_key("id, external_id", source, external_ids):
            ids[(source, ext)] = pk
    return [(ids[(p.source, p.external_id)], p) for p in profiles]


def _insert_children(written: list[tuple[int, CleanProfile]]) -> None:
    """Insert links and child rows with executemany: the hot path of a million-profile seed."""
    if not written:
        return
    term_rows, approach_rows, license_rows, office_rows = [], [], [], []
    for pk, p in written:
        term_rows.extend((pk, term_id) for term_id in dict.fromkeys(p.term_ids))
        approach_rows.extend(
            (pk, term_id, statement, i) for i, (term_id, statement) in enumerate(p.approaches)
        )
        license_rows.extend(
            (
                pk,
                lic["type_id"],
                lic["number"],
                lic["state"],
                lic["status"],
                lic["supervisor"],
                "",
                i,
            )
            for i, lic in enumerate(p.licenses)
        )
        office_rows.extend(
            (
                pk,
                o["address"],
                o["city"],
                o["state"],
                o["zip"],
                o["lat"],
                o["lon"],
                o["geocoded"],
                i,
            )
            for i, o in enumerate(p.offices)
        )
    through = TherapistProfile.terms.through._meta.db_table
    inserts = [
        (f"INSERT INTO {through} (therapistprofile_id, term_id) VALUES (%s, %s)", term_rows),
        (
            f"INSERT INTO {ApproachStatement._meta.db_table} "
            "(profile_id, approach_id, statement, position) VALUES (%s, %s, %s, %s)",
            approach_rows,
        ),
        (
            f"INSERT INTO {License._meta.db_table} (profile_id, license_type_id, number, state, "
            "status, supervisor, verification_source, position) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            license_rows,
        ),
        (
            f"INSERT INTO {Office._meta.db_table} (profile_id, address, city, state, zip, lat, lon, "
            "geocoded, position) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            office_rows,
        ),
    ]
    with connection.cursor() as cursor:
        for sql, rows in inserts:
            if rows:
                cursor.executemany(sql, rows)


# --- Export ---------------------------------------------------------------------------


def export_document(profile: TherapistProfile) -> dict[str, Any]:
    """The spec document for a profile loaded with `with_public_relations()`."""
    doc: dict[str, Any] = {
        "id": profile.external_id,
        "source": profile.source,
        "name": profile.name,
        "credentials": profile.credentials,
        "title": profile.title,
        "pronouns": profile.pronouns,
        "gender": profile.gender,
        "statement": profile.statement,
        "approaches": [
            _drop_empty({"slug": a.approach.slug, "statement": a.statement})
            for a in profile.approach_statements.all()
        ],
        "licenses": [
            _drop_empty(
                {
                    "type": lic.license_type.short_name or lic.license_type.slug,
                    "number": lic.number,
                    "state": lic.state,
                    "status": lic.status,
                    "supervisor": lic.supervisor,
                }
            )  # fmt: skip
            for lic in profile.licenses.all()
        ],
        "npi": profile.npi,
        "offices": [
            _drop_empty(
                {"address": o.address, "city": o.city, "state": o.state, "zip": o.zip}
                | ({} if o.geocoded else {"lat": o.lat, "lon": o.lon})
            )
            for o in profile.offices.all()
        ],
        "in_person": profile.in_person,
        "telehealth": profile.telehealth,
        "telehealth_states": list(profile.telehealth_states),
        "fees": {
            k: val
            for k, val in (
                ("min", profile.fee_min),
                ("max", profile.fee_max),
                ("sliding_scale", profile.sliding_scale),
                ("free_consultation", profile.free_consultation),
            )
            if val not in (None, False)
        },
        "accepting_new_clients": profile.accepting_new_clients,
        "accepting_confirmed_at": (
            profile.accepting_confirmed_at.isoformat() if profile.accepting_confirmed_at else ""
        ),
        # Only with accepting: the one rule (availability.kind_of) ignores it otherwise.
        "expected_wait_weeks": (
            profile.expected_wait_weeks if profile.accepting_new_clients else None
        ),
        "email": profile.email,
        "phone": profile.phone,
        "website": profile.website,
    }
    # Terms come prefetched in taxonomy order, the order the importer stores.
    by_kind: dict[str, list[str]] = defaultdict(list)
    for term in profile.terms.all():  # one manager, not one per kind: ~2x faster exports
        by_kind[term.kind].append(term.slug)
    for key, kind in TERM_FIELDS.items():
        doc[key] = by_kind[kind]
    return {key: doc[key] for key in FIELDS if _has_value(doc[key])}


def export_documents(
    queryset=None, *, chunk_size: int = 2000, progress: Progress | None = None
) -> Iterator[dict[str, Any]]:
    """Every profile of the queryset (default: published) as spec documents, in id order."""
    queryset = queryset if queryset is not None else TherapistProfile.objects.published()
    last_id = 0
    while True:
        # Keyset pagination: constant cost per chunk at any offset.
        chunk = list(
            queryset.filter(id__gt=last_id).order_by("id").with_public_relations()[:chunk_size]
        )
        if not chunk:
            return
        for profile in chunk:
            yield export_document(profile)
        if progress:
            progress.update(len(chunk))
        last_id = chunk[-1].id


def write_jsonl(documents: Iterable[dict[str, Any]], stream: TextIO) -> int:
    count = 0
    for doc in documents:
        stream.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def write_csv(documents: Iterable[dict[str, Any]], stream: TextIO) -> int:
    """CSV needs its columns up front, so the documents are flattened in memory first."""
    rows = [flatten_csv_row(doc) for doc in documents]
    columns: list[str] = []
    seen: set[str] = set()
    order = {key: i for i, key in enumerate(FIELDS)}

    sub_order = {
        head: {key: i for i, key in enumerate(keys)}
        for head, keys in (("licenses", LICENSE_KEYS), ("offices", OFFICE_KEYS), ("fees", FEE_KEYS))
    }

    def sort_key(column: str) -> tuple[int, int, int, str]:
        # Spec field order, then item number, then the spec order of sub-fields;
        # approach statements sit right after the `approaches` column.
        parts = column.split(".")
        head = "approaches" if parts[0] == "approach_statements" else parts[0]
        index = int(parts[1]) if len(parts) == 3 else 0
        sub = sub_order.get(head, {}).get(parts[-1], 99) if len(parts) > 1 else -1
        return (order[head], index, sub, column)

    for row in rows:
        for column in row:
            if column not in seen:
                seen.add(column)
                columns.append(column)
    columns.sort(key=sort_key)
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: guard_formula(value) for key, value in row.items()} for row in rows)
    return len(rows)


def flatten_csv_row(doc: dict[str, Any]) -> dict[str, str]:
    row: dict[str, str] = {}
    for key, value in doc.items():
        if key == "approaches":
            row["approaches"] = ";".join(a["slug"] for a in value)
            for a in value:
                if a.get("statement"):
                    row[f"approach_statements.{a['slug']}"] = a["statement"]
        elif key in ("licenses", "offices"):
            for i, item in enumerate(value):
                for sub, subval in item.items():
                    row[f"{key}.{i}.{sub}"] = _csv_scalar(subval)
        elif key == "fees":
            for sub, subval in value.items():
                row[f"fees.{sub}"] = _csv_scalar(subval)
        elif isinstance(value, list):
            row[key] = ";".join(value)
        else:
            row[key] = _csv_scalar(value)
    return row


def _csv_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# A spreadsheet runs a cell that starts with one of these as a formula ("=HYPERLINK(...)",
# "@SUM(...)", "+1 253..." too), so exported cells that start with one get a leading
# apostrophe, which spreadsheets hide and `unflatten_csv_row` removes on import again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _needs_guard(text: str) -> bool:
    # A text that already starts with the apostrophe and a formula character is guarded too,
    # so that removing one apostrophe on import always gives back exactly what was exported.
    return text.startswith(_FORMULA_START) or (text[:1] == "'" and _needs_guard(text[1:]))


def guard_formula(text: str) -> str:
    return "'" + text if _needs_guard(text) else text


def unguard_formula(text: str) -> str:
    return text[1:] if text[:1] == "'" and _needs_guard(text[1:]) else text
