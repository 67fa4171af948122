"""The importer's limits: memory bounded for any file, and an audit event for every run.

The messages themselves are in test_import_messages.py (FILE_ROWS); here, what a hostile or
broken file costs, and what the audit log says afterwards. Figures for the real sizes (a 2 GB
gzip bomb, 100k profiles with --strict) are in docs/benchmarks.md, "Import limits".
"""

from __future__ import annotations

import gc
import gzip
import io
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from rapport.directory import interchange
from rapport.directory.models import TherapistProfile
from rapport.moderation.models import AuditEvent

pytestmark = pytest.mark.django_db

NOT_UTF8 = "not valid UTF-8 (save the file as UTF-8 and import it again)"


def run_import(path: Path, *args: str) -> tuple[str, str, str]:
    """stdout, stderr and the CommandError's message ("" when the import succeeded)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_profiles", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), ""


def audit_reasons() -> list[str]:
    return list(
        AuditEvent.objects.filter(action="directory.profiles.imported").values_list(
            "reason", flat=True
        )
    )


def profile_line(n: int, name: str = "Ana Paz") -> bytes:
    return json.dumps({"id": f"p{n}", "name": name}).encode() + b"\n"


def peak_memory_of_import(path: Path) -> tuple[str, str, int]:
    """stdout, the error message, and the most memory Python held during the import."""
    tracemalloc.start()
    try:
        out, _, message = run_import(path)
        return out, message, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


LINE_TOO_LONG = (
    "line 1: longer than 1,048,576 characters, which no profile is (is this the right file?);"
    " stopped there"
)


def test_a_line_of_64_mb_is_refused_without_holding_it(tmp_path: Path) -> None:
    # The whole line used to be read into memory: the 2 GB line took 4.3 GB.
    path = tmp_path / "long.jsonl"
    with path.open("wb") as file:
        for _ in range(64):
            file.write(b"a" * (1 << 20))
    out, message, peak = peak_memory_of_import(path)
    assert message == LINE_TOO_LONG
    assert peak < 16 << 20, f"peak {peak:,} bytes"
    assert audit_reasons() == [f"{out.strip()}; failed: {message}"]


def test_a_gzip_bomb_is_refused_within_a_megabyte(tmp_path: Path) -> None:
    # 64 MiB in 64 KB of gzip, as one line and as blank lines (which pass the line limit).
    one_line = tmp_path / "one-line.jsonl.gz"
    with gzip.open(one_line, "wb") as file:
        for _ in range(64):
            file.write(b"a" * (1 << 20))
    blank_lines = tmp_path / "blank-lines.jsonl.gz"
    blank_lines.write_bytes(gzip.compress(b"\n" * (64 << 20)))
    out, message, peak = peak_memory_of_import(one_line)
    assert peak < 16 << 20, f"peak {peak:,} bytes"
    assert_refused_as_a_bomb(one_line, out, message)
    out, _, message = run_import(blank_lines)
    assert_refused_as_a_bomb(blank_lines, out, message)


def assert_refused_as_a_bomb(path: Path, out: str, message: str) -> None:
    assert message.startswith(f"{path}: expands more than 100 times when decompressed")
    stopped_after = int(message.rsplit("after ", 1)[1].split(" ")[0].replace(",", ""))
    assert stopped_after < 1 << 20
    assert audit_reasons()[0] == f"{out.strip()}; failed: {message}"


def test_it_caps_the_bytes_read_after_decompression(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(profile_line(n) for n in range(1000))))
    _, _, message = run_import(path, "--max-bytes", "10000")
    assert message == (
        f"{path}: more than 10,000 bytes once decompressed; stopped there"
        " (--max-bytes raises the limit)"
    )
    assert not TherapistProfile.objects.exists()
    _, _, message = run_import(path)  # the default is far above a real file
    assert message == ""
    assert TherapistProfile.objects.count() == 1000


def test_a_bad_byte_at_line_2500_of_3000_is_that_lines_error(tmp_path: Path) -> None:
    # The file: it used to end in a traceback with a byte offset, 2,000 rows
    # committed and no audit event.
    lines = [profile_line(n) for n in range(1, 3001)]
    lines[2499] = profile_line(2500, "José").replace(b"\\u00e9", b"\xe9")  # Windows-1252
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(lines)))
    out, err, message = run_import(path)
    assert err.splitlines() == [f"line 2500: {NOT_UTF8}"]
    assert "2,999 created, 0 updated, 0 unchanged, 1 failed" in out
    assert message == "1 line(s) failed validation"
    assert TherapistProfile.objects.count() == 2999
    assert audit_reasons()[0].startswith("2,999 created, 0 updated, 0 unchanged, 1 failed")


def test_it_keeps_a_bounded_number_of_errors_and_counts_them_all(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("not json\n" * 2500, encoding="utf-8")
    result = interchange.import_documents(interchange.ProfileFile(path))
    assert result.failed_lines == result.error_count == 2500
    assert len(result.errors) == interchange.MAX_ERRORS_KEPT
    _, err, _ = run_import(path)
    assert err.splitlines()[-1] == "... and 2,300 more errors"


class CountingPasses:
    """Documents that can be read twice; notes the profiles still alive as each pass starts."""

    def __init__(self, documents: list[tuple[int, object]]) -> None:
        self.documents = documents
        self.alive_at_each_pass: list[int] = []

    def __iter__(self) -> Iterator[tuple[int, object]]:
        gc.collect()
        self.alive_at_each_pass.append(
            sum(isinstance(o, interchange.CleanProfile) for o in gc.get_objects())
        )
        return iter(self.documents)


def test_strict_validates_in_a_first_pass_that_keeps_no_profiles() -> None:
    # It used to keep every cleaned profile until the end of the file (1.1 GB at 100k).
    documents = CountingPasses([(n, {"id": f"p{n}", "name": "Ana Paz"}) for n in range(1, 51)])
    result = interchange.import_documents(documents, strict=True, batch_size=10)
    assert documents.alive_at_each_pass == [0, 0]
    assert result.created == 50 and result.ok


def test_strict_reads_a_gzip_file_twice_and_imports_nothing_when_a_line_fails(
    tmp_path: Path,
) -> None:
    path = tmp_path / "in.jsonl.gz"
    good = [profile_line(n) for n in range(1, 6)]
    path.write_bytes(gzip.compress(b"".join(good)))
    out, _, message = run_import(path, "--strict")
    assert message == "" and "5 created" in out
    TherapistProfile.objects.all().delete()
    path.write_bytes(gzip.compress(b"".join([*good, b"{}\n"])))
    out, err, message = run_import(path, "--strict")
    assert err.splitlines() == ["line 6: id: is required", "line 6: name: is required"]
    assert message == "1 line(s) failed validation; nothing was imported (--strict)"
    assert not TherapistProfile.objects.exists()


CHANGED = "changed since it was checked; import it again once it is complete"


class ChangedAfterFirstPass(interchange.ProfileFile):
    """A file that gets a bad line once the first pass has read it (a download still going)."""

    def __iter__(self) -> Iterator[tuple[int, object]]:
        yield from super().__iter__()
        with self.path.open("ab") as file:
            file.write(b"{}\n")


def test_strict_imports_nothing_when_the_file_changes_between_its_passes(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(profile_line(n) for n in range(1, 4)))
    result = interchange.import_documents(ChangedAfterFirstPass(path), strict=True)
    assert result.stopped == f"{path}: {CHANGED}"
    assert result.dry_run and not TherapistProfile.objects.exists()


def test_strict_needs_documents_it_can_read_twice() -> None:
    with pytest.raises(TypeError, match="strict needs documents it can read twice"):
        interchange.import_documents(iter([(1, {"id": "p1", "name": "Ana Paz"})]), strict=True)


def test_every_run_writes_its_audit_event_a_failed_one_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n", encoding="utf-8")
    _, _, message = run_import(blank)
    assert audit_reasons()[0].endswith(f"; failed: {message}")

    unknown = tmp_path / "profiles.txt"
    _, _, message = run_import(unknown)
    assert audit_reasons()[0].endswith(f"; failed: {message}")

    def broken_disk(*args: object, **kwargs: object) -> None:
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(interchange, "_write_batch", broken_disk)
    good = tmp_path / "in.jsonl"
    good.write_bytes(profile_line(1))
    with pytest.raises(DatabaseError):
        run_import(good)
    assert audit_reasons()[0].endswith("; failed: ended by DatabaseError")
    assert len(audit_reasons()) == 3
