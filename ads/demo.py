"""
Demo ads (``seed_demo`` calls ``ensure_ads_demo``): fictitious advertisers with generated contact
people (Faker ja_JP), banners drawn with Pillow at each placement's exact size, bookings running
around today for every placement — one shown only on 大久保 (「大久保みらい商店会」) — a creative
awaiting review and a booking that has ended. Idempotent: found by name and brought up to date
(running bookings' dates follow today), never duplicated.
"""

import datetime
import io
import random

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from faker import Faker
from PIL import Image, ImageDraw, ImageFont

from pages.terms import district_model, theme_model

from . import services
from .models import Advertiser, Booking, Creative, InvoiceState, ReviewStatus
from .placements import PLACEMENTS
from .validators import corporate_number_check_digit

# (name, corporate?, website, colour)
ADVERTISERS = [
    ("大久保みらい商店会", False, "https://okubo-mirai.example.jp/", (214, 92, 60)),
    ("株式会社しんじゅくベーカリー", True, "https://bakery.example.jp/", (196, 140, 60)),
    ("四谷こども英会話教室合同会社", True, "https://yotsuya-kids.example.jp/", (60, 120, 190)),
    ("新宿グリーン住まい株式会社", True, "https://green-sumai.example.jp/", (70, 150, 90)),
]

# (advertiser, booking name, placement, district slugs, theme slugs, running?, goal, creative name, headline, alt, text)
BOOKINGS = [
    ("株式会社しんじゅくベーカリー", "冬の新作パン（トップ）", "home-top", (), (), True, None,
     "冬の新作パン", "焼きたて冬の新作パン", "しんじゅくベーカリーの広告: 焼きたての冬の新作パンが並ぶイラスト", "冬の新作パンを毎朝7時から"),
    ("大久保みらい商店会", "大久保 冬のスタンプラリー", "section-side", ("okubo",), (), True, None,
     "スタンプラリー", "大久保 冬のスタンプラリー", "大久保みらい商店会の広告: 冬のスタンプラリー開催中", "商店会の30店舗で開催中"),
    ("四谷こども英会話教室合同会社", "子育てテーマ 体験レッスン", "section-side", (), ("kosodate",), True, None,
     "体験レッスン", "こども英会話 無料体験", "四谷こども英会話教室の広告: 無料体験レッスン受付中", "3歳から参加できます"),
    ("四谷こども英会話教室合同会社", "記事下 体験レッスン", "article-bottom", (), (), True, 6000,
     "記事下バナー", "こども英会話 無料体験", "四谷こども英会話教室の広告: 無料体験レッスン受付中", ""),
    ("株式会社しんじゅくベーカリー", "検索結果 パン教室", "search-results", (), (), True, None,
     "パン教室", "親子パン教室 参加者募集", "しんじゅくベーカリーの広告: 親子パン教室の参加者募集", "毎月第2土曜日"),
    ("大久保みらい商店会", "メールマガジン 商店会だより", "newsletter", (), (), True, None,
     "商店会だより", "大久保みらい商店会だより", "大久保みらい商店会の広告: 商店会だより", ""),
    ("新宿グリーン住まい株式会社", "先月の住まい相談会（終了）", "article-bottom", (), (), False, None,
     "住まい相談会", "住まいの無料相談会", "新宿グリーン住まいの広告: 住まいの無料相談会", ""),
]
# A second creative that waits for review (not shown until a reviewer approves it).
PENDING = ("株式会社しんじゅくベーカリー", "冬の新作パン（トップ）", "春のパン祭り（審査待ち）", "春のパン祭り 予告",
           "しんじゅくベーカリーの広告: 春のパン祭りの予告", "")


def _font(size):
    import pylopdf_fonts_jp

    return ImageFont.truetype(str(pylopdf_fonts_jp.sans_path()), size)


