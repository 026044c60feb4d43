"""
The database backend: full-text search over SearchDocument's terms, in SQL.

SQLite: the FTS5 table ``portal_search_fts`` ranked by BM25 (title weighted 4, body 1), the
filters and facets read from a covering index (migration 0005).
PostgreSQL: the ``tsv`` column (title weight A, body D) with its GIN index, ranked by ts_rank.
Both full-text tables are created by migration 0002. Terms come from ``search.analysis``; the query is the
expression of ``search.expansion`` (words ANDed, their alternatives ORed) in each backend's syntax.
"""

from collections import Counter

from django.db import connection, transaction

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


CAP = 1000  # matches read per search: the newest this many are counted and faceted (a common word matches most)
RANK_CAP = 300  # a word with more than CAP matches: this many of them are ranked (see _scores)
TITLE_SPAN = 2  # SQLite, a common word: title matches are looked for this many times as far back as the newest CAP
COVERING_INDEX = "portal_search_doc_filters"  # SQLite: id and the filtered/faceted columns (migration 0005)


def _where(expression, filters):
    """(FROM … WHERE … SQL, parameters) of the matches, as ``d`` (and ``s.q``, the tsquery, on PostgreSQL)."""
    where, params = _filters_sql(filters)
    if connection.vendor == "postgresql":
        tsquery, tsparams = _tsquery_sql(expression)
        return (f"FROM {TABLE} d, (SELECT {tsquery} AS q) s WHERE d.tsv @@ s.q AND " + " AND ".join(where),
                tsparams + params)
    # The filters and facets are read from a covering index: a document's row (body and terms,
    # several pages each) is never read for a match that is only counted.
    return (f"FROM portal_search_fts f JOIN {TABLE} d INDEXED BY {COVERING_INDEX} ON d.id = f.rowid "
            f"WHERE portal_search_fts MATCH %s AND " + " AND ".join(where), [_match_sqlite(expression)] + params)


def _newest_first():
    # FTS5 reads its matches in rowid order (backwards here) and stops at the LIMIT only when
    # ordered by its own rowid, not by the joined table's id.
    return "d.id DESC" if connection.vendor == "postgresql" else "f.rowid DESC"


