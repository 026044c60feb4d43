"""
Bodies too large or unreadable, on the API and the web forms (portal.middleware.RequestLimitsMiddleware):
refused at once with a stable code and a Japanese message, before the body is read, nothing stored
and no file left behind.
"""

import io
import json

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from moderation.models import Post, PostImage, Submission

pytestmark = pytest.mark.django_db

API_NEW_THREAD = "/api/v3/board/boards/district-okubo/threads/"
WEB_NEW_THREAD = "/board/district-okubo/new/"
LONG_NAME = "大久保の夏祭りで撮った写真" * 40 + ".png"  # 520 characters, 1.5 KB in UTF-8


class NeverRead(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read


def png(name="photo.png"):
    data = io.BytesIO()
    Image.new("RGB", (24, 16), "orange").save(data, "PNG")
    upload = io.BytesIO(data.getvalue())
    upload.name = name  # a plain file object: Django's test uploads would cut the name to 255 characters
    return upload


@pytest.fixture
def api(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get("/api/v3/members/csrf")
    client.csrf_headers = {"X-CSRFToken": client.cookies["csrftoken"].value}
    return client


@pytest.fixture
def web(member):
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def nothing_left(settings, tmp_path):
    """Uploads spool to a folder of the test's own; afterwards it, the media folder and the tables hold nothing new."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes through a temporary file
    media = settings.MEDIA_ROOT
    before = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
    counts = (Post.objects.count(), PostImage.objects.count(), Submission.objects.count())
    yield
    assert list(tmp_path.iterdir()) == [], "a temporary upload file was left behind"
    after = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
    assert after == before, "a file was written to the media folder"
    assert (Post.objects.count(), PostImage.objects.count(), Submission.objects.count()) == counts


def test_a_json_body_over_the_limit_is_refused_before_it_is_read(api, nothing_left):
    response = api.generic("PATCH", "/api/v3/board/posts/1/", headers=api.csrf_headers, CONTENT_TYPE="application/json",
                           CONTENT_LENGTH=str(50 * 1024 * 1024), **{"wsgi.input": NeverRead()})
    assert response.status_code == 413
    problem = response.json()
    assert problem["code"] == "payload_too_large" and "大きすぎます" in problem["detail"] and "2.5MB" in problem["detail"]


def test_an_upload_over_the_limit_is_refused_on_the_web_before_it_is_read(web, nothing_left):
    size = settings.REQUEST_MAX_UPLOAD_BYTES + 1
    response = web.generic("POST", WEB_NEW_THREAD, CONTENT_TYPE="multipart/form-data; boundary=x",
                           CONTENT_LENGTH=str(size), **{"wsgi.input": NeverRead()})
    assert response.status_code == 413
    page = response.content.decode()
    assert "送信できませんでした" in page and "送信された内容が大きすぎます（34MB まで）" in page and 'lang="ja"' in page


def test_a_body_of_unknown_length_is_refused_with_411(api):
    response = api.generic("POST", "/api/v3/flags/", headers=api.csrf_headers, CONTENT_TYPE="application/json",
                           HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": NeverRead()})
    assert response.status_code == 411 and response.json()["code"] == "length_required"


def test_a_text_field_over_the_limit_in_an_upload_is_413_on_both_faces(api, web, board, policy, captcha_ok,
                                                                          nothing_left):
    text = "大" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 10)
    api_answer = api.post(API_NEW_THREAD, {"title": "t", "body": text, "captcha": "x", "images": [png()]},
                          headers=api.csrf_headers)
    assert api_answer.status_code == 413 and api_answer.json()["code"] == "payload_too_large"
    web_answer = web.post(WEB_NEW_THREAD, {"title": "t", "body": text, "g-recaptcha-response": "x", "images": [png()]})
    assert web_answer.status_code == 413 and "大きすぎます" in web_answer.content.decode()


def test_a_very_long_japanese_file_name_is_refused_with_its_code(api, web, board, policy, captcha_ok, nothing_left):
    api_answer = api.post(API_NEW_THREAD, {"title": "祭り", "body": "写真です", "captcha": "x",
                                           "images": [png(LONG_NAME)]}, headers=api.csrf_headers)
    assert api_answer.status_code == 422, api_answer.content
    assert api_answer.json()["code"] == "filename_too_long" and "ファイル名が長すぎます" in api_answer.json()["detail"]
    web_answer = web.post(WEB_NEW_THREAD, {"title": "祭り", "body": "写真です", "g-recaptcha-response": "x",
                                           "images": [png(LONG_NAME)]})
    assert web_answer.status_code == 422
    assert "ファイル名が長すぎます。ファイル名を短くしてから、もう一度送ってください。" in web_answer.content.decode()


def test_a_long_but_acceptable_file_name_still_posts(api, board, policy, captcha_ok):
    answer = api.post(API_NEW_THREAD, {"title": "祭り", "body": "写真です", "captcha": "x",
                                       "images": [png("大久保" * 60 + ".png")]}, headers=api.csrf_headers)
    assert answer.status_code == 201 and len(answer.json()["images"]) == 1


def test_surrogate_bytes_in_the_web_forms_are_stored_inert_never_a_500(web, board, member, policy, captcha_ok):
    """Form bodies are decoded with replacement (as a browser sends a lone surrogate): never text UTF-8 refuses."""
    body = "大久保\udcffの話題".encode("utf-8", "surrogatepass")
    boundary = "portal-test"
    form = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
                    for name, value in (("title", body), ("body", body), ("g-recaptcha-response", b"x")))
    form += f"--{boundary}--\r\n".encode()
    thread = web.generic("POST", WEB_NEW_THREAD, form, content_type=f"multipart/form-data; boundary={boundary}")
    submission = web.post("/submissions/new/local_info/", f"title=%ED%B3%BF&body=%ED%B3%BF{'あ' * 3}&g-recaptcha-response=x",
                          content_type="application/x-www-form-urlencoded")
    for response in (thread, submission):
        assert response.status_code < 500
    for text in [*Post.objects.filter(author=member).values_list("body", flat=True),
                 *Submission.objects.filter(author=member).values_list("title", flat=True)]:
        text.encode("utf-8")  # raises on a lone surrogate
    stored = Post.objects.filter(author=member).first()
    assert stored is not None and "\ufffd" in stored.body and "大久保" in stored.body


def test_a_json_body_within_the_limit_is_read(api):
    body = json.dumps({"post": 987654, "reason": "other", "comment": "通報の理由" * 50})
    response = api.post("/api/v3/flags/", body, content_type="application/json", headers=api.csrf_headers)
    assert response.status_code == 404 and response.json()["code"] == "not_found"  # read, validated, post not found

