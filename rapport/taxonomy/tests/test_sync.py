"""The taxonomy data files, their sync into Term, the command and the admin.

Migrations already run the sync, so every test starts with the taxonomy
loaded, exactly as a fresh installation would.
"""

from __future__ import annotations

import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from rapport.taxonomy.models import Kind, Term
from rapport.taxonomy.sync import DATA_DIR, TaxonomyDataError, sync_taxonomy

pytestmark = pytest.mark.django_db

MINIMUM_COUNTS = {
    Kind.APPROACH: 60,
    Kind.ISSUE: 70,
    Kind.IDENTITY: 25,
    Kind.COMMUNITY: 25,
    Kind.INSURANCE: 30,
    Kind.LANGUAGE: 180,
    Kind.LICENSE_TYPE: 25,
    Kind.AGE: 4,
    Kind.FORMAT: 4,
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the data files that a test may edit."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    # Descriptions live beside the data files (content/<kind>/<slug>.md).
    shutil.copytree(DATA_DIR.parent / "content", tmp_path / "content")
    return target


def edit_term(path: Path, name: str, old: str, new: str) -> None:
    """Replace `old` by `new` inside the [[terms]] block of the term called `name`."""
    blocks = path.read_text(encoding="utf-8").split("\n[[terms]]\n")
    matches = [i for i, block in enumerate(blocks) if f'\nname = "{name}"\n' in f"\n{block}"]
    assert len(matches) == 1, f"{name!r} found {len(matches)} times in {path.name}"
    assert old in blocks[matches[0]], f"{old!r} not in the block of {name!r}"
    blocks[matches[0]] = blocks[matches[0]].replace(old, new)
    path.write_text("\n[[terms]]\n".join(blocks), encoding="utf-8")


def remove_term(path: Path, name: str) -> None:
    blocks = path.read_text(encoding="utf-8").split("\n[[terms]]\n")
    kept = [block for block in blocks if f'\nname = "{name}"\n' not in f"\n{block}"]
    assert len(kept) == len(blocks) - 1
    path.write_text("\n[[terms]]\n".join(kept), encoding="utf-8")


def add_term(path: Path, toml: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(f"{text.rstrip()}\n\n[[terms]]\n{toml.strip()}\n", encoding="utf-8")


# --- What the vocabularies contain ------------------------------------------


def test_it_loads_every_kind_with_at_least_the_minimum_number_of_terms() -> None:
    for kind, minimum in MINIMUM_COUNTS.items():
        count = Term.objects.active().of_kind(kind).count()
        assert count >= minimum, f"{kind}: {count} terms, expected at least {minimum}"


def test_it_has_relational_therapy_with_its_group_and_summary() -> None:
    term = Term.objects.get(kind=Kind.APPROACH, slug="relational-therapy")
    assert term.name == "Relational Therapy"
    assert term.group == "Psychodynamic & relational"
    assert term.summary.startswith("A talk therapy")


def test_it_names_approaches_so_their_slugs_read_well() -> None:
    expected = {
        "cognitive-behavioral-therapy": "CBT",
        "internal-family-systems": "IFS",
        "eye-movement-desensitization-and-reprocessing": "EMDR",
        "dialectical-behavior-therapy": "DBT",
    }
    for slug, short_name in expected.items():
        term = Term.objects.get(kind=Kind.APPROACH, slug=slug)
        assert term.short_name == short_name
    emdr = Term.objects.get(
        kind=Kind.APPROACH, slug="eye-movement-desensitization-and-reprocessing"
    )
    assert "emdr" in emdr.aliases
    groups = set(Term.objects.of_kind(Kind.APPROACH).values_list("group", flat=True))
    assert groups <= {
        "Cognitive & behavioral",
        "Trauma-focused",
        "Psychodynamic & relational",
        "Humanistic & experiential",
        "Couples & family",
        "Body-based & expressive",
        "Other",
    }


def test_it_gives_every_approach_and_issue_a_one_sentence_summary() -> None:
    for term in Term.objects.filter(kind__in=[Kind.APPROACH, Kind.ISSUE]):
        assert term.summary, f"{term.kind} {term.slug} has no summary"
        assert term.summary.endswith("."), f"{term.slug}: {term.summary!r}"
        assert len(term.summary) <= 300


def test_it_maps_everyday_words_to_issues() -> None:
    def aliases(slug: str) -> list[str]:
        return Term.objects.get(kind=Kind.ISSUE, slug=slug).aliases

    assert {"anxious", "worry"} <= set(aliases("anxiety"))
    assert {"ptsd", "trauma"} <= set(aliases("trauma-ptsd"))
    assert {"couples", "marriage", "marital"} <= set(aliases("couples-marital"))
    assert {"insomnia", "can't sleep"} <= set(aliases("sleep-insomnia"))
    assert Term.objects.filter(kind=Kind.ISSUE, slug="relationship-issues").exists()


def test_it_excludes_conversion_therapy_from_every_vocabulary() -> None:
    for term in Term.objects.all():
        text = " ".join(
            [term.slug, term.name, term.short_name, term.summary, term.description, *term.aliases]
        ).lower()
        assert "conversion" not in text, f"{term.kind} {term.slug}"
        assert "reparative" not in text, f"{term.kind} {term.slug}"


def test_it_gives_ambiguous_eft_to_one_approach_only() -> None:
    holders = [
        term.slug
        for term in Term.objects.of_kind(Kind.APPROACH)
        if "eft" in {term.short_name.lower(), *(alias.lower() for alias in term.aliases)}
    ]
    assert holders == ["emotionally-focused-couples-therapy"]


def test_it_keeps_identities_and_communities_apart() -> None:
    assert Term.objects.filter(kind=Kind.IDENTITY, slug="nonbinary").exists()
    assert Term.objects.filter(kind=Kind.COMMUNITY, slug="lgbtq-affirming").exists()
    assert not Term.objects.filter(kind=Kind.IDENTITY, slug="lgbtq-affirming").exists()
    for kind in (Kind.IDENTITY, Kind.COMMUNITY):
        assert all(Term.objects.of_kind(kind).values_list("group", flat=True))


def test_it_lists_payers_with_a_category() -> None:
    payers = {term.slug: term for term in Term.objects.of_kind(Kind.INSURANCE)}
    for slug in [
        "medicare",
        "medicare-advantage",
        "medicaid",
        "chip",
        "tricare",
        "va-community-care",
        "fehb",
        "compsych",
        "lyra",
        "spring-health",
        "modern-health",
        "carelon-eap",
        "magellan-eap",
        "out-of-network",
        "hsa-fsa",
        "aetna",
        "blue-cross-blue-shield",
    ]:
        assert slug in payers, slug
    for term in payers.values():
        assert term.attributes["category"] in {"commercial", "public", "eap", "other"}
    assert payers["medicare"].attributes["category"] == "public"
    assert payers["lyra"].attributes["category"] == "eap"
    assert payers["out-of-network"].attributes["category"] == "other"
    parent = payers["premera"].attributes["parent"]
    assert payers[parent].slug == "blue-cross-blue-shield"


def test_it_lists_languages_by_iso_639_1_code_most_spoken_first() -> None:
    languages = list(Term.objects.of_kind(Kind.LANGUAGE).order_by("position"))
    assert all(re.fullmatch(r"[a-z]{2}", term.slug) for term in languages)
    first = [term.slug for term in languages[:13]]
    assert first == ["en", "es", "zh", "vi", "tl", "ar", "fr", "ko", "ru", "pt", "ht", "de", "hi"]
    spanish = next(term for term in languages if term.slug == "es")
    assert spanish.name == "Spanish"
    assert {"Español", "Spanish"} <= set(spanish.aliases)
    # American Sign Language has no ISO 639-1 code and none is invented for it.
    assert not [term for term in languages if "sign language" in term.name.lower()]


def test_it_describes_licence_types_by_profession_and_level() -> None:
    types = {term.slug: term for term in Term.objects.of_kind(Kind.LICENSE_TYPE)}
    for slug in ["lmft", "amft", "lcsw", "lmsw", "lpc", "lmhc", "lpcc", "lcpc", "psychologist",
                 "psychiatrist", "pmhnp", "ladc", "cadc", "casac", "lpc-associate", "lmft-a"]:  # fmt: skip
        assert slug in types, slug
    lmft = types["lmft"]
    assert (lmft.name, lmft.short_name) == ("Licensed Marriage and Family Therapist", "LMFT")
    assert lmft.attributes == {
        "profession": "Marriage and family therapist",
        "level": "independent",
        "prescriber": False,
        "nucc": ["106H00000X"],
    }
    assert types["amft"].attributes["level"] == "associate"
    assert "L.C.S.W." in types["lcsw"].aliases
    prescribers = {slug for slug, term in types.items() if term.attributes["prescriber"]}
    assert prescribers == {"psychiatrist", "pmhnp"}


def test_it_uses_the_interchange_formats_age_and_format_slugs() -> None:
    ages = list(Term.objects.of_kind(Kind.AGE).order_by("position").values_list("slug", flat=True))
    # The interchange format's four groups, with two narrower ones inside "children".
    assert ages == ["children", "young-children", "preteens", "teens", "adults", "older-adults"]
    assert Term.objects.get(kind=Kind.AGE, slug="children").name == "Children (0–12)"
    formats = set(Term.objects.of_kind(Kind.FORMAT).values_list("slug", flat=True))
    assert formats == {"individual", "couples", "family", "group"}


# --- How the sync behaves ---------------------------------------------------


def test_it_changes_nothing_when_synced_again() -> None:
    total = Term.objects.count()
    counts = sync_taxonomy()
    assert counts == {"created": 0, "updated": 0, "unchanged": total, "deactivated": 0}
    assert sync_taxonomy() == counts


def test_it_keeps_an_admin_edit_across_resyncs(admin_client, data_dir: Path) -> None:
    term = Term.objects.get(kind=Kind.APPROACH, slug="relational-therapy")
    response = admin_client.post(
        reverse("admin:taxonomy_term_change", args=[term.pk]),
        {
            "name": "Relational Psychotherapy",
            "short_name": "",
            "group": term.group,
            "summary": "Edited by staff.",
            "description": "",
            "aliases": '["relational"]',
            "attributes": "{}",
            "position": term.position,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    assert sync_taxonomy()["updated"] == 0
    term.refresh_from_db()
    assert (term.name, term.summary, term.aliases) == (
        "Relational Psychotherapy",
        "Edited by staff.",
        ["relational"],
    )

    # When the data file later changes one field, that field follows the file
    # and the staff's other edits stay.
    edit_term(
        data_dir / "approaches.toml",
        "Relational Therapy",
        'group = "Psychodynamic & relational"',
        'group = "Humanistic & experiential"',
    )
    counts = sync_taxonomy(data_dir=data_dir)
    assert (counts["created"], counts["updated"]) == (0, 1)
    term.refresh_from_db()
    assert term.group == "Humanistic & experiential"
    assert (term.name, term.summary) == ("Relational Psychotherapy", "Edited by staff.")


def test_it_deactivates_a_term_removed_from_its_file_and_never_deletes_it(data_dir: Path) -> None:
    path = data_dir / "approaches.toml"
    original = path.read_text(encoding="utf-8")
    remove_term(path, "Gestalt Therapy")

    counts = sync_taxonomy(data_dir=data_dir)
    # Terms after it move up one place, so their positions are updated too.
    assert (counts["deactivated"], counts["created"]) == (1, 0)
    term = Term.objects.get(kind=Kind.APPROACH, slug="gestalt-therapy")
    assert not term.is_active
    assert sync_taxonomy(data_dir=data_dir)["deactivated"] == 0

    path.write_text(original, encoding="utf-8")
    counts = sync_taxonomy(data_dir=data_dir)
    assert (counts["created"], counts["deactivated"]) == (0, 0)
    term.refresh_from_db()
    assert term.is_active
    assert sync_taxonomy(data_dir=data_dir)["updated"] == 0


def test_it_leaves_terms_staff_added_in_the_admin_alone() -> None:
    Term.objects.create(kind=Kind.ISSUE, slug="staff-added", name="Staff added")
    assert sync_taxonomy()["deactivated"] == 0
    assert Term.objects.get(kind=Kind.ISSUE, slug="staff-added").is_active


def test_it_creates_a_term_added_to_a_file(data_dir: Path) -> None:
    add_term(
        data_dir / "issues.toml",
        'name = "Test new issue"\ngroup = "Mood & anxiety"\nsummary = "A test issue."',
    )
    counts = sync_taxonomy(data_dir=data_dir)
    assert (counts["created"], counts["updated"]) == (1, 0)
    term = Term.objects.get(kind=Kind.ISSUE, slug="test-new-issue")
    assert term.position > Term.objects.get(kind=Kind.ISSUE, slug="anxiety").position


BAD_EDITS = [
    pytest.param(
        "approaches.toml",
        (
            "Gestalt Therapy",
            'name = "Gestalt Therapy"',
            'name = "Gestalt Therapy"\nslug = "Gestalt Therapy"',
        ),
        "slug 'Gestalt Therapy' must be lower-case",
        id="bad-slug",
    ),
    pytest.param(
        "approaches.toml",
        (
            "Gestalt Therapy",
            'name = "Gestalt Therapy"',
            'name = "Gestalt Therapy"\nslug = "narrative-therapy"',
        ),
        "duplicate slug 'narrative-therapy'",
        id="duplicate-slug",
    ),
    pytest.param(
        "approaches.toml",
        ("Gestalt Therapy", 'aliases = ["gestalt"]', 'aliases = ["gestalt", "EFT"]'),
        "short_name 'EFT' also belongs to approaches.toml: term ",
        id="ambiguous-alias",
    ),
    pytest.param(
        "issues.toml",
        ("Loneliness", 'summary = "', 'colour = "blue"\nsummary = "'),
        "unknown keys ['colour']",
        id="unknown-key",
    ),
    pytest.param(
        "issues.toml",
        ("Loneliness", 'summary = "Feeling alone', 'summary = "" # "Feeling alone'),
        "summary is required",
        id="missing-summary",
    ),
    pytest.param(
        "license_types.toml",
        ("Licensed Social Worker", 'level = "associate"', 'level = "supervised"'),
        "attributes.level must be one of",
        id="bad-licence-level",
    ),
    pytest.param(
        "insurance.toml",
        ("Humana", 'category = "commercial"', 'category = "private"'),
        "attributes.category must be one of",
        id="bad-insurance-category",
    ),
    pytest.param(
        "issues.toml",
        ("Panic attacks", 'parent = "anxiety"', 'parent = "anxeity"'),
        "attributes.parent 'anxeity' is not another term here",
        id="unknown-parent",
    ),
]


@pytest.mark.parametrize(("filename", "edit", "message"), BAD_EDITS)
def test_it_reports_a_bad_term_naming_its_file_and_term(
    data_dir: Path, filename: str, edit: tuple[str, str, str], message: str
) -> None:
    name, old, new = edit
    edit_term(data_dir / filename, name, old, new)
    before = list(Term.objects.order_by("pk").values_list("pk", "name", "is_active"))

    with pytest.raises(TaxonomyDataError) as caught:
        sync_taxonomy(data_dir=data_dir)

    text = str(caught.value)
    assert re.search(rf"{re.escape(filename)}: term \d+ \('{re.escape(name)}'\)", text), text
    assert message in text
    # Nothing is written when any file is invalid.
    assert list(Term.objects.order_by("pk").values_list("pk", "name", "is_active")) == before


def test_it_reports_a_term_without_a_name(data_dir: Path) -> None:
    add_term(data_dir / "formats.toml", 'slug = "nameless"\nsummary = "No name."')
    with pytest.raises(TaxonomyDataError, match=r"formats\.toml: term 5: name is required"):
        sync_taxonomy(data_dir=data_dir)


def test_it_refuses_a_file_whose_kind_does_not_match(data_dir: Path) -> None:
    path = data_dir / "formats.toml"
    path.write_text(path.read_text().replace('kind = "format"', 'kind = "age"'))
    with pytest.raises(TaxonomyDataError, match=r"formats\.toml: kind = 'age', expected 'format'"):
        sync_taxonomy(data_dir=data_dir)


def test_it_reports_broken_toml_with_the_file_name(data_dir: Path) -> None:
    (data_dir / "ages.toml").write_text('kind = "age"\n[[terms]\nname = "x"\n')
    with pytest.raises(TaxonomyDataError, match=r"ages\.toml: not valid TOML"):
        sync_taxonomy(data_dir=data_dir)


def test_it_refuses_conversion_therapy_as_a_term(data_dir: Path) -> None:
    add_term(
        data_dir / "approaches.toml",
        'name = "Reintegrative Therapy"\ngroup = "Other"\n'
        'aliases = ["sexual orientation change efforts"]\nsummary = "Not allowed."',
    )
    with pytest.raises(TaxonomyDataError, match="excluded by platform policy"):
        sync_taxonomy(data_dir=data_dir)


# --- Command and admin ------------------------------------------------------


def test_the_command_prints_a_one_line_summary() -> None:
    out = StringIO()
    call_command("sync_taxonomy", stdout=out)
    total = Term.objects.count()
    assert out.getvalue() == (
        f"Taxonomy synced: 0 created, 0 updated, {total} unchanged, 0 deactivated.\n"
    )


def test_the_command_dry_run_writes_nothing() -> None:
    Term.objects.filter(kind=Kind.APPROACH, slug="gestalt-therapy").delete()
    out = StringIO()
    call_command("sync_taxonomy", "--dry-run", stdout=out)
    assert "1 created" in out.getvalue()
    assert not Term.objects.filter(kind=Kind.APPROACH, slug="gestalt-therapy").exists()


def test_the_command_fails_with_the_problems_listed(data_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr("rapport.taxonomy.sync.DATA_DIR", data_dir)
    (data_dir / "ages.toml").write_text('kind = "age"\n')
    with pytest.raises(CommandError, match=r"ages\.toml: no \[\[terms\]\]"):
        call_command("sync_taxonomy", stdout=StringIO())


def test_the_admin_lists_searches_and_filters_terms(admin_client) -> None:
    url = reverse("admin:taxonomy_term_changelist")
    response = admin_client.get(url, {"q": "emdr"})
    assert response.status_code == 200
    assert "Eye Movement Desensitization and Reprocessing" in response.content.decode()
    # "maudsley" is only an alias.
    response = admin_client.get(url, {"q": "maudsley"})
    assert "Family-Based Treatment" in response.content.decode()
    response = admin_client.get(url, {"kind__exact": Kind.LICENSE_TYPE})
    assert response.status_code == 200
    assert "Licensed Clinical Social Worker" in response.content.decode()


def test_the_admin_makes_slug_read_only_after_creation(admin_client) -> None:
    term = Term.objects.get(kind=Kind.APPROACH, slug="relational-therapy")
    change = admin_client.get(reverse("admin:taxonomy_term_change", args=[term.pk]))
    assert change.status_code == 200
    assert 'name="slug"' not in change.content.decode()
    add = admin_client.get(reverse("admin:taxonomy_term_add"))
    assert add.status_code == 200
    assert 'name="slug"' in add.content.decode()
