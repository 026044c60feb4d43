"""
Bad input that used to answer 500, on the real services: PostgreSQL (which refuses to store a lone
surrogate) and gunicorn with the production settings over a real socket.

- every JSON write endpoint of the OpenAPI document, each string field with a lone surrogate: 422
  naming the field, nothing stored (the generated test of tests/apikit, run here on PostgreSQL);
- a 50 MiB JSON body: 413 ``payload_too_large`` at once, after the headers, the body never sent;
- a very long Japanese image file name: 422 ``filename_too_long`` from the API, a Japanese page
  from the web form; no file left in the media folder;
- a flood of posts from one member spread over gunicorn's two worker processes, each with its own
  local-memory cache (no REDIS_URL): exactly the limit stored, every other answer a 429 with
  ``Retry-After`` (the limits are counted in the database, members.ratelimit).
"""

import json
import socket
import time
import uuid

import pytest

from tests.apikit.test_json_input import (  # noqa: F401 - the generated test and its fixture, on PostgreSQL
    clients,
    test_every_json_write_endpoint_refuses_a_lone_surrogate_in_each_field,
)
from tests.integration.test_readyz import environment, free_port, start_gunicorn, stop_gunicorn
from tests.moderation.conftest import board, captcha_ok, make_member, member, policy, real_captcha_keys  # noqa: F401

pytestmark = pytest.mark.django_db
LONG_NAME = "大久保の夏祭りで撮った写真" * 40 + ".png"


@pytest.fixture(scope="module")
def web(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings
    from django.db import connection

    media = tmp_path_factory.mktemp("media")
    search = settings.WAGTAILSEARCH_BACKENDS["default"]["URLS"][0]
    process, base = start_gunicorn(environment(int(connection.settings_dict["PORT"]), search, free_port(),
                                               MEDIA_ROOT=str(media), MODERATION_RATE_MEMBER="5/600",
                                               MODERATION_RATE_ADDRESS="1000/600"))
    try:
        yield type("Web", (), {"base": base, "port": int(base.rsplit(":", 1)[1]), "media": media})
    finally:
        stop_gunicorn(process)


def exchange(web, head, body=b"", send_all=True, timeout=10):
    """Send a raw HTTP/1.1 request; (status, seconds to the answer, answer body)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", web.port), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n")
        try:
            sock.sendall(body if send_all else body[:65536])
        except OSError:  # the server answered and closed before taking the rest: what a refusal does
            pass
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer) < answer.index(b"\r\n\r\n") + 4 + _length(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, time.monotonic() - started, answer.split(b"\r\n\r\n", 1)[1]


def _length(answer):
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def _head(method, path, content_type, length):
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n")


def test_a_50_mib_json_body_is_refused_at_once(web):
    size = 50 * 1024 * 1024
    status, seconds, body = exchange(web, _head("POST", "/api/v3/members/register", "application/json", size),
                                     b"x" * size, send_all=False)
    assert status == 413 and json.loads(body)["code"] == "payload_too_large"
    assert seconds < 2, f"took {seconds:.1f}s: the body was waited for"


def _multipart(fields, filename=None):
    """A multipart body of text fields, and an image file named ``filename`` if one is given."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    if filename is not None:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="images"; filename="{filename}"\r\n'
                     f"Content-Type: image/png\r\n\r\n".encode() + b"\x89PNG\r\n\x1a\n" + b"\0" * 64 + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def test_a_very_long_japanese_file_name_is_refused_clearly_on_both_faces(web):
    content_type, body = _multipart({"title": "祭り", "body": "写真です", "captcha": "x"}, LONG_NAME)
    api_status, _seconds, api_body = exchange(
        web, _head("POST", "/api/v3/board/boards/district-okubo/threads/", content_type, len(body)), body)
    assert api_status == 422 and json.loads(api_body)["code"] == "filename_too_long"
    web_status, _seconds, page = exchange(web, _head("POST", "/board/district-okubo/new/", content_type, len(body)),
                                          body)
    assert web_status == 422 and "ファイル名が長すぎます" in page.decode()
    assert not [path for path in web.media.rglob("*") if path.is_file()], "no file left behind"


def test_a_lone_surrogate_over_http_is_a_422_naming_the_field(web):
    body = json.dumps({"email": "taro@example.jp", "nickname": "大久保\udcff"}).encode()
    status, _seconds, answer = exchange(web, _head("POST", "/api/v3/members/register", "application/json",
                                                   len(body)), body)
    problem = json.loads(answer)
    assert status == 422 and problem["code"] == "validation_error" and "「nickname」" in problem["detail"]


def committed(django_db_blocker, work):
    """``work()`` on a connection of its own (a thread's), committed at once: the test's transaction would hide it."""
    import threading

    from django.db import connections

    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(60)
    return outcome["value"]


@pytest.fixture
def resident(django_db_blocker):
    """A verified member the gunicorn workers see (committed; removed afterwards, with their posts)."""
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.utils import timezone

    from members.models import RateCounter, User

    def create():
        user = User.objects.create_user(email=f"flood-{uuid.uuid4().hex[:8]}@example.jp", nickname="連投テスト",
                                        last_name="試験", first_name="花子", self_registered=True,
                                        email_verified_at=timezone.now())
        argon2 = Argon2PasswordHasher()  # the workers' own hasher (this process's tests use a fast one)
        user.password = argon2.encode("correct horse 2026", argon2.salt())
        user.save(update_fields=["password"])
        return user

    user = committed(django_db_blocker, create)
    yield user
    committed(django_db_blocker, lambda: (User.objects.filter(pk=user.pk).delete(),
                                          RateCounter.objects.all().delete()))


def _logged_in(web, user):
    import http.cookiejar
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{web.base}/api/v3/members/csrf", timeout=10)
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    login = urllib.request.Request(f"{web.base}/api/v3/members/login", method="POST", headers={
        "Content-Type": "application/json", "X-CSRFToken": token},
        data=json.dumps({"email": user.email, "password": "correct horse 2026"}).encode())
    assert opener.open(login, timeout=10).status == 200
    return opener, next(cookie.value for cookie in jar if cookie.name == "csrftoken")  # rotated by the log-in


def _post_thread(opener, token, web, n):
    import urllib.error
    import urllib.request

    content_type, body = _multipart({"title": f"連投{n}", "body": f"同じ会員の{n}件目の投稿です（{uuid.uuid4().hex}）",
                                     "captcha": "x"})
    request = urllib.request.Request(f"{web.base}/api/v3/board/boards/district-okubo/threads/", method="POST",
                                     data=body, headers={"Content-Type": content_type, "X-CSRFToken": token})
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")


def test_a_flood_from_one_member_across_worker_processes_stops_at_the_limit(web, resident):
    """Two gunicorn workers, each with its own local-memory cache: the limit (5 per 10 minutes) is counted once."""
    from concurrent.futures import ThreadPoolExecutor

    from moderation.models import Post

    sessions = [_logged_in(web, resident) for _ in range(4)]  # spread over the workers
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: _post_thread(*sessions[n % 4], web, n), range(30)))
    stored = [status for status, _retry in answers if status in (201, 202)]
    refused = [(status, retry) for status, retry in answers if status == 429]
    assert len(stored) == 5 and len(refused) == 25, answers
    assert all(retry and 0 < int(retry) <= 600 for _status, retry in refused), "every 429 says when to retry"
    assert Post.objects.filter(author=resident).count() == 5
