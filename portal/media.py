"""Serving uploaded images from the web process (the embedded default, small deployments)."""

import mimetypes

from django.conf import settings
from django.http import Http404
from django.views.static import serve

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"}


def serve_image(request, path):
    """An image file, only if it is one by its name; sent so that a browser never runs it."""
    content_type, _encoding = mimetypes.guess_type(path)
    if content_type not in IMAGE_TYPES:
        raise Http404("画像ではありません。")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
