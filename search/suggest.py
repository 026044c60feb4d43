"""
Completion as the resident types: words and compounds from the titles (``SuggestTerm``) whose
text or hiragana reading starts with what was typed (子育 -> 子育て支援; こそだ -> 子育て), then
popular queries that found something.
"""

import datetime

from django.db.models import Q, Sum
from django.utils import timezone

from .analysis import to_hiragana
from .models import QueryStat, SuggestTerm
from .text import normalize_query

MAX_PREFIX = 50
# A past query is suggested to others only once this many searches found something with it: a
# one-off query (someone's name, an address) is never shown to other residents.
MIN_POPULAR_SEARCHES = 5


def suggest(raw, limit=10):
    prefix = normalize_query(raw or "")[:MAX_PREFIX].strip()
    if not prefix:
        return []
    kana = to_hiragana(prefix)
    condition = Q(phrase__startswith=prefix)
    if kana:
        condition |= Q(reading__startswith=kana)
    found = list(
        SuggestTerm.objects.filter(condition).order_by("-weight", "phrase").values_list("phrase", flat=True)[:limit]
    )
    if len(found) < limit:
        since = timezone.localdate() - datetime.timedelta(days=30)
        popular = (
            QueryStat.objects.filter(day__gte=since, query__startswith=prefix)
            .values("query").annotate(found=Sum("searches") - Sum("zero_results")).filter(found__gte=MIN_POPULAR_SEARCHES)
            .order_by("-found").values_list("query", flat=True)[:limit]
        )
        found += [query for query in popular if query not in found]
    return found[:limit]
