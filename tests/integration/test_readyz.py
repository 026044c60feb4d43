"""
Readiness and cache trouble on the production way of running the portal: gunicorn with
``site/gunicorn.conf.py`` and ``portal.settings`` (DEBUG off, ``SEARCH_URL``, ``REDIS_URL``), over
the session's PostgreSQL database and the real search engine, with a real Redis (redis-server,
started here). The search engine and PostgreSQL are reached through fault proxies
(tests/integration/faultproxy.py), so this test can stop them without disturbing anyone else.

- every service up: /readyz 200, every check "ok" (the engine's health call with its real client);
- Redis stopped mid-test: the home page, a district page, search and the pages API still answer
  200, and /readyz answers 503 naming "cache" only; Redis started again: 200;
- the engine refusing or hanging: /readyz 503 naming "search", within a few seconds;
- PostgreSQL unreachable: /readyz 503 naming "database", and not the cache or the engine; pages
  answer 503 in Japanese and the API a ``database_unavailable`` problem, both with Retry-After;
  once it is back the same gunicorn answers 200 again.

(``PORTAL_TESTING`` is set only so that static files come from the finders: no collectstatic here.)
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.integration.faultproxy import FaultProxy

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, timeout=30):
    """(status, seconds, body) of a GET, whatever the status."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own server
            return response.status, time.monotonic() - started, response.read()
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started, error.read()


def _wait_until(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds}s")


class Redis:
    def __init__(self, report):
        binary = shutil.which("redis-server")
        if binary is None:
            message = "redis-server is not installed (site/dev/install-test-tools.sh installs it)"
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(message)
            pytest.skip(message)
        self.binary, self.port, self.process = binary, free_port(), None
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
        report(f"cache: {version.split(' sha=')[0].strip()} on 127.0.0.1:{self.port}")

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command of our own
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def answers():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return True
            except OSError:
                return False

        _wait_until(answers, 10, "redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def environment(database_port, search_url, port, **extra):
    """The production settings' variables for a gunicorn over the session's test database and index."""
    db = connection.settings_dict
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "false", "PORTAL_TESTING": "1",
            "SECRET_KEY": "readyz-integration-test-key-" + "x" * 32, "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false", "PORT": str(port), "WEB_CONCURRENCY": "2",
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@127.0.0.1:{database_port}/{db['NAME']}",
            "SEARCH_URL": search_url, "TASKS_BACKEND": "immediate", "LOG_LEVEL": "WARNING",
            "SEARCH_INDEX_PREFIX": settings.WAGTAILSEARCH_BACKENDS["default"]["INDEX_PREFIX"], **extra}


def start_gunicorn(env):
    """gunicorn -c site/gunicorn.conf.py, answering /healthz: (process, base URL)."""
    process = subprocess.Popen(  # noqa: S603 - a fixed command of our own
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "site/gunicorn.conf.py", "portal.wsgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        _wait_until(lambda: _answers(base, process), 60, "gunicorn did not start")
    except BaseException:
        stop_gunicorn(process)
        raise
    return process, base


def stop_gunicorn(process):
    process.terminate()
    process.wait(30)


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, pytestconfig):
    """gunicorn (2 workers) on the production settings, with Redis and proxies in front of PostgreSQL and the engine."""
    from tests.conftest import SERVICES_SEEN

    report = pytestconfig.stash[SERVICES_SEEN].append
    redis = Redis(report)
    redis.start()
    search_url = urllib.parse.urlsplit(settings.WAGTAILSEARCH_BACKENDS["default"]["URLS"][0])
    search = FaultProxy((search_url.hostname, search_url.port))
    database = FaultProxy((connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"])))
    try:
        gunicorn, base = start_gunicorn(environment(database.port, search.url, free_port(), REDIS_URL=redis.url))
    except BaseException:
        redis.stop()
        raise
    try:
        report(f"web: gunicorn -c site/gunicorn.conf.py at {base} (portal.settings, DEBUG off)")
        yield type("Stack", (), {"base": base, "redis": redis, "search": search, "database": database})
    finally:
        stop_gunicorn(gunicorn)
        redis.stop()
        search.close()
        database.close()


def _answers(base, process):
    if process.poll() is not None:
        raise AssertionError(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
    try:
        return get(f"{base}/healthz", timeout=2)[0] == 200
    except OSError:
        return False


def readyz(stack):
    status, seconds, body = get(f"{stack.base}/readyz")
    return status, seconds, json.loads(body)


def _public_urls(stack):
    from pages.models import DistrictPage

    district = DistrictPage.objects.live().first()
    return ["/", district.url, "/search/?q=" + urllib.parse.quote("図書館"),
            "/api/v3/pages/?limit=5", "/api/v3/pages/?search=" + urllib.parse.quote("新宿")]


def test_readyz_is_200_on_the_production_configuration_with_every_service_up(stack):
    status, seconds, body = readyz(stack)
    assert status == 200, body
    assert body["failing"] == [] and set(body["checks"].values()) == {"ok"}
    assert {"database", "cache", "search"} <= set(body["checks"])
    assert seconds < 3


def test_a_stopped_redis_costs_speed_not_answers_and_readyz_names_it(stack):
    urls = _public_urls(stack)
    for url in urls:  # warm: the cache is filled while Redis runs
        assert get(stack.base + url)[0] == 200, url
    stack.redis.stop()
    try:
        for url in urls:
            status, seconds, _body = get(stack.base + url)
            assert status == 200, f"{url} answered {status} with Redis stopped"
            assert seconds < 5, f"{url} took {seconds:.1f}s with Redis stopped"
        status, _seconds, body = readyz(stack)
        assert status == 503 and body["failing"] == ["cache"], body
    finally:
        stack.redis.start()
    _wait_until(lambda: readyz(stack)[0] == 200, 15, "/readyz was not 200 again after Redis came back")


@pytest.mark.parametrize("fault", ["refuse", "hang"])
def test_an_engine_that_refuses_or_hangs_is_named_within_seconds(stack, fault):
    stack.search.set(fault)
    try:
        status, seconds, body = readyz(stack)
        assert status == 503 and "search" in body["failing"], body
        assert "cache" not in body["failing"] and "database" not in body["failing"]
        assert seconds < 5, f"/readyz took {seconds:.1f}s with the engine set to {fault}"
    finally:
        stack.search.set("pass")
    _wait_until(lambda: readyz(stack)[0] == 200, 60, "/readyz was not 200 again after the engine came back")


def _answer_with_headers(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own server
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_an_unreachable_database_is_named_and_answered_with_503(stack):
    urls = _public_urls(stack)
    stack.database.set("refuse")
    try:
        status, seconds, body = readyz(stack)
        assert status == 503 and "database" in body["failing"], body
        assert "cache" not in body["failing"] and "search" not in body["failing"]
        assert seconds < 10
        status, headers, page = _answer_with_headers(stack.base + urls[1])  # a district page
        assert status == 503 and headers["Retry-After"] and "ただいまご利用いただけません" in page.decode()
        status, headers, problem = _answer_with_headers(stack.base + "/api/v3/pages/?limit=5")
        assert status == 503 and headers["Retry-After"] and json.loads(problem)["code"] == "database_unavailable"
    finally:
        stack.database.set("pass")
    _wait_until(lambda: readyz(stack)[0] == 200, 30, "/readyz was not 200 again after the database came back")
    assert get(stack.base + urls[1])[0] == 200, "the site answers again without restarting gunicorn"
