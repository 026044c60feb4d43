"""
A creative's image against its placement's rule: a static PNG, JPEG or WebP picture of exactly the
slot's size and at most its file size. SVG (it can carry script), GIF and animated PNG/WebP are
refused (municipal ad rules ask for static images). The pixels are opened by Pillow, not trusted
from the file name or the browser's content type.
"""

from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
# Decompression bombs: no legitimate banner is anywhere near this many pixels.
MAX_PIXELS = 4_000_000


@dataclass(frozen=True)
class Inspected:
    format: str
    width: int
    height: int
    size: int

    @property
    def content_type(self):
        return ALLOWED_FORMATS[self.format]


def _read(uploaded):
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    return data


def _open(data):
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:512].lower():
        raise ValidationError("SVG 画像は使えません。PNG・JPEG・WebP の静止画にしてください。", code="svg")
    try:
        image = Image.open(BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError("画像が大きすぎます。", code="too_many_pixels")
        image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError("画像として読み取れません。PNG・JPEG・WebP の静止画にしてください。", code="not_an_image") from None
    return Image.open(BytesIO(data))  # verify() leaves the image unusable: open it again


def _animated(image):
    return bool(getattr(image, "is_animated", False)) or getattr(image, "n_frames", 1) > 1


def inspect(uploaded, rule):
    """The checked facts of ``uploaded`` (a file object); a ``ValidationError`` in Japanese when a rule is broken."""
    data = _read(uploaded)
    if len(data) > rule.max_bytes:
        raise ValidationError(f"画像の容量が大きすぎます（{len(data) // 1024} KB）。{rule.label}の枠は"
                              f"{rule.max_bytes // 1024} KB までです。", code="too_large")
    image = _open(data)
    if _animated(image):
        raise ValidationError("アニメーション画像は使えません。静止画（PNG・JPEG・WebP）にしてください。", code="animated")
    if image.format not in ALLOWED_FORMATS:
        raise ValidationError("画像の形式は PNG・JPEG・WebP のいずれかにしてください（GIF などは使えません）。", code="format")
    if (image.width, image.height) != (rule.width, rule.height):
        raise ValidationError(f"画像の大きさが{rule.label}の枠の規格と違います（{image.width}×{image.height}）。"
                              f"{rule.size} ピクセルにしてください。", code="dimensions")
    return Inspected(image.format, image.width, image.height, len(data))
