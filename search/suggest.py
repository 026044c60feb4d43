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


def did_you_mean(query, found=None):
    """
    For a query that found nothing, another spelling or a related term that finds something
    (「もしかして」): a word replaced by a term of its synonym group, by an indexed word with the
    same reading (こうえん -> 公園), by an indexed word one character away, or, last, by a related
    term (``search.related``: 保育園 -> 保育所) written with a kanji. ``found(text)`` says
    whether a query finds anything (the search itself); "" when nothing better is known.
    """
    from . import synonyms
    from .analysis import reading

    words = query.split()
    for position, word in enumerate(words):
        candidates = list(synonyms.expand(word))
        kana = to_hiragana(reading(word)) if word and not word.isascii() else ""
        if kana:
            candidates += list(SuggestTerm.objects.filter(reading=kana).exclude(phrase=word)
                               .order_by("-weight").values_list("phrase", flat=True)[:3])
        candidates += _one_character_away(word, kana)
        candidates += _related_words(word)
        for candidate in dict.fromkeys(candidates):
            proposal = " ".join(words[:position] + [candidate] + words[position + 1:])
            if found is None or found(proposal):
                return proposal
    return ""


def _related_words(word, limit=3):
    """Related terms of ``word`` fit to be shown as a query: with a kanji (the table's kana are folded to hiragana)."""
    from .analysis import _is_kanji
    from .expansion import analyse_word

    related = analyse_word(word).related if word else ()
    return [term for term, _weight in related if any(_is_kanji(ch) for ch in term)][:limit]


def _one_away(a, b):
    return len(a) == len(b) and a != b and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _one_character_away(word, kana="", limit=200):
    """Indexed words whose text, or reading, differs from ``word`` (its reading ``kana``) in one character."""
    if len(word) < 2:
        return []
    condition = Q(phrase__startswith=word[0]) | Q(phrase__endswith=word[-1])
    if kana:
        condition |= Q(reading__startswith=kana[0])
    out = []
    for phrase, read in SuggestTerm.objects.filter(condition).order_by("-weight").values_list("phrase", "reading")[:limit]:
        if _one_away(phrase, word) or (kana and _one_away(read, kana)):
            out.append(phrase)
    return out[:3]
