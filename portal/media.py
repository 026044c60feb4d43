"""
Uploaded files: serving images from the web process, and the S3-compatible store several web
processes share (``MEDIA_STORAGE=s3``; README "Media storage").
"""

import mimetypes

from botocore.config import Config
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404
from django.utils.encoding import filepath_to_uri
from django.views.static import serve
from storages.backends.s3 import S3Storage

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"}


class S3MediaStorage(S3Storage):
    """
    django-storages' S3 backend with the portal's choices: bounded connect and read times (a
    store that hangs costs a request seconds, not a worker), and, with ``media_url`` (S3_URLS=app),
    URLs under MEDIA_URL that the web processes answer from the bucket (``serve_image``), so the
    bucket itself stays private and unreachable from outside.
    """

    def __init__(self, *, media_url=None, timeout=5.0, **options):
        self.media_url = media_url
        options.setdefault("client_config", Config(
            s3={"addressing_style": options.get("addressing_style") or "auto"},
            signature_version=options.get("signature_version"),
            connect_timeout=timeout, read_timeout=max(timeout, 10.0),
            retries={"max_attempts": 3, "mode": "standard"}))
        super().__init__(**options)

    def url(self, name, parameters=None, expire=None, http_method=None):
        if self.media_url and not parameters and http_method in (None, "GET"):
            return self.media_url + filepath_to_uri(self._normalize_name(name).lstrip("/"))
        return super().url(name, parameters=parameters, expire=expire, http_method=http_method)


def serve_image(request, path):
    """An image file, only if it is one by its name; sent so that a browser never runs it."""
    content_type, _encoding = mimetypes.guess_type(path)
    if content_type not in IMAGE_TYPES:
        raise Http404("画像ではありません。")
    if isinstance(default_storage, FileSystemStorage):
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    else:  # the shared object store: any web process answers for a file any other one stored
        try:
            stored = default_storage.open(path, "rb")
        except FileNotFoundError as missing:
            raise Http404("画像が見つかりません。") from missing
        response = FileResponse(stored, content_type=content_type)
        response["Cache-Control"] = "public, max-age=604800"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
