"""Descriptions: the tiny format, escaping, and the written content itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.taxonomy import descriptions as content
from rapport.taxonomy.models import Kind, Term

CONTENT = Path(content.__file__).parent / "content"


def test_it_parses_related_sections_paragraphs_and_lists() -> None:
    doc = content.parse(
        "related: a-b, c\n\n## What it is\n\nOne line\ncontinues.\n\nTwo.\n\n## List\n- x\n- y\n"
    )
    assert doc.related == ["a-b", "c"]
    assert [s.heading for s in doc.sections] == ["What it is", "List"]
    assert doc.sections[0].blocks == ["One line continues.", "Two."]
    assert doc.sections[1].blocks == [["x", "y"]]
    assert doc.words == 6


def test_it_renders_markup_as_text() -> None:
    html = content.render("## <b>Hi</b>\n\n<script>alert(1)</script> & more")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<h2>&lt;b&gt;Hi&lt;/b&gt;</h2>" in html
    assert "&amp; more" in html


@pytest.mark.django_db
def test_every_approach_has_a_description_of_at_least_250_words() -> None:
    approaches = Term.objects.filter(kind=Kind.APPROACH, is_active=True)
    short = {
        t.slug: content.parse(t.description).words
        for t in approaches
        if content.parse(t.description).words < 250
    }
    assert not short, f"approach descriptions under 250 words: {short}"


@pytest.mark.django_db
def test_related_slugs_exist() -> None:
    for kind in (Kind.APPROACH, Kind.ISSUE):
        slugs = set(Term.objects.filter(kind=kind).values_list("slug", flat=True))
        for term in Term.objects.filter(kind=kind).exclude(description=""):
            missing = set(content.parse(term.description).related) - slugs
            assert not missing, f"{kind} {term.slug}: unknown related {missing}"


def test_every_content_file_names_a_term() -> None:
    import tomllib

    from django.utils.text import slugify

    for kind, filename in (("approach", "approaches.toml"), ("issue", "issues.toml")):
        data = tomllib.loads((CONTENT.parent / "data" / filename).read_text())
        slugs = {t.get("slug", slugify(t["name"])) for t in data["terms"]}
        for path in (CONTENT / kind).glob("*.md"):
            assert path.stem in slugs, f"{path} names no {kind}"
