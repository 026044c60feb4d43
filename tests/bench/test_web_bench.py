"""
`make bench-web`: what the anonymous page cache buys, measured with the real processes.

Side by side in one run, interleaved (round after round, every target once per round), with the same
load tool (wrk, new connection per request: ``Connection: close``, as the yardstick asks):
- the yardstick: nginx serving the home page's HTML saved as a static file;
- cached anonymous home, district page, article and API listing through gunicorn alone
  (site/gunicorn.conf.py, its worker count for this machine): goal ≥ 2% of the yardstick;
- the same through nginx's micro-cache in front (site/nginx.conf): goal ≥ 30%;
- a burst: 200 concurrent anonymous clients for 30 s on the article through nginx while the article is
  published with a new title from another process: no error, the new title visible within 1 s.
Prints a table (requests/s, ratio to the yardstick, every round's figure, the load at the start and the
end); the uncached render p95 is S2's tests/bench/test_render_bench.py, which `make bench-web` runs next.
Every wrk request carries a browser's User-Agent, so that it is counted as a page view, as a visitor's
is (a hit's cost includes the counting). Before the rounds, each gunicorn URL is requested until it is
answered from the cache 25 times in a row: every worker holds it (each has its own memory cache on the
embedded default), so a "cached" figure measures hits, not each worker's first render.

Embedded default (SQLite, local-memory page cache, generations in files) unless DATABASE_URL is set.
BENCH_WEB_SECONDS per run (10), BENCH_WEB_ROUNDS (3), BENCH_WEB_CONNECTIONS (32).
"""

import os
import re
import shutil
import statistics
import subprocess
import threading
import time
from urllib.parse import urlsplit

import pytest

from tests.bench.web import servers

pytestmark = pytest.mark.skipif(not os.environ.get("BENCH"), reason="benchmark: make bench-web")

SECONDS = int(os.environ.get("BENCH_WEB_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_WEB_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_WEB_CONNECTIONS", "32"))
WRK = shutil.which("wrk")
# A browser's name, so that every request is counted as a page view (reports.counting) as a visitor's is:
# wrk sends no User-Agent, and a request without one is taken for a robot and not counted.
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def wrk(url, seconds=SECONDS, connections=CONNECTIONS):
    """(requests/s, errors) of one wrk run without keep-alive."""
    out = subprocess.run([WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-H", "Connection: close",
                          "-H", f"User-Agent: {BROWSER}", url], capture_output=True, text=True, check=True,
                         timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    errors += int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1])
    return rate, errors


def warm(url, in_a_row=25, limit=400):
    """
    Fill every gunicorn worker's cache (each has its own without REDIS_URL): GET, each on a new connection,
    until ``in_a_row`` answers in a row were hits. A "cached" figure measures hits, not the first renders.
    """
    hits = 0
    for _ in range(limit):
        status, headers, _body = servers.get(url, {"Connection": "close", "User-Agent": BROWSER})
        assert status == 200, (url, status)
        hits = hits + 1 if headers.get("X-Page-Cache") == "hit" else 0
        if hits >= in_a_row:
            return
    raise AssertionError(f"{url}: not served from the cache after {limit} requests")


def load():
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


@pytest.fixture(scope="module")
def stack():
    with servers.Stack(yardstick=True) as running:
        _, _, home = servers.get(f"http://127.0.0.1:{running.gunicorn.port}/")
        (running.work / "nginx" / "yardstick" / "home.html").write_text(home)
        yield {"env": running.env, "gunicorn": running.gunicorn.port, "nginx": running.nginx.port,
               "yardstick": running.yardstick_port}


def _paths(port):
    _, _, home = servers.get(f"http://127.0.0.1:{port}/")
    district = re.search(r'href="(/shinjuku/chiiki/[^"/]+/)"', home) or re.search(r'href="(/[^"]*chiiki/[^"/]+/)"', home)
    article = re.search(r'href="(/[^"?#]+/article-\d+/)"', home)
    return {"home": "/", "district": district.group(1), "article": article.group(1), "API listing": "/api/v3/content/"}


def test_cached_pages_against_the_yardstick_and_a_burst_while_publishing(stack):
    assert WRK, "wrk is missing: bash site/dev/install-test-tools.sh"
    paths = _paths(stack["gunicorn"])
    targets = {"yardstick (nginx, static file)": f"http://127.0.0.1:{stack['yardstick']}/home.html"}
    for name, path in paths.items():
        targets[f"{name}: gunicorn, cached"] = f"http://127.0.0.1:{stack['gunicorn']}{path}"
        targets[f"{name}: nginx micro-cache"] = f"http://127.0.0.1:{stack['nginx']}{path}"
    for name, url in targets.items():  # warm: every cache filled
        if "gunicorn" in name:
            warm(url)
        assert servers.get(url)[0] == 200, url
    rates, errors, started = {name: [] for name in targets}, 0, load()
    for _round in range(ROUNDS):
        for name, url in targets.items():
            rate, failed = wrk(url)
            rates[name].append(rate)
            errors += failed
    table = _table({name: statistics.median(values) for name, values in rates.items()}, started, rates)
    print("\n" + table, flush=True)
    burst = _burst(stack, urlsplit(servers.first_article_path(stack["env"])).path)
    print(burst["text"])
    assert errors == 0
    assert burst["errors"] == 0 and burst["visible_after"] is not None and burst["visible_after"] <= 1.0
    for name, ratio in table.ratios.items():
        goal = 0.30 if "nginx" in name else 0.02
        assert ratio >= goal, (name, ratio, goal)


class _Table(str):
    ratios: dict


def _table(medians, started, rates):
    yardstick = medians["yardstick (nginx, static file)"]
    lines = [f"load (1/5/15 min): {started} at the start, {load()} at the end; "
             f"{ROUNDS} rounds x {SECONDS} s, {CONNECTIONS} connections, no keep-alive; medians (every round)",
             f"{'target':45} {'requests/s':>12} {'of yardstick':>13}  rounds"]
    ratios = {}
    for name, rate in medians.items():
        ratio = rate / yardstick
        if not name.startswith("yardstick"):
            ratios[name] = ratio
        lines.append(f"{name:45} {rate:12.0f} {ratio:12.1%}  " + " ".join(f"{value:.0f}" for value in rates[name]))
    table = _Table("\n".join(lines))
    table.ratios = ratios
    return table


def _burst(stack, article):
    """200 clients for 30 s through nginx while the article is published; seconds until the new title shows."""
    url = f"http://127.0.0.1:{stack['nginx']}{article}"
    result = {}
    clients = threading.Thread(target=lambda: result.update(zip(("rate", "errors"), wrk(url, 30, 200), strict=True)))
    clients.start()
    time.sleep(10)
    title = f"速報テスト {time.time_ns()}"
    servers.publish_title(stack["env"], title)
    published = time.monotonic()
    visible_after = None
    while time.monotonic() - published < 5:
        if title in servers.get(url)[2]:
            visible_after = time.monotonic() - published
            break
        time.sleep(0.02)
    clients.join()
    text = (f"burst (load {load()} at the end): 200 clients x 30 s through nginx while publishing: {result['rate']:.0f} requests/s, "
            f"{result['errors']} errors, new title visible {visible_after if visible_after is None else f'{visible_after:.2f}'} s "
            "after the publishing process returned")
    return {"errors": result["errors"], "visible_after": visible_after, "text": text}
