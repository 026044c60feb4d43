"""
What residents find of surveys and calls (see ``search.registry``): the live, public ones still
taking answers or applications, never anything anyone sent.
"""

from django.utils import timezone, translation
from wagtail.models import Page, PageViewRestriction
from wagtail.rich_text import get_text_for_indexing

from search.registry import Document, Source, register

from .models import RecruitmentPage, SurveyPage
from .selectors import not_closed, visible_forms


def _kind_name(page):
    """「アンケート」 or 「募集」 in the page's own language: a word residents search with."""
    with translation.override(page.locale.language_code):
        return str(page.get_verbose_name())


def _document(page):
    text = [page.search_description, get_text_for_indexing(page.intro or "")]
    text += [getattr(page, name, "") for name in ("organiser", "eligibility")]
    return Document(
        title=page.title, url=page.get_url() or "", locale=page.locale.language_code, text=" ".join(filter(None, text)),
        date=timezone.localtime(page.first_published_at) if page.first_published_at else None,
        districts=[term.slug for term in page.districts.all()], themes=[term.slug for term in page.themes.all()],
        keywords=_kind_name(page),
    )


def _restricted(model):
    def pages(restriction):
        return model.objects.descendant_of(restriction.page, inclusive=True)
    return pages


for name, kind, label, model in (("surveys.survey", "survey", "アンケート", SurveyPage),
                                 ("surveys.recruitment", "recruitment", "募集", RecruitmentPage)):
    register(Source(
        name=name, type=kind, label=label, model=model,
        visible=lambda model=model: not_closed(visible_forms(model)), document=_document,
        related=[(PageViewRestriction, _restricted(model)), (Page, lambda page, model=model: model.objects.filter(pk=page.pk))],
        prefetch=lambda queryset: queryset.prefetch_related("districts", "themes"),
    ))
