"""Bad input is refused with a clear Japanese message, and nothing is stored or served."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from ads import services
from ads.models import Advertiser, Booking, Creative
from ads.placements import PLACEMENTS
from ads.validators import corporate_number_check_digit, validate_corporate_number, validate_destination_url

from .conftest import png_bytes, upload

pytestmark = pytest.mark.django_db


def test_corporate_number_check_digit_of_a_published_number():
    # 国税庁's own corporate number is 7000012050002: check digit 7 over 000012050002.
    assert corporate_number_check_digit("000012050002") == 7
    validate_corporate_number("7000012050002")
    validate_corporate_number("７０００－０１２０５０００２")  # full-width digits and a hyphen are normalised


@pytest.mark.parametrize("value, message", [
    ("8000012050002", "チェックデジット"),
    ("700001205000", "13桁"),
    ("70000120500AB", "13桁"),
])
def test_a_wrong_corporate_number_is_refused_in_japanese(value, message):
    with pytest.raises(ValidationError) as error:
        validate_corporate_number(value)
    assert message in error.value.messages[0]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://example.jp/x",
                                 "/relative/path", "JaVaScRiPt:alert(1)", "https://"])
def test_a_destination_that_is_not_http_is_refused(url):
    with pytest.raises(ValidationError) as error:
        validate_destination_url(url)
    assert "URL" in error.value.messages[0]


def test_https_destination_is_accepted():
    validate_destination_url("https://okubo-mirai.example.jp/winter?x=1")


def _gif(width, height, frames=2):
    buffer = io.BytesIO()
    images = [Image.new("RGB", (width, height), (i * 80, 0, 0)) for i in range(frames)]
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def _animated(format, width, height):
    buffer = io.BytesIO()
    images = [Image.new("RGB", (width, height), (i * 80, 20, 20)) for i in range(3)]
    images[0].save(buffer, format=format, save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="1200" height="200"><script>alert(1)</script></svg>'


@pytest.mark.parametrize("data, code", [
    (png_bytes(300, 250), "dimensions"),
    (SVG, "svg"),
    (_gif(1200, 200, frames=1), "format"),
    (_gif(1200, 200), "animated"),
    (_animated("PNG", 1200, 200), "animated"),
    (_animated("WEBP", 1200, 200), "animated"),
    (b"not an image at all", "not_an_image"),
])
def test_images_that_break_the_placement_rule_are_refused(data, code):
    with pytest.raises(ValidationError) as error:
        services.check_image(io.BytesIO(data), "home-top")
    assert error.value.code == code
    assert any("\u3040" <= ch <= "\u9fff" for ch in error.value.messages[0])  # the message is Japanese


def test_an_image_over_the_size_limit_is_refused():
    rule = PLACEMENTS["section-side"]
    noisy = Image.effect_noise((rule.width, rule.height), 120).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > rule.max_bytes
    with pytest.raises(ValidationError) as error:
        services.check_image(io.BytesIO(buffer.getvalue()), "section-side")
    assert "KB" in error.value.messages[0]


def test_a_static_image_of_the_right_size_is_accepted():
    facts = services.check_image(io.BytesIO(png_bytes(728, 90)), "article-bottom")
    assert (facts.format, facts.width, facts.height) == ("PNG", 728, 90)
    assert services.check_image(io.BytesIO(png_bytes(728, 90, format="JPEG")), "article-bottom").format == "JPEG"


def test_a_booking_ending_before_it_starts_is_refused(advertiser):
    booking = Booking(advertiser=advertiser, name="逆の期間", placement="home-top",
                      starts_on=datetime.date(2026, 12, 10), ends_on=datetime.date(2026, 12, 1))
    with pytest.raises(ValidationError) as error:
        booking.full_clean()
    assert "掲載終了日は掲載開始日以降" in error.value.message_dict["ends_on"][0]


def test_a_creative_with_a_bad_image_or_destination_is_not_stored(make_booking):
    booking = make_booking("home-top")
    bad_image = Creative(booking=booking, name="大きさ違い", alt="代替", destination_url="https://ok.example.jp/")
    bad_image.image = upload("section-side")  # 300×250 in the 1200×200 slot
    with pytest.raises(ValidationError):
        services.save_creative(bad_image, uploaded=bad_image.image)
    bad_url = Creative(booking=booking, name="危険なリンク", alt="代替", destination_url="javascript:alert(1)")
    bad_url.image = upload("home-top")
    with pytest.raises(ValidationError) as error:
        services.save_creative(bad_url, uploaded=bad_url.image)
    assert "http://" in error.value.message_dict["destination_url"][0]
    no_alt = Creative(booking=booking, name="代替なし", alt="", destination_url="https://ok.example.jp/")
    no_alt.image = upload("home-top")
    with pytest.raises(ValidationError) as error:
        services.save_creative(no_alt, uploaded=no_alt.image)
    assert "alt" in error.value.message_dict
    assert not Creative.objects.filter(booking=booking).exists()


def test_contact_person_data_is_encrypted_at_rest(advertiser):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_name, contact_email, contact_phone FROM ads_advertiser WHERE id = %s",
                       [advertiser.pk])
        stored = cursor.fetchone()
    assert all(value.startswith("enc1:") for value in stored)
    assert "hanako" not in "".join(stored) and "山田" not in "".join(stored)
    assert Advertiser.objects.get(pk=advertiser.pk).contact_email == "hanako@example.jp"
