"""
Demo usage data (``seed_demo`` calls ``ensure_reports_demo``): one ward contact with a generated
name and a dummy address (Faker ja_JP, example.jp), and counted days of last month for the home page
and a few district and theme pages, so the admin's 利用状況報告 has a month to show. This month is
left alone: what the demo counts there is what visitors of the running site did. Idempotent.
"""

import random
from datetime import timedelta

from django.db import transaction
from faker import Faker
from wagtail.models import Page

from pages.terms import visible_districts, visible_themes

from .models import PageViewDay, VisitorDay, WardContact
from .report import last_month, next_month

DEVICES = (("mobile", 6), ("desktop", 3), ("tablet", 1))
REFERRERS = ("", "", "", "www.google.co.jp", "www.city.shinjuku.lg.jp", "search.yahoo.co.jp")


def _pages():
    home = Page.objects.filter(depth=2).first()
    pages = [home] if home else []
    pages += list(visible_districts().filter(locale__language_code="ja")[:4])
    pages += list(visible_themes().filter(locale__language_code="ja")[:3])
    return pages


def _count_month(rng, first):
    day, end, rows, visitors = first, next_month(first), [], []
    pages = _pages()
    while day < end:
        for page in pages:
            for device, weight in DEVICES:
                views = rng.randint(0, 12) * weight
                if views:
                    rows.append(PageViewDay(day=day, path=page.get_url() or "/",
                                            page_id=page.pk, language="ja", device=device,
                                            referrer_domain=rng.choice(REFERRERS), views=views))
        visitors.append(VisitorDay(day=day, visitors=rng.randint(40, 160)))
        day += timedelta(days=1)
    PageViewDay.objects.bulk_create(rows, ignore_conflicts=True)
    VisitorDay.objects.bulk_create(visitors, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def ensure_reports_demo(seed, report=print):
    rng, fake = random.Random(seed), Faker("ja_JP")
    fake.seed_instance(seed)
    if not WardContact.objects.exists():
        WardContact.objects.create(name=f"{fake.last_name()} {fake.first_name()}（新宿区 地域振興課・デモ）",
                                   email="ward-contact@example.jp", active=True)
    first = last_month()
    counted = 0
    if not PageViewDay.objects.filter(day__gte=first, day__lt=next_month(first)).exists():
        counted = _count_month(rng, first)
    report(f"利用状況: 区の報告先 {WardContact.objects.count()} 件、{first:%Y年%m月}の閲覧集計 {counted} 行を用意しました")

