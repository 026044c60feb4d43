"""The public site's search results page: the same search and filters as the API."""

import datetime

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import get_language

from . import registry
from .api import MAX_PAGE, PER_PAGE, SearchProblem, facet_values, message_for, run
from .query import MAX_QUERY_LENGTH

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


def search(request):
    """Every public source, best match first, with filters by type, district, theme and date."""
    raw = request.GET.get("q", "")
    known = registry.types()
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
            outcome = run(raw, types, district, theme, date_from, date_to, page, locale=locale)
        except SearchProblem as problem:
            context["error"] = str(problem)
            status = 400
        else:
            context.update(
                query=outcome.query, outcome=outcome, message=message_for(outcome),
                facets=facet_values(outcome.facets, locale),
                page_obj=Paginator(range(min(outcome.count, MAX_PAGE * PER_PAGE)), PER_PAGE).get_page(outcome.page),
            )
    return render(request, "search/search.html", context, status=status)
