"""
Reads of the search app for its two faces, the API (``search.api``) and the site's results page
(``search.views``): a resident's search checked against the rules (known types; a query neither
empty nor too long), run, and what a page shows about it (facets with labels, a message).

One place for the rules, so the page and the API refuse the same searches with the same words
and neither imports the other. Counting the query for analytics changes state: that is
``search.services.search_and_count``, which both faces call.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import registry
from .query import MAX_QUERY_LENGTH, Filters, QueryTooLong, day_bounds, search
from .suggest import suggest

PER_PAGE = 10
MAX_PAGE = 100


class InvalidSearch(ValueError):
    """A search refused before it runs: ``code`` is the API's stable code, the message is for the resident."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _too_long():
    message = gettext("検索する言葉は%(limit)s文字以内にしてください。") % {"limit": MAX_QUERY_LENGTH}
    return InvalidSearch("query_too_long", message)


def search_filters(q, types, district=None, theme=None, date_from=None, date_to=None, locale="ja"):
    """
    The filters of a search the rules allow; ``InvalidSearch`` for an unknown type, a query far
    too long to normalise (the exact limit applies after normalisation, in ``results``) or an
    empty one.
    """
    known = registry.types()
    unknown = [t for t in types if t not in known]
    if unknown:
        # Translators: the list separator of the unknown and known result types ("news, shops").
        separator = gettext("、")
        raise InvalidSearch("unknown_type", gettext("種類「%(unknown)s」はありません。使える種類: %(known)s") % {
            "unknown": separator.join(unknown), "known": ", ".join(known)})
    if len(q or "") > 10 * MAX_QUERY_LENGTH:
        raise _too_long()
    if not (q or "").strip():
        raise InvalidSearch("query_empty", gettext("検索する言葉を入力してください。"))
    start, end = day_bounds(date_from, date_to)
    return Filters(types=tuple(types), district=district or None, theme=theme or None,
                   date_from=start, date_to=end, locale=locale)


def results(q, filters, page):
    """One page of results (``PER_PAGE``) for a query and filters from ``search_filters``."""
    try:
        return search(q, filters, page=page, per_page=PER_PAGE)
    except QueryTooLong:
        raise _too_long() from None


def type_labels():
    """Result type -> its label in the visitor's language (sources declare them in Japanese)."""
    return {kind: gettext(str(label)) for kind, label in registry.types().items()}


def facet_values(facets, locale):
    """Facet counts as ``{"value", "label", "count"}``, most first; terms labelled in ``locale``."""
    labels = type_labels()
    out = {"type": [{"value": k, "label": labels.get(k, k), "count": v}
                    for k, v in sorted(facets.get("type", {}).items(), key=lambda kv: -kv[1])]}
    for kind in ("districts", "themes"):
        counts = facets.get(kind, {})
        names = registry.term_labels(kind, counts.keys(), locale)
        out[kind] = [{"value": k, "label": names.get(k, k), "count": v}
                     for k, v in sorted(counts.items(), key=lambda kv: -kv[1]) if k in names]
    return out


FALLBACK_MESSAGE = _("検索エンジンに接続できないため、簡易検索で表示しています。結果が普段と異なる場合があります。")
RELAXED_MESSAGE = _("すべての言葉を含むものが見つからなかったため、いずれかの言葉を含むものを表示しています。")


def message_for(outcome):
    """What the resident is told about how the results were found (fallback, relaxed), or nothing."""
    if outcome.fallback:
        return str(FALLBACK_MESSAGE)
    if outcome.relaxed:
        return str(RELAXED_MESSAGE)
    return ""


def suggestions(q):
    """Completions for what was typed so far; ``InvalidSearch`` when it is already too long."""
    if len(q) > MAX_QUERY_LENGTH:
        raise _too_long()
    return suggest(q)