def draw_banner(rule, colour, advertiser, headline, seed=0):
    """A generated banner of exactly ``rule``'s size: a colour field, shapes, the advertiser and a headline."""
    rng = random.Random(seed)
    image = Image.new("RGB", (rule.width, rule.height), colour)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y, r = rng.randint(0, rule.width), rng.randint(0, rule.height), rng.randint(rule.height // 6, rule.height // 2)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(min(255, c + rng.randint(30, 70)) for c in colour))
    big = max(14, min(rule.height // 3, rule.width // (len(headline) + 2)))
    draw.text((rule.width // 20, rule.height // 2 - big), headline, font=_font(big), fill=(255, 255, 255))
    small = max(10, big // 2)
    draw.text((rule.width // 20, rule.height // 2 + big // 3), advertiser, font=_font(small), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _corporate_number(rng):
    base = "".join(str(rng.randint(0, 9)) for _ in range(12))
    return f"{corporate_number_check_digit(base)}{base}"


def _advertisers(fake, rng):
    found = {}
    for name, corporate, website, colour in ADVERTISERS:
        advertiser = Advertiser.objects.filter(name=name).first()
        if advertiser is None:
            advertiser = Advertiser.objects.create(
                name=name, corporate_number=_corporate_number(rng) if corporate else "", website=website,
                contact_name=fake.name(), contact_email=f"{fake.user_name()}@example.jp",
                contact_phone=f"03-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                note="デモ用の架空の広告主です。")
        found[name] = (advertiser, colour)
    return found


def _period(running, today):
    if running:
        first = today.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return first, (following + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.replace(day=1), last


def _booking(advertiser, name, placement, districts, themes, running, goal, today):
    starts_on, ends_on = _period(running, today)
    booking, _created = Booking.objects.update_or_create(
        advertiser=advertiser, name=name,
        defaults={"placement": placement, "starts_on": starts_on, "ends_on": ends_on, "impression_goal": goal,
                  "price": 30000 if placement == "home-top" else 15000,
                  "invoice_state": InvoiceState.INVOICED if not running else InvoiceState.UNBILLED})
    booking.districts.set(district_model().objects.filter(slug__in=districts, locale__language_code="ja"))
    booking.themes.set(theme_model().objects.filter(slug__in=themes, locale__language_code="ja"))
    return booking


def _creative(booking, colour, name, headline, alt, text, approved, seed):
    creative = Creative.objects.filter(booking=booking, name=name).first()
    if creative is not None:
        return creative
    png = draw_banner(PLACEMENTS[booking.placement], colour, booking.advertiser.name, headline, seed)
    creative = Creative(booking=booking, name=name, alt=alt, text=text,
                        destination_url=booking.advertiser.website or "https://example.jp/")
    creative.image.save(f"demo-{seed}.png", ContentFile(png), save=False)
    services.save_creative(creative, uploaded=ContentFile(png))
    if approved:
        Creative.objects.filter(pk=creative.pk).update(
            review_status=ReviewStatus.APPROVED, reviewed_at=timezone.now(),
            review_checklist={code: True for code in services.CHECKLIST_CODES},
            review_reason="デモデータ（審査済みとして作成）")
    return creative


@transaction.atomic
def ensure_ads_demo(seed=20261126, report=print):
    """Create (or bring up to date) the demo ads. Returns the number of creatives created."""
    fake, rng = Faker("ja_JP"), random.Random(seed)
    fake.seed_instance(seed)
    today = timezone.localdate()
    advertisers = _advertisers(fake, rng)
    before = Creative.objects.count()
    bookings = {}
    for index, (owner, name, placement, districts, themes, running, goal, c_name, headline, alt, text) in \
            enumerate(BOOKINGS):
        advertiser, colour = advertisers[owner]
        booking = _booking(advertiser, name, placement, districts, themes, running, goal, today)
        bookings[name] = (booking, colour)
        _creative(booking, colour, c_name, headline, alt, text, approved=True, seed=index)
    owner, booking_name, c_name, headline, alt, text = PENDING
    booking, colour = bookings[booking_name]
    _creative(booking, colour, c_name, headline, alt, text, approved=False, seed=99)
    created = Creative.objects.count() - before
    report(f"広告: 広告主 {len(advertisers)}・予約 {len(bookings)}・広告画像 {Creative.objects.count()} 件"
           f"（新規 {created}、審査待ち {Creative.objects.filter(review_status=ReviewStatus.PENDING).count()}）")
    return created
