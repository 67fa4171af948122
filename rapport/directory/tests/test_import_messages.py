"""Every message the importer can give about a line or a file, one row each, and a guard
that keeps it so.

Each row is a minimal bad file (valid but for one thing) and the one error the
importer must report for it, with its line number and field path; FILE_ROWS are
the files it cannot read to their end, with the message that stops it. The guard
reads the message strings out of `interchange.py` and `validators.py` and fails
when one of them has no row here, so a new rule comes with its words tested.
"""

from __future__ import annotations

import ast
import gzip
import io
import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.directory import interchange, validators
from rapport.directory.interchange import LineError
from rapport.directory.models import TherapistProfile
from rapport.directory.tests import test_import_limits

pytestmark = pytest.mark.django_db

VALID = {"id": "r1", "name": "Ana Paz"}


class Row(NamedTuple):
    lines: list[object]  # a dict is written as JSON, a str as the line's raw text
    error: LineError


def bad(error: LineError, **fields: object) -> Row:
    """A one-line file: the valid document with `fields` changed."""
    return Row([VALID | fields], error)


def err(path: str, message: str, line: int = 1) -> LineError:
    return LineError(line, path, message)


NOTE = "Relationships heal."
NOT_UTF8 = "not valid UTF-8 (save the file as UTF-8 and import it again)"
ROWS = {
    # --- validators.py ----------------------------------------------------------------
    "text, not a list": bad(err("name", "expected text, got list"), name=["Ana"]),
    "text required": bad(err("name", "is required"), name=" "),
    "id required": Row([{"name": "Ana Paz"}], err("id", "is required")),
    "text, half an emoji": bad(
        err("statement", "contains a broken character (half of an emoji?)"),
        statement="Warm and direct \ud83d",
    ),
    "text too long": bad(
        err("pronouns", "is 31 characters long; the limit is 30"), pronouns="x" * 31
    ),
    "boolean": bad(err("telehealth", "'maybe' is not true or false"), telehealth="maybe"),
    "dollars, a boolean": bad(
        err("fees.min", "True is not a whole number of dollars"), fees={"min": True}
    ),
    "dollars, words": bad(
        err("fees.min", "'ninety' is not a whole number of dollars"), fees={"min": "ninety"}
    ),
    "dollars, cents": bad(
        err("fees.max", "12.5 is not a whole number of dollars"), fees={"max": 12.5}
    ),
    "dollars, not a number": bad(
        err("fees.min", "'NaN' is not a whole number of dollars"), fees={"min": "NaN"}
    ),
    "dollars, too many": bad(
        err("fees.max", "20000 is outside 0 to 10,000 dollars per session"), fees={"max": 20000}
    ),
    "wait, words": bad(
        err("expected_wait_weeks", "'a month' is not a whole number of weeks (1 to 52)"),
        expected_wait_weeks="a month",
    ),
    "wait, out of range": bad(
        err("expected_wait_weeks", "0 is outside 1 to 52 weeks"), expected_wait_weeks=0
    ),
    "state, unknown": bad(
        err("telehealth_states[0]", "'XX' is not a US state or territory"),
        telehealth_states=["XX"],
    ),
    "state, missing": bad(
        err("licenses[0].state", "is required"), licenses=[{"type": "LMFT", "number": "1"}]
    ),
    "NPI, length": bad(err("npi", "'12' is not an NPI: it must be 10 digits"), npi="12"),
    "NPI, check digit": bad(
        err("npi", "'1234567890' is not a valid NPI: the check digit does not match"),
        npi="1234567890",
    ),
    "ZIP": bad(
        err("offices[0].zip", "'9840' is not a US ZIP code (12345 or 12345-6789)"),
        offices=[{"zip": "9840"}],
    ),
    "coordinate, words": bad(
        err("offices[0].lat", "'north' is not a number"), offices=[{"lat": "north"}]
    ),
    "coordinate, range": bad(
        err("offices[0].lon", "-200.0 is outside -180 to 180"), offices=[{"lon": -200}]
    ),
    "email": bad(err("email", "'uriah' is not an email address"), email="uriah"),
    "website": bad(
        err("website", "'javascript:alert(1)' is not a web address (http:// or https://)"),
        website="javascript:alert(1)",
    ),
    "phone": bad(err("phone", "'call me' is not a phone number"), phone="call me"),
    "date, format": bad(
        err("accepting_confirmed_at", "'yesterday' is not a date (YYYY-MM-DD)"),
        accepting_confirmed_at="yesterday",
    ),
    "date, future": bad(
        err("accepting_confirmed_at", "2999-01-01 is in the future"),
        accepting_confirmed_at="2999-01-01",
    ),
    # --- interchange.py: the file and the line ----------------------------------------
    "not JSON": Row(
        ["{not json"],
        err("", "not valid JSON: Expecting property name enclosed in double quotes at column 2"),
    ),
    # A byte that is not UTF-8, as open_text() reads it (see the command's test below).
    "not UTF-8": Row(['{"id": "r1", "name": "Jos\udce9"}'], err("", NOT_UTF8)),
    "not an object": Row(["[1, 2]"], err("", "expected a JSON object, got list")),
    "same id twice": Row(
        [VALID, VALID | {"name": "Ben Ode"}], err("id", "'r1' already appeared on line 1", line=2)
    ),
    # --- interchange.py: taxonomy --------------------------------------------------------
    "unknown issue": bad(
        err("issues[0]", "unknown issue 'anxeity' (did you mean 'anxiety'?)"), issues=["anxeity"]
    ),
    "unknown identity": bad(err("identities[0]", "unknown identity 'zzz'"), identities=["zzz"]),
    "unknown community": bad(err("communities[0]", "unknown community 'zzz'"), communities=["zzz"]),
    "unknown age group": bad(err("ages[0]", "unknown age group 'zzz'"), ages=["zzz"]),
    "unknown format": bad(err("formats[0]", "unknown format 'zzz'"), formats=["zzz"]),
    "unknown language": bad(err("languages[0]", "unknown language 'zzz'"), languages=["zzz"]),
    "unknown insurance": bad(err("insurance[0]", "unknown insurance 'zzz'"), insurance=["zzz"]),
    "unknown approach": bad(
        err("approaches[0].slug", "unknown approach 'zzz'"), approaches=["zzz"]
    ),
    "unknown licence type": bad(
        err("licenses[0].type", "unknown licence type 'LMFX' (did you mean 'LMFT'?)"),
        licenses=[{"type": "LMFX", "state": "WA"}],
    ),
    "a list expected": bad(err("issues", "expected a list, got int"), issues=5),
    "a slug expected": bad(err("issues[0]", "expected a slug, got int"), issues=[5]),
    # --- interchange.py: approaches, licences, offices, fees ----------------------------
    "approach, not an object": bad(
        err("approaches[0]", "expected an object with 'slug' and 'statement'"), approaches=[5]
    ),
    "approach without a slug": bad(
        err("approaches[0].slug", "is required"), approaches=[{"statement": NOTE}]
    ),
    "approach listed twice": bad(
        err("approaches[1].slug", "'relational-therapy' is listed twice, also as approaches[0]"),
        approaches=["relational-therapy", {"slug": "relational-therapy", "statement": NOTE}],
    ),
    "licence, not an object": bad(
        err("licenses[0]", "expected an object with 'type' and 'state'"), licenses=["LMFT"]
    ),
    "licence status": bad(
        err("licenses[0].status", "'retired' is not one of licensed, associate, student"),
        licenses=[{"type": "LMFT", "state": "WA", "status": "retired"}],
    ),
    "office, not an object": bad(
        err("offices[0]", "expected an object with address, city, state, zip"),
        offices=["Tacoma"],
    ),
    "office, half a position": bad(
        err("offices[0]", "give both lat and lon, or neither"),
        offices=[{"city": "Tacoma", "state": "WA", "lat": 47.25}],
    ),
    "fees, not an object": bad(
        err("fees", "expected an object with min, max, sliding_scale, free_consultation"),
        fees=[90, 150],
    ),
    "wait, not accepting": bad(
        err(
            "expected_wait_weeks",
            "a waitlist needs accepting_new_clients true (leave the wait empty when not accepting)",
        ),
        expected_wait_weeks=4,
        accepting_new_clients=False,
    ),
    "fees, min over max": bad(
        err("fees", "min (200) is more than max (100)"), fees={"min": 200, "max": 100}
    ),
}


