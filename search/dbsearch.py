"""
The database backend: full-text search over SearchDocument's terms, in SQL.

SQLite: the FTS5 table ``portal_search_fts`` ranked by BM25 (title weighted 4, body 1).
PostgreSQL: the ``tsv`` column (title weight A, body D) with its GIN index, ranked by ts_rank.
Both tables are created by migration 0002. Terms come from ``search.analysis``; the query is the
expression of ``search.expansion`` (words ANDed, their alternatives ORed) in each backend's syntax.
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


def _quote(term):
    return '"' + term.replace('"', '""') + '"'


def _match_sqlite(expression):
    # FTS5: every word (AND), any alternative of a word (OR), every term of an alternative (AND).
    return " AND ".join(
        "(" + " OR ".join("(" + " AND ".join(_quote(t) for t in alternative) + ")" for alternative in word) + ")"
        for word in expression
    )


def _tsquery_sql(expression):
    # The same expression as a tsquery: one plainto_tsquery per term, combined with && and ||.
    params = []
    words = []
    for word in expression:
        alternatives = []
        for alternative in word:
            alternatives.append("(" + " && ".join("plainto_tsquery('simple', %s)" for _ in alternative) + ")")
            params += list(alternative)
        words.append("(" + " || ".join(alternatives) + ")")
    return " && ".join(words), params


RANK_CAP = 2000  # matches ranked: the newest this many (a common word matches most documents)
COUNT_CAP = 10000  # matches counted exactly; beyond, the count is estimated ("approximate")


def _matches_sql(expression, filters, select):
    """SQL and parameters of the newest matches (``select`` from ``d``, the row, and the score ``b``)."""
    where, params = _filters_sql(filters)
    if connection.vendor == "postgresql":
        tsquery, tsparams = _tsquery_sql(expression)
        score = "ts_rank(d.tsv, s.q)"
        sql = (f"SELECT {select.format(score=score)} FROM {TABLE} d, (SELECT {tsquery} AS q) s "
               f"WHERE d.tsv @@ s.q AND " + " AND ".join(where) + " ORDER BY d.id DESC LIMIT %s")
        return sql, tsparams + params
    score = "-bm25(portal_search_fts, 4.0, 1.0)"  # bm25() is lower for better matches
    sql = (f"SELECT {select.format(score=score)} FROM portal_search_fts f JOIN {TABLE} d ON d.id = f.rowid "
           f"WHERE portal_search_fts MATCH %s AND " + " AND ".join(where) + " ORDER BY f.rowid DESC LIMIT %s")
    return sql, [_match_sqlite(expression)] + params


def _count(cursor, expression, filters):
    """(matches, approximate): exact up to COUNT_CAP, else extrapolated from the ids the newest span."""
    sql, params = _matches_sql(expression, filters, "d.id")
    cursor.execute(f"SELECT COUNT(*), MIN(id), MAX(id) FROM ({sql}) m", params + [COUNT_CAP + 1])
    count, low, high = cursor.fetchone()
    if count <= COUNT_CAP:
        return count, False
    cursor.execute(f"SELECT MIN(id) FROM {TABLE}")
    first = cursor.fetchone()[0] or 1
    return int(count * (high - first + 1) / max(1, high - low + 1)), True


def search(expression, filters, offset, limit, with_facets=True):
    """
    (total, [(key, score)], facets, approximate) for documents matching ``filters`` and
    ``expression`` (every word, any alternative of a word, every term of an alternative: see
    search.expansion), best first. A word found in most documents is ranked among its newest
    ``RANK_CAP`` matches and counted exactly up to ``COUNT_CAP`` (then estimated: ``approximate``,
    facets scaled from the ranked matches), so common words answer fast at any size.
    """
    matches, params = _matches_sql(expression, filters, "d.id AS id, {score} AS score")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT d.key, m.score FROM ({matches}) m JOIN {TABLE} d ON d.id = m.id "
                       f"ORDER BY m.score DESC, m.id DESC LIMIT %s OFFSET %s", params + [RANK_CAP, limit, offset])
        hits = [(key, float(score)) for key, score in cursor.fetchall()]
        total, approximate = _count(cursor, expression, filters)
        groups = []
        if with_facets and total:
            cursor.execute(f"SELECT d.type, d.districts, d.themes, COUNT(*) FROM ({matches}) m "
                           f"JOIN {TABLE} d ON d.id = m.id GROUP BY d.type, d.districts, d.themes", params + [RANK_CAP])
            groups = cursor.fetchall()
    ranked = sum(count for *_rest, count in groups)
    scale = total / ranked if groups and total > ranked else 1.0
    approximate = approximate or scale > 1.0
    facets = {"type": Counter(), "districts": Counter(), "themes": Counter()}
    for doc_type, districts, themes, count in groups:
        facets["type"][doc_type] += count
        for slug in SearchDocument.unpack(districts):
            facets["districts"][slug] += count
        for slug in SearchDocument.unpack(themes):
            facets["themes"][slug] += count
    facets = {name: {k: round(v * scale) for k, v in counter.items()} for name, counter in facets.items()}
    return total, hits, (facets if with_facets else {}), approximate
