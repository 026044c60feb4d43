"""Translate a page through wagtail-localize, as a translator would in the admin."""

from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource


def translate(page, language_code, words, capture):
    """
    Translate ``page`` into ``language_code``: strings found in ``words`` are replaced, the rest
    marked "[xx] …". ``capture`` is pytest-django's django_capture_on_commit_callbacks (the
    translation is published on commit). Returns the published translation.
    """
    locale = Locale.objects.get(language_code=language_code)
    source, _ = TranslationSource.get_or_create_from_instance(page)
    translation, _ = Translation.objects.get_or_create(source=source, target_locale=locale)
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        text = segment.string.data
        StringTranslation.objects.update_or_create(
            translation_of=segment.string, locale=locale, context=segment.context,
            defaults={"data": words.get(text, f"[{language_code}] {text}")},
        )
    done, total = translation.get_progress()
    assert done == total, "every string translated"
    with capture(execute=True):
        translation.save_target(publish=True)
    return page.get_translation(locale)
