"""Import and export in the interchange format, through the real commands."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rapport.directory import interchange
from rapport.directory.models import Office, Status, TherapistProfile
from rapport.moderation.models import AuditEvent
from rapport.testing import dana

pytestmark = pytest.mark.django_db

NOT_UTF8 = "not valid UTF-8 (save the file as UTF-8 and import it again)"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def doc(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "t1",
        "source": "test",
        "name": "Uriah Cty",
        "credentials": "MA, LMFT",
        "title": "Licensed Marriage & Family Therapist",
        "pronouns": "he/him",
        "gender": "man",
        "statement": "I help couples talk again.\n\nSessions are warm and direct.",
        "approaches": [{"slug": "relational-therapy", "statement": "Relationships heal."}],
        "issues": ["anxiety", "depression"],
        "ages": ["adults"],
        "formats": ["individual", "couples"],
        "languages": ["en", "es"],
        "licenses": [{"type": "LMFT", "number": "121606", "state": "WA", "status": "licensed"}],
        "npi": "1234567893",
        "offices": [{"address": "1 Main St", "city": "Tacoma", "state": "WA", "zip": "98402"}],
        "telehealth": True,
        "insurance": ["aetna"],
        "fees": {"min": 90, "max": 150, "sliding_scale": True},
        "accepting_confirmed_at": "2026-11-01",
        "email": "uriah@example.org",
        "phone": "253-555-0100",
        "website": "https://example.org/uriah",
    }
    base.update(overrides)
    return base


def write_jsonl(path: Path, docs: list[object]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def run_import(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_profiles", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_import_failing(path: Path, *args: str) -> tuple[str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_profiles", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(excinfo.value)


def export(tmp_path: Path, name: str = "out.jsonl", *args: str) -> Path:
    target = tmp_path / name
    call_command("export_profiles", "-o", str(target), *args, stderr=io.StringIO())
    return target


def test_it_imports_a_profile_with_every_field(tmp_path: Path) -> None:
    out, _ = run_import(write_jsonl(tmp_path / "in.jsonl", [doc()]))
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in out
    profile = TherapistProfile.objects.with_public_relations().get(source="test", external_id="t1")
    assert profile.status == Status.PUBLISHED
    assert profile.slug.startswith("uriah-cty-")
    assert [t.slug for t in profile.issues] == ["anxiety", "depression"]
    assert [a.approach.slug for a in profile.approach_statements.all()] == ["relational-therapy"]
    office = profile.offices.get()
    assert office.geocoded and office.lat == pytest.approx(47.25, abs=0.05)
    assert profile.telehealth_states == ["WA"]  # defaults to the licence states
    assert profile.in_person  # an office with a city defaults to in person
    assert AuditEvent.objects.filter(action="directory.profiles.imported").count() == 1


def test_it_reports_line_numbered_errors_and_imports_the_valid_lines(tmp_path: Path) -> None:
    lines = [
        doc(id="ok1"),
        doc(id="bad-state", licenses=[{"type": "LMFT", "state": "XX"}]),
        doc(id="bad-npi", npi="1234567890"),
        doc(id="bad-slug", issues=["anxiety", "anxeity"]),
        doc(id="bad-fees", fees={"min": 200, "max": 100}),
        doc(id="ok2", name="José Núñez"),
    ]
    path = tmp_path / "in.jsonl"
    text = "".join(json.dumps(d) + "\n" for d in lines[:3]) + "\n" + "{not json\n"
    text += "".join(json.dumps(d) + "\n" for d in lines[3:])
    path.write_text(text, encoding="utf-8")

    out, err, message = run_import_failing(path)

    assert "2 created, 0 updated, 0 unchanged, 5 failed" in out
    assert "line 2: licenses[0].state: 'XX' is not a US state or territory" in err
    assert "line 3: npi: '1234567890' is not a valid NPI: the check digit does not match" in err
    assert "line 5: not valid JSON" in err  # line 4 is blank and skipped
    assert "line 6: issues[1]: unknown issue 'anxeity' (did you mean 'anxiety'?)" in err
    assert "line 7: fees: min (200) is more than max (100)" in err
    assert "5 line(s) failed validation" in message
    assert set(TherapistProfile.objects.values_list("external_id", flat=True)) == {"ok1", "ok2"}


def test_it_imports_nothing_with_strict_when_a_line_fails(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [doc(id="a"), doc(id="b", npi="12")])
    _, err, message = run_import_failing(path, "--strict")
    assert "line 2: npi: '12' is not an NPI: it must be 10 digits" in err
    assert "nothing was imported" in message
    assert not TherapistProfile.objects.exists()


def test_it_is_idempotent_and_updates_what_changed(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [doc(id="a"), doc(id="b")])
    run_import(path)
    out, _ = run_import(path)
    assert "0 created, 0 updated, 2 unchanged, 0 failed" in out

    write_jsonl(path, [doc(id="a"), doc(id="b", name="Uriah Cty-Ramos", issues=["anxiety"])])
    out, _ = run_import(path)
    assert "0 created, 1 updated, 1 unchanged" in out
    b = TherapistProfile.objects.with_public_relations().get(external_id="b")
    assert b.name == "Uriah Cty-Ramos" and b.slug.startswith("uriah-cty-ramos-")
    assert [t.slug for t in b.issues] == ["anxiety"]
    assert Office.objects.filter(profile=b).count() == 1  # children replaced, not duplicated


def test_a_profile_renamed_by_a_reimport_redirects_from_its_old_url(tmp_path: Path, client) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [doc(id="a")])
    run_import(path)
    old = TherapistProfile.objects.get(external_id="a").get_absolute_url()
    run_import(write_jsonl(path, [doc(id="a", name="Uriah Cty-Ramos")]))
    new = TherapistProfile.objects.get(external_id="a").get_absolute_url()
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new


def test_a_reimport_leaves_claimed_profiles_to_their_therapist(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [doc(id="a"), doc(id="b")])
    run_import(path)
    # Dana claimed "a" and rewrote her statement in the editor.
    TherapistProfile.objects.filter(external_id="a").update(owner=dana(), statement="My words.")
    write_jsonl(path, [doc(id="a", name="Uriah Renamed"), doc(id="b", name="Uriah Renamed")])
    out, _ = run_import(path)
    summary = "0 created, 1 updated, 0 unchanged, 0 failed, 1 skipped as their therapist maintains them (a)"
    assert summary in out
    a = TherapistProfile.objects.get(external_id="a")
    assert (a.name, a.statement, a.owner) == ("Uriah Cty", "My words.", dana())
    assert TherapistProfile.objects.get(external_id="b").name == "Uriah Renamed"
    event = AuditEvent.objects.filter(action="directory.profiles.imported").latest("pk")
    assert event.reason.startswith(summary)
    # Unchanged or not, a claimed profile is reported as skipped, never "unchanged".
    write_jsonl(path, [doc(id="a")])
    assert "0 unchanged, 0 failed, 1 skipped as their therapist" in run_import(path)[0]


def test_the_summary_names_the_first_skipped_ids_and_counts_the_rest() -> None:
    result = interchange.ImportResult(maintained=[f"x{i}" for i in range(25)])
    assert result.summary().endswith(
        "25 skipped as their therapist maintains them (x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, "
        "x10, x11, x12, x13, x14, x15, x16, x17, x18, x19 and 5 more)"
    )


def test_the_summary_reports_each_reason_for_a_skip_apart() -> None:
    result = interchange.ImportResult(created=1, maintained=["a"], deleted=["b", "c"])
    assert result.summary() == (
        "1 created, 0 updated, 0 unchanged, 0 failed, 1 skipped as their therapist maintains "
        "them (a), 2 skipped as their therapist deleted them (b, c)"
    )


def test_it_resumes_after_a_crash_without_duplicates(tmp_path: Path, monkeypatch) -> None:
    docs = [doc(id=f"p{i}") for i in range(7)]
    path = write_jsonl(tmp_path / "in.jsonl", docs)
    calls = {"n": 0}
    real = interchange._write_batch

    def crash_on_second_batch(batch, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(batch, **kwargs)

    monkeypatch.setattr(interchange, "_write_batch", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        run_import(path, "--batch-size", "3")
    assert TherapistProfile.objects.count() == 3  # first batch committed, second rolled back
    monkeypatch.setattr(interchange, "_write_batch", real)

    out, _ = run_import(path, "--batch-size", "3")
    assert "4 created, 0 updated, 3 unchanged, 0 failed" in out
    assert TherapistProfile.objects.count() == 7


def test_it_puts_imports_in_the_queue_with_pending(tmp_path: Path) -> None:
    run_import(write_jsonl(tmp_path / "in.jsonl", [doc()]), "--pending")
    assert TherapistProfile.objects.get().status == Status.PENDING


def test_it_cleans_locations_the_reference_site_shows_broken(tmp_path: Path) -> None:
    docs = [
        doc(id="zip-in-city", offices=[{"city": "Teaneck NJ 07666", "state": "NJ"}]),
        doc(id="only-zip-in-city", offices=[{"city": "07666"}]),
        doc(id="stray-commas", offices=[{"city": " Tacoma, ", "state": " wa "}]),
        doc(id="no-city", offices=[{"state": "WA"}]),
        doc(id="nothing", offices=[{"city": "", "state": ""}], licenses=[], telehealth=False),
    ]
    run_import(write_jsonl(tmp_path / "in.jsonl", docs))
    offices = {o.profile.external_id: o for o in Office.objects.select_related("profile")}
    assert (
        offices["zip-in-city"].city,
        offices["zip-in-city"].state,
        offices["zip-in-city"].zip,
    ) == (
        "Teaneck",
        "NJ",
        "07666",
    )
    assert offices["only-zip-in-city"].city == ""
    assert offices["only-zip-in-city"].zip == "07666"
    assert offices["only-zip-in-city"].state == "NJ"  # filled from the ZIP
    assert (offices["stray-commas"].city, offices["stray-commas"].state) == ("Tacoma", "WA")
    assert offices["no-city"].profile.display_location() == "Washington"
    assert "nothing" not in offices  # an empty office is no office
    nothing = TherapistProfile.objects.get(external_id="nothing")
    assert not nothing.in_person


def test_it_keeps_markup_as_text_and_long_statements_whole(tmp_path: Path) -> None:
    long_statement = ("Ünïcode words and more words. " * 160).strip()[:4990]
    run_import(
        write_jsonl(
            tmp_path / "in.jsonl",
            [doc(name=f"Zoë {XSS}"[:120], title=XSS, credentials="PhD", statement=long_statement)],
        )
    )
    profile = TherapistProfile.objects.get()
    assert profile.title == XSS
    assert profile.statement == long_statement


def test_it_rejects_overlong_fields_and_unsafe_websites(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "in.jsonl",
        [doc(statement="x" * 5001), doc(id="t2", website="javascript:alert(1)")],
    )
    _, err, _ = run_import_failing(path)
    assert "line 1: statement: is 5,001 characters long; the limit is 5,000" in err
    assert "line 2: website: 'javascript:alert(1)' is not a web address" in err


def test_it_reads_csv_and_gzip(tmp_path: Path) -> None:
    csv_path = tmp_path / "in.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["id", "name", "issues", "licenses.0.type", "licenses.0.state", "fees.min",
             "fees.max", "offices.0.zip", "approaches", "approach_statements.relational-therapy",
             "telehealth"]
        )  # fmt: skip
        writer.writerow(
            ["c1", "Ana Paz", "anxiety;depression", "LCSW", "CA", "80", "120", "94110",
             "relational-therapy", "We work on the relationship, here.", "yes"]
        )  # fmt: skip
        writer.writerow(["c2", "", "", "", "", "", "", "", "", "", ""])
    _, err, _ = run_import_failing(csv_path)
    assert "line 3: name: is required" in err
    profile = TherapistProfile.objects.with_public_relations().get(external_id="c1")
    assert profile.telehealth and profile.telehealth_states == ["CA"]
    assert profile.approach_statements.get().statement == "We work on the relationship, here."

    gz = tmp_path / "in.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(doc(id="g1")) + "\n")
    out, _ = run_import(gz)
    assert "1 created" in out


def test_export_writes_the_spec_fields_in_order_and_never_unpublished(tmp_path: Path) -> None:
    original = doc(issues=["depression", "anxiety"])  # exported in taxonomy order
    run_import(write_jsonl(tmp_path / "in.jsonl", [original, doc(id="hidden")]))
    TherapistProfile.objects.filter(external_id="hidden").update(status=Status.SUSPENDED)

    lines = export(tmp_path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    exported = json.loads(lines[0])
    assert list(exported) == [f for f in interchange.FIELDS if f in exported]
    expected = dict(original, issues=["anxiety", "depression"], in_person=True,
                    telehealth_states=["WA"], accepting_new_clients=True)  # fmt: skip
    assert exported == expected

    everything = export(tmp_path, "all.jsonl", "--all").read_text().splitlines()
    assert len(everything) == 2


# The shortlist's Save control names the row's database id (what the session keeps), which a
# re-import renumbers; everything else on the page must come back byte for byte.
_ROW_IDS = re.compile(rb'(id="sl-(?:btn-)?|name="(?:add|remove)" value=")\d+')


def _public_page(client, profile: TherapistProfile) -> bytes:
    return _ROW_IDS.sub(rb"\1#", client.get(profile.get_absolute_url()).content)


def test_round_trip_reproduces_every_public_page(tmp_path: Path, client) -> None:
    docs = [
        doc(id="a"),
        doc(id="b", name="Nguyễn Thị Lan", offices=[{"state": "CA"}], telehealth=False),
        doc(id="c", name=f"Eve {XSS}"[:120], statement=XSS, offices=[], licenses=[]),
        doc(id="d", offices=[{"city": "Boston", "state": "MA", "lat": 42.36, "lon": -71.06}]),
        doc(id="e", expected_wait_weeks=6),  # the profile page says "waitlist, about 6 weeks"
    ]
    run_import(write_jsonl(tmp_path / "in.jsonl", docs))
    pages = {p.slug: _public_page(client, p) for p in TherapistProfile.objects.all()}
    assert all(pages.values())
    first_export = export(tmp_path, "one.jsonl").read_bytes()
    csv_export = export(tmp_path, "one.csv").read_bytes()

    for source_file in ("one.jsonl", "one.csv"):
        TherapistProfile.objects.all().delete()
        run_import(tmp_path / source_file)
        again = {p.slug: _public_page(client, p) for p in TherapistProfile.objects.all()}
        assert again == pages, f"pages differ after a round trip through {source_file}"
        assert export(tmp_path, "two.jsonl").read_bytes() == first_export
        assert export(tmp_path, "two.csv").read_bytes() == csv_export


def test_it_keeps_but_flags_statements_that_only_list_trainings(
    tmp_path: Path, admin_client
) -> None:
    trainings = (
        "EMDR Level 1 and 2 trained; Gottman Level 1; Certified Clinical Trauma Professional"
    )
    run_import(
        write_jsonl(
            tmp_path / "in.jsonl",
            [
                doc(id="list", approaches=[{"slug": "relational-therapy", "statement": trainings}]),
                doc(id="words"),
            ],
        )
    )
    flagged = TherapistProfile.objects.get(external_id="list")
    assert flagged.review_flags == ["training-list:approaches.relational-therapy"]
    assert flagged.approach_statements.get().statement == trainings  # kept as written
    assert TherapistProfile.objects.get(external_id="words").review_flags == []
    listing = admin_client.get(
        "/admin/directory/therapistprofile/?needs_review=yes"
    ).content.decode()
    assert listing.count('class="field-name"') == 1  # only the flagged profile


# --- Duplicates that a unique constraint would refuse ----------------------------------

TWICE = [
    {"slug": "relational-therapy", "statement": "Relationships heal."},
    {"slug": " Relational-Therapy", "statement": "And again, in other words."},
]
TWICE_ERROR = "approaches[1].slug: 'relational-therapy' is listed twice, also as approaches[0]"


def test_the_importer_reports_an_approach_listed_twice_and_imports_the_other_lines() -> None:
    result = interchange.import_documents(
        [(1, doc(id="ok1")), (2, doc(id="twice", approaches=TWICE)), (3, doc(id="ok2"))],
        batch_size=10,  # all three in one batch: a constraint error would lose the good lines
    )
    assert [str(e) for e in result.errors] == [f"line 2: {TWICE_ERROR}"]
    assert (result.created, result.failed_lines) == (2, 1)
    assert set(TherapistProfile.objects.values_list("external_id", flat=True)) == {"ok1", "ok2"}


def test_the_importer_reports_a_profile_listed_twice_in_one_file() -> None:
    result = interchange.import_documents(
        [(1, doc(id="a")), (2, doc(id="b")), (3, doc(id=" a", name="Someone Else"))]
    )
    assert [str(e) for e in result.errors] == ["line 3: id: 'a' already appeared on line 1"]
    assert TherapistProfile.objects.get(external_id="a").name == "Uriah Cty"


def test_the_command_reports_an_approach_listed_twice_by_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [doc(id="ok1"), doc(id="twice", approaches=TWICE)])
    out, err, message = run_import_failing(path)
    assert f"line 2: {TWICE_ERROR}" in err
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in out
    assert "1 line(s) failed validation" in message

    TherapistProfile.objects.all().delete()
    _, err, message = run_import_failing(path, "--strict")
    assert f"line 2: {TWICE_ERROR}" in err and "nothing was imported" in message
    assert not TherapistProfile.objects.exists()


def test_the_command_reports_an_approach_listed_twice_in_a_csv_column(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "id,name,approaches\nc1,Ana Paz,relational-therapy\n"
        "c2,Ben Ode,relational-therapy;RELATIONAL-THERAPY\n",
        encoding="utf-8",
    )
    out, err, _ = run_import_failing(path)
    assert (
        "line 3: approaches[1].slug: 'relational-therapy' is listed twice, also as approaches[0]"
        in err
    )
    assert "1 created" in out


def test_the_importer_stores_a_repeated_taxonomy_slug_once() -> None:
    # Unlike an approach, a repeated issue carries nothing of its own: merged, not refused.
    result = interchange.import_documents(
        [(1, doc(issues=["anxiety", " Anxiety", "depression", "anxiety"], languages=["es", "ES"]))]
    )
    assert result.ok, result.errors
    profile = TherapistProfile.objects.with_public_relations().get()
    assert [t.slug for t in profile.issues] == ["anxiety", "depression"]


def test_it_reports_lines_not_in_utf8_and_imports_the_others(tmp_path: Path) -> None:
    # "José" saved as Windows-1252: one byte that is not UTF-8, in a JSONL,
    # a gzipped JSONL and a CSV file.
    good = json.dumps(doc(id="ok"))
    bad = json.dumps(doc(id="cp1252", name="José"), ensure_ascii=False)
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes(f"{bad}\n{good}\n".encode("cp1252"))
    gz = tmp_path / "in.jsonl.gz"
    gz.write_bytes(gzip.compress(jsonl.read_bytes()))
    table = tmp_path / "in.csv"
    table.write_bytes("id,name\nc1,Ana Paz\nc2,José Núñez\n".encode("cp1252"))
    for path, failing_line in ((jsonl, 1), (gz, 1), (table, 3)):
        TherapistProfile.objects.all().delete()
        out, err, _ = run_import_failing(path)
        assert f"line {failing_line}: {NOT_UTF8}" in err
        assert "1 created, 0 updated, 0 unchanged, 1 failed" in out


def test_a_waitlist_survives_export_and_import_through_jsonl_and_csv(tmp_path: Path) -> None:
    run_import(write_jsonl(tmp_path / "in.jsonl", [doc(id="w", expected_wait_weeks=6), doc()]))
    waits = dict(TherapistProfile.objects.values_list("external_id", "expected_wait_weeks"))
    assert waits == {"w": 6, "t1": None}
    jsonl = export(tmp_path, "one.jsonl").read_text(encoding="utf-8")
    exported = {d["id"]: d for d in map(json.loads, jsonl.splitlines())}
    assert exported["w"]["expected_wait_weeks"] == 6 and "expected_wait_weeks" not in exported["t1"]
    header = export(tmp_path, "one.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header.index("expected_wait_weeks") == header.index("accepting_confirmed_at") + 1
    for source_file in ("one.jsonl", "one.csv"):
        TherapistProfile.objects.all().delete()
        run_import(tmp_path / source_file)
        waits = dict(TherapistProfile.objects.values_list("external_id", "expected_wait_weeks"))
        assert waits == {"w": 6, "t1": None}, source_file
    # A changed wait is a change (content hash), and an import can end the waitlist.
    path = write_jsonl(tmp_path / "in.jsonl", [doc(id="w", expected_wait_weeks=10), doc()])
    out, _ = run_import(path)
    assert "0 created, 1 updated, 1 unchanged" in out
    write_jsonl(path, [doc(id="w"), doc()])
    run_import(path)
    assert TherapistProfile.objects.get(external_id="w").expected_wait_weeks is None


def test_it_reports_a_bad_wait_by_line(tmp_path: Path) -> None:
    lines = [
        doc(id="ok", expected_wait_weeks="4"),
        doc(id="zero", expected_wait_weeks=0),
        doc(id="year", expected_wait_weeks=53),
        doc(id="words", expected_wait_weeks="a few"),
        doc(id="half", expected_wait_weeks=2.5),
        doc(id="closed", expected_wait_weeks=3, accepting_new_clients=False),
    ]
    out, err, _ = run_import_failing(write_jsonl(tmp_path / "in.jsonl", lines))
    assert "1 created, 0 updated, 0 unchanged, 5 failed" in out
    assert "line 2: expected_wait_weeks: 0 is outside 1 to 52 weeks" in err
    assert "line 3: expected_wait_weeks: 53 is outside 1 to 52 weeks" in err
    assert "line 4: expected_wait_weeks: 'a few' is not a whole number of weeks (1 to 52)" in err
    assert "line 5: expected_wait_weeks: 2.5 is not a whole number of weeks" in err
    assert "line 6: expected_wait_weeks: a waitlist needs accepting_new_clients true" in err
    assert TherapistProfile.objects.get().expected_wait_weeks == 4


def test_a_reimport_keeps_a_checked_license_verified_at_once(tmp_path: Path, client) -> None:
    """The importer writes license rows afresh; a license staff checked (same type, state,
    number) shows its badge straight after, and one whose number changed loses it."""
    from rapport.testing import verify_license

    path = write_jsonl(tmp_path / "in.jsonl", [doc(id="a"), doc(id="b")])
    run_import(path)
    a, b = TherapistProfile.objects.order_by("external_id")
    for profile in (a, b):
        verify_license(profile.licenses.get())
    changed_number = [{"type": "LMFT", "number": "999999", "state": "WA", "status": "licensed"}]
    run_import(
        write_jsonl(path, [doc(id="a", phone="253-555-0199"), doc(id="b", licenses=changed_number)])
    )
    a_license, b_license = (p.licenses.get() for p in (a, b))
    assert a_license.verified_at is not None and b_license.verified_at is None
    badge = f"License verified {timezone.localdate():%B %Y} (state board lookup)"
    assert badge in client.get(a.get_absolute_url()).content.decode()
    assert badge not in client.get(b.get_absolute_url()).content.decode()
