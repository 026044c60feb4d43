"""
Two web processes that share nothing but the database and an S3-compatible media store (issue 19,
item 7): gunicorn with ``site/gunicorn.conf.py`` and ``portal.settings`` (DEBUG off) twice, on two
ports, over the session's PostgreSQL database, with ``MEDIA_STORAGE=s3`` pointing at a real S3 HTTP
server (moto's ``moto_server``, installed by site/dev/install-test-tools.sh, started here).

- an image posted to the board through process A is served by process B, byte for byte, and a
  Wagtail image and its rendition stored in the bucket are served by both;
- a rolling restart (A stopped and started while B answers, then B while A answers) fails no
  request and loses nothing: every image still served, every post still there;
- no file is ever written to the processes' local MEDIA_ROOT.
"""

import io
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.integration.test_faults_input import _logged_in, _multipart, committed, resident  # noqa: F401
from tests.integration.test_readyz import _wait_until, environment, free_port, get, start_gunicorn, stop_gunicorn

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
MOTO = ROOT / ".cache" / "s3-server" / "bin" / "moto_server"
BUCKET = "portal-media"
KEYS = {"S3_ACCESS_KEY_ID": "portal-test", "S3_SECRET_ACCESS_KEY": "portal-test-secret", "S3_REGION": "us-east-1"}


def _client(endpoint):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
                        aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"], region_name=KEYS["S3_REGION"])


@pytest.fixture(scope="module")
def s3_server(pytestconfig):
    """moto_server (an S3-compatible HTTP server) on a free port, with the portal's bucket."""
    from tests.conftest import SERVICES_SEEN

    if not MOTO.exists():
        message = "moto_server is not installed (site/dev/install-test-tools.sh installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    process = subprocess.Popen([str(MOTO), "-H", "127.0.0.1", "-p", str(port)],  # noqa: S603 - our own command
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _answers(endpoint), 30, "moto_server did not start")
        _client(endpoint).create_bucket(Bucket=BUCKET)
        pytestconfig.stash[SERVICES_SEEN].append(f"media: S3 (moto_server) at {endpoint}, bucket {BUCKET}")
        yield endpoint
    finally:
        process.terminate()
        process.wait(10)


def _answers(endpoint):
    try:
        return get(endpoint, timeout=1)[0] < 500
    except OSError:
        return False


class Web:
    """One gunicorn of the pair: its environment kept, so that it can be restarted the same way."""

    def __init__(self, env):
        self.env, self.process, self.base = env, None, f"http://127.0.0.1:{env['PORT']}"

    def start(self):
        self.process, _base = start_gunicorn(self.env)

    def stop(self):
        stop_gunicorn(self.process)


@pytest.fixture(scope="module")
def pair(django_db_setup, django_db_blocker, s3_server, tmp_path_factory):
    from django.conf import settings
    from django.db import connection

    media = tmp_path_factory.mktemp("local-media")
    search = settings.WAGTAILSEARCH_BACKENDS["default"]["URLS"][0]
    storage = {"MEDIA_STORAGE": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_server, **KEYS,
               "MEDIA_ROOT": str(media), "WEB_CONCURRENCY": "1", "MODERATION_RATE_MEMBER": "1000/600"}
    webs = [Web(environment(int(connection.settings_dict["PORT"]), search, free_port(), **storage)) for _ in "ab"]
    started = []
    try:
        for web in webs:
            web.start()
            started.append(web)
        yield type("Pair", (), {"a": webs[0], "b": webs[1], "media": media, "s3": s3_server})
    finally:
        for web in started:
            web.stop()


def _png(colour):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _size(data):
    from PIL import Image

    return Image.open(io.BytesIO(data)).size


