"""
Benchmark of the cross-source search (`make bench-search`), per backend of this run:

- quality on our Japanese relevance set (tests/search/relevance.py): recall@10 and MRR, through
  the whole search path (analysis, backend, re-ranking);
- latency at BENCH_SEARCH_DOCS indexed documents (default 100,000): the set's documents plus
  generated filler documents (Japanese sentences about the ward's life, each with one of the
  set's topic words three times in ten, so every query has hundreds of matches to rank), each
  query of the set timed through ``search.query.search`` with facets and snippets, as the API
  runs it: median and 95th percentile.

The database backend is whatever this run's database is (SQLite without DATABASE_URL,
PostgreSQL with it); the engine backend runs when SEARCH_URL is set. Goals: recall@10 >= 0.95
and MRR >= 0.8 everywhere; p95 <= 100 ms on PostgreSQL and on the engine; for the common words
(``COMMON``, found in most of the 100,000 documents) p95 <= 100 ms on every backend, SQLite
included. The machine's load average is printed with the figures: they mean little without it.
"""

import datetime
import os
import random
import statistics
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from search.analysis import index_terms
from search.engine import Engine, get_engine
from search.models import SearchDocument
from search.query import search
from tests.search import realtext_set
from tests.search.relevance import DISTRICTS, NEUTRAL, NEUTRAL_TITLES, TOPICS, documents, measure, queries, rows

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(os.environ.get("BENCH_SEARCH") != "1", reason="runs with `make bench-search` (BENCH_SEARCH=1)"),
]

DOCS = int(os.environ.get("BENCH_SEARCH_DOCS", "100000"))
ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", "3"))
GOALS = {"recall@10": 0.95, "mrr": 0.8, "p95_ms": 100.0}
REALTEXT_GOALS = {"recall@10": 0.95, "mrr": 0.90, "class": 0.9}  # on the frozen test half, per backend
# BENCH_REALTEXT_HALVES=dev while tuning: the frozen half is neither measured nor shown.
HALVES = [h for h in os.environ.get("BENCH_REALTEXT_HALVES", "dev,test").split(",") if h in ("dev", "test")]
COMMON = ["新宿", "地域", "お知らせ", "地域 センター"]

EXTRA = [
    "季節の行事では、地域の子どもから高齢の方までが一緒に楽しめる催しを用意しています。",
    "区役所の担当者によると、今年は参加者が昨年より増えたそうです。",
    "会場までは最寄りの駅から歩いて十分ほどです。",
    "詳しい日程は決まり次第、このページでお知らせします。",
    "商店街の皆さんの協力で、今年も無事に開くことができました。",
    "事前の準備には多くのボランティアが参加しました。",
]


def _filler_rows(count, start=0):
    """Generated documents; sentence terms are analysed once and reused (sentences end with 。)."""
    rng = random.Random(start)
    sentences = [s.format(d=d) for s in NEUTRAL + EXTRA for d in DISTRICTS]
    terms = {s: index_terms(s) for s in sentences}
    topic_sentences = [f"この催しは{variants[0]}にも関係があります。" for variants in TOPICS]
    terms.update({s: index_terms(s) for s in topic_sentences})
    title_terms = {t: index_terms(t) for t in NEUTRAL_TITLES}
    now = timezone.now()
    out = []
    for n in range(start, start + count):
        body = rng.sample(sentences, 10)
        if rng.random() < 0.3:
            body.insert(rng.randrange(len(body)), rng.choice(topic_sentences))
        title = rng.choice(NEUTRAL_TITLES)
        district = rng.choice(DISTRICTS)
        out.append(SearchDocument(
            key=f"filler:{n}", source="filler", object_id=str(n), type=rng.choice(["article", "notice", "event", "shop"]),
            locale="ja", title=f"{title}（{n}）", url=f"/filler/{n}/", body="".join(body),
            date=now - datetime.timedelta(days=rng.randrange(0, 1500)),
            districts=SearchDocument.pack([district]),
            title_terms=" ".join(title_terms[title] + [str(n)]), body_terms=" ".join(t for s in body for t in terms[s]),
        ))
    return out


def _realtext_quality(backends, engine, report):
    """
    The real-text set (tests/search/realtext/) alone in the index: recall@10 and MRR per class and
    backend, the dev half (tuned on) and the frozen test half (never looked at while tuning), labelled.
    """
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create(realtext_set.rows())
    if engine:
        engine.rebuild()
    figures = {}
    for using, name in backends:
        figures[using] = {}
        for half in HALVES:
            label = f"{name} real-text {'dev half (tuned on)' if half == 'dev' else 'TEST half (frozen)'}"
            found = realtext_set.measure(lambda q, using=using: [r.id for r in search(q, with_facets=False, using=using).results],
                                         realtext_set.queries(half))
            figures[using][half] = found
            report.append(realtext_set.format_figures(label, found))
            if half == "test":
                report.append(f"    misses {found['misses']}")
    for half in HALVES:  # the same for every backend: the search's own matching, the judgements
        label = "dev half" if half == "dev" else "TEST half (frozen)"
        for name, bound in realtext_set.ceilings(realtext_set.queries(half), realtext_set.matcher()).items():
            report.append(realtext_set.format_figures(f"real-text {label}, a perfect ordering of {name}", bound))
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create(rows(documents()))
    if engine:
        engine.rebuild()
    return figures


