"""
Ads test fixtures: advertisers, bookings and creatives built through the app's own services, with
banners drawn by Pillow (generated data only). The cache and the eligible-set snapshot are fresh
for each test, so no count or choice leaks from one test into another.
"""

import datetime
import io

import pytest
from django.core.cache import cache, caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from ads import selection, services
from ads.models import Advertiser, Booking, Creative, ReviewStatus
from ads.placements import PLACEMENTS
from pages.terms import district_model, theme_model

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture(autouse=True)
def fresh_ads_state():
    cache.clear()
    caches["ads"].clear()
    selection._state.update(snapshot=None, checked=0.0)
    yield
    cache.clear()
    caches["ads"].clear()
    selection._state.update(snapshot=None, checked=0.0)


def png_bytes(width, height, colour=(200, 80, 60), format="PNG", **save):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format=format, **save)
    return buffer.getvalue()


def upload(placement="home-top", name="banner.png", data=None, content_type="image/png"):
    rule = PLACEMENTS[placement]
    return SimpleUploadedFile(name, data if data is not None else png_bytes(rule.width, rule.height), content_type)


def district(slug):
    return district_model().objects.get(slug=slug, locale__language_code="ja")


def theme(slug):
    return theme_model().objects.get(slug=slug, locale__language_code="ja")


@pytest.fixture
def advertiser(db):
    return Advertiser.objects.create(name="テスト商店会", contact_name="山田 花子", contact_email="hanako@example.jp",
                                     contact_phone="03-1234-5678")


@pytest.fixture
def make_booking(advertiser):
    def make(placement="home-top", districts=(), themes=(), starts=-1, ends=30, **extra):
        today = timezone.localdate()
        booking = Booking.objects.create(
            advertiser=extra.pop("advertiser", advertiser), name=extra.pop("name", f"{placement} の予約"),
            placement=placement, starts_on=today + datetime.timedelta(days=starts),
            ends_on=today + datetime.timedelta(days=ends), **extra)
        booking.districts.set([district(slug) for slug in districts])
        booking.themes.set([theme(slug) for slug in themes])
        return booking

    return make


@pytest.fixture
def make_creative(make_booking):
    counter = iter(range(1, 10_000))

    def make(booking=None, approved=True, placement="home-top", **fields):
        booking = booking or make_booking(placement)
        n = next(counter)
        creative = Creative(booking=booking, name=fields.pop("name", f"広告画像{n}"),
                            alt=fields.pop("alt", f"テストの広告{n}"),
                            destination_url=fields.pop("destination_url", f"https://advertiser{n}.example.jp/"),
                            **fields)
        creative.image = upload(booking.placement, f"b{n}.png")
        services.save_creative(creative, uploaded=creative.image)
        if approved:
            Creative.objects.filter(pk=creative.pk).update(review_status=ReviewStatus.APPROVED)
            creative.refresh_from_db()
            selection.invalidate()
        return creative

    return make


@pytest.fixture
def make_member(db):
    """A resident's account (generated), e.g. an advertiser's own log-in for its reports."""
    from faker import Faker

    from members.models import User

    fake = Faker("ja_JP")
    counter = iter(range(1, 10_000))

    def make():
        n = next(counter)
        return User.objects.create_user(
            email=f"advertiser{n}-{fake.user_name()}@example.jp", password="correct horse battery staple",
            nickname=f"広告主{n}", last_name=fake.last_name(), first_name=fake.first_name(),
            email_verified_at=timezone.now(), self_registered=True)

    return make
