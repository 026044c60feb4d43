"""
Checking and re-encoding images that residents attach to posts.

An uploaded photo is untrusted twice over: the file may not be what it claims (a script in an SVG, a
decompression bomb, a broken file crafted for a decoder bug), and a genuine photo carries metadata the
resident usually does not know about, above all the GPS position of their home in the EXIF data. So
nothing the client sends is stored: `reencode` detects the format from the bytes, decodes the pixels
with limits, and encodes a new file from the pixels alone.

Pure functions (Pillow only); errors are `ValidationError`s with Japanese messages and stable codes:
`image_too_large`, `image_type`, `image_too_big_dimensions`, `image_broken`, `too_many_images`.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, ImageCms, ImageOps

MAX_IMAGES = 4
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # decompression-bomb guard: width × height of the decoded image
MAX_SIDE = 2048  # longest side of the stored image
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
JPEG_QUALITY = 85

MESSAGES = {
    "too_many_images": f"画像は{MAX_IMAGES}枚までです。",
    "image_too_large": f"画像は1枚{MAX_UPLOAD_BYTES // (1024 * 1024)}MBまでです。",
    "image_type": "JPEG・PNG・WebP・GIF の画像を選んでください。",
    "image_too_big_dimensions": f"画像の画素数が大きすぎます（{MAX_PIXELS // 10_000:,}万画素まで）。",
    "image_broken": "画像を読み込めませんでした。壊れていない画像ファイルを選んでください。",
}


def _error(code: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


@dataclass(frozen=True)
class ProcessedImage:
    """A re-encoded image, ready to store: `content` is the whole file."""

    content: bytes
    width: int
    height: int
    format: str  # "JPEG" or "PNG"
    extension: str  # "jpg" or "png"
    content_type: str  # "image/jpeg" or "image/png"


def validate_count(files: Iterable) -> None:
    """Refuse more than MAX_IMAGES images for one post (code `too_many_images`)."""
    count = len(files) if hasattr(files, "__len__") else sum(1 for _ in files)
    if count > MAX_IMAGES:
        raise _error("too_many_images")


def sniff_format(data: bytes) -> str | None:
    """
    The image format from the file's first bytes (its signature), or None for anything else.

    The filename and the content type come from the client and prove nothing; Pillow is then allowed to
    use only the decoder for the detected format, so a file never reaches a decoder we did not choose
    (SVG, PDF, PSD, TIFF, ... are refused before any parsing).
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _read(upload) -> bytes:
    """At most MAX_UPLOAD_BYTES + 1 bytes of the upload, from its start; too large is refused unread."""
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > MAX_UPLOAD_BYTES:
        raise _error("image_too_large")
    if hasattr(upload, "seek"):
        try:
            upload.seek(0)
        except (OSError, ValueError):
            pass
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _error("image_too_large")
    return data


def _open(data: bytes, kind: str) -> Image.Image:
    """Open with only the detected decoder; check the dimensions before any pixel is decoded."""
    with warnings.catch_warnings():
        # Pillow warns above its own limit and raises above twice it; both mean "too big" here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[kind])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _error("image_too_big_dimensions") from None
        except Exception:  # Pillow raises many types for malformed headers
            raise _error("image_broken") from None
        if image.format not in ALLOWED_FORMATS:
            raise _error("image_type")
        width, height = image.size
        if width <= 0 or height <= 0:
            raise _error("image_broken")
        if width * height > MAX_PIXELS:
            raise _error("image_too_big_dimensions")
        try:
            image.seek(0)  # animated GIF, WebP or PNG: the first frame only
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _error("image_too_big_dimensions") from None
        except Exception:  # truncated data, bad compressed stream, ...
            raise _error("image_broken") from None
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """
    Convert the pixels to sRGB if the image has an embedded colour profile (iPhones write Display P3).
    The profile itself is not kept, so without the conversion such photos would look washed out; when the
    profile is unusable the pixels are taken as they are.
    """
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except Exception:  # a broken or unsupported profile is not a reason to refuse the photo
        return image


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _to_rgb_or_rgba(image: Image.Image) -> Image.Image:
    """RGBA if some pixel is actually transparent, RGB otherwise."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        # 16-bit greyscale (a 16-bit PNG): scale 0..65535 to 0..255 instead of clipping everything above 255
        # to white. Values that fit in 8 bits are taken as 8-bit; larger ranges are scaled to their maximum.
        low, high = image.convert("F").getextrema()
        scale = 1 if high <= 255 else 255 / 65535 if high <= 65535 else 255 / high
        image = image.convert("F").point(lambda value: value * scale).convert("L")
    if _has_transparency(image):
        rgba = image.convert("RGBA")
        if rgba.getchannel("A").getextrema()[0] < 255:
            return rgba
        return rgba.convert("RGB")
    return image.convert("RGB")


def reencode(upload) -> ProcessedImage:
    """
    A clean copy of an uploaded image, or a ValidationError.

    `upload` is any binary file-like object (a Django UploadedFile, a BytesIO); its name and content type
    are ignored. Checks, in order: size ≤ MAX_UPLOAD_BYTES (`image_too_large`), a JPEG, PNG, GIF or WebP
    signature (`image_type`; SVG, HEIC, PDF and random data end here), width × height ≤ MAX_PIXELS before
    decoding (`image_too_big_dimensions`), the pixels decode (`image_broken`).

    Then: the first frame only (animations are not shown in posts), the EXIF orientation applied to the
    pixels (the orientation tag is dropped with the rest, so a portrait photo must be rotated now), colours
    converted to sRGB if a profile is embedded, and a NEW image built from the raw pixel bytes, so nothing
    else of the upload survives: no EXIF (GPS position, camera serial, time), no XMP, no ICC profile, no
    comments, no PNG text chunks. It is shrunk (never enlarged) so the longest side is at most MAX_SIDE.

    Output format: JPEG (quality 85, RGB, progressive) for every image without transparency, since nearly
    all uploads are photos and JPEG is small and universally displayed; PNG for images with at least one
    transparent pixel (stickers, logos), as JPEG has no alpha channel. A PNG or GIF whose alpha channel is
    fully opaque becomes JPEG. WebP output is not used: JPEG and PNG display everywhere, including in
    e-mail notifications.
    """
    data = _read(upload)
    kind = sniff_format(data)
    if kind is None:
        raise _error("image_type" if data else "image_broken")
    source = _open(data, kind)
    try:
        try:
            image = ImageOps.exif_transpose(source)
        except Exception:  # unreadable EXIF: keep the pixels as stored
            image = source.copy()
        if image.mode == "P" or image.mode == "PA":
            image = image.convert("RGBA" if _has_transparency(image) else "RGB")
        image = _to_srgb(image)
        image = _to_rgb_or_rgba(image)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        # Only the pixel bytes cross over: the new image has an empty `info` and no EXIF.
        clean = Image.frombytes(image.mode, image.size, image.tobytes())
    except ValidationError:
        raise
    except Exception:
        raise _error("image_broken") from None
    finally:
        source.close()

    out = io.BytesIO()
    if clean.mode == "RGBA":
        clean.save(out, format="PNG", optimize=False)
        fmt, extension, content_type = "PNG", "png", "image/png"
    else:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        fmt, extension, content_type = "JPEG", "jpg", "image/jpeg"
    return ProcessedImage(
        content=out.getvalue(), width=clean.width, height=clean.height,
        format=fmt, extension=extension, content_type=content_type,
    )