def import_lines(lines: list[object]) -> interchange.ImportResult:
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    return interchange.import_documents(interchange.read_documents(io.StringIO(text), "jsonl"))


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_it_reports_each_problem_with_its_line_path_and_words(row: Row) -> None:
    result = import_lines(row.lines)
    assert result.errors == [row.error]
    assert result.failed_lines == 1
    # The other lines of the file are imported.
    assert TherapistProfile.objects.count() == len(row.lines) - 1


def test_the_valid_document_of_the_table_imports() -> None:
    result = import_lines([VALID])
    assert result.ok and result.created == 1


UNKNOWN_FORMAT = "unknown format; name it .jsonl or .csv (optionally .gz)"


def test_it_refuses_a_file_it_cannot_read_by_name(tmp_path: Path) -> None:
    path = tmp_path / "profiles.txt"
    path.write_text(json.dumps(VALID) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(f"{path}: {UNKNOWN_FORMAT}")):
        call_command("import_profiles", str(path), stdout=io.StringIO(), stderr=io.StringIO())


class FileRow(NamedTuple):
    """A file the importer cannot read to its end, and the one message that stops it
    ("{path}" is the file's path, "{bytes}" a count that depends on the zlib library)."""

    name: str
    content: bytes | None  # None: no such file
    message: str
    options: tuple[str, ...] = ()


