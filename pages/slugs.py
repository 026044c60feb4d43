"""
Short, readable URL slugs for Japanese titles.

Wagtail's own slug field keeps a Japanese title as it is (「大久保の子育てサロン」 becomes a
percent-encoded URL nobody can read or type). Here a Japanese title is romanised with cutlet
(MeCab through fugashi, with the UniDic dictionary of ``unidic-lite``; all offline): loanwords get
their original spelling (サロン → salon), nouns are written in simplified Hepburn without long
vowels, as station signs and the ward's own English pages write place names (大久保 → okubo,
食堂 → shokudo).

    >>> propose_slug("大久保の子育てサロン")
    'okubo-no-kosodate-salon'
"""

import functools
import re

from django.utils.text import slugify

MAX_LENGTH = 60
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_LONG_VOWELS = ((re.compile(r"ou"), "o"), (re.compile(r"oo"), "o"), (re.compile(r"uu"), "u"))


def is_japanese(text):
    """Whether ``text`` has any kana or kanji."""
    return bool(_JAPANESE.search(text or ""))


@functools.cache
def _romaniser():
    import cutlet  # loads the dictionary: only when a slug is first proposed

    return cutlet.Cutlet(use_foreign_spelling=True)


def _simplified(token, word):
    """A noun's long vowels written short (ookubo → okubo); loanwords and other words as they are."""
    text = token.surface.lower()
    if token.foreign or word.feature.pos1 != "名詞":
        return text
    for pattern, short in _LONG_VOWELS:
        text = pattern.sub(short, text)
    return text


def romanise(text):
    """``text`` in Latin letters, lower case, spaced between words as cutlet spaces them."""
    import cutlet

    katsu = _romaniser()
    words = katsu.tagger(cutlet.cutlet.normalize_text(text))
    tokens = katsu.romaji_tokens(words, capitalize=False)
    for token, word in zip(tokens, words, strict=True):
        token.surface = _simplified(token, word)
    return "".join(str(token) for token in tokens).strip()


def propose_slug(title, max_length=MAX_LENGTH):
    """
    A slug for ``title``: romanised when it is Japanese, Django's ``slugify`` otherwise; cut at a
    word boundary to at most ``max_length`` characters. Empty when nothing usable remains.
    """
    text = romanise(title) if is_japanese(title) else title
    slug = re.sub(r"[^a-z0-9]+", "-", slugify(text).lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length + 1].rsplit("-", 1)[0] if "-" in slug[:max_length + 1] else slug[:max_length]
    return slug.strip("-")


def replaces_slug(slug, title):
    """
    Whether ``slug`` is only what Wagtail made of a Japanese ``title`` by itself (empty, or the
    title kept in Japanese), so that the romanised proposal should take its place. A slug an
    editor wrote differently is kept.
    """
    if not is_japanese(title):
        return False
    return not slug or (not slug.isascii() and slug == slugify(title, allow_unicode=True))
