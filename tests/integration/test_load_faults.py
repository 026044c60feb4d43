"""
Load and abuse on the production way of running the portal (issue 19, items 4 and 10): gunicorn with
``site/gunicorn.conf.py`` and ``portal.settings`` (DEBUG off, two workers), over this run's PostgreSQL
database reached through a fault proxy (tests/integration/faultproxy.py), so the database can be
"restarted" without touching the PostgreSQL server others share: the proxy refuses connections
and drops the open ones, and ``pg_terminate_backend`` ends this database's sessions, for a few
seconds, then lets connections through again.

- 200 board posts from 20 verified members, 20 at a time, while the database goes away and comes
  back: every 2xx post is stored, every other answer is a clear refusal (503 ``database_unavailable``,
  with Retry-After) that stored nothing, lost = 0; a page asked for meanwhile is the Japanese 503
  page; the same gunicorn answers 2xx again (connections checked and re-opened, ``CONN_HEALTH_CHECKS``)
  and the recovery time is measured.
- a flood of posts from one member (``LOAD_FLOOD_POSTS``, 1,000 here, 10,000 in ``make bench-faults``):
  all but the member's limit answered 429 with Retry-After, nothing more stored, and another member's
  home page and posts barely slower during the flood than before it.

The figures are printed (``-s``); tests/bench/bench_faults.py runs the same with the full flood.
"""

import collections
import json
import os
import random
import string
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from faker import Faker

from tests.integration.faultproxy import FaultProxy
from tests.integration.test_faults_input import _logged_in, _multipart, committed
from tests.integration.test_readyz import environment, free_port, start_gunicorn, stop_gunicorn

pytestmark = pytest.mark.django_db
MEMBER_LIMIT = 20  # posts per member per 10 minutes on this gunicorn (the default is 5)
POSTERS, POSTS_EACH = 20, 10
FLOOD = int(os.environ.get("LOAD_FLOOD_POSTS", "1000"))
fake = Faker("ja_JP")


@pytest.fixture(scope="module")
def load_stack(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn (2 workers x 2 threads) on the production settings, PostgreSQL behind a fault proxy."""
    db = connection.settings_dict
    database = FaultProxy((db["HOST"] or "127.0.0.1", int(db["PORT"])))
    media = tmp_path_factory.mktemp("load-media")
    search = settings.WAGTAILSEARCH_BACKENDS["default"]["URLS"][0]
    process, base = start_gunicorn(environment(
        database.port, search, free_port(), MEDIA_ROOT=str(media), WEB_CONCURRENCY="2", GUNICORN_THREADS="2",
        MODERATION_RATE_MEMBER=f"{MEMBER_LIMIT}/600", MODERATION_RATE_ADDRESS="1000000/600",
        DATABASE_CONNECT_TIMEOUT="2", LOG_LEVEL="INFO"))
    log = collections.deque(maxlen=400)  # gunicorn's stderr, read all along: a full pipe would stall its workers
    boots = []  # when a worker process (re)started: GUNICORN_MAX_REQUESTS recycles them

    def drain():
        for line in process.stderr:
            log.append(line.decode(errors="replace"))
            if b"Booting worker" in line:
                boots.append(time.monotonic())

    threading.Thread(target=drain, daemon=True).start()
    try:
        yield type("Stack", (), {"base": base, "port": int(base.rsplit(":", 1)[1]), "database": database,
                                 "process": process, "log": log, "boots": boots})
    finally:
        stop_gunicorn(process)
        database.close()


@pytest.fixture(scope="module")
def people(load_stack, django_db_blocker):
    """22 verified members the workers see (committed; removed afterwards with their posts), logged in."""
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.utils import timezone

    from members.models import RateCounter, User

    argon2 = Argon2PasswordHasher()  # the workers' own hasher
    password = argon2.encode("correct horse 2026", argon2.salt())
    tag = "".join(random.choices(string.ascii_lowercase, k=8))

    def create():
        return [User.objects.create(email=f"load-{tag}-{n}@example.jp", nickname=f"負荷{n}", last_name=fake.last_name(),
                                    first_name=fake.first_name(), self_registered=True, password=password,
                                    email_verified_at=timezone.now())
                for n in range(POSTERS + 2)]

    users = committed(django_db_blocker, create)
    try:
        sessions = [_logged_in(load_stack, user) for user in users]
        yield type("People", (), {"users": users, "sessions": sessions})
    finally:
        committed(django_db_blocker, lambda: (User.objects.filter(pk__in=[u.pk for u in users]).delete(),
                                              RateCounter.objects.all().delete()))


def marker():
    """A word that finds a post again: letters only (no digits for the phone-number detector)."""
    return "目印" + "".join(random.choices(string.ascii_lowercase, k=16))


def post(stack, session, mark):
    """A new thread on the 大久保 board: (status, seconds, Retry-After, problem code)."""
    opener, token = session
    content_type, body = _multipart({"title": fake.sentence(nb_words=3)[:40],
                                     "body": f"{fake.paragraph(nb_sentences=2)}\n{mark}", "captcha": "x"})
    request = urllib.request.Request(f"{stack.base}/api/v3/board/boards/district-okubo/threads/", method="POST",
                                     data=body, headers={"Content-Type": content_type, "X-CSRFToken": token})
    started = time.monotonic()
    try:
        with opener.open(request, timeout=60) as answer:
            answer.read()
            return answer.status, time.monotonic() - started, None, None
    except urllib.error.HTTPError as error:
        payload = error.read()
        code = json.loads(payload).get("code") if payload.startswith(b"{") else None
        return error.code, time.monotonic() - started, error.headers.get("Retry-After"), code


def page(stack, session, path="/"):
    """(status, seconds, text) of a page seen by a logged-in member."""
    opener, _token = session
    started = time.monotonic()
    try:
        with opener.open(f"{stack.base}{path}", timeout=60) as answer:
            return answer.status, time.monotonic() - started, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started, error.read().decode()


def stored_markers(django_db_blocker, users):
    from moderation.models import Post

    return committed(django_db_blocker, lambda: set(
        word for body in Post.objects.filter(author__in=users).values_list("body", flat=True)
        for word in body.split() if word.startswith("目印")))


def _terminate_sessions(keep_pid):
    """pg_terminate_backend on this database's sessions (those of the gunicorn workers), over a direct connection."""
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=int(db["PORT"]), user=db["USER"],
                         password=db["PASSWORD"], dbname=db["NAME"], autocommit=True) as direct:
        return direct.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
                              [keep_pid]).fetchone()[0]


