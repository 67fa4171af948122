"""Copy the controlled vocabularies from `taxonomy/data/*.toml` into `Term`.

The data files are the source of truth (docs/taxonomy.md explains why and how
to edit them). `sync_taxonomy()`:

- reads one file per kind and validates all of them before writing anything,
  reporting every problem at once, each naming its file and term;
- upserts terms by (kind, slug) in one transaction, so running it twice
  changes nothing the second time;
- never undoes staff edits: each term remembers a digest, per field, of what
  its data-file entry said at the last sync, and a field is rewritten only
  when the file's value has changed since then;
- deactivates, never deletes, a term that has left its file, because profiles
  still point at it; it comes back if the term returns to the file.

It takes the model as an argument so the data migration can pass the
historical model, and only touches fields that model has, so that migration
keeps working as the current model grows.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.text import slugify

DATA_DIR = Path(__file__).resolve().parent / "data"

# One file per kind; the file's own `kind` must agree, which catches a term
# pasted into the wrong file.
KIND_FILES: dict[str, str] = {
    "approach": "approaches.toml",
    "issue": "issues.toml",
    "identity": "identities.toml",
    "community": "communities.toml",
    "insurance": "insurance.toml",
    "language": "languages.toml",
    "license_type": "license_types.toml",
    "age": "ages.toml",
    "format": "formats.toml",
}

# Fields the data files own. Position comes from the order in the file.
SYNCED_FIELDS = (
    "name",
    "short_name",
    "aliases",
    "group",
    "summary",
    "description",
    "attributes",
    "position",
    "is_active",
)
TERM_KEYS = frozenset(
    {"name", "slug", "short_name", "aliases", "group", "summary", "description", "attributes"}
)
MAX_LENGTHS = {"name": 120, "short_name": 40, "group": 80, "summary": 300}
SLUG_MAX_LENGTH = 80
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Steps of ten leave room for staff to slot a term between two others.
POSITION_STEP = 10

# These kinds have public pages that lead with the summary.
SUMMARY_REQUIRED = frozenset({"approach", "issue"})

LICENSE_PROFESSIONS = frozenset(
    {
        "Marriage and family therapist",
        "Social worker",
        "Professional counselor",
        "Psychologist",
        "Psychiatrist",
        "Psychiatric nurse practitioner",
        "Addiction counselor",
    }
)
LICENSE_LEVELS = frozenset({"independent", "associate"})
NUCC_CODE_RE = re.compile(r"[0-9]{3}[0-9A-Z]{6}X")
INSURANCE_CATEGORIES = frozenset({"commercial", "public", "eap", "other"})

# Platform policy (docs/taxonomy.md): sexual-orientation and gender-identity
# change efforts are never offered as an approach or anything else, so the
# sync refuses any term that names them, wherever the text appears.
FORBIDDEN_PHRASES = (
    "conversion therap",
    "conversion counsel",
    "conversion ministr",
    "reparative therap",
    "reorientation therap",
    "sogice",
    "sexual orientation change",
    "gender identity change",
    "ex-gay",
)


class TaxonomyDataError(ValueError):
    """The data files are invalid; `problems` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "Taxonomy data files are invalid; nothing was synced:\n"
            + "\n".join(f"  {problem}" for problem in problems)
        )


@dataclass(frozen=True)
class Entry:
    """One term as its data file describes it."""

    kind: str
    slug: str
    values: dict[str, Any]  # SYNCED_FIELDS -> value
    where: str  # "issues.toml: term 3 ('Panic attacks')", for error messages


def digest(value: Any) -> str:
    """A short, stable fingerprint of one field's value in a data file."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_RETIRED = digest(False)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _word_key(text: str) -> str:
    """How imports and free text compare words: case, spaces and punctuation
    ignored, so "LPC-MH", "L.P.C.M.H." and "lpcmh" are the same word."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _check_str(raw: dict[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        problems.append(f"{where}: {key} must be a string, not {type(value).__name__}")
        return ""
    value = value.strip()
    limit = MAX_LENGTHS.get(key)
    if limit is not None and len(value) > limit:
        problems.append(f"{where}: {key} is {len(value)} characters; the limit is {limit}")
    return value


