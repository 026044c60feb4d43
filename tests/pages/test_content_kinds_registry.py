"""
The content API's kinds are a registry: pages' own four and the kinds later apps declare (here
surveys' ``survey`` and ``recruitment``, from ``surveys/listed_kinds.py``), listed, filtered and
described in the OpenAPI document alike. Surveys and calls are made as an editor would (pages
with a question, tagged and published under the section page, as in tests/surveys/conftest.py).
"""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from wagtail.models import Locale, PageViewRestriction, Site

from pages import selectors
from pages.models import ArticlePage, DistrictPage, ThemePage
from surveys.fieldtypes import SINGLE
from surveys.models import RecruitmentField, RecruitmentPage, SurveyField, SurveyIndexPage, SurveyPage

pytestmark = pytest.mark.django_db

CONTENT = "/api/v3/content/"
INTRO = "<p>駅前広場の<b>使い方</b>について、ご意見をお聞かせください。</p>"


@pytest.fixture
def index():
    home = Site.objects.get(is_default_site=True).root_page
    page = SurveyIndexPage(title="アンケート・募集", slug="surveys", locale=Locale.get_default())
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _publish(index, page):
    index.add_child(instance=page)
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


@pytest.fixture
def make_survey(index):
    counter = iter(range(1, 100))

    def make(districts=(), themes=(), **fields):
        n = next(counter)
        fields.setdefault("closes_at", timezone.now() + timezone.timedelta(days=7))
        page = SurveyPage(title=f"駅前広場アンケート{n}", slug=f"plaza-survey-{n}", intro=INTRO,
                          districts=list(districts), themes=list(themes), **fields,
                          form_fields=[SurveyField(sort_order=0, clean_name="use", label="よく使いますか",
                                                   field_type=SINGLE, required=True, choices="はい\nいいえ")])
        return _publish(index, page)

    return make


@pytest.fixture
def call(index):
    page = RecruitmentPage(title="公園清掃ボランティア募集", slug="park-volunteers", organiser="公園を愛する会",
                           capacity=10, intro="<p>月に一度、公園を掃除します。</p>",
                           closes_at=timezone.now() + timezone.timedelta(days=14),
                           themes=[ThemePage.objects.get(slug="kosodate")],
                           form_fields=[RecruitmentField(sort_order=0, clean_name="experience", label="経験",
                                                         field_type=SINGLE, required=True, choices="はじめて\nある")])
    return _publish(index, page)


@pytest.fixture
def okubo():
    return DistrictPage.objects.get(slug="okubo")


def _ids(client, **params):
    body = client.get(CONTENT, {"limit": 20, **params}).json()
    return [item["id"] for item in body["items"]]


