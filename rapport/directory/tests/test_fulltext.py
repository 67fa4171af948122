"""Full-text search over published profiles, on whichever backend the suite runs.

Run on SQLite by default and on PostgreSQL with DATABASE_URL set: the same
assertions hold on both, which is the point.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.directory import fulltext
from rapport.directory.fulltext import fold, fts5_query, fulltext_search, fulltext_sync
from rapport.directory.models import Status, TherapistProfile
from rapport.testing import make_profile

pytestmark = pytest.mark.django_db


def profile(name: str = "Sam Taylor", statement: str = "", **extra):
    """A published profile whose only text is what the test gives it."""
    extra.setdefault("title", "")
    extra.setdefault("approaches", [])
    return make_profile(name=name, statement=statement, **extra)


def ids(text: str, **kwargs) -> list[int]:
    return [pk for pk, _score in fulltext_search(text, **kwargs)]


def test_it_folds_case_and_accents() -> None:
    assert fold("José Núñez") == "jose nunez"
    assert fold("ÇA VA, Zoë Ångström") == "ca va, zoe angstrom"
    assert fold("İstanbul") == "istanbul"
    # Marks that are letters of another script stay.
    assert fold("हिंदी") == "हिंदी"


def test_it_matches_stemmed_words() -> None:
    worry = profile(statement="Many clients worry about everything.")
    worried = profile(statement="For the worried well.")
    couple = profile(statement="Every couple argues sometimes.")
    profile(statement="Grief and loss.")
    fulltext_sync()

    assert set(ids("worrying")) == {worry.pk, worried.pk}
    # Not only as a prefix: stemming also applies to the words before the last.
    assert set(ids("worrying clients")) == {worry.pk}
    assert ids("couples") == [couple.pk]


def test_it_folds_accents_both_ways() -> None:
    accented = profile(name="José Núñez")
    plain = profile(name="Jose Nunez")
    cafe = profile(statement="We can meet at the café downstairs.")
    fulltext_sync()

    assert set(ids("jose")) == {accented.pk, plain.pk}
    assert set(ids("josé")) == {accented.pk, plain.pk}
    assert set(ids("NÚÑEZ")) == {accented.pk, plain.pk}
    assert ids("cafe") == [cafe.pk]


def test_it_matches_the_last_word_as_a_prefix() -> None:
    anxiety = profile(statement="Anxiety and panic attacks.")
    fulltext_sync()

    assert ids("anxi") == [anxiety.pk]
    assert ids("a") == [anxiety.pk]
    assert ids("panic anxi") == [anxiety.pk]
    # One letter after other words narrows nothing and would rank everything.
    assert ids("panic x") == [anxiety.pk]
    # Only the last word is a prefix of a statement word.
    assert ids("anxi panic") == []


def test_it_matches_every_word_of_a_name_by_prefix() -> None:
    jose = profile(name="José Núñez")
    profile(name="Josephine Baker")
    fulltext_sync()

    assert ids("jose nun") == [jose.pk]
    assert ids("nun jose") == [jose.pk]
    assert ids("jo nu") == [jose.pk]


def test_it_requires_every_word() -> None:
    both = profile(statement="Anxiety, grief and loss.")
    profile(statement="Anxiety and panic.")
    profile(statement="Grief after a death.")
    fulltext_sync()

    assert ids("anxiety grief") == [both.pk]
    assert ids("anxiety grief trauma") == []


def test_it_ignores_stop_words() -> None:
    # PostgreSQL does not index them; SQLite does. Queries ignore them so
    # both backends agree, and "a" never becomes "a name word starting with a".
    grief = profile(statement="Grief counseling for adults.")
    therapy = profile(statement="Therapy in the evening.")
    fulltext_sync()

    assert ids("grief for adults") == [grief.pk]
    assert ids("a grief the") == [grief.pk]
    assert ids("for the grief of it") == [grief.pk]
    # Alone, a stop word is a prefix being typed.
    assert ids("the") == [therapy.pk]


def test_it_indexes_title_and_approach_statements() -> None:
    titled = profile(title="Licensed Marriage and Family Therapist")
    approach = profile(
        approaches=[("emdr", "Eye movement desensitisation for trauma survivors.", "EMDR")]
    )
    fulltext_sync()

    assert ids("marriage") == [titled.pk]
    assert ids("trauma survivors") == [approach.pk]


def test_it_indexes_text_with_quotes_and_symbols() -> None:
    # Document text goes to the database as data (arrays on PostgreSQL):
    # quotes, braces, commas and backslashes must survive.
    odd = profile(
        name="Seán O'Brien-Ó Súilleabháin",
        statement='She said "no", {braces}, back\\slash\\, NULL, a;b; DROP TABLE x; -- 🙂 李小龍',
    )
    fulltext_sync()

    assert ids("brien") == [odd.pk]
    assert ids("sean suil") == [odd.pk]
    assert ids("braces back slash") == [odd.pk]
    assert ids("drop table") == [odd.pk]
    assert ids("李小龍") == [odd.pk]


def test_it_ranks_name_matches_above_statement_only_matches() -> None:
    by_statement = profile(
        name="Sam Taylor",
        statement="Ask for Rivera. " + "Rivera knows Rivera's clients. " * 8,
    )
    by_name = profile(name="Ana Rivera", statement="Depression and anxiety.")
    fulltext_sync()

    results = fulltext_search("rivera")
    assert [pk for pk, _ in results] == [by_name.pk, by_statement.pk]
    assert results[0][1] > results[1][1]
    assert ids("rive") == [by_name.pk, by_statement.pk]


@pytest.mark.parametrize(
    "text", ["worry", "worry clients", "clients worr", "sam worry", "taylor", "ev", "couple argue"]
)
def test_a_query_is_every_words_matches_scored_by_their_sum(text: str) -> None:
    """Search (search/text.py) keeps each word's matches and adds them up: that must be the engine's answer."""
    profile(name="Sam Taylor", statement="Many clients worry about everything. Worry less.")
    profile(name="Sam Worry", statement="For the worried well.")
    profile(name="Ada Clients", statement="Every couple argues sometimes; clients worry.")
    profile(name="Bo Taylor", statement="Grief and loss.")
    fulltext_sync()

    words = fulltext.query_words(text)
    per_word = [fulltext.word_matches(w, last=i == len(words) - 1) for i, w in enumerate(words)]
    kept = [
        dict(zip(ids.tolist(), scores.tolist(), strict=True))
        for ids, scores in filter(None, per_word)
    ]
    both = set.intersection(*(set(scores) for scores in kept))
    expected = {pk: sum(scores[pk] for scores in kept) for pk in both}
    got = dict(fulltext_search(text))
    assert got.keys() == expected.keys() and got  # every case finds someone
    for pk, score in got.items():
        assert score == pytest.approx(expected[pk], rel=1e-9)


def test_it_restricts_results_to_candidates_and_limits_them() -> None:
    matching = [profile(statement="Depression support.") for _ in range(4)]
    profile(statement="Nothing in common.")
    fulltext_sync()

    assert set(ids("depression")) == {p.pk for p in matching}
    assert set(ids("depression", within=[matching[0].pk, matching[2].pk, 10**9])) == {
        matching[0].pk,
        matching[2].pk,
    }
    assert ids("depression", within=[]) == []
    assert len(ids("depression", limit=2)) == 2
    assert ids("depression", limit=0) == []
    assert ids("depression", limit=-1) == []


def test_it_only_finds_published_profiles() -> None:
    draft = profile(name="Dana Draft", status=Status.DRAFT)
    pending = profile(name="Dana Pending", status=Status.PENDING)
    published = profile(name="Dana Published")
    fulltext_sync()

    assert ids("dana") == [published.pk]

    TherapistProfile.objects.filter(pk=draft.pk).update(status=Status.PUBLISHED)
    TherapistProfile.objects.filter(pk=published.pk).update(status=Status.SUSPENDED)
    fulltext_sync([draft.pk, published.pk, pending.pk])
    assert ids("dana") == [draft.pk]


def test_it_updates_a_profile_on_resync() -> None:
    changed = profile(statement="Grief work.")
    fulltext_sync([changed.pk])
    assert ids("grief") == [changed.pk]

    TherapistProfile.objects.filter(pk=changed.pk).update(statement="Career coaching.")
    assert ids("grief") == [changed.pk]  # nothing changes until the writer syncs
    fulltext_sync([changed.pk])
    assert ids("grief") == []
    assert ids("career") == [changed.pk]


def test_it_forgets_deleted_profiles() -> None:
    gone = profile(name="Gone Soon")
    gone_later = profile(name="Gone Later")
    fulltext_sync()
    assert set(ids("gone")) == {gone.pk, gone_later.pk}

    gone_pk = gone.pk
    gone.delete()
    fulltext_sync([gone_pk])
    assert ids("gone") == [gone_later.pk]

    # A full rebuild also drops rows nobody synced after a delete.
    gone_later.delete()
    fulltext_sync()
    assert ids("gone") == []


def test_it_syncs_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fulltext, "CHUNK", 2)
    profiles = [profile(statement="Mindfulness practice.") for _ in range(5)]
    fulltext_sync()
    assert set(ids("mindfulness")) == {p.pk for p in profiles}

    TherapistProfile.objects.update(statement="Somatic practice.")
    fulltext_sync([p.pk for p in profiles])
    assert ids("mindfulness") == []
    assert len(ids("somatic")) == 5


def test_it_indexes_imported_profiles(tmp_path) -> None:
    path = tmp_path / "profiles.jsonl"
    path.write_text(
        '{"id": "ft-1", "source": "ft", "name": "Zoë Ångström", '
        '"statement": "Couples and families.", "issues": ["anxiety"], '
        '"offices": [{"state": "WA", "zip": "98402"}], "in_person": true}\n'
    )
    call_command("import_profiles", str(path), verbosity=0)
    fulltext_sync()

    imported = TherapistProfile.objects.get(source="ft", external_id="ft-1")
    assert ids("zoe ang") == [imported.pk]
    assert ids("families") == [imported.pk]


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "!!!", "🙂", '""', "*", "-", "_"])
def test_it_returns_nothing_for_text_without_words(text: str) -> None:
    profile(statement="Anything at all.")
    fulltext_sync()
    assert fulltext_search(text) == []


def test_it_quotes_every_word_for_fts5() -> None:
    assert fts5_query(["near", "or", "jo"]) == (
        '("near" OR name : "near"*) AND ("or" OR name : "or"*) AND ("jo" OR "jo"*)'
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("NEAR(anxiety grief)", True),
        ("NEAR(anxiety grief, 20)", False),  # "20" is a word, and no statement has it
        ("NEAR(anxiety grief, 2)", True),  # a last word of one character is dropped
        ("anxiety AND NOT grief", True),  # and, not, or: stop words, ignored
        ("anxiety OR", True),
        ("anxiety NOTE", False),
        ('"unbalanced', False),
        ('anxiety "grief', True),
        ("name: anxiety", False),
        ("statements:grief", True),
        ("^anxiety", True),
        ("-grief +anxiety", True),
        ("anx*", True),
        ("(grief", True),
        ("\\ \\\\ '", False),
        ("grief & !anxiety | <-> :* 'riv'", True),
    ],
)
def test_it_treats_query_syntax_as_text(text: str, found: bool) -> None:
    both = profile(name="Ana Rivera", statement="Anxiety and grief. Near the statements.")
    fulltext_sync()
    assert ids(text) == ([both.pk] if found else [])


@pytest.fixture
def indexed() -> list[int]:
    made = [
        profile(name="José Núñez", statement="Anxiety, grief and NEAR misses."),
        profile(name="Ana Rivera", statement='Couples "and" families (AND, OR, NOT).'),
        profile(name="Unpublished", status=Status.DRAFT),
    ]
    fulltext_sync()
    return [p.pk for p in made]


_SYNTAX = st.sampled_from(
    ['"', "*", "(", ")", ":", "^", "-", "+", "NEAR", "AND", "OR", "NOT", "'", "\\", "&", "|",
     "!", "<->", ":*", "{", "}", "name:", "🙂", "\x00", " ", "jos", "anx", "é", "_"]
)  # fmt: skip


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.one_of(st.text(), st.lists(st.one_of(_SYNTAX, st.text(max_size=5))).map("".join)),
    limit=st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
    restrict=st.booleans(),
)
def test_it_never_fails_on_any_text(
    indexed: list[int], text: str, limit: int | None, restrict: bool
) -> None:
    within = indexed[:1] if restrict else None
    results = fulltext_search(text, limit=limit, within=within)

    found = [pk for pk, _ in results]
    assert set(found) <= set(within if within is not None else indexed[:2])
    assert len(found) == len(set(found))
    assert all(isinstance(score, float) for _, score in results)
    if limit is not None:
        assert len(found) <= limit


@pytest.mark.django_db(transaction=True)
def test_it_fills_the_index_when_migrating_a_database_with_profiles() -> None:
    existing = profile(name="Kim Older", statement="Grief.")
    profile(name="Kim Draft", status=Status.DRAFT)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("directory", "0001_initial")])
        executor.loader.build_graph()
        executor.migrate([("directory", "0002_fulltext")])
        assert ids("kim") == [existing.pk]
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        # The flush after this test empties only the tables of models.
        TherapistProfile.objects.all().delete()
        fulltext_sync()
