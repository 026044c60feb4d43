"""
Counting queries without personal data: per day and normalised query, how many searches and how
many found nothing. No user, session, address or time of day is stored. A query that looks like
personal data (an e-mail address, a phone or postal number, a long run of digits) is counted
under ``REDACTED`` instead of its text.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from .models import QueryStat

REDACTED = "（個人情報の可能性があるため記録しません）"
_PERSONAL = re.compile(r"@|\d[\d\- ]{6,}\d|〒")


def record(query, found):
    if not query:
        return
    text = REDACTED if _PERSONAL.search(query) else query[:100]
    day = timezone.localdate()
    zero = 0 if found else 1
    updated = QueryStat.objects.filter(day=day, query=text).update(
        searches=F("searches") + 1, zero_results=F("zero_results") + zero)
    if not updated:
        try:
            with transaction.atomic():
                QueryStat.objects.create(day=day, query=text, searches=1, zero_results=zero)
        except IntegrityError:  # created meanwhile by another request
            QueryStat.objects.filter(day=day, query=text).update(
                searches=F("searches") + 1, zero_results=F("zero_results") + zero)


def popular(since, limit=50):
    return list(
        QueryStat.objects.filter(day__gte=since).values("query")
        .annotate(total=Sum("searches"), zero=Sum("zero_results")).order_by("-total", "query")[:limit]
    )


def without_results(since, limit=50):
    return list(
        QueryStat.objects.filter(day__gte=since, zero_results__gt=0).values("query")
        .annotate(zero=Sum("zero_results"), total=Sum("searches")).order_by("-zero", "query")[:limit]
    )
