"""Unit tests for moderation.images: images made in memory with Pillow, no database."""

import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from moderation import images
from moderation.images import (
    ALLOWED_FORMATS,
    MAX_IMAGES,
    MAX_PIXELS,
    MAX_SIDE,
    MAX_UPLOAD_BYTES,
    ProcessedImage,
    reencode,
    sniff_format,
    validate_count,
)

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def encode(image, fmt, **params):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    buffer.seek(0)
    return buffer


def gradient(size, mode="RGB"):
    """A photo-like image: different pixels everywhere, so orientation and resizing are observable."""
    width, height = size
    image = Image.new("RGB", size)
    image.putdata([((x * 255) // width, (y * 255) // height, 128) for y in range(height) for x in range(width)])
    return image.convert(mode)


def opened(result: ProcessedImage):
    return Image.open(io.BytesIO(result.content))


def assert_refused(upload, code):
    with pytest.raises(ValidationError) as caught:
        reencode(upload)
    assert caught.value.code == code
    assert caught.value.messages[0] == images.MESSAGES[code]


def test_constants():
    assert (MAX_IMAGES, MAX_UPLOAD_BYTES, MAX_PIXELS, MAX_SIDE) == (4, 8 * 1024 * 1024, 40_000_000, 2048)
    assert ALLOWED_FORMATS == {"JPEG", "PNG", "WEBP", "GIF"}


def test_messages_are_japanese():
    assert images.MESSAGES["image_too_large"] == "画像は1枚8MBまでです。"
    assert images.MESSAGES["image_type"] == "JPEG・PNG・WebP・GIF の画像を選んでください。"
    assert images.MESSAGES["too_many_images"] == "画像は4枚までです。"


# ---------------------------------------------------------------------------------------------------------
# Metadata removal
# ---------------------------------------------------------------------------------------------------------


def jpeg_with_gps_and_orientation(size=(60, 40)):
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "ExampleCamera"  # Make
    exif[0x0131] = "secret-software"  # Software
    exif[GPS_IFD] = {1: "N", 2: (35.0, 42.0, 1.0), 3: "E", 4: (139.0, 42.0, 1.0)}
    return encode(gradient(size), "JPEG", exif=exif.tobytes(), quality=95)


def test_jpeg_fixture_really_has_gps_and_orientation():
    source = Image.open(jpeg_with_gps_and_orientation())
    exif = source.getexif()
    assert exif[ORIENTATION] == 6
    assert exif.get_ifd(GPS_IFD)
    assert "exif" in source.info


def test_jpeg_exif_and_gps_removed_and_orientation_applied():
    result = reencode(jpeg_with_gps_and_orientation(size=(60, 40)))
    assert result.format == "JPEG"
    assert (result.width, result.height) == (40, 60)  # rotated
    out = opened(result)
    assert out.size == (40, 60)
    assert not out.getexif()
    assert not out.getexif().get_ifd(GPS_IFD)
    assert "exif" not in out.info
    assert b"ExampleCamera" not in result.content
    assert b"secret-software" not in result.content
    assert b"Exif" not in result.content


def test_orientation_rotates_pixels_the_right_way():
    # Orientation 6: the stored image's left column becomes the displayed top row.
    source = Image.new("RGB", (60, 40), "white")
    source.paste((255, 0, 0), (0, 0, 10, 40))  # red stripe on the left
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    out = opened(reencode(encode(source, "JPEG", exif=exif.tobytes(), quality=95))).convert("RGB")
    assert out.size == (40, 60)
    red, green, blue = out.getpixel((20, 3))
    assert red > 200 and green < 80 and blue < 80  # top is red
    red, green, blue = out.getpixel((20, 55))
    assert red > 200 and green > 200 and blue > 200  # bottom is white


def test_jpeg_comment_and_xmp_removed():
    buffer = encode(gradient((30, 30)), "JPEG", comment=b"my home address", xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>")
    assert b"my home address" in buffer.getvalue() and b"secret-xmp" in buffer.getvalue()
    result = reencode(buffer)
    assert b"my home address" not in result.content
    assert b"secret-xmp" not in result.content
    out = opened(result)
    assert "comment" not in out.info and "xmp" not in out.info


def test_png_text_chunks_removed():
    info = PngInfo()
    info.add_text("Author", "山田太郎")
    info.add_text("Comment", "secret-comment")
    info.add_itxt("Location", "東京都新宿区大久保2-3-4", zip=False)
    buffer = encode(gradient((30, 20)), "PNG", pnginfo=info)
    assert Image.open(io.BytesIO(buffer.getvalue())).text
    result = reencode(buffer)
    out = opened(result)
    assert not getattr(out, "text", {})
    assert "Author" not in out.info and "Comment" not in out.info
    assert b"secret-comment" not in result.content
    assert b"tEXt" not in result.content and b"iTXt" not in result.content


def test_png_exif_removed():
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (35.0, 42.0, 1.0)}
    buffer = encode(gradient((30, 20), "RGBA"), "PNG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif().get_ifd(GPS_IFD)
    out = opened(reencode(buffer))
    assert not out.getexif()
    assert "exif" not in out.info


def test_icc_profile_removed():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = encode(gradient((30, 20)), "JPEG", icc_profile=profile)
    assert Image.open(io.BytesIO(buffer.getvalue())).info.get("icc_profile")
    out = opened(reencode(buffer))
    assert not out.info.get("icc_profile")


def test_webp_metadata_removed():
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (35.0, 42.0, 1.0)}
    buffer = encode(gradient((30, 20)), "WEBP", exif=exif.tobytes())
    assert "exif" in Image.open(io.BytesIO(buffer.getvalue())).info
    result = reencode(buffer)
    out = opened(result)
    assert result.format == "JPEG"
    assert not out.getexif() and "exif" not in out.info


# ---------------------------------------------------------------------------------------------------------
# Output formats
# ---------------------------------------------------------------------------------------------------------


def test_photo_becomes_jpeg():
    result = reencode(encode(gradient((50, 30)), "PNG"))
    assert (result.format, result.extension, result.content_type) == ("JPEG", "jpg", "image/jpeg")
    out = opened(result)
    assert out.format == "JPEG" and out.mode == "RGB" and out.size == (50, 30)


def test_transparent_png_stays_png_with_alpha():
    image = Image.new("RGBA", (40, 40), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (10, 10, 30, 30))
    result = reencode(encode(image, "PNG"))
    assert (result.format, result.extension, result.content_type) == ("PNG", "png", "image/png")
    out = opened(result)
    assert out.format == "PNG" and out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 0
    assert out.getpixel((20, 20)) == (0, 0, 255, 255)


def test_opaque_alpha_channel_becomes_jpeg():
    result = reencode(encode(gradient((30, 30), "RGBA"), "PNG"))
    assert result.format == "JPEG"


def test_gif_with_transparency_becomes_png():
    image = Image.new("P", (20, 20), 0)
    image.putpalette([255, 255, 255, 255, 0, 0] + [0] * 762)
    image.paste(1, (5, 5, 15, 15))
    result = reencode(encode(image, "GIF", transparency=0))
    assert result.format == "PNG"
    assert opened(result).getpixel((0, 0))[3] == 0


@pytest.mark.parametrize("mode", ["1", "L", "P", "LA", "CMYK", "I;16"])
def test_other_modes_are_converted(mode):
    image = gradient((20, 20)).convert("L" if mode == "I;16" else mode)
    if mode == "I;16":
        image = image.convert("I").point(lambda v: v * 256).convert("I;16")
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    result = reencode(encode(image, fmt))
    assert result.format == "JPEG"
    assert opened(result).mode == "RGB"


def test_sixteen_bit_greyscale_is_scaled_not_clipped():
    image = Image.new("I;16", (10, 10), 32768)  # mid grey in 16 bits; a plain convert("RGB") makes it white
    out = opened(reencode(encode(image, "PNG"))).convert("L")
    assert 100 < out.getpixel((5, 5)) < 160


def test_content_matches_dimensions():
    result = reencode(encode(gradient((33, 21)), "WEBP"))
    assert opened(result).size == (result.width, result.height) == (33, 21)


# ---------------------------------------------------------------------------------------------------------
# Animation and size
# ---------------------------------------------------------------------------------------------------------


def test_animated_gif_first_frame_only():
    frames = [Image.new("RGB", (30, 20), color) for color in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    buffer.seek(0)
    assert Image.open(io.BytesIO(buffer.getvalue())).n_frames == 3
    result = reencode(buffer)
    out = opened(result)
    assert getattr(out, "n_frames", 1) == 1
    assert not getattr(out, "is_animated", False)
    red, green, blue = out.convert("RGB").getpixel((15, 10))
    assert red > 200 and green < 60 and blue < 60  # the first (red) frame


def test_animated_webp_first_frame_only():
    frames = [Image.new("RGB", (30, 20), color) for color in [(255, 0, 0), (0, 0, 255)]]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="WEBP", save_all=True, append_images=frames[1:], duration=100, lossless=True)
    buffer.seek(0)
    out = opened(reencode(buffer))
    assert getattr(out, "n_frames", 1) == 1
    assert out.convert("RGB").getpixel((15, 10))[0] > 200


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((4000, 1000), (2048, 512)),
        ((1000, 3000), (683, 2048)),
        ((2049, 2049), (2048, 2048)),
        ((2048, 100), (2048, 100)),  # exactly the limit: unchanged
        ((300, 200), (300, 200)),  # small images are never enlarged
    ],
)
def test_resized_to_max_side(size, expected):
    image = Image.new("RGB", size, (10, 120, 200))
    result = reencode(encode(image, "PNG"))
    assert (result.width, result.height) == expected
    assert opened(result).size == expected


# ---------------------------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------------------------


def test_svg_with_script_refused():
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
    )
    assert_refused(SimpleUploadedFile("photo.jpg", svg, content_type="image/jpeg"), "image_type")


