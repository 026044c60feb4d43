"""
Load and abuse figures (issue 19, items 4 and 10), with ``make bench-faults``: the production web
process (gunicorn, ``site/gunicorn.conf.py``, DEBUG off) over PostgreSQL behind a fault proxy.

- 200 concurrent board posts from 20 verified members while the database goes away for 3 s
  (connections refused and dropped, sessions ended with ``pg_terminate_backend``) and comes back:
  sent, stored, refused, lost (must be 0), recovery seconds (database back → first 2xx);
- a flood of ``BENCH_FAULTS_FLOOD`` posts (10,000) from one member: how many the rate limits refuse
  (429 with Retry-After) and another member's home page and post latency (p95) before and during.

The same checks as tests/integration/test_load_faults.py hold; this run prints the figures and the
machine's load. Needs PostgreSQL and the search engine (DATABASE_URL, SEARCH_URL).
"""

import datetime
import os
import platform

import pytest
from django.db import connection

from tests.integration import conftest as integration
from tests.integration import test_load_faults as load
from tests.integration.test_load_faults import check_flood, check_restart, flood_from_one_member, restart_under_posts

load_stack, people = load.load_stack, load.people  # the integration test's fixtures: gunicorn, members
drop_test_search_indexes = integration.drop_test_search_indexes  # the run's indexes removed at the end

pytestmark = [
    pytest.mark.skipif(os.environ.get("BENCH") != "1", reason="benchmarks run with `make bench-faults` (BENCH=1)"),
    pytest.mark.django_db,
]
FLOOD = int(os.environ.get("BENCH_FAULTS_FLOOD", "10000"))


def machine():
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} CPUs, "
            f"load average {load}")


def show(title, figures):
    print(f"\n== {title} ({machine()})")
    for name, value in figures.items():
        print(f"  {name:<28} {value}")


@pytest.fixture(autouse=True)
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) and the search engine (SEARCH_URL)")


def test_bench_posts_during_a_database_restart(load_stack, people, django_db_blocker):
    figures = restart_under_posts(load_stack, people, django_db_blocker)
    show("200 posts from 20 members during a database restart", figures)
    check_restart(figures)


def test_bench_flood_from_one_member(load_stack, people, django_db_blocker):
    figures = flood_from_one_member(load_stack, people, django_db_blocker, flood=FLOOD)
    show(f"a flood of {FLOOD:,} posts from one member", figures)
    check_flood(figures)
