"""
The database backend: full-text search over SearchDocument's terms, in SQL.

SQLite: the FTS5 table ``portal_search_fts`` ranked by BM25 (title weighted 4, body 1).
PostgreSQL: the ``tsv`` column (title weight A, body D) with its GIN index, ranked by ts_rank.
Both tables are created by migration 0002. Terms come from ``search.analysis``, so the query is
just the terms joined with AND (every word) or OR (any word).
"""

from collections import Counter

from django.db import connection

from .models import SearchDocument

TABLE = SearchDocument._meta.db_table


def _filters_sql(filters):
    where, params = ["d.locale = %s"], [filters.locale]
    if filters.types:
        placeholders = ", ".join(["%s"] * len(filters.types))  # the SQL's own parameters, one per type
        where.append(f"d.type IN ({placeholders})")
        params += list(filters.types)
    if filters.district:
        where.append("d.districts LIKE %s")
        params.append(f"%|{_like_escape(filters.district)}|%")
    if filters.theme:
        where.append("d.themes LIKE %s")
        params.append(f"%|{_like_escape(filters.theme)}|%")
    if filters.date_from:
        where.append("d.date >= %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.date_from))
    if filters.date_to:
        where.append("d.date <= %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.date_to))
    return where, params


def _like_escape(value):
    # Slugs are [-a-z0-9_]; anything else cannot match a stored slug, so it is removed.
    return "".join(ch for ch in value if ch.isalnum() or ch in "-_")


def _match_sqlite(groups):
    # FTS5: every term of a group (AND), any group (OR).
    return " OR ".join("(" + " AND ".join('"' + t.replace('"', '""') + '"' for t in group) + ")" for group in groups)


def _tsquery_text(groups):
    # websearch_to_tsquery: quoted terms separated by spaces are ANDed; "or" (looser) between groups.
    return " or ".join(" ".join('"' + t.replace('"', " ") + '"' for t in group) for group in groups)


def search(groups, filters, offset, limit, with_facets=True):
    """
    (total, [(key, score)], facets) for documents matching ``filters`` and every term of at least
    one of ``groups`` (lists of terms), best first.
    """
    where, params = _filters_sql(filters)
    if connection.vendor == "postgresql":
        base = (f"FROM {TABLE} d, websearch_to_tsquery('simple', %s) q "
                f"WHERE d.tsv @@ q AND " + " AND ".join(where))
        base_params = [_tsquery_text(groups)] + params
        rank_sql = f"SELECT d.key, ts_rank(d.tsv, q) AS score {base} ORDER BY score DESC, d.id DESC LIMIT %s OFFSET %s"
    else:
        base = (f"FROM portal_search_fts f JOIN {TABLE} d ON d.id = f.rowid "
                f"WHERE portal_search_fts MATCH %s AND " + " AND ".join(where))
        base_params = [_match_sqlite(groups)] + params
        # bm25() is lower for better matches; its negation is the score.
        rank_sql = (f"SELECT d.key, -bm25(portal_search_fts, 4.0, 1.0) AS score {base} "
                    f"ORDER BY score DESC, d.id DESC LIMIT %s OFFSET %s")
    with connection.cursor() as cursor:
        cursor.execute(rank_sql, base_params + [limit, offset])
        hits = [(key, float(score)) for key, score in cursor.fetchall()]
        if with_facets:
            cursor.execute(f"SELECT d.type, d.districts, d.themes, COUNT(*) {base} GROUP BY d.type, d.districts, d.themes",
                           base_params)
            groups = cursor.fetchall()
        else:
            cursor.execute(f"SELECT COUNT(*) {base}", base_params)
            groups = [(None, "", "", cursor.fetchone()[0])]
    total = 0
    facets = {"type": Counter(), "districts": Counter(), "themes": Counter()}
    for doc_type, districts, themes, count in groups:
        total += count
        if doc_type is not None:
            facets["type"][doc_type] += count
        for slug in SearchDocument.unpack(districts):
            facets["districts"][slug] += count
        for slug in SearchDocument.unpack(themes):
            facets["themes"][slug] += count
    return total, hits, ({name: dict(counter) for name, counter in facets.items()} if with_facets else {})