def _post_with_image(web, opener, token, image):
    content_type, body = _multipart({"title": "二つのプロセス", "body": f"画像付きの投稿です（{uuid.uuid4().hex}）",
                                     "captcha": "x"})
    boundary = content_type.split("boundary=")[1]
    part = (f'--{boundary}\r\nContent-Disposition: form-data; name="images"; filename="photo.png"\r\n'
            f"Content-Type: image/png\r\n\r\n").encode() + image + b"\r\n"
    body = body.replace(f"--{boundary}--\r\n".encode(), part + f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(f"{web.base}/api/v3/board/boards/district-okubo/threads/", method="POST",
                                     data=body, headers={"Content-Type": content_type, "X-CSRFToken": token})
    with opener.open(request, timeout=30) as answer:
        assert answer.status in (201, 202)
        return json.loads(answer.read())


def _fetch(opener, url):
    with opener.open(url, timeout=30) as answer:
        return answer.status, answer.read()


def _wagtail_image(s3_server):
    """A Wagtail image and a rendition stored in the bucket by a third process (this one): their URLs and bytes."""
    from django.conf import settings
    from django.core.files.images import ImageFile
    from django.core.files.storage import default_storage
    from django.test import override_settings
    from wagtail.images import get_image_model

    from portal.media import S3MediaStorage

    options = {"bucket_name": BUCKET, "endpoint_url": s3_server, "access_key": KEYS["S3_ACCESS_KEY_ID"],
               "secret_key": KEYS["S3_SECRET_ACCESS_KEY"], "region_name": KEYS["S3_REGION"],
               "addressing_style": "path", "signature_version": "s3v4", "file_overwrite": False,
               "querystring_auth": False, "media_url": "/media/"}
    storages = {**settings.STORAGES, "default": {"BACKEND": "portal.media.S3MediaStorage", "OPTIONS": options}}
    with override_settings(STORAGES=storages):
        assert isinstance(default_storage, S3MediaStorage)
        image = get_image_model()(title="新宿御苑の写真")
        image.file.save("gyoen.png", ImageFile(io.BytesIO(_png((30, 120, 60))), name="gyoen.png"), save=False)
        image.save()
        rendition = image.get_rendition("fill-32x24|format-webp")
        with default_storage.open(rendition.file.name, "rb") as stored:
            return image.pk, image.file.url, rendition.url, stored.read()


def test_an_image_uploaded_through_one_process_is_served_by_the_other(pair, resident, django_db_blocker):  # noqa: F811
    from wagtail.images import get_image_model

    from moderation.models import PostImage

    opener, token = _logged_in(pair.a, resident)
    image = _png((200, 40, 40))
    post = _post_with_image(pair.a, opener, token, image)
    [stored] = post["images"]
    path = urllib.parse.urlsplit(stored["url"]).path
    status, served_by_b = _fetch(opener, pair.b.base + path)
    assert status == 200 and served_by_b == _fetch(opener, pair.a.base + path)[1]
    name = committed(django_db_blocker, lambda: PostImage.objects.get(pk=stored["id"]).file.name)
    in_bucket = _client(pair.s3).get_object(Bucket=BUCKET, Key=name)["Body"].read()
    assert served_by_b == in_bucket and _size(in_bucket) == (64, 48), "the re-encoded image, from the bucket"
    image_id, original, rendition, rendition_bytes = committed(django_db_blocker, lambda: _wagtail_image(pair.s3))
    try:
        for web in (pair.a, pair.b):
            assert get(web.base + original)[0] == 200
            status, _seconds, body = get(web.base + rendition)
            assert status == 200 and body == rendition_bytes and body[8:12] == b"WEBP"
    finally:
        committed(django_db_blocker, lambda: get_image_model().objects.filter(pk=image_id).delete())
    assert not any(pair.media.rglob("*")), "nothing was written to the local MEDIA_ROOT"


def _hammer(opener, urls, stop, outcomes):
    while not stop.is_set():
        for url in urls:
            try:
                outcomes.append(_fetch(opener, url)[0])
            except urllib.error.HTTPError as error:
                outcomes.append(error.code)
            except OSError as error:
                outcomes.append(repr(error))
        time.sleep(0.05)


def _restart_while_the_other_serves(opener, restarted, serving, paths):
    """Every request sent to ``serving`` while ``restarted`` stops and starts again: their statuses."""
    stop, outcomes = threading.Event(), []
    worker = threading.Thread(target=_hammer, args=(opener, [serving.base + p for p in paths], stop, outcomes))
    worker.start()
    try:
        restarted.stop()
        restarted.start()
        time.sleep(0.5)
    finally:
        stop.set()
        worker.join(60)
    return outcomes


def test_a_rolling_restart_fails_no_request_and_loses_nothing(pair, resident, django_db_blocker):  # noqa: F811
    from moderation.models import Post

    opener, token = _logged_in(pair.a, resident)
    posts = [_post_with_image(web, opener, token, _png((10 * n, 80, 160))) for n, web in
             enumerate((pair.a, pair.b, pair.a, pair.b))]
    images = {post["images"][0]["url"]: _fetch(opener, post["images"][0]["url"])[1] for post in posts}
    paths = ["/healthz", "/api/v3/board/boards/district-okubo/threads/",
             *(urllib.parse.urlsplit(url).path for url in images)]  # the images, read from the bucket
    for restarted, serving in ((pair.a, pair.b), (pair.b, pair.a)):
        outcomes = _restart_while_the_other_serves(opener, restarted, serving, paths)
        assert len(outcomes) > 10 and set(outcomes) == {200}, f"{len(outcomes)} requests during the restart: {set(outcomes)}"
        print(f"restart of {restarted.base}: {len(outcomes)} requests to {serving.base}, all 200")
    for url, body in images.items():
        path = urllib.parse.urlsplit(url).path
        for web in (pair.a, pair.b):
            assert _fetch(opener, web.base + path) == (200, body), f"{path} after the rolling restart on {web.base}"
    ids = [post["id"] for post in posts]
    assert committed(django_db_blocker, lambda: Post.objects.filter(pk__in=ids).count()) == len(ids)
    assert not any(pair.media.rglob("*")), "nothing was written to the local MEDIA_ROOT"
