"""Where uploaded files go: the local folder by default, an S3-compatible store when configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from portal.media import S3MediaStorage

ROOT = Path(__file__).resolve().parents[2]
S3 = {"MEDIA_STORAGE": "s3", "S3_BUCKET": "portal-media", "S3_ENDPOINT_URL": "http://minio:9000",
      "S3_ACCESS_KEY_ID": "portal", "S3_SECRET_ACCESS_KEY": "secret-for-the-test-only", "S3_REGION": "us-east-1"}
STORAGE_VARIABLES = {"MEDIA_STORAGE", "S3_BUCKET", "AWS_STORAGE_BUCKET_NAME", "S3_URLS", "S3_CUSTOM_DOMAIN"}


def _settings(tmp_path, **variables):
    """(returncode, STORAGES["default"] or the error) of portal.settings loaded with these variables."""
    env = {k: v for k, v in os.environ.items() if k not in STORAGE_VARIABLES}
    env.update({"DATA_DIR": str(tmp_path), "DEBUG": "true", **variables})
    code = ("import json, portal.settings as s; "
            "print(json.dumps([s.STORAGES['default'], s.WAGTAILDOCS_SERVE_METHOD], default=str))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    return done.returncode, (json.loads(done.stdout) if done.returncode == 0 else done.stderr)


def test_without_a_bucket_uploads_stay_in_the_local_folder(tmp_path):
    code, (storage, docs) = _settings(tmp_path)
    assert code == 0 and storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert docs == "serve_view"


def test_a_bucket_switches_uploads_to_the_private_s3_store(tmp_path):
    code, (storage, docs) = _settings(tmp_path, **S3)
    options = storage["OPTIONS"]
    assert code == 0 and storage["BACKEND"] == "portal.media.S3MediaStorage"
    assert options["bucket_name"] == "portal-media" and options["endpoint_url"] == "http://minio:9000"
    assert options["access_key"] == "portal" and options["region_name"] == "us-east-1"
    assert options["default_acl"] is None, "no object is ever made public-read"
    assert options["file_overwrite"] is False, "two images named alike keep both files"
    assert options["media_url"] == "/media/" and options["querystring_auth"] is False
    assert docs == "serve_view", "documents keep collection privacy: never a redirect to the store"


def test_the_bucket_name_alone_switches_too(tmp_path):
    variables = {k: v for k, v in S3.items() if k not in ("MEDIA_STORAGE", "S3_BUCKET")}
    code, (storage, _docs) = _settings(tmp_path, AWS_STORAGE_BUCKET_NAME="other-bucket", **variables)
    assert code == 0 and storage["OPTIONS"]["bucket_name"] == "other-bucket"


@pytest.mark.parametrize("variables, message", [
    ({"MEDIA_STORAGE": "s3"}, "S3_BUCKET"),
    ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE must be local or s3"),
    ({**S3, "S3_URLS": "open"}, "S3_URLS must be app, signed or public"),
])
def test_a_wrong_storage_configuration_refuses_to_start(tmp_path, variables, message):
    code, error = _settings(tmp_path, **variables)
    assert code != 0 and message in error


def _storage(**options):
    return S3MediaStorage(bucket_name="portal-media", endpoint_url="http://minio:9000", access_key="portal",
                          secret_key="secret-for-the-test-only", region_name="us-east-1",
                          addressing_style="path", signature_version="s3v4", **options)


def test_app_urls_point_at_the_web_processes_not_the_bucket():
    storage = _storage(media_url="/media/", querystring_auth=False)
    assert storage.url("images/photo.fill-400x300.webp") == "/media/images/photo.fill-400x300.webp"
    assert storage.url("original_images/新宿 駅.jpg") == "/media/original_images/%E6%96%B0%E5%AE%BF%20%E9%A7%85.jpg"


def test_signed_urls_expire_and_public_urls_use_the_custom_domain():
    signed = _storage(querystring_auth=True, querystring_expire=600).url("images/a.jpg")
    assert signed.startswith("http://minio:9000/portal-media/images/a.jpg?")
    assert "X-Amz-Signature=" in signed and "X-Amz-Expires=600" in signed
    public = _storage(querystring_auth=False, custom_domain="media.portal.example.jp").url("images/a.jpg")
    assert public == "https://media.portal.example.jp/images/a.jpg"


def test_a_hanging_store_costs_seconds_not_a_worker():
    config = _storage(timeout=2.0).client_config
    assert config.connect_timeout == 2.0 and config.read_timeout == 10.0
    assert config.retries["max_attempts"] == 3


@pytest.mark.django_db
def test_images_are_served_from_a_non_local_store_as_inert_images(client, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.MEDIA_ROOT = tmp_path / "unused"
    name = default_storage.save("images/photo.jpg", ContentFile(b"\xff\xd8\xff\xe0 jpeg bytes"))
    response = client.get(f"/media/{name}")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"\xff\xd8\xff\xe0 jpeg bytes"
    assert response["Content-Type"] == "image/jpeg" and "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    default_storage.save("images/evil.html", ContentFile(b"<script>alert(1)</script>"))
    assert client.get("/media/images/evil.html").status_code == 404
    assert client.get("/media/images/missing.jpg").status_code == 404
    assert not (tmp_path / "unused").exists(), "nothing is written to the local folder"