def _newest(cursor, expression, filters):
    """The newest ``CAP + 1`` matches as (id, type, districts, themes): read by id, no score computed."""
    sql, params = _where(expression, filters)
    newest = f"SELECT d.id, d.type, d.districts, d.themes {sql} ORDER BY {_newest_first()} LIMIT %s"
    if connection.vendor != "postgresql":
        cursor.execute(newest, params + [CAP + 1])
        return cursor.fetchall()
    plan = "enable_bitmapscan" if _common(cursor, sql, params) else "enable_indexscan"  # the one not to use
    with transaction.atomic():  # the SET LOCALs end with it (or its savepoint's rollback on an error)
        cursor.execute(f"SET LOCAL {plan} = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(newest, params + [CAP + 1])
        matches = cursor.fetchall()
        # Inside an outer transaction (a request's, a test's) this is a savepoint, whose release
        # would keep the settings until that transaction ends: put them back now.
        cursor.execute(f"SET LOCAL {plan} = DEFAULT")
        cursor.execute("SET LOCAL enable_seqscan = DEFAULT")
    return matches


PROBE = 400  # PostgreSQL: the newest documents checked to tell a common word from a rarer one
COMMON_SHARE = 0.15


def _common(cursor, sql, params):
    """
    PostgreSQL: does the query match at least ``COMMON_SHARE`` of the newest ``PROBE`` documents?
    Then its newest matches are found by reading documents backwards by id (a few thousand at
    most); otherwise through the GIN index (every match read once, then sorted). The planner's own
    choice, from its estimate of how many documents match, was measured wrong both ways at 100,000
    documents: 1.2 s reading backwards for 引越し (542 matches: its alternatives ORed misestimated),
    0.3 s for a two-word query's 5,000 partial matches.
    """
    cursor.execute(f"SELECT MAX(id) FROM {TABLE}")
    last = cursor.fetchone()[0] or 0
    cursor.execute(f"SELECT COUNT(*) {sql} AND d.id > %s", params + [last - PROBE])
    return cursor.fetchone()[0] >= COMMON_SHARE * PROBE


def _scores(cursor, expression, filters, matches, every):
    """
    {id: the backend's relevance} of the candidates among ``matches`` (the newest first; ``every``:
    they are all the matches). Scoring every match of a common word would cost
    far more than the 100 ms goal (measured at 100,000 documents: FTS5's bm25 over the 72,000
    matches of お知らせ 250 ms, PostgreSQL's ts_rank over 62,000 near 1 s), so beyond ``CAP``:
    PostgreSQL scores the newest ``RANK_CAP`` by ts_rank (title weight A first); SQLite, whose
    bm25 first counts every match of each term (20–80 ms for a common word), takes the newest
    matches that have the words in the title, then the newest others.
    """
    if connection.vendor == "postgresql":
        ids = [m[0] for m in (matches if every else matches[:RANK_CAP])]
        if not ids:
            return {}
        tsquery, tsparams = _tsquery_sql(expression)
        cursor.execute(f"SELECT d.id, ts_rank(d.tsv, {tsquery}) FROM {TABLE} d WHERE d.id = ANY(%s)", tsparams + [ids])
        return {pk: float(score) for pk, score in cursor.fetchall()}
    sql, params = _where(expression, filters)
    if every:
        cursor.execute(f"SELECT d.id, -bm25(portal_search_fts, 4.0, 1.0) {sql}", params)
        return {pk: float(score) for pk, score in cursor.fetchall()}
    # Title matches among the newest TITLE_SPAN times the ids the newest CAP matches span: FTS5
    # checks each match's positions for the column, so an unbounded search for a title match
    # that hardly exists would read all of them (30 ms for 9,000 matches).
    newest, oldest = matches[0][0], matches[-1][0]
    title_only = ["{title_terms} : (" + params[0] + ")"] + params[1:]
    cursor.execute(f"SELECT d.id {sql} AND f.rowid >= %s ORDER BY {_newest_first()} LIMIT %s",
                   title_only + [newest - TITLE_SPAN * (newest - oldest + 1), RANK_CAP])
    scores = {pk: 2.0 for pk, in cursor.fetchall()}
    for pk, *_facets in matches:
        if len(scores) >= RANK_CAP:
            break
        scores.setdefault(pk, 1.0)
    return scores


def _estimate(cursor, matches):
    """(count, approximate): exact up to CAP; beyond, extrapolated from the ids the newest CAP span."""
    if len(matches) <= CAP:
        return len(matches), False
    high, low = matches[0][0], matches[CAP - 1][0]
    cursor.execute(f"SELECT MIN(id) FROM {TABLE}")
    first = cursor.fetchone()[0] or 1
    return max(len(matches), int(CAP * (high - first + 1) / max(1, high - low + 1))), True


def _facets(matches, scale):
    facets = {"type": Counter(), "districts": Counter(), "themes": Counter()}
    for _id, doc_type, districts, themes in matches:
        facets["type"][doc_type] += 1
        for slug in SearchDocument.unpack(districts):
            facets["districts"][slug] += 1
        for slug in SearchDocument.unpack(themes):
            facets["themes"][slug] += 1
    return {name: {k: round(v * scale) for k, v in counter.items()} for name, counter in facets.items()}


def search(expression, filters, offset, limit, with_facets=True):
    """
    (total, [(key, score)], facets, (count estimated, facets estimated)) for documents matching ``filters`` and
    ``expression`` (every word, any alternative of a word, every term of an alternative: see
    search.expansion), best first by the backend's relevance. The newest ``CAP`` matches are
    read once: counted (beyond, the count is estimated), faceted (scaled to the estimate, so
    estimated too) and ranked (``_scores``), so a common word answers fast at any size.
    """
    with connection.cursor() as cursor:
        matches = _newest(cursor, expression, filters)
        total, approximate = _estimate(cursor, matches)
        matches = matches[:CAP]
        if offset == 0 and not approximate and len(matches) <= limit:  # all asked for: search.query orders them
            scores = {pk: 0.0 for pk, *_facets in matches}
        else:
            scores = _scores(cursor, expression, filters, matches, not approximate)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))[offset:offset + limit]
        keys = {}
        if ranked:
            placeholders = ", ".join(["%s"] * len(ranked))  # the SQL's own parameters, one per id
            cursor.execute(f"SELECT id, key FROM {TABLE} WHERE id IN ({placeholders})", [pk for pk, _s in ranked])
            keys = dict(cursor.fetchall())
    hits = [(keys[pk], score) for pk, score in ranked if pk in keys]
    facets = _facets(matches, total / len(matches) if approximate else 1.0) if with_facets else {}
    return total, hits, facets, (approximate, approximate and with_facets)
