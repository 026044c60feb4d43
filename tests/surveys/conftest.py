"""
Surveys and calls built as an editor would (pages with questions, published) under the section
page, and generated people (Faker ja_JP). reCAPTCHA uses the test keys (no network): the field
stays in the forms and passes without a call to Google (members.captcha).
"""

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from faker import Faker
from wagtail.models import Locale, Site

from members.models import User
from surveys.fieldtypes import LONG, MULTIPLE, SCALE, SHORT, SINGLE
from surveys.models import RecruitmentField, RecruitmentPage, SurveyField, SurveyIndexPage, SurveyPage

fake = Faker("ja_JP")
Faker.seed(20261128)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"

QUESTIONS = [
    ("visits", "近所の公園にどのくらい行きますか", SINGLE, True, "ほぼ毎日\n週に1〜2回\nほとんど行かない", None, None),
    ("wishes", "公園にあるとよいもの", MULTIPLE, False, "ベンチ\n日陰\nトイレ", 2, None),
    ("satisfaction", "満足度", SCALE, True, "", None, None),
    ("opinion", "ご意見", LONG, False, "", None, 50),
    ("nickname_short", "ひとこと", SHORT, False, "", None, None),
]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def index(db):
    home = Site.objects.get(is_default_site=True).root_page
    existing = SurveyIndexPage.objects.child_of(home).first()
    if existing:
        return existing
    page = SurveyIndexPage(title="アンケート・募集", slug="surveys", locale=Locale.get_default())
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _questions(model, questions):
    return [model(sort_order=n, clean_name=name, label=label, field_type=kind, required=required, choices=choices,
                  max_choices=max_choices, max_length=max_length)
            for n, (name, label, kind, required, choices, max_choices, max_length) in enumerate(questions)]


@pytest.fixture
def make_survey(index):
    counter = iter(range(1, 1000))

    def make(questions=QUESTIONS, **fields):
        n = next(counter)
        fields.setdefault("closes_at", timezone.now() + timezone.timedelta(days=7))
        page = SurveyPage(title=fields.pop("title", f"テストのアンケート{n}"), slug=f"test-survey-{n}",
                          form_fields=_questions(SurveyField, questions), **fields)
        index.add_child(instance=page)
        page.save_revision().publish()
        return SurveyPage.objects.get(pk=page.pk)

    return make


@pytest.fixture
def survey(make_survey):
    return make_survey()


@pytest.fixture
def make_call(index):
    counter = iter(range(1, 1000))

    def make(**fields):
        n = next(counter)
        fields.setdefault("closes_at", timezone.now() + timezone.timedelta(days=7))
        fields.setdefault("capacity", 3)
        page = RecruitmentPage(
            title=fields.pop("title", f"テストの募集{n}"), slug=f"test-call-{n}", organiser="テスト実行委員会",
            form_fields=_questions(RecruitmentField, [("experience", "経験", SINGLE, True, "はじめて\nある", None, None)]),
            **fields)
        index.add_child(instance=page)
        page.save_revision().publish()
        return RecruitmentPage.objects.get(pk=page.pk)

    return make


@pytest.fixture
def make_member(db):
    counter = iter(range(1, 10_000))

    def make(**extra):
        n = next(counter)
        return User.objects.create_user(
            email=f"resident{n}-{fake.user_name()}@example.jp", password="correct horse battery staple",
            nickname=f"{fake.last_kana_name()}{n}", last_name=fake.last_name(), first_name=fake.first_name(),
            email_verified_at=timezone.now(), self_registered=True, postal_code="160-0022", prefecture="東京都",
            municipality="新宿区", street="新宿1-2-3", **extra)

    return make


@pytest.fixture
def member(make_member):
    return make_member()


@pytest.fixture
def api():
    """A client with a CSRF cookie and a browser's user agent, as a front end would send."""
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER)
    client.get("/api/v3/members/csrf")
    return client


def post_answers(client, page, answers, **extra):
    return client.post(f"/api/v3/forms/{page.pk}/responses", {"answers": answers}, content_type="application/json",
                       HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value, **extra)


VALID = {"visits": "ほぼ毎日", "wishes": ["ベンチ"], "satisfaction": 4, "opinion": "木陰がほしいです。"}