_LINE = json.dumps(VALID).encode() + b"\n"
FILE_ROWS = {
    "a line too long": FileRow(
        "in.jsonl",
        _LINE + b'{"id": "' + b"x" * (1 << 20) + b'"}\n',
        "line 2: longer than 1,048,576 characters, which no profile is"
        " (is this the right file?); stopped there",
    ),
    "too many bytes": FileRow(
        "in.jsonl",
        _LINE * 400,
        "{path}: more than 10,000 bytes; stopped there (--max-bytes raises the limit)",
        ("--max-bytes", "10000"),
    ),
    "a gzip bomb": FileRow(
        "in.jsonl.gz",
        gzip.compress(b"\n" * (4 << 20)),
        "{path}: expands more than 100 times when decompressed, which no profile file does"
        " (a gzip bomb?); stopped after {bytes} bytes",
    ),
    "a cut gzip": FileRow(
        "in.jsonl.gz",
        gzip.compress(_LINE * 100)[:-12],
        "{path}: not a complete gzip file"
        " (Compressed file ended before the end-of-stream marker was reached)",
    ),
    "no such file": FileRow("in.jsonl", None, "{path}: No such file or directory"),
    "a CSV cell past csv's limit": FileRow(
        "in.csv",
        b'id,name\nc1,"' + b"x" * 140_000 + b"\n",
        "line 2: not readable as CSV (field larger than field limit (131072)); stopped there",
    ),
}


@pytest.mark.parametrize("row", FILE_ROWS.values(), ids=FILE_ROWS.keys())
def test_it_stops_at_a_file_it_cannot_read_to_its_end_and_says_why(
    tmp_path: Path, row: FileRow
) -> None:
    path = tmp_path / row.name
    if row.content is not None:
        path.write_bytes(row.content)
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "import_profiles", str(path), *row.options, stdout=io.StringIO(), stderr=io.StringIO()
        )
    expected = re.escape(row.message.format(path=path, bytes="{bytes}"))
    assert re.fullmatch(expected.replace(r"\{bytes\}", "[0-9,]+"), str(excinfo.value))


# --- The guard ---------------------------------------------------------------------------

# A message is the first argument of one of these, or the second item of a
# (path, message) pair that is appended to an error list or written in one.
# So write a message where it is raised: one kept in a variable escapes the guard.
_MESSAGE_CALLS = {"FieldError", "ParseFailure", "ValueError", "InputRefused"}