def _database_away(stack, session, clock, keep_pid, cut_at, outage):
    """The "restart": refuse and drop connections, end the sessions, ask for a page, then let them through."""
    time.sleep(cut_at)
    clock["cut"] = time.monotonic()
    clock["terminated"] = _terminate_sessions(keep_pid)  # queries in flight end as in a restart
    stack.database.set("refuse")
    status, _seconds, text = page(stack, session, "/board/district-okubo/")
    clock["page"] = (status, "ただいまご利用いただけません" in text)
    time.sleep(max(0.0, outage - (time.monotonic() - clock["cut"])))
    stack.database.set("pass")
    clock["back"] = time.monotonic()


def restart_under_posts(stack, people, django_db_blocker, cut_at=3.0, outage=3.0, pause=1.0):
    """200 posts (20 members x 10, one after another with a pause each) while the database goes away."""
    posters, sessions = people.users[:POSTERS], people.sessions[:POSTERS]
    answers, clock = [], {}

    def member_posts(session):
        for _ in range(POSTS_EACH):
            mark = marker()
            status, seconds, retry, code = post(stack, session, mark)
            answers.append((mark, status, time.monotonic(), retry, code))
            time.sleep(pause)

    with connection.cursor() as cursor:  # this test's own session stays
        cursor.execute("SELECT pg_backend_pid()")
        keep_pid = cursor.fetchone()[0]
    fault = threading.Thread(target=_database_away, args=(stack, people.sessions[-1], clock, keep_pid, cut_at, outage))
    fault.start()
    with ThreadPoolExecutor(POSTERS) as pool:
        list(pool.map(member_posts, sessions))
    fault.join()
    stored = stored_markers(django_db_blocker, posters)
    ok = [a for a in answers if 200 <= a[1] < 300]
    after = [a[2] for a in ok if a[2] >= clock["back"]]
    return {
        "sent": len(answers), "stored": len(stored), "answered_2xx": len(ok),
        "refused": len(answers) - len(ok),
        "lost": sum(1 for a in ok if a[0] not in stored),  # 2xx, not stored
        "stored_though_refused": sum(1 for a in answers if not 200 <= a[1] < 300 and a[0] in stored),
        "statuses": sorted({(a[1], a[4]) for a in answers}, key=str),
        "refusals_without_retry_after": sum(1 for a in answers if a[1] == 503 and not a[3]),
        "recovery_seconds": round(min(after) - clock["back"], 2) if after else None,
        "outage_seconds": round(clock["back"] - clock["cut"], 2), "sessions_terminated": clock["terminated"],
        "page_while_away": clock["page"],
    }


def percentile(values, share=0.95):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _bystander(stack, session, stop, pages, posts, pause=0.05, post_every=8):
    """Another member: the home page again and again, and now and then a post, until ``stop`` is set."""
    n = 0
    while not stop.is_set():
        pages.append(page(stack, session, "/")[:2])
        n += 1
        if n % post_every == 0 and len(posts) < 5:
            posts.append(post(stack, session, marker())[:2])
        time.sleep(pause)


