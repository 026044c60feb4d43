"""A page translated from Japanese to English through wagtail-localize, then served."""

import pytest
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from pages.models import DistrictPage

pytestmark = pytest.mark.django_db

ENGLISH = {"大久保": "Okubo", "おおくぼ": "Okubo"}


def test_a_district_translated_to_english_is_served_under_en(client, django_capture_on_commit_callbacks):
    page = DistrictPage.objects.get(slug="okubo")
    english = Locale.objects.get(language_code="en")
    source, _ = TranslationSource.get_or_create_from_instance(page)
    translation = Translation.objects.create(source=source, target_locale=english)
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        text = segment.string.data
        StringTranslation.objects.create(
            translation_of=segment.string, locale=english, context=segment.context,
            data=ENGLISH.get(text, f"[en] {text}"),
        )
    assert translation.get_progress()[0] == translation.get_progress()[1], "every string translated"
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)

    translated = page.get_translation(english)
    assert translated.title == "Okubo" and translated.live
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