def _check_attributes(kind: str, attributes: dict[str, Any], where: str) -> list[str]:
    problems = []
    if kind == "license_type":
        if attributes.get("profession") not in LICENSE_PROFESSIONS:
            problems.append(
                f"{where}: attributes.profession must be one of {sorted(LICENSE_PROFESSIONS)}"
            )
        if attributes.get("level") not in LICENSE_LEVELS:
            problems.append(f"{where}: attributes.level must be one of {sorted(LICENSE_LEVELS)}")
        if not isinstance(attributes.get("prescriber"), bool):
            problems.append(f"{where}: attributes.prescriber must be true or false")
        nucc = attributes.get("nucc")
        if not isinstance(nucc, list) or not all(
            isinstance(code, str) and NUCC_CODE_RE.fullmatch(code) for code in nucc
        ):
            problems.append(
                f"{where}: attributes.nucc must be a list of NUCC codes like 106H00000X"
            )
    elif kind == "insurance" and attributes.get("category") not in INSURANCE_CATEGORIES:
        problems.append(
            f"{where}: attributes.category must be one of {sorted(INSURANCE_CATEGORIES)}"
        )
    parent = attributes.get("parent")
    if parent is not None and not isinstance(parent, str):
        problems.append(f"{where}: attributes.parent must be a slug")
    return problems


def _load_file(path: Path, kind: str, problems: list[str]) -> list[Entry]:
    fname = path.name
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        problems.append(f"{fname}: missing; every kind needs its data file (kind {kind!r})")
        return []
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{fname}: not valid TOML: {exc}")
        return []

    if data.get("kind") != kind:
        problems.append(f"{fname}: kind = {data.get('kind')!r}, expected {kind!r}")
        return []
    unknown = sorted(set(data) - {"kind", "terms"})
    if unknown:
        problems.append(f"{fname}: unknown top-level keys {unknown}")
    terms = data.get("terms")
    if not isinstance(terms, list) or not terms:
        problems.append(f"{fname}: no [[terms]]")
        return []

    entries = []
    for number, raw in enumerate(terms, start=1):
        if not isinstance(raw, dict):
            problems.append(f"{fname}: term {number} is not a table; write it as [[terms]]")
            continue
        label = raw.get("name") if isinstance(raw.get("name"), str) else None
        where = f"{fname}: term {number}" + (f" ({label!r})" if label else "")
        before = len(problems)

        unknown = sorted(set(raw) - TERM_KEYS)
        if unknown:
            problems.append(f"{where}: unknown keys {unknown} (allowed: {sorted(TERM_KEYS)})")
        name = _check_str(raw, "name", where, problems)
        if not name:
            problems.append(f"{where}: name is required")
        slug = raw.get("slug", slugify(name))
        if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
            problems.append(
                f"{where}: slug {slug!r} must be lower-case letters and digits joined by single hyphens"
            )
        elif len(slug) > SLUG_MAX_LENGTH:
            problems.append(f"{where}: slug {slug!r} is longer than {SLUG_MAX_LENGTH} characters")
        elif kind == "language" and not re.fullmatch(r"[a-z]{2}", slug):
            problems.append(f"{where}: a language's slug is its two-letter ISO 639-1 code")
        values: dict[str, Any] = {"name": name}
        for key in ("short_name", "group", "summary", "description"):
            values[key] = _check_str(raw, key, where, problems)
        # Long descriptions live in content/<kind>/<slug>.md, easier to write
        # and review than TOML strings; the file becomes the description.
        content = Path(path).parent.parent / "content" / kind / f"{slug}.md"
        if isinstance(slug, str) and content.is_file():
            if values["description"]:
                problems.append(
                    f"{where}: description given both in the TOML and in {content.name}"
                )
            values["description"] = content.read_text(encoding="utf-8").strip()
        if kind in SUMMARY_REQUIRED and not values["summary"]:
            problems.append(f"{where}: summary is required for kind {kind!r} (shown to the public)")
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(
            isinstance(alias, str) and alias.strip() for alias in aliases
        ):
            problems.append(f"{where}: aliases must be a list of non-empty strings")
            aliases = []
        values["aliases"] = [alias.strip() for alias in aliases]
        attributes = raw.get("attributes", {})
        if not isinstance(attributes, dict):
            problems.append(f"{where}: attributes must be a table")
            attributes = {}
        problems.extend(_check_attributes(kind, attributes, where))
        values["attributes"] = attributes
        values["position"] = number * POSITION_STEP
        values["is_active"] = True

        searchable = [str(slug), *(values[key] for key in ("name", "short_name", "summary"))]
        text = _norm(" ".join([*searchable, values["description"], *values["aliases"]]))
        for phrase in FORBIDDEN_PHRASES:
            if phrase in text:
                problems.append(
                    f"{where}: mentions {phrase!r}; sexual-orientation and gender-identity change "
                    "efforts are excluded by platform policy (docs/taxonomy.md)"
                )
        if len(problems) == before:
            entries.append(Entry(kind=kind, slug=slug, values=values, where=where))
    return entries