def test_a_live_survey_is_listed_by_its_type_with_its_district_date_and_lead(client, make_survey, okubo):
    survey = make_survey(districts=[okubo])
    body = client.get(CONTENT, {"type": "survey"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["type"], item["title"]) == (survey.pk, "survey", survey.title)
    assert item["url"] == survey.get_full_url()
    assert item["date"] == timezone.localdate(survey.first_published_at).isoformat()
    assert [d["slug"] for d in item["districts"]] == ["okubo"]
    assert item["lead"] == "駅前広場の使い方について、ご意見をお聞かせください。"
    assert item["image"] is None and item["locale"] == "ja"


def test_the_district_filter_narrows_surveys_as_it_does_articles(client, make_survey, okubo):
    in_okubo = make_survey(districts=[okubo])
    elsewhere = make_survey(districts=[DistrictPage.objects.get(slug="yotsuya")])
    assert _ids(client, type="survey", district="okubo") == [in_okubo.pk]
    assert _ids(client, type="survey", district=str(okubo.pk)) == [in_okubo.pk]
    everything_in_okubo = _ids(client, district="okubo")
    assert in_okubo.pk in everything_in_okubo and elsewhere.pk not in everything_in_okubo


def test_the_default_listing_has_surveys_and_calls_among_the_articles_newest_first(client, make_survey, call, okubo):
    survey = make_survey(districts=[okubo])
    body = client.get(CONTENT, {"limit": 20}).json()
    types = {item["id"]: item["type"] for item in body["items"]}
    assert types[survey.pk] == "survey" and types[call.pk] == "recruitment"
    assert "article" in types.values()
    assert [item["id"] for item in body["items"][:2]] == [survey.pk, call.pk]  # published last, so newest
    assert body["count"] == client.get(CONTENT, {"type": list(selectors.listed_kinds())}).json()["count"]
    articles = client.get(CONTENT, {"type": "article"}).json()["count"]
    assert articles == ArticlePage.objects.live().filter(locale__language_code="ja").count() > 0
    assert body["count"] > articles + 1


def test_a_call_is_found_by_its_theme_and_surveys_and_calls_can_be_asked_for_together(client, make_survey, call):
    survey = make_survey()
    assert _ids(client, type="recruitment", theme="kosodate") == [call.pk]
    assert _ids(client, type="survey", theme="kosodate") == []
    assert sorted(_ids(client, type=["survey", "recruitment"])) == sorted([survey.pk, call.pk])


def test_closed_and_not_yet_open_surveys_are_listed_unpublished_and_private_ones_are_not(client, make_survey):
    now = timezone.now()
    closed = make_survey(opens_at=now - timezone.timedelta(days=9), closes_at=now - timezone.timedelta(days=2))
    upcoming = make_survey(opens_at=now + timezone.timedelta(days=3), closes_at=now + timezone.timedelta(days=9))
    withdrawn = make_survey()
    withdrawn.unpublish()
    private = make_survey()
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    assert sorted(_ids(client, type="survey")) == sorted([closed.pk, upcoming.pk])
    assert client.get("/api/v3/forms/").json()["count"] == 0, "the open ones are the forms API's"


def test_a_survey_is_dated_by_its_first_publication_for_the_date_filter(client, make_survey):
    survey = make_survey()
    today = timezone.localdate(survey.first_published_at)
    tomorrow = today + timezone.timedelta(days=1)
    assert _ids(client, type="survey", date_from=today.isoformat(), date_to=today.isoformat()) == [survey.pk]
    assert _ids(client, type="survey", date_from=tomorrow.isoformat()) == []


def test_a_japanese_survey_is_not_in_another_languages_listing(client, make_survey):
    make_survey()
    assert _ids(client, type="survey", locale="en") == []


@pytest.mark.parametrize("params", [{"type": "poem"}, {"type": ["survey", "questionnaire"]}])
def test_an_unknown_type_is_a_validation_error(client, params):
    response = client.get(CONTENT, params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"


def test_the_openapi_document_lists_every_declared_type(client):
    document = client.get("/api/v3/openapi.json").json()
    parameters = document["paths"]["/api/v3/content/"]["get"]["parameters"]
    type_parameter = next(parameter for parameter in parameters if parameter["name"] == "type")
    expected = ["article", "shop", "event", "special", "survey", "recruitment"]
    assert type_parameter["schema"]["items"]["enum"] == expected
    item_schema = document["components"]["schemas"]["ContentItemSchema"]
    assert item_schema["properties"]["type"]["enum"] == expected


def test_our_article_and_event_feeds_do_not_carry_surveys(client, make_survey, okubo):
    survey = make_survey(districts=[okubo])
    for path in ("/feeds/articles.rss", "/feeds/events.atom", "/feeds/districts/okubo/articles.rss"):
        response = client.get(path)
        assert response.status_code == 200
        assert survey.title not in response.content.decode(), path


def test_a_kind_is_declared_at_start_up_once_and_checked_against_its_model(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="after start-up"):
        selectors.register_listed_kind("poll", "surveys.SurveyPage")
    with pytest.raises(ImproperlyConfigured, match="declared twice"):
        selectors.register_listed_kind("survey", "surveys.RecruitmentPage")
    monkeypatch.setitem(selectors._LISTED, "poll", selectors.ListedKind("poll", "surveys.SurveyPage",
                                                                         date_field="starts_on"))
    with pytest.raises(ImproperlyConfigured, match="no field 'starts_on'"):
        selectors.check_listed_kinds()
