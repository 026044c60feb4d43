"""
Benchmark (make bench): `seed_demo --scale N` must create 100,000 articles in under 10 minutes
on this machine (2 cores), on the embedded default (SQLite). BENCH_SCALE changes N; the
default 3125 gives 100,000 articles (plus 75,000 shops and 56,250 events).
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOAL_SECONDS = 600


@pytest.mark.skipif(os.environ.get("BENCH") != "1", reason="benchmarks run with `make bench` (BENCH=1)")
def test_seed_demo_creates_100000_articles_within_ten_minutes(tmp_path):
    scale = int(os.environ.get("BENCH_SCALE", "3125"))
    env = {**os.environ, "DEBUG": "true", "DATA_DIR": str(tmp_path), "SECRET_KEY": "bench"}
    env.pop("DATABASE_URL", None)
    env.pop("SEARCH_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--scale", str(scale)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )
    elapsed = time.monotonic() - started
    articles = int(re.search(r"作成: 記事 (\d+)", result.stdout).group(1))
    print(f"\nseed_demo --scale {scale}: {articles} articles (+ shops, events, specials) in {elapsed:.0f} s "
          f"({articles / elapsed:.0f} articles/s); goal {GOAL_SECONDS} s for 100,000")
    print(result.stdout.strip().splitlines()[-2])
    assert articles == 32 * scale
    assert elapsed * (100_000 / articles) < GOAL_SECONDS