def _template(node: ast.expr) -> str | None:
    """A string's text, with "{}" for each value an f-string puts in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(p.value) if isinstance(p, ast.Constant) else "{}" for p in node.values)
    return None


def message_templates(module: object) -> set[str]:
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    pairs: list[ast.expr] = []
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in _MESSAGE_CALLS and node.args:
                found.add(_template(node.args[0]) or "")
            elif name == "append" and node.args:
                pairs.append(node.args[0])
        elif isinstance(node, ast.List):
            pairs.extend(node.elts)
    for pair in pairs:
        if isinstance(pair, ast.Tuple) and len(pair.elts) == 2:
            message = _template(pair.elts[1])
            if message is not None:
                found.add(message)
    return found


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in template.split("{}")))


def test_every_message_in_the_code_has_a_row() -> None:
    templates = message_templates(interchange) | message_templates(validators)
    tested = [row.error.message for row in ROWS.values()] + [f"in.txt: {UNKNOWN_FORMAT}"]
    tested += [row.message.format(path="in.jsonl", bytes="417,792") for row in FILE_ROWS.values()]
    # Only --strict's second pass can see it: test_import_limits.py makes a file change.
    tested += [f"in.jsonl: {test_import_limits.CHANGED}"]
    covered = set()
    for message in tested:
        # A message counts for the most specific template it fits: "20000 is
        # outside 0 to 10,000 dollars per session" also fits "{} is outside {} to {}".
        fitting = [t for t in templates if _pattern(t).fullmatch(message)]
        assert fitting, f"{message!r} is in no module: a row for a message that is gone?"
        covered.add(max(fitting, key=lambda t: len(t.replace("{}", ""))))
    assert templates - covered == set(), "messages with no row in ROWS"
    # And the guard finds them at all: a sample of each kind of site.
    assert {"is required", "expected a list, got {}", "not valid JSON: {} at column {}"} <= (
        templates
    )


# --- Any document gets an answer -------------------------------------------------------

# Values that parse as something else than they look, besides whatever hypothesis makes up.
# "\ud83d" is half an emoji: valid JSON ("\\ud83d"), but no text a database can store.
_TRICKY = ["", " ", "NaN", "inf", "-0", "1e400", "true", "WA", "LMFT", "anxiety", "2026-02-30"]
_TRICKY += ["Jos\ud83d"]
_LEAF = st.one_of(
    st.sampled_from(_TRICKY), st.none(), st.booleans(), st.integers(), st.floats(), st.text()
)
# deferred(): one_of() would flatten a nested one_of, and a leaf would then
# crowd out the shapes below six to one.
_ANY_LEAF = st.deferred(lambda: _LEAF)


def _objects(keys: tuple[str, ...]) -> st.SearchStrategy[dict[str, object]]:
    every_key = st.fixed_dictionaries(dict.fromkeys(keys, _ANY_LEAF))
    return every_key | st.fixed_dictionaries({}, optional=dict.fromkeys(keys, _ANY_LEAF))


# Mostly the shape the spec asks for, with any value inside; sometimes any value at all.
_SHAPES = {
    "fees": _objects(interchange.FEE_KEYS),
    "licenses": st.lists(_objects(interchange.LICENSE_KEYS), max_size=2),
    "offices": st.lists(_objects(interchange.OFFICE_KEYS), max_size=2),
    "approaches": st.lists(_objects(("slug", "statement")) | _ANY_LEAF, max_size=3),
}
_FIELD_VALUES = {
    key: st.one_of(_SHAPES.get(key, st.lists(_ANY_LEAF, max_size=3)), _ANY_LEAF)
    for key in interchange.FIELDS
}
# Every field at once reaches every rule in one document; a few fields on a
# valid document also reach the code that runs only when a document is valid.
_DOCUMENT = st.fixed_dictionaries(_FIELD_VALUES) | st.fixed_dictionaries(
    {}, optional=_FIELD_VALUES
).map(lambda fields: VALID | fields)


def test_any_document_is_either_imported_or_answered_with_errors() -> None:
    # A value no row thought of ("NaN" dollars did) must be that line's error,
    # never an exception that aborts the whole file.
    terms = interchange.TermLookup()

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_DOCUMENT)
    def check(document: dict[str, object]) -> None:
        profile, errors = interchange.clean_document(document, terms)
        assert (profile is None) == bool(errors)
        assert all(isinstance(path, str) and message for path, message in errors)

    check()


FIELD_RULES = {
    "text": lambda value: validators.text(value, max_length=10),
    "boolean": validators.boolean,
    "whole_dollars": validators.whole_dollars,
    "state_code": validators.state_code,
    "npi": validators.npi,
    "zip_code": validators.zip_code,
    "coordinate": lambda value: validators.coordinate(value, low=-90, high=90),
    "email": validators.email,
    "website": validators.website,
    "phone": validators.phone,
    "iso_date": validators.iso_date,
}


@pytest.mark.parametrize("rule", FIELD_RULES.values(), ids=FIELD_RULES.keys())
@settings(max_examples=150, deadline=None)
@given(value=_LEAF)
def test_each_field_rule_returns_a_storable_value_or_says_why_not(rule, value: object) -> None:
    try:
        cleaned = rule(value)
    except validators.FieldError as error:
        assert error.message
    else:
        if isinstance(cleaned, str):
            cleaned.encode("utf-8")  # text a database can store