def flood_from_one_member(stack, people, django_db_blocker, flood=FLOOD, threads=4):
    """``flood`` posts from one member, ``threads`` at a time; another member's latency before and during."""
    flooder, flooder_session = people.users[POSTERS], people.sessions[POSTERS]
    other_session = people.sessions[POSTERS + 1]
    before = {"pages": [], "posts": []}
    stop = threading.Event()
    timer = threading.Timer(6.0, stop.set)
    timer.start()
    _bystander(stack, other_session, stop, before["pages"], before["posts"])
    during, stop = {"pages": [], "posts": []}, threading.Event()
    watcher = threading.Thread(target=_bystander, args=(stack, other_session, stop, during["pages"], during["posts"]))
    started, wall_started = time.monotonic(), time.time()
    watcher.start()
    with ThreadPoolExecutor(threads) as pool:
        answers = list(pool.map(lambda _n: post(stack, flooder_session, marker()), range(flood)))
    seconds = time.monotonic() - started
    boots = sum(1 for moment in stack.boots if moment >= started)
    windows = int(time.time() // 600) - int(wall_started // 600) + 1  # the limit's fixed 10-minute windows touched
    stop.set()
    watcher.join()
    refused = [a for a in answers if a[0] == 429]
    return {
        "sent": flood, "seconds": round(seconds, 1), "answered_2xx": sum(1 for a in answers if 200 <= a[0] < 300),
        "refused_429": len(refused), "without_retry_after": sum(1 for a in refused if not a[2]),
        "other_statuses": sorted({a[0] for a in answers if a[0] != 429 and not 200 <= a[0] < 300}),
        "stored": len(stored_markers(django_db_blocker, [flooder])),
        "flood_p95_s": round(percentile([a[1] for a in answers]), 3),
        "home_p95_before_s": round(percentile([s for _c, s in before["pages"]]), 3),
        "home_p95_during_s": round(percentile([s for _c, s in during["pages"]]), 3),
        "post_p95_before_s": round(percentile([s for _c, s in before["posts"]]), 3),
        "post_p95_during_s": round(percentile([s for _c, s in during["posts"]]), 3),
        "other_statuses_seen": sorted({c for c, _s in before["pages"] + before["posts"] + during["pages"]
                                       + during["posts"]}),
        "home_requests_during": len(during["pages"]), "worker_restarts_during": boots, "rate_windows": windows,
    }


def check_restart(figures):
    status, japanese = figures["page_while_away"]
    assert figures["lost"] == 0 and figures["stored_though_refused"] == 0, figures
    assert figures["stored"] == figures["answered_2xx"] and figures["sent"] == POSTERS * POSTS_EACH, figures
    assert figures["refused"] > 0, f"the outage was not felt: {figures}"
    assert {code for code, _problem in figures["statuses"] if not 200 <= code < 300} <= {503}, figures
    assert {problem for code, problem in figures["statuses"] if code == 503} == {"database_unavailable"}, figures
    assert figures["refusals_without_retry_after"] == 0, figures
    assert status == 503 and japanese, "the Japanese page while the database is away"
    assert figures["recovery_seconds"] is not None and figures["recovery_seconds"] < 10, figures


def check_flood(figures):
    stored = figures["stored"]
    assert figures["answered_2xx"] == stored and MEMBER_LIMIT <= stored <= MEMBER_LIMIT * figures["rate_windows"], figures
    assert figures["refused_429"] == figures["sent"] - stored and figures["without_retry_after"] == 0, figures
    assert figures["other_statuses"] == [] and set(figures["other_statuses_seen"]) <= {200, 201, 202}, figures
    for what in ("home", "post"):
        before, during = figures[f"{what}_p95_before_s"], figures[f"{what}_p95_during_s"]
        assert during <= 3 * before + 0.5, f"{what} slowed by the flood: {figures}"


def test_posts_during_a_database_restart_are_stored_or_clearly_refused(load_stack, people, django_db_blocker):
    from django.db import connections

    assert connections["default"].settings_dict["CONN_HEALTH_CHECKS"] is True
    figures = restart_under_posts(load_stack, people, django_db_blocker)
    print(f"\nrestart under 200 posts: {figures}")
    check_restart(figures)
    assert load_stack.process.poll() is None, "recovered without restarting gunicorn"


def test_a_flood_from_one_member_is_refused_and_slows_no_one_else(load_stack, people, django_db_blocker):
    figures = flood_from_one_member(load_stack, people, django_db_blocker)
    print(f"\nflood of {figures['sent']} posts from one member: {figures}")
    check_flood(figures)
