"""Full-text search over published profiles: SQLite FTS5 or PostgreSQL tsvector + GIN.

One table, `directory_profile_fts` (created by migration 0002), holds one row
per published profile with two fields: the name, and everything the therapist
wrote (title, statement, approach statements). There are no triggers: the
importer writes with raw executemany and the text spans three tables, so
writers call `fulltext_sync(ids)` after they change profiles (and after
deleting them: nothing cascades into the SQLite virtual table).

Text is folded in Python (`fold`) on both sides, documents and queries, so
both backends see the same lowercase, accent-free words and "jose" finds
"José" and "josé" finds "Jose".

Query semantics, the same on both backends (scores differ in scale):
- every word of the user's text must match (AND), English-stemmed; English
  stop words ("the", "with", "not") are ignored;
- the last word also matches as a prefix (search as you type: "anxi" finds
  "anxiety");
- every word also matches the name by prefix ("jose nun" finds "José Núñez");
- name matches rank above statement-only matches;
- a profile's score is the sum of its words' scores (bm25 on SQLite, which
  is that sum by construction; ts_rank_cd per word on PostgreSQL), so that
  search (search/text.py) can keep each word's matches and add them up (`word_matches`).
The user's text is never passed to the database as query syntax: it is
reduced to words and each word is quoted (FTS5) or turned into a tsquery
operand made of letters and digits only (PostgreSQL).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from django.db import NotSupportedError, connection, transaction

from rapport.core.text import fold

from .models import ApproachStatement, Status, TherapistProfile

TABLE = "directory_profile_fts"
# Rows read and written per statement: big enough to amortise the round trip,
# small enough that one chunk of a million-profile rebuild stays a few MB.
CHUNK = 5000
# A search box is not a document: beyond this, extra words only cost time.
MAX_WORDS = 16
MAX_WORD_LENGTH = 64

# bm25 column weights (name, statements) and ts_rank_cd weights {D, C, B, A}
# (names are weight A, statements B). A name hit must outrank statement-only
# hits: bm25 saturates with repetition, so 10x is enough; ts_rank_cd adds up
# every occurrence, so statements get 1/50 and would need 50 repetitions.
_BM25_WEIGHTS = (10.0, 1.0)
_PG_WEIGHTS = "{0.02, 0.02, 0.02, 1.0}"

# Words as the FTS5 unicode61 tokenizer sees them: letters and digits. The
# underscore is a word character for `re` but a separator for the tokenizer.
_WORD = re.compile(r"[^\W_]+")


# PostgreSQL's English stop words (tsearch_data/english.stop). PostgreSQL
# leaves them out of the index; SQLite indexes them. Dropping them from every
# query makes both backends answer alike, and spares SQLite ranking "the",
# which is in every document.
_STOP_WORDS = """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
she her hers herself it its itself they them their theirs themselves what which who whom this
that these those am is are was were be been being have has had having do does did doing a an
the and but if or because as until while of at by for with about against between into through
during before after above below to from up down in out on off over under again further then
once here there when where why how all any both each few more most other some such no nor not
only own same so than too very s t can will just don should now"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def query_words(text: str) -> list[str]:
    """The words of a user's query that count: folded, letters and digits only.

    Stop words are dropped. The last word is the start of a word being typed
    ("the" of "therapy"), so it is kept even if it is a stop word when it is
    the only word left; after other words, a stop word or a single letter is
    dropped: as a prefix it would match nearly every profile, at the price
    of ranking them all ("anxiety t" is searched as "anxiety").
    """
    words = [w[:MAX_WORD_LENGTH] for w in _WORD.findall(fold(text or ""))[:MAX_WORDS]]
    kept = [word for word in words[:-1] if word not in STOP_WORDS]
    if words and (not kept or (words[-1] not in STOP_WORDS and len(words[-1]) > 1)):
        kept.append(words[-1])
    return kept


# --- Writing -------------------------------------------------------------------------


def fulltext_sync(profile_ids: Iterable[int] | None = None) -> None:
    """Rewrite the index rows of these profiles (None: all of them).

    Published profiles get a fresh row; the rows of every other id (draft,
    suspended, deleted) are removed. Runs in the caller's transaction when
    there is one (the importer's batch), else commits chunk by chunk so a
    full rebuild never holds the write lock for long and never exposes an
    empty index.
    """
    _check_vendor()
    if profile_ids is None:
        _sync_all()
        return
    ids = sorted({int(pk) for pk in profile_ids})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            rows = _source_rows(f"p.id {_in_ids()}", [_ids_param(chunk)])
            _delete_rows(chunk)
            _insert_rows(rows)


