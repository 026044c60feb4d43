"""
Demo surveys and calls (``seed_demo`` calls ``ensure_surveys_demo``): the section page 「アンケート・募集」
with an open anonymous survey, an open members-only survey, a closed survey with public results
(generated answers, enough for the totals to show) and an open first-come call with capacity 3.
Idempotent: found by slug, never duplicated.
"""

import random

from django.utils import timezone
from wagtail.models import Locale

from pages.terms import visible_districts, visible_themes

from .fieldtypes import LONG, MULTIPLE, SCALE, SHORT, SINGLE
from .models import RecruitmentField, RecruitmentPage, Response, SurveyField, SurveyIndexPage, SurveyPage

PARK_CHOICES = ["ほぼ毎日", "週に1〜2回", "月に数回", "ほとんど行かない"]
WISHES = ["ベンチ", "日陰", "トイレ", "遊具", "花壇"]
DRILL_CHOICES = ["参加した", "知っていたが参加しなかった", "知らなかった"]


def _home():
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    return site.root_page.specific if site else None


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _index(home):
    existing = SurveyIndexPage.objects.child_of(home).first()
    if existing:
        return existing
    return _publish(home, SurveyIndexPage(title="アンケート・募集", slug="surveys", show_in_menus=True,
                                          lead="区民の皆さんの声をお聞かせください。ボランティアや参加者の募集もここでお知らせします。"))


def _fields(questions):
    return [SurveyField(sort_order=n, clean_name=name, label=label, field_type=kind, required=required,
                        choices="\n".join(choices), max_choices=max_choices)
            for n, (name, label, kind, required, choices, max_choices) in enumerate(questions)]


def _survey(index, slug, title, intro, questions, **fields):
    existing = SurveyPage.objects.child_of(index).filter(slug=slug).first()
    if existing:
        return existing, False
    page = SurveyPage(title=title, slug=slug, intro=f"<p>{intro}</p><p>（デモ用のアンケートです）</p>",
                      form_fields=_fields(questions), **fields)
    return _publish(index, page), True


PARK_QUESTIONS = [
    ("visits", "近所の公園にどのくらい行きますか", SINGLE, True, PARK_CHOICES, None),
    ("wishes", "公園にあるとよいもの（2つまで）", MULTIPLE, False, WISHES, 2),
    ("satisfaction", "いまの公園の満足度", SCALE, True, [], None),
    ("opinion", "ご意見・ご要望", LONG, False, [], None),
]
CHILDCARE_QUESTIONS = [
    ("used", "利用したことのある子育て支援", MULTIPLE, False, ["子ども家庭支援センター", "一時保育", "子育てひろば", "ファミリーサポート"], None),
    ("satisfaction", "区の子育て支援の満足度", SCALE, True, [], None),
    ("idea", "あったらよいと思う支援", SHORT, False, [], None),
]
DRILL_QUESTIONS = [
    ("joined", "今年の地域の防災訓練に参加しましたか", SINGLE, True, DRILL_CHOICES, None),
    ("prepared", "家庭での備えの点数", SCALE, True, [], None),
]


def _closed_answers(page, rng, districts):
    if page.responses.exists():
        return 0
    weights = [12, 9, 3]  # 「知らなかった」 stays under 5: the public page hides that count
    rows = [Response(page=page, district=rng.choice(districts) if districts else None,
                     answers={"joined": rng.choices(DRILL_CHOICES, weights)[0], "prepared": rng.randint(1, 5)},
                     created_at=page.closes_at - timezone.timedelta(days=rng.randint(1, 20)))
            for _n in range(24)]
    Response.objects.bulk_create(rows)
    return len(rows)


def _call(index, districts, themes):
    existing = RecruitmentPage.objects.child_of(index).filter(slug="cleanup-volunteers").first()
    if existing:
        return existing, False
    now = timezone.now()
    page = RecruitmentPage(
        title="神田川沿い清掃ボランティア募集", slug="cleanup-volunteers", organiser="新宿地域ポータル編集部（デモ）",
        intro="<p>川沿いの遊歩道を一緒に清掃してくださる方を募集します。軍手とごみ袋はこちらで用意します。</p><p>（デモ用の募集です）</p>",
        eligibility="区内在住・在勤・在学の方", capacity=3, mode=RecruitmentPage.Mode.FIRST_COME, waiting_list=True,
        opens_at=now - timezone.timedelta(days=1), closes_at=now + timezone.timedelta(days=21),
        form_fields=[RecruitmentField(sort_order=0, clean_name="experience", label="清掃ボランティアの経験",
                                      field_type=SINGLE, required=True, choices="はじめて\nある")],
        districts=districts[:1], themes=themes[:1],
    )
    _publish(index, page)
    return page, True


def ensure_surveys_demo(seed=20261126, report=print):
    rng = random.Random(seed)
    home = _home()
    if home is None:
        report("アンケート・募集: トップページがないため作成しませんでした")
        return 0
    locale = Locale.get_default()
    districts, themes = list(visible_districts(locale)), list(visible_themes(locale))
    index = _index(home)
    now = timezone.now()
    made = 0
    _page, new = _survey(index, "park-survey", "地域の公園についてのアンケート", "近所の公園の使い方と、あるとよいものを教えてください。",
                         PARK_QUESTIONS, closes_at=now + timezone.timedelta(days=30), results_public=True)
    made += new
    _page, new = _survey(index, "childcare-members-survey", "子育て支援についての会員アンケート",
                         "会員の方に、区の子育て支援の使い心地をうかがいます。", CHILDCARE_QUESTIONS,
                         audience="members", ask_district=False, closes_at=now + timezone.timedelta(days=30))
    made += new
    closed, new = _survey(index, "disaster-drill-survey", "防災訓練についてのアンケート（受付終了）",
                          "今年の地域の防災訓練について、参加の有無と家庭の備えをうかがいました。", DRILL_QUESTIONS,
                          opens_at=now - timezone.timedelta(days=40), closes_at=now - timezone.timedelta(days=10),
                          results_public=True)
    made += new
    answers = _closed_answers(closed, rng, districts)
    _call_page, new = _call(index, districts, themes)
    made += new
    report(f"アンケート・募集: ページ {made} 件・回答 {answers} 件を作成しました")
    return made
