"""
The anonymous page cache with the real processes on PostgreSQL: gunicorn (site/gunicorn.conf.py, several
workers, each with its own memory cache) and nginx (site/nginx.conf's micro-cache) in front. An editor
publishes from another process; the next GET shows it through gunicorn at once and through nginx
within its one second. Members and their cookies pass by both caches.
"""

import time
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.bench.web import servers

DB = settings.DATABASES["default"]


@pytest.fixture(scope="module")
def web_database():
    """A database of its own (committed data for separate processes), dropped at the end."""
    name = f"{DB['NAME']}_s1_web"
    params = {"host": DB["HOST"], "port": DB["PORT"], "user": DB["USER"], "password": DB["PASSWORD"], "dbname": "postgres",
              "autocommit": True}
    with psycopg.connect(**params) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield f"postgres://{DB['USER']}:{DB['PASSWORD']}@{DB['HOST']}:{DB['PORT']}/{name}"
    with psycopg.connect(**params) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def stack(web_database):
    with servers.Stack(DATABASE_URL=web_database, WEB_CONCURRENCY="3") as running:
        yield {"env": running.env, "gunicorn": f"http://127.0.0.1:{running.gunicorn.port}",
               "nginx": f"http://127.0.0.1:{running.nginx.port}"}


def test_publish_then_the_next_get_shows_it_through_gunicorn_and_within_a_second_through_nginx(stack):
    path = urlsplit(servers.first_article_path(stack["env"])).path
    answers = [servers.get(stack["gunicorn"] + path)[1]["X-Page-Cache"] for _ in range(60)]
    # each worker renders it once (its own memory cache), then answers it from the cache: hits at the end
    assert answers[-10:] == ["hit"] * 10, answers
    statuses = [servers.get(stack["nginx"] + path)[1].get("X-Micro-Cache") for _ in range(20)]
    assert "HIT" in statuses, statuses  # within its second (a loaded machine may take longer per GET)
    title = f"公開直後の見出し {time.time_ns()}"
    assert urlsplit(servers.publish_title(stack["env"], title)).path == path
    published = time.monotonic()
    for _ in range(6):  # whichever worker answers
        assert title in servers.get(stack["gunicorn"] + path)[2]
    while title not in servers.get(stack["nginx"] + path)[2]:
        assert time.monotonic() - published <= 1.0, "not visible through nginx within a second"
        time.sleep(0.02)


def test_anonymous_answers_set_no_cookie_and_do_not_vary_on_cookie_or_language(stack):
    for base in (stack["gunicorn"], stack["nginx"]):
        for path in ("/", "/en/", "/api/v3/content/", "/feeds/articles.rss", "/ward-notices/"):
            status, headers, _body = servers.get(base + path)
            assert status == 200, path
            assert "Set-Cookie" not in headers, path
            vary = headers.get("Vary", "").lower()
            assert "cookie" not in vary and "accept-language" not in vary, (path, vary)
            assert headers["Cache-Control"] == "public, no-cache" and headers["ETag"]
            assert "X-Accel-Expires" not in headers or base == stack["gunicorn"]  # nginx keeps it to itself


def test_a_session_cookie_passes_by_nginx_and_the_portal(stack):
    servers.get(stack["nginx"] + "/")
    answer = servers.get(stack["nginx"] + "/", {"Cookie": "sessionid=not-a-session"})[1]
    assert answer.get("X-Micro-Cache") == "BYPASS" and answer.get("X-Page-Cache") == "bypass"
    again = servers.get(stack["nginx"] + "/")[1]
    assert again.get("X-Micro-Cache") in ("HIT", "MISS", "EXPIRED", "REVALIDATED")


def test_a_login_form_is_never_kept_by_nginx(stack):
    for _ in range(2):
        status, headers, body = servers.get(stack["nginx"] + "/members/login/")
        assert status == 200 and "csrfmiddlewaretoken" in body
        assert headers.get("X-Micro-Cache") in ("MISS", "BYPASS") and headers.get("X-Page-Cache") == "bypass"