def _sync_all() -> None:
    after = 0
    while True:
        with transaction.atomic():
            # Every profile in id order, published or not, so each chunk also
            # drops the rows of profiles unpublished since they were indexed.
            rows = _source_rows("p.id > %s ORDER BY p.id LIMIT %s", [after, CHUNK])
            if not rows:
                break
            _delete_rows([row[0] for row in rows])
            _insert_rows(rows)
        after = rows[-1][0]
    profiles = TherapistProfile._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Rows of profiles deleted since they were indexed.
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid NOT IN (SELECT id FROM {profiles})")
            # Merge the index into one b-tree: every later query reads fewer segments.
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")
        else:
            cursor.execute(
                f"DELETE FROM {TABLE} f WHERE NOT EXISTS "
                f"(SELECT 1 FROM {profiles} p WHERE p.id = f.profile_id)"
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics, so the planner weighs GIN against the primary key well.
            cursor.execute(f"ANALYZE {TABLE}")


def _source_rows(where: str, params: list[object]) -> list[tuple]:
    """(id, status, name, title, statement, approach statements) of some profiles.

    Selected by id alone, and the status is tested by the caller: right after
    a bulk import the profile table has no statistics yet, and PostgreSQL
    then preferred the status index to the primary key (1.7 s per 5,000
    profiles at 1M instead of 30 ms).
    """
    aggregate = (
        "group_concat(a.statement, char(10))"
        if connection.vendor == "sqlite"
        else "string_agg(a.statement, E'\\n')"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, p.status, p.name, p.title, p.statement, "
            f"(SELECT {aggregate} FROM {ApproachStatement._meta.db_table} a "
            f"WHERE a.profile_id = p.id AND a.statement <> '') "
            f"FROM {TherapistProfile._meta.db_table} p WHERE {where}",
            params,
        )
        return cursor.fetchall()


def _documents(rows: list[tuple]) -> Iterator[tuple[int, str, str]]:
    """(id, folded name, folded statements) of the published profiles among `rows`."""
    for pk, status, name, title, statement, approaches in rows:
        if status != Status.PUBLISHED:
            continue
        statements = "\n".join(part for part in (title, statement, approaches) if part)
        yield pk, fold(name), fold(statements)


def _insert_rows(rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "sqlite":
        sql = f"INSERT INTO {TABLE} (rowid, name, statements) VALUES (%s, %s, %s)"
        params: Iterable[tuple] = _documents(rows)
        with connection.cursor() as cursor:
            cursor.executemany(sql, list(params))
        return
    # One statement per chunk over three arrays: a row-per-statement
    # executemany spends more time parsing INSERTs than building tsvectors.
    # Names are not English: 'simple' keeps "Will" and "Hope" (English stop
    # words) and does not stem surnames, so a name matches by prefix.
    columns: tuple[list, list, list] = ([], [], [])
    for document in _documents(rows):
        for column, value in zip(columns, document, strict=True):
            column.append(value)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (profile_id, name_folded, document) "
            "SELECT t.id, t.name, setweight(to_tsvector('simple', t.name), 'A') || "
            "setweight(to_tsvector('english', t.statements), 'B') "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(id, name, statements)",
            list(columns),
        )


def _delete_rows(ids: list[int]) -> None:
    key = "rowid" if connection.vendor == "sqlite" else "profile_id"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE {key} " + _in_ids(), [_ids_param(ids)])


def _in_ids() -> str:
    """`IN <list>` over one parameter: a JSON array on SQLite, an array on PostgreSQL.

    One parameter whatever the length, so there is no limit on host
    variables and the statement text (and its cached plan) stays the same.
    """
    if connection.vendor == "sqlite":
        return "IN (SELECT value FROM json_each(%s))"
    return "= ANY(%s::bigint[])"


def _ids_param(ids: Sequence[int]) -> str:
    """The ids as one string: a JSON array (SQLite) or an array literal (PostgreSQL).

    A string, not a list, because Django binds parameters client-side on
    PostgreSQL: for 50,000 ids psycopg quoted a list in 23 ms, and the
    query took 30 ms instead of 6 ms, mostly in that quoting.
    """
    joined = ",".join(str(int(pk)) for pk in ids)
    return f"[{joined}]" if connection.vendor == "sqlite" else f"{{{joined}}}"


def _check_vendor() -> None:
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise NotSupportedError(
            f"Full-text search needs SQLite or PostgreSQL, not {connection.vendor}."
        )


# --- Searching -----------------------------------------------------------------------


def fulltext_search(
    text: str, *, limit: int | None = None, within: Sequence[int] | None = None
) -> list[tuple[int, float]]:
    """(profile id, score) of the published profiles matching `text`, best first.

    `within` restricts the result to those ids (the candidates of a geo or
    facet search), which is also what keeps a common word cheap: only the
    candidates are ranked. Any text is accepted; text without a word gives [].
    """
    _check_vendor()
    words = query_words(text)
    if not words or (within is not None and len(within) == 0) or (limit is not None and limit <= 0):
        return []
    if connection.vendor == "sqlite":
        return _search_sqlite(words, limit=limit, within=within)
    return _search_postgresql(words, limit=limit, within=within)


def fts5_clause(word: str, *, last: bool) -> str:
    """One word's part of the FTS5 MATCH expression: quoted, so never syntax.

    Words hold only letters and digits, so they need no escaping inside the
    double quotes; quoting still matters because AND, OR, NOT and NEAR are
    keywords when bare. A word before the last matches its stem or the
    start of a name word; the last word also matches any word it starts.
    """
    if last:
        return f'("{word}" OR "{word}"*)'
    return f'("{word}" OR name : "{word}"*)'


def fts5_query(words: list[str]) -> str:
    """The FTS5 MATCH expression of a whole query: every word's clause (AND)."""
    return " AND ".join(fts5_clause(word, last=i == len(words) - 1) for i, word in enumerate(words))


def _search_sqlite(
    words: list[str], *, limit: int | None, within: Sequence[int] | None
) -> list[tuple[int, float]]:
    # bm25 of the whole expression is the sum of its phrases' bm25, so this
    # equals the sum of each word's `word_matches` score (search/text.py relies on it).
    return _fetch_scores(*_fts5_sql(fts5_query(words), limit=limit, within=within, ordered=True))


def _fts5_sql(
    expression: str, *, limit: int | None, within: Sequence[int] | None, ordered: bool
) -> tuple[str, list[object]]:
    sql = (
        f"SELECT rowid, -bm25({TABLE}, {_BM25_WEIGHTS[0]}, {_BM25_WEIGHTS[1]}) AS score "
        f"FROM {TABLE} WHERE {TABLE} MATCH %s"
    )
    params: list[object] = [expression]
    if within is not None:
        # `+rowid` hides the constraint from FTS5. Otherwise SQLite asks FTS5
        # for one rowid at a time and re-runs the whole MATCH per candidate:
        # measured at 100k profiles, 5,000 candidates took 23 s that way and
        # 7 ms this way (scan the doclist once, probe the candidate set).
        sql += " AND +rowid IN (SELECT value FROM json_each(%s))"
        params.append(_ids_param(within))
    if ordered:
        sql += " ORDER BY score DESC, rowid"
    if limit is not None:
        sql += " LIMIT %s"
        params.append(int(limit))
    return sql, params


def _fetch_scores(sql: str, params: list[object]) -> list[tuple[int, float]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


# Rows turned into arrays at a time: a common word matches 300k profiles, and
# 300k Python tuples at once cost ~70 MB of memory the worker never gives back.
_FETCH_ROWS = 20_000


def _fetch_arrays(sql: str, params: list[object]) -> tuple[np.ndarray, np.ndarray]:
    ids: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(_FETCH_ROWS):
            flat = itertools.chain.from_iterable(rows)
            chunk = np.fromiter(flat, dtype=np.float64, count=2 * len(rows)).reshape(-1, 2)
            ids.append(chunk[:, 0].astype(np.int64))
            scores.append(chunk[:, 1])
    if not ids:
        return np.empty(0, dtype=np.int64), np.empty(0)
    return np.concatenate(ids), np.concatenate(scores)


def _tsquery_sql(words: list[str]) -> tuple[str, list[str]]:
    """SQL for the tsquery, built by PostgreSQL from one operand per word.

    Each operand is a word of letters and digits, optionally with `:*` or
    `:*A` appended by us, so to_tsquery never sees an operator from the user.
    Statements are English-stemmed ('english'), names are not ('simple'):

    - a word before the last: its stem, or a name word starting with it;
    - the last word: a stem starting with its stem (what FTS5 does with a
      prefix under the porter tokenizer), or a name word starting with it.

    query_words() has removed stop words, which 'english' would turn into an
    empty tsquery; should its list and PostgreSQL's ever differ, the CASEs
    drop such a word (as plainto_tsquery does) instead of leaving only the
    name alternative, which would wrongly require the name to contain it.
    """
    parts = [_tsquery_part_sql(word, last=i == len(words) - 1) for i, word in enumerate(words)]
    params = [param for _sql, part_params in parts for param in part_params]
    return "SELECT (" + " && ".join(sql for sql, _params in parts) + ")::text", params


def _tsquery_part_sql(word: str, *, last: bool) -> tuple[str, list[str]]:
    """One word's tsquery (see `_tsquery_sql`) as an SQL expression and its parameters."""
    if not last:
        return (
            "(CASE WHEN numnode(to_tsquery('english', %s)) = 0 THEN ''::tsquery "
            "ELSE to_tsquery('english', %s) || to_tsquery('simple', %s) END)",
            [word, word, f"{word}:*A"],
        )
    # A lone stop word is a prefix being typed ("the" of "therapy"): any word
    # starting with it, since its stem is not in the index.
    return (
        "(CASE WHEN numnode(to_tsquery('english', %s)) = 0 THEN to_tsquery('simple', %s) "
        "ELSE to_tsquery('english', %s) || to_tsquery('simple', %s) END)",
        [f"{word}:*", f"{word}:*", f"{word}:*", f"{word}:*A"],
    )


def _tsquery_parts(words: list[str], *, prefix_last: bool = True) -> list[str]:
    """Each word's tsquery as text, in one round trip ('' for a word PostgreSQL drops)."""
    parts = [
        _tsquery_part_sql(word, last=prefix_last and i == len(words) - 1)
        for i, word in enumerate(words)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"{sql}::text" for sql, _params in parts),
            [param for _sql, part_params in parts for param in part_params],
        )
        return list(cursor.fetchone())


def _search_postgresql(
    words: list[str], *, limit: int | None, within: Sequence[int] | None
) -> list[tuple[int, float]]:
    return _run_tsquery(
        [part for part in _tsquery_parts(words) if part], limit=limit, within=within
    )


def _run_tsquery(
    parts: list[str], *, limit: int | None, within: Sequence[int] | None
) -> list[tuple[int, float]]:
    """Profiles matching every part; the score is the sum of each part's ts_rank_cd.

    A sum per word, not the rank of the whole query, so that a search can
    add up cached per-word scores (`word_matches`) and get the same answer.
    """
    if not parts:
        return []
    return _fetch_scores(*_tsquery_run_sql(parts, limit=limit, within=within, ordered=True))


def _tsquery_run_sql(
    parts: list[str], *, limit: int | None, within: Sequence[int] | None, ordered: bool
) -> tuple[str, list[object]]:
    # The parts are passed as constants: the planner sees the real query and
    # weighs the GIN index against the `within` primary keys.
    score = " + ".join(["ts_rank_cd(%s::float4[], document, %s::tsquery)"] * len(parts))
    sql = f"SELECT profile_id, {score} AS score FROM {TABLE} WHERE document @@ %s::tsquery"
    params: list[object] = [value for part in parts for value in (_PG_WEIGHTS, part)]
    params.append(" & ".join(f"({part})" for part in parts))
    if within is not None:
        sql += " AND profile_id " + _in_ids()
        params.append(_ids_param(within))
    if ordered:
        sql += " ORDER BY score DESC, profile_id"
    if limit is not None:
        sql += " LIMIT %s"
        params.append(int(limit))
    return sql, params


def word_matches(
    word: str, *, last: bool, within: Sequence[int] | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """(profile ids, scores) of the profiles one word of a query matches, unordered.

    `fulltext_search(words)` is exactly the profiles every word matches,
    each scored by the sum of its words' scores, so search/text.py can keep a
    common word's matches per index segment instead of asking again. `last`:
    the query's last word, which also matches as a prefix. None: the
    backend ignores this word (it restricts nothing).
    """
    _check_vendor()
    if connection.vendor == "sqlite":
        expression = fts5_clause(word, last=last)
        return _fetch_arrays(*_fts5_sql(expression, limit=None, within=within, ordered=False))
    part = _tsquery_parts([word], prefix_last=last)[0]
    if not part:
        return None
    return _fetch_arrays(*_tsquery_run_sql([part], limit=None, within=within, ordered=False))
