"""
The database backend's full-text index over SearchDocument's terms (already analysed in Python,
separated by spaces), one per database:

- SQLite: an FTS5 table with external content, kept in step by triggers; ``unicode61`` splits on
  the spaces only (no diacritic folding: it would fold kana marks).
- PostgreSQL: a stored generated ``tsvector`` column, title weighted A and body D, under the
  ``simple`` configuration (no stemming, no stop words), with a GIN index.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE portal_search_fts USING fts5(
        title_terms, body_terms, content='portal_search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER portal_search_fts_ai AFTER INSERT ON portal_search_searchdocument BEGIN
        INSERT INTO portal_search_fts(rowid, title_terms, body_terms) VALUES (new.id, new.title_terms, new.body_terms);
    END""",
    """CREATE TRIGGER portal_search_fts_ad AFTER DELETE ON portal_search_searchdocument BEGIN
        INSERT INTO portal_search_fts(portal_search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
    END""",
    """CREATE TRIGGER portal_search_fts_au AFTER UPDATE ON portal_search_searchdocument BEGIN
        INSERT INTO portal_search_fts(portal_search_fts, rowid, title_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.body_terms);
        INSERT INTO portal_search_fts(rowid, title_terms, body_terms) VALUES (new.id, new.title_terms, new.body_terms);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS portal_search_fts_ai",
    "DROP TRIGGER IF EXISTS portal_search_fts_ad",
    "DROP TRIGGER IF EXISTS portal_search_fts_au",
    "DROP TABLE IF EXISTS portal_search_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE portal_search_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_terms), 'A')
        || setweight(to_tsvector('simple'::regconfig, body_terms), 'D')) STORED""",
    "CREATE INDEX portal_search_tsv ON portal_search_searchdocument USING gin (tsv)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS portal_search_tsv",
    "ALTER TABLE portal_search_searchdocument DROP COLUMN IF EXISTS tsv",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("portal_search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