@pytest.mark.parametrize(
    "content",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"%PDF-1.7\n",
        b"GIF88a" + b"\x00" * 20,
        b"RIFF\x00\x00\x00\x00WAVEfmt ",
        b"\x00\x00\x00\x18ftypheic",  # HEIC
        b"BM" + b"\x00" * 60,  # BMP: a real format, but not allowed
        b"<html><body>hello</body></html>",
    ],
)
def test_other_formats_refused(content):
    assert_refused(io.BytesIO(content), "image_type")


def test_tiff_refused():
    assert_refused(encode(gradient((10, 10)), "TIFF"), "image_type")


def test_bmp_refused():
    assert_refused(encode(gradient((10, 10)), "BMP"), "image_type")


GARBAGE = random.Random(2026).randbytes(500)  # fixed, so the tests cannot flake on a lucky draw


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_refused(seed):
    with pytest.raises(ValidationError) as caught:
        reencode(io.BytesIO(random.Random(seed).randbytes(4096)))
    assert caught.value.code in ("image_type", "image_broken")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_truncated_image_broken(fmt):
    data = encode(gradient((200, 200)), fmt).getvalue()
    assert_refused(io.BytesIO(data[: len(data) // 2]), "image_broken")


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff" + GARBAGE,  # JPEG signature, garbage after
        b"\x89PNG\r\n\x1a\n" + GARBAGE,
        b"GIF89a" + b"\xff" * 3,
        b"RIFF\x10\x00\x00\x00WEBPVP8 garbage!",
    ],
)
def test_signature_with_garbage_broken(content):
    assert_refused(io.BytesIO(content), "image_broken")


def test_empty_file_refused():
    assert_refused(io.BytesIO(b""), "image_broken")


def test_too_large_file_refused_by_bytes():
    data = encode(gradient((20, 20)), "PNG").getvalue()
    data += b"\x00" * (MAX_UPLOAD_BYTES + 1 - len(data))  # valid signature, one byte over
    assert_refused(io.BytesIO(data), "image_too_large")


def test_too_large_file_refused_by_declared_size():
    upload = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\x00" * 10, content_type="image/jpeg")
    upload.size = MAX_UPLOAD_BYTES + 1
    assert_refused(upload, "image_too_large")


def test_file_at_size_limit_not_refused_for_size():
    data = encode(gradient((20, 20)), "PNG").getvalue()
    data += b"\x00" * (MAX_UPLOAD_BYTES - len(data))  # trailing bytes after IEND are ignored by decoders
    result = reencode(io.BytesIO(data))
    assert result.width == 20


def test_pillow_bomb_limit_dimensions_refused():
    # 400 megapixels, a few kilobytes as a 1-bit PNG: beyond Pillow's own bomb limit.
    buffer = encode(Image.new("1", (20000, 20000)), "PNG")
    assert len(buffer.getvalue()) < MAX_UPLOAD_BYTES
    assert_refused(buffer, "image_too_big_dimensions")


def test_our_pixel_limit_refused():
    # 49 megapixels: below Pillow's default warning limit (~89 MP), above MAX_PIXELS.
    buffer = encode(Image.new("1", (7000, 7000)), "PNG")
    assert 7000 * 7000 < Image.MAX_IMAGE_PIXELS
    assert_refused(buffer, "image_too_big_dimensions")


def test_just_below_pixel_limit_accepted():
    result = reencode(encode(Image.new("1", (8000, 5000)), "PNG"))  # exactly 40 MP
    assert (result.width, result.height) == (2048, 1280)


def test_filename_and_content_type_ignored():
    png = encode(gradient((20, 10)), "PNG").getvalue()
    upload = SimpleUploadedFile("evil.svg", png, content_type="image/svg+xml")
    result = reencode(upload)
    assert result.format == "JPEG" and (result.width, result.height) == (20, 10)


def test_uploaded_file_read_from_start():
    png = encode(gradient((20, 10)), "PNG").getvalue()
    upload = SimpleUploadedFile("a.png", png, content_type="image/png")
    upload.read(5)  # someone already read part of it
    assert reencode(upload).width == 20


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xd8\xff\xe0rest", "JPEG"),
        (b"\x89PNG\r\n\x1a\nrest", "PNG"),
        (b"GIF87arest", "GIF"),
        (b"GIF89arest", "GIF"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "WEBP"),
        (b"RIFF\x00\x00\x00\x00AVI ", None),
        (b"<svg", None),
        (b"", None),
        (b"\xff\xd8", None),
    ],
)
def test_sniff_format(content, expected):
    assert sniff_format(content) == expected


