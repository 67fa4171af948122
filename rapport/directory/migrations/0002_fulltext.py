"""The full-text index of published profiles (see directory/fulltext.py).

SQLite: an FTS5 table whose rowid is the profile id. PostgreSQL: a plain
table with a tsvector and a GIN index. No model: Django never reads these
rows through the ORM, and `fulltext_sync` keeps them in step.

On PostgreSQL `profile_id` deliberately has no foreign key: Django's `flush`
(run after every TransactionTestCase and live-server test) TRUNCATEs only
the tables of models, and PostgreSQL refuses to truncate a table that
another table references. Stale rows are removed by `fulltext_sync`, as on
SQLite, where a virtual table cannot have foreign keys at all.

The index is filled here for databases that already hold profiles, with
code frozen in this file (not imported from fulltext.py) so the migration
keeps working whatever later migrations do to those tables.
"""

from __future__ import annotations

import unicodedata

from django.db import migrations

TABLE = "directory_profile_fts"

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
    "name, statements, tokenize = 'porter unicode61 remove_diacritics 2')"
)
POSTGRESQL_CREATE = [
    f"CREATE TABLE {TABLE} (profile_id bigint PRIMARY KEY, "
    "name_folded text NOT NULL, document tsvector NOT NULL)",
    f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document)",
    # Name "starts with" lookups (autocomplete) on the folded name.
    f"CREATE INDEX {TABLE}_name ON {TABLE} (name_folded text_pattern_ops)",
]

_MARKS = {
    cp: None
    for lo, hi in (
        (0x0300, 0x036F),
        (0x1AB0, 0x1AFF),
        (0x1DC0, 0x1DFF),
        (0x20D0, 0x20FF),
        (0xFE20, 0xFE2F),
    )
    for cp in range(lo, hi + 1)
}


def _fold(text):
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_MARKS).casefold()


def _fill(cursor, vendor):
    aggregate = (
        "group_concat(a.statement, char(10))"
        if vendor == "sqlite"
        else "string_agg(a.statement, E'\\n')"
    )
    if vendor == "sqlite":
        insert = f"INSERT INTO {TABLE} (rowid, name, statements) VALUES (%s, %s, %s)"
    else:
        insert = (
            f"INSERT INTO {TABLE} (profile_id, name_folded, document) VALUES (%s, %s, "
            "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('english', %s), 'B'))"
        )
    after = 0
    while True:
        # By id alone, status tested below: without statistics (a freshly
        # loaded table) PostgreSQL would otherwise scan the status index.
        cursor.execute(
            "SELECT p.id, p.status, p.name, p.title, p.statement, "
            f"(SELECT {aggregate} FROM directory_approachstatement a "
            "WHERE a.profile_id = p.id AND a.statement <> '') "
            "FROM directory_therapistprofile p WHERE p.id > %s ORDER BY p.id LIMIT 5000",
            [after],
        )
        rows = cursor.fetchall()
        if not rows:
            return
        documents = []
        for pk, status, name, title, statement, approaches in rows:
            if status != "published":
                continue
            statements = _fold("\n".join(part for part in (title, statement, approaches) if part))
            if vendor == "sqlite":
                documents.append((pk, _fold(name), statements))
            else:
                documents.append((pk, _fold(name), _fold(name), statements))
        if documents:
            cursor.executemany(insert, documents)
        after = rows[-1][0]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        return
    with schema_editor.connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(SQLITE_CREATE)
        else:
            for statement in POSTGRESQL_CREATE:
                cursor.execute(statement)
        _fill(cursor, vendor)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor in {"sqlite", "postgresql"}:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
