"""
The production web processes, started for real on this machine: a prepared site (migrated, demo data,
static files collected), gunicorn with site/gunicorn.conf.py and nginx with site/nginx.conf (a local
copy: upstream, ports, paths and user made local, nothing else changed), plus a yardstick server block
that serves a saved copy of the home page as a static file. Used by `make bench-web`
(tests/bench/test_web_bench.py) and the integration test tests/integration/test_s1_cache.py.
"""

import base64
import grp
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(data_dir, **extra):
    """The variables of a production web process on the embedded default (or DATABASE_URL if given)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PORTAL_TESTING", "DJANGO_SETTINGS", "PYTEST"))}
    env.update({
        "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "FIELD_HASH_KEY": secrets.token_urlsafe(32), "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false", "SECURE_HSTS_SECONDS": "0",
        "DATA_DIR": str(data_dir), "STATIC_ROOT": str(Path(data_dir) / "static"), "LOG_LEVEL": "WARNING",
        "BASE_URL": "http://127.0.0.1", "DJANGO_SETTINGS_MODULE": "portal.settings", "PAGE_CACHE_SECONDS": "600",
    })
    env.pop("SEARCH_URL", None)
    env.update(extra)
    return env


def manage(env, *args, timeout=1800):
    # --skip-checks: without reCAPTCHA keys the production checks refuse Google's test keys (make serve does the same)
    checks = () if args[0] == "shell" else ("--skip-checks",)
    done = subprocess.run([sys.executable, "manage.py", *args, *checks], cwd=ROOT, env=env, check=False, timeout=timeout,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args[:1])} failed:\n{done.stderr[-3000:]}")
    return done


def prepare_site(env):
    """Migrate, seed the demo and collect the static files (the production storage needs the manifest)."""
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo", "--no-index")
    manage(env, "collectstatic", "--noinput", "-v", "0")


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own local server
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


class Gunicorn:
    def __init__(self, env, port, log_path):
        self.port = port
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "site/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "portal.wsgi:application"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        wait_for(f"http://127.0.0.1:{port}/healthz", 120)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.log.close()


def local_nginx_conf(work, upstream_port, port, yardstick_port=None):
    """site/nginx.conf with the upstream, listen port, user and paths of this machine."""
    text = (ROOT / "site" / "nginx.conf").read_text()
    text = text.replace("http://web:8000", f"http://127.0.0.1:{upstream_port}")
    text = text.replace("listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;")
    # Workers as this user (as root nginx would otherwise drop to "nobody", locked out of the work folder).
    me = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};" if os.geteuid() == 0 else ""
    text = re.sub(r"^user .*;$", me, text, flags=re.MULTILINE)
    text = text.replace("/var/log/nginx/", f"{work}/").replace("/var/cache/nginx/portal", f"{work}/cache")
    text = text.replace("worker_processes auto;", f"worker_processes auto;\npid {work}/nginx.pid;")
    if yardstick_port:
        # The yardstick: the same home HTML as a file, with nginx's own static-file defaults.
        text = text.rstrip().removesuffix("}") + (
            f"\n    server {{\n        listen 127.0.0.1:{yardstick_port};\n        root {work}/yardstick;\n"
            "        location / { }\n    }\n}\n")
    return text


class Nginx:
    def __init__(self, work, upstream_port, port, yardstick_port=None):
        self.work = Path(work)
        for name in ("cache", "yardstick", "client_body", "proxy"):
            (self.work / name).mkdir(parents=True, exist_ok=True)
        conf = local_nginx_conf(self.work, upstream_port, port, yardstick_port)
        conf = conf.replace("http {", f"http {{\n    client_body_temp_path {work}/client_body;\n"
                                      f"    proxy_temp_path {work}/proxy;", 1)
        (self.work / "nginx.conf").write_text(conf)
        subprocess.run([NGINX, "-p", str(self.work), "-c", str(self.work / "nginx.conf"), "-e",
                        str(self.work / "error.log")], check=True, timeout=30)
        self.port = port
        wait_for(f"http://127.0.0.1:{port}/healthz", 60)

    def stop(self):
        try:
            os.kill(int((self.work / "nginx.pid").read_text()), signal.SIGTERM)  # fast shutdown of the master
        except (OSError, ValueError):
            pass


class Stack:
    """
    A prepared site, gunicorn and nginx in a work folder of its own (not pytest's temporary folders,
    which other runs on the machine prune), everything stopped and removed on the way out.
    """

    def __init__(self, yardstick=False, **env):
        self.work = Path(tempfile.mkdtemp(prefix="portal-web-"))
        self.env = production_env(self.work / "data", **env)
        self.yardstick_port = None
        self.gunicorn = self.nginx = None
        ports = set()
        while len(ports) < 3:
            ports.add(free_port())
        self.ports = sorted(ports)
        self.want_yardstick = yardstick

    def __enter__(self):
        try:
            prepare_site(self.env)
            self.gunicorn = Gunicorn(self.env, self.ports[0], self.work / "gunicorn.log")
            self.yardstick_port = self.ports[2] if self.want_yardstick else None
            self.nginx = Nginx(self.work / "nginx", self.gunicorn.port, self.ports[1], self.yardstick_port)
        except BaseException as error:
            logs = "".join(f"\n--- {path.name}:\n" + path.read_text(errors="replace")[-2000:]
                           for path in (self.work / "gunicorn.log", self.work / "nginx" / "error.log",
                                        self.work / "nginx" / "access.log") if path.exists())
            self.__exit__()
            raise RuntimeError(f"the web stack did not start: {error}{logs}") from error
        return self

    def __exit__(self, *exc):
        if self.nginx is not None:
            self.nginx.stop()
        if self.gunicorn is not None:
            self.gunicorn.stop()
        shutil.rmtree(self.work, ignore_errors=True)


def get(url, headers=None):
    """(status, headers, body text) of a GET, without following redirects."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own local server
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


PUBLISH = """
from pages.models import ArticlePage
page = ArticlePage.objects.live().filter(locale__language_code="ja").order_by("pk").first()
page.title = {title!r}
page.save_revision().publish()
print(page.url)
"""


def first_article_path(env):
    """The path of the article ``publish_title`` changes."""
    code = PUBLISH.split("page.title")[0] + "print(page.url)\n"
    return manage(env, "shell", "-c", code, timeout=120).stdout.strip().splitlines()[-1]


def publish_title(env, title):
    """Publish a new title of the first Japanese article from another process (as an editor would)."""
    return manage(env, "shell", "-c", PUBLISH.format(title=title), timeout=120).stdout.strip().splitlines()[-1]