def _check_kind(entries: list[Entry]) -> list[str]:
    """Problems between terms of one kind: duplicate slugs, shared words, bad parents."""
    problems = []
    by_slug: dict[str, Entry] = {}
    for entry in entries:
        if entry.slug in by_slug:
            problems.append(
                f"{entry.where}: duplicate slug {entry.slug!r} (also {by_slug[entry.slug].where})"
            )
        else:
            by_slug[entry.slug] = entry

    # A name, short name or alias must lead to one term only, or free text
    # and search would have to guess (the "EFT" problem).
    owners: dict[str, tuple[Entry, str]] = {}
    for entry in entries:
        words = [
            ("slug", entry.slug),
            ("name", entry.values["name"]),
            ("short_name", entry.values["short_name"]),
        ]
        words += [("alias", alias) for alias in entry.values["aliases"]]
        for what, word in words:
            if not word:
                continue
            key = _word_key(word)
            owner = owners.get(key)
            if owner is None:
                owners[key] = (entry, what)
            elif owner[0] is not entry:
                problems.append(
                    f"{entry.where}: {what} {word!r} also belongs to {owner[0].where} "
                    f"(as its {owner[1]}); a word may point to one term of a kind only"
                )

    for entry in entries:
        parent = entry.values["attributes"].get("parent")
        if isinstance(parent, str) and (parent not in by_slug or parent == entry.slug):
            problems.append(f"{entry.where}: attributes.parent {parent!r} is not another term here")
    return problems


def load_taxonomy(data_dir: Path | None = None, kinds: list[str] | None = None) -> list[Entry]:
    """Read and validate every data file; raise TaxonomyDataError listing all problems."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    kinds = list(KIND_FILES) if kinds is None else kinds
    problems: list[str] = []
    unknown_kinds = [kind for kind in kinds if kind not in KIND_FILES]
    if unknown_kinds:
        problems.append(f"no data file is registered for kinds {unknown_kinds} (KIND_FILES)")
    expected = {KIND_FILES[kind] for kind in kinds if kind in KIND_FILES}
    for path in sorted(data_dir.glob("*.toml")):
        if path.name not in expected:
            problems.append(f"{path.name}: not a known data file (expected {sorted(expected)})")

    entries: list[Entry] = []
    for kind in kinds:
        if kind not in KIND_FILES:
            continue
        kind_entries = _load_file(data_dir / KIND_FILES[kind], kind, problems)
        problems.extend(_check_kind(kind_entries))
        entries.extend(kind_entries)
    if problems:
        raise TaxonomyDataError(problems)
    return entries


def sync_taxonomy(
    term_model: Any = None,
    *,
    data_dir: Path | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> dict[str, int]:
    """Bring the Term table in line with the data files; return what changed.

    `term_model` is the Term model, or the historical one inside a data
    migration. Returns counts: created, updated, unchanged, deactivated.
    """
    if term_model is None:
        from rapport.taxonomy.models import Term

        term_model = Term
    kinds = [value for value, _label in term_model._meta.get_field("kind").choices]
    entries = load_taxonomy(data_dir, kinds=kinds)
    model_fields = {field.name for field in term_model._meta.get_fields()}
    fields = [name for name in SYNCED_FIELDS if name in model_fields]
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deactivated": 0}

    with transaction.atomic(using=using):
        manager = term_model._default_manager.db_manager(using)
        # Locked so an admin save cannot slip in between our read and write.
        existing = {(term.kind, term.slug): term for term in manager.select_for_update()}
        to_create, to_update = [], []
        seen = set()
        for entry in entries:
            key = (entry.kind, entry.slug)
            seen.add(key)
            hashes = {name: digest(entry.values[name]) for name in fields}
            term = existing.get(key)
            if term is None:
                values = {name: entry.values[name] for name in fields}
                to_create.append(
                    term_model(kind=entry.kind, slug=entry.slug, source_hashes=hashes, **values)
                )
                continue
            stored = term.source_hashes or {}
            changed = [name for name in fields if stored.get(name) != hashes[name]]
            if not changed:
                counts["unchanged"] += 1
                continue
            # Only the fields the file changed: a staff edit to any other
            # field of this term stays.
            for name in changed:
                setattr(term, name, entry.values[name])
            term.source_hashes = hashes
            to_update.append(term)
            counts["updated"] += 1

        for key, term in existing.items():
            stored = term.source_hashes or {}
            # Terms staff created in the admin (no hashes) are theirs to manage;
            # a term this sync already retired stays as staff left it since.
            if key in seen or not stored or stored.get("is_active") == _RETIRED:
                continue
            term.source_hashes = {**stored, "is_active": _RETIRED}
            if term.is_active:
                term.is_active = False
                counts["deactivated"] += 1
            to_update.append(term)

        manager.bulk_create(to_create, batch_size=500)
        if to_update:
            manager.bulk_update(to_update, [*fields, "source_hashes"], batch_size=500)
        counts["created"] = len(to_create)
    return counts


def describe_counts(counts: dict[str, int]) -> str:
    return (
        f"{counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['deactivated']} deactivated"
    )
