"""
The public site's search results page: the same search, rules and counting as the API
(``search.services``, ``search.selectors``), without importing the API.
"""

import datetime

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .query import MAX_QUERY_LENGTH
from .selectors import MAX_PAGE, PER_PAGE, InvalidSearch, facet_values, message_for, type_labels
from .services import search_and_count
from .text import normalize_query

MAX_QUERY_LENGTH_INPUT = MAX_QUERY_LENGTH


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _page(value):
    try:
        return min(MAX_PAGE, max(1, int(value)))
    except (TypeError, ValueError):
        return 1


ALL_WORDS = _("すべての語を含む結果")
SOME_WORDS = _("一部の語を含む結果")
RELATED_WORDS = _("関連する語を含む結果")


def result_groups(results, start, words=2):
    """
    The page's results under 「すべての語を含む結果」 and 「一部の語を含む結果」 (no headings if all have
    every word). A query of one ``words`` has no "some of the words": what follows has part of the
    word or a related one (``search.expansion``), 「関連する語を含む結果」.
    """
    every = [r for r in results if r.all_words]
    some = [r for r in results if not r.all_words]
    if not some:
        return [{"title": "", "results": every, "start": start}]
    groups = [{"title": ALL_WORDS, "results": every, "start": start}] if every else []
    return groups + [{"title": SOME_WORDS if words > 1 else RELATED_WORDS, "results": some,
                      "start": start + len(every)}]


def search(request):
    """Every public source, best match first, with filters by type, district, theme and date."""
    raw = request.GET.get("q", "")
    known = type_labels()
    types = [t for t in request.GET.getlist("type") if t in known]
    district = request.GET.get("district", "")
    theme = request.GET.get("theme", "")
    date_from, date_to = _date(request.GET.get("from")), _date(request.GET.get("to"))
    page = _page(request.GET.get("page"))
    locale = get_language() or "ja"
    context = {
        "query": raw.strip()[:MAX_QUERY_LENGTH], "types": known.items(), "selected_types": types,
        "district": district, "theme": theme, "date_from": date_from, "date_to": date_to,
        "max_length": MAX_QUERY_LENGTH_INPUT, "outcome": None, "error": "",
    }
    status = 200
    if raw.strip():
        try:
            outcome = search_and_count(raw, types, district, theme, date_from, date_to, page, locale=locale)
        except InvalidSearch as refused:
            context["error"] = str(refused)
            status = 400
        else:
            context.update(
                query=outcome.query, outcome=outcome, message=message_for(outcome),
                facets=facet_values(outcome.facets, locale),
                page_obj=Paginator(range(min(outcome.count, MAX_PAGE * PER_PAGE)), PER_PAGE).get_page(outcome.page),
            )
            context["result_groups"] = result_groups(outcome.results, context["page_obj"].start_index(),
                                                     words=len(normalize_query(raw).split()))
    return render(request, "search/search.html", context, status=status)
