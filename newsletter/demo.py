"""
Demo newsletter data (``seed_demo`` calls ``ensure_newsletter_demo``): a few confirmed subscribers
with generated addresses (Faker ja_JP, example domains only) and varied choices, an approved issue
scheduled for next week and a draft issue. Idempotent: found by address and title, never duplicated.
"""

import random

from django.utils import timezone
from faker import Faker

from pages.terms import locale_by_code, visible_districts, visible_themes

from . import selectors
from .models import ConsentRecord, Issue, Status, Subscriber

SUBSCRIBERS = 6
ISSUES = [
    ("新宿のこの冬のイベント特集", "寒い季節も楽しめる、地域のイベントをまとめました。", True),
    ("防災の日に備えて（下書き）", "区の防災情報と、地域の取り組みを紹介します。", False),
]


def _subscribers(rng, fake, districts, themes):
    made = 0
    for n in range(SUBSCRIBERS):
        email = f"{fake.user_name()}{n}@{rng.choice(['example.jp', 'example.com', 'example.net'])}"
        if selectors.subscriber_by_email(email) is not None:
            continue
        subscriber = Subscriber.objects.create(email=email, language=["ja", "ja", "en", "zh-hans", "ko", "ja"][n],
                                               status=Status.ACTIVE, confirmed_at=timezone.now())
        subscriber.districts.set(rng.sample(districts, min(len(districts), n % 3)))
        subscriber.themes.set(rng.sample(themes, min(len(themes), (n + 1) % 3)))
        ConsentRecord.objects.create(subscriber=subscriber, event=ConsentRecord.Event.CONFIRMED,
                                     source=ConsentRecord.Source.WEB, choices=selectors.choices_of(subscriber),
                                     text_version="demo")
        made += 1
    return made


def _issues(rng, districts):
    made = 0
    for title, lead, approved in ISSUES:
        if Issue.objects.filter(title=title).exists():
            continue
        issue = Issue(title=title, lead=lead, body=[("heading", "今月のおすすめ"),
                                                    ("link", {"title": "新宿区の公式サイト", "url": "https://example.jp/",
                                                              "description": "区からのお知らせ（デモ用のリンク）"})],
                      send_at=timezone.now() + timezone.timedelta(days=7) if approved else None, live=False)
        issue.save()
        issue.districts.set(rng.sample(districts, 1))
        revision = issue.save_revision()
        if approved:
            revision.publish()
        made += 1
    return made


def ensure_newsletter_demo(seed=20261126, report=print):
    rng, fake = random.Random(seed), Faker("ja_JP")
    fake.seed_instance(seed)
    locale = locale_by_code("ja")
    districts, themes = list(visible_districts(locale)), list(visible_themes(locale))
    made = _subscribers(rng, fake, districts, themes)
    issues = _issues(rng, districts)
    report(f"メールマガジン: 配信先 {made} 件・号 {issues} 件を作成しました")
    return made, issues

