"""A page translated from Japanese to English through wagtail-localize, then served."""

import pytest
from wagtail.models import Locale

from pages.models import DistrictPage

from .translation_helpers import translate

pytestmark = pytest.mark.django_db

ENGLISH = {"大久保": "Okubo", "おおくぼ": "Okubo"}


def test_a_district_translated_to_english_is_served_under_en(client, django_capture_on_commit_callbacks):
    page = DistrictPage.objects.get(slug="okubo")
    translated = translate(page, "en", ENGLISH, django_capture_on_commit_callbacks)
    assert translated.title == "Okubo" and translated.live
    assert translated.locale.language_code == "en"
    response = client.get(translated.url)
    assert translated.url.startswith("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Okubo" in html
    # The Japanese original is untouched and still served at its own address.
    original = client.get(page.url)
    assert original.status_code == 200 and "大久保" in original.content.decode()


def test_all_four_content_languages_exist():
    assert set(Locale.objects.values_list("language_code", flat=True)) == {"ja", "en", "zh-hans", "ko"}
    assert Locale.get_default().language_code == "ja"
