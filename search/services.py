"""
State changes of the search app: a resident's search, counted for the analytics.

Both the API and the site's results page search through here, so a query is counted the same
way whichever face it came through (and the benchmark, which calls ``search.query`` directly,
counts nothing).
"""

from . import analytics
from .query import search
from .selectors import results, search_filters
from .suggest import did_you_mean


def search_and_count(q, types, district, theme, date_from, date_to, page, locale="ja"):
    """
    The validated search (``search.selectors``; ``InvalidSearch`` when refused), counted in the
    analytics when it is a first page without filters: what residents look for, not how they
    page through or narrow it.
    """
    filters = search_filters(q, types, district, theme, date_from, date_to, locale)
    outcome = results(q, filters, page)
    if page == 1 and filters.empty:
        analytics.record(outcome.query, outcome.count > 0)
    if outcome.count == 0 and outcome.query:
        outcome.suggestion = did_you_mean(
            outcome.query, lambda text: search(text, filters, per_page=1, with_facets=False).count > 0)
    return outcome