def _latency(using, query_set, rounds):
    timings = []
    for q in query_set:  # warm-up (caches, Sudachi dictionary, engine)
        search(q["query"], using=using)
    for _ in range(rounds):
        for q in query_set:
            started = time.perf_counter()
            search(q["query"], using=using)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))], len(timings)


def test_search_quality_and_latency_per_backend(monkeypatch, capsys):
    from search import engine as engine_module
    from search import query as query_module

    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    real = get_engine()
    backends = [("database", database)]
    engine = None
    if real is not None:
        engine = Engine(real.es, f"{settings.WAGTAILSEARCH_BACKENDS['default']['INDEX_PREFIX']}bench", real.flavour)
        monkeypatch.setattr(engine_module, "get_engine", lambda: engine)
        monkeypatch.setattr(query_module, "get_engine", lambda: engine)
        info = real.es.info()["version"]
        backends.append(("engine", f"{info.get('distribution', 'elasticsearch')} {info['number']}"))

    report = []
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create(rows(documents()))
    if engine:
        engine.rebuild()
    quality = {}
    for using, name in backends:
        quality[using] = measure(lambda q, using=using: [r.id for r in search(q, with_facets=False, using=using).results])
        report.append(f"{name:<18} quality: {quality[using]['queries']} queries over {len(documents())} documents: "
                      f"recall@10 {quality[using]['recall@10']:.3f}, MRR {quality[using]['mrr']:.3f}; "
                      f"misses {quality[using]['misses']}")

    realtext = _realtext_quality(backends, engine, report)

    # The analysis chosen against character bigrams, same set, database backend (README "Search").
    from search import analysis

    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create(rows(documents(), "bigram"))
    monkeypatch.setattr(analysis, "STRATEGY", "bigram")
    bigram = measure(lambda q: [r.id for r in search(q, with_facets=False, using="database").results])
    monkeypatch.setattr(analysis, "STRATEGY", "sudachi")
    report.append(f"{database:<18} quality with character bigrams instead of Sudachi: recall@10 "
                  f"{bigram['recall@10']:.3f}, MRR {bigram['mrr']:.3f} ({len(bigram['misses'])} queries missed)")
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create(rows(documents()))

    started = time.monotonic()
    filler = DOCS - len(documents())
    for offset in range(0, filler, 5000):
        SearchDocument.objects.bulk_create(_filler_rows(min(5000, filler - offset), start=offset), batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {SearchDocument._meta.db_table}")
    total = SearchDocument.objects.count()
    report.append(f"{database:<18} indexed {total} documents in {time.monotonic() - started:.0f} s")
    if engine:
        started = time.monotonic()
        engine.rebuild()
        report.append(f"{backends[1][1]:<18} indexed {total} documents in {time.monotonic() - started:.0f} s (bulk, alias swap)")

    latency = {}
    query_set = queries()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        for using, _name in backends:
            profile = cProfile.Profile()
            profile.enable()
            for q in query_set:
                search(q["query"], using=using)
            profile.disable()
            with capsys.disabled():
                print(f"\n== profile: {using} ==")
                pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    for using, name in backends:
        median, p95, n = _latency(using, query_set, ROUNDS)
        latency[using] = p95
        report.append(f"{name:<18} latency at {total} documents: median {median:.1f} ms, p95 {p95:.1f} ms "
                      f"({n} searches with facets and snippets)")
    # Words found in most of the corpus (every filler matches): p95 <= 100 ms on every backend (the
    # databases read the newest dbsearch.CAP matches: counted, faceted and ranked, then estimated).
    common = [{"query": q} for q in COMMON]
    common_p95 = {}
    for using, name in backends:
        median, p95, n = _latency(using, common, ROUNDS)
        common_p95[using] = p95
        counts = {q: (found.count, "approximate" if found.approximate else "exact")
                  for q in COMMON for found in [search(q, using=using, with_facets=False)]}
        report.append(f"{name:<18} common words {counts}: median {median:.1f} ms, p95 {p95:.1f} ms ({n} searches)")
    if engine:
        engine.delete_all()
    report.append("load average (1, 5, 15 min) at the end: " + ", ".join(f"{n:.1f}" for n in os.getloadavg()))
    with capsys.disabled():
        print("\n== make bench-search ==")
        for line in report:
            print(line)

    failed = []
    for using, name in backends:
        if common_p95[using] > GOALS["p95_ms"]:
            failed.append(f"{name}: common words p95 {common_p95[using]:.1f} ms")
        if "test" not in realtext[using]:
            continue
        frozen = realtext[using]["test"]
        if frozen["all"]["recall@10"] < REALTEXT_GOALS["recall@10"] or frozen["all"]["mrr"] < REALTEXT_GOALS["mrr"]:
            failed.append(f"{name}: real-text test half {frozen['all']}")
        failed += [f"{name}: real-text test half, {cls} {fig}" for cls, fig in frozen["classes"].items()
                   if min(fig["recall@10"], fig["mrr"]) < REALTEXT_GOALS["class"]]
    for using, _name in backends:
        assert quality[using]["recall@10"] >= GOALS["recall@10"]
        assert quality[using]["mrr"] >= GOALS["mrr"]
        if using == "engine" or database == "PostgreSQL":
            assert latency[using] <= GOALS["p95_ms"], f"{using}: p95 {latency[using]:.1f} ms"
    assert not failed, failed
