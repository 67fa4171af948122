"""Interchange files that reach spreadsheets and pages: formulas, invisible reordering, blanks."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.directory import interchange
from rapport.directory.models import TherapistProfile
from rapport.directory.tests.test_interchange import (
    doc,
    export,
    run_import,
    run_import_failing,
    write_jsonl,
)

pytestmark = pytest.mark.django_db

FORMULA_NAME = '=HYPERLINK("https://evil.example","Ana")'


def test_csv_export_neutralizes_formulas_and_import_reads_them_back(tmp_path: Path) -> None:
    original = doc(
        name=FORMULA_NAME,
        title="@SUM(1+1) counselor",
        statement="- I listen.\n- I ask.",
        phone="+1 253-555-0100",
        credentials="'=already quoted",
    )
    run_import(write_jsonl(tmp_path / "in.jsonl", [original]))
    out = export(tmp_path, "out.csv")
    with out.open(newline="", encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    # No cell a spreadsheet would run: each starts with the apostrophe spreadsheets hide.
    for column, value in row.items():
        assert not value.startswith(("=", "+", "-", "@")), (column, value)
    assert row["name"] == "'" + FORMULA_NAME
    assert row["phone"] == "'+1 253-555-0100"
    assert row["credentials"] == "''=already quoted"

    # Importing the export gives back exactly what was there.
    TherapistProfile.objects.all().delete()
    run_import(out)
    profile = TherapistProfile.objects.get(external_id="t1")
    assert profile.name == FORMULA_NAME
    assert profile.title == "@SUM(1+1) counselor"
    assert profile.statement == "- I listen.\n- I ask."
    assert profile.phone == "+1 253-555-0100"
    assert profile.credentials == "'=already quoted"


@given(st.text(max_size=12))
def test_the_formula_guard_always_reads_back(text: str) -> None:
    guarded = interchange.guard_formula(text)
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert interchange.unguard_formula(guarded) == text


def test_it_removes_bidirectional_overrides_from_names_and_titles(tmp_path: Path) -> None:
    _out, err, _msg = run_import_failing(
        write_jsonl(
            tmp_path / "in.jsonl",
            [
                doc(
                    id="b1",
                    name="Ana \u202eztiL\u202c Paz",
                    title="\u2067Therapist\u2069",
                    credentials="LMFT\u200f",
                    statement="שלום \u200fעולם",
                ),
                doc(id="b2", name="\u202e\u202c"),
            ],
        )
    )
    profile = TherapistProfile.objects.get(external_id="b1")
    assert profile.name == "Ana ztiL Paz"
    assert profile.title == "Therapist"
    assert profile.credentials == "LMFT"
    assert "\u200f" in profile.statement  # a statement in Hebrew keeps its marks
    # A name of nothing but formatting characters is no name.
    assert "line 2: name: is required" in err


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.jsonl", ""), ("blank.jsonl", "\n  \n\n"), ("header.csv", "id,name,issues\n")],
)
def test_a_file_without_profiles_is_an_error_not_a_success(
    tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    _out, _err, message = run_import_failing(path)
    assert message == f"{path}: no profiles in the file (it is empty or only blank lines)"


def test_csv_written_to_a_stream_is_guarded_too() -> None:
    stream = io.StringIO()
    interchange.write_csv([{"id": "x", "name": "=1+1"}], stream)
    assert stream.getvalue().splitlines()[1] == "x,'=1+1"