# ---------------------------------------------------------------------------------------------------------
# validate_count
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, MAX_IMAGES])
def test_validate_count_accepts(count):
    validate_count([object()] * count)


@pytest.mark.parametrize("count", [MAX_IMAGES + 1, 10])
def test_validate_count_refuses(count):
    with pytest.raises(ValidationError) as caught:
        validate_count([io.BytesIO(b"")] * count)
    assert caught.value.code == "too_many_images"
    assert caught.value.messages == ["画像は4枚までです。"]


def test_validate_count_accepts_iterables():
    validate_count(iter(range(MAX_IMAGES)))
    with pytest.raises(ValidationError):
        validate_count(iter(range(MAX_IMAGES + 1)))


def test_transparent_png_loses_icc_profile_and_text():
    # PNG output is where Pillow would copy an ICC profile from the image's info on its own.
    image = Image.new("RGBA", (20, 20), (255, 0, 0, 0))
    image.paste((0, 128, 0, 255), (5, 5, 15, 15))
    image.info["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    info = PngInfo()
    info.add_text("Comment", "secret-comment")
    buffer = encode(image, "PNG", pnginfo=info, icc_profile=image.info["icc_profile"])
    assert Image.open(io.BytesIO(buffer.getvalue())).info.get("icc_profile")
    result = reencode(buffer)
    out = opened(result)
    assert result.format == "PNG"
    assert not out.info.get("icc_profile") and b"iCCP" not in result.content
    assert b"secret-comment" not in result.content


def test_broken_icc_profile_does_not_refuse_the_photo():
    buffer = encode(gradient((20, 20)), "JPEG", icc_profile=b"not a profile at all")
    result = reencode(buffer)
    assert result.format == "JPEG" and not opened(result).info.get("icc_profile")


def test_profile_of_another_colour_space_keeps_pixels():
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))  # not an RGB profile: cannot convert from it
    buffer = encode(Image.new("RGB", (10, 10), (200, 100, 50)), "PNG", icc_profile=lab.tobytes())
    out = opened(reencode(buffer)).convert("RGB")
    assert out.getpixel((5, 5)) == pytest.approx((200, 100, 50), abs=3)


def test_srgb_profile_conversion_keeps_colours():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    buffer = encode(Image.new("RGB", (10, 10), (200, 100, 50)), "PNG", icc_profile=srgb.tobytes())
    out = opened(reencode(buffer)).convert("RGB")
    assert out.getpixel((5, 5)) == pytest.approx((200, 100, 50), abs=3)
