"""Japanese text normalisation for everything that is compared or searched."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """
    NFKC (full-width ASCII and half-width kana become their standard forms: ＡＢＣ１２３ -> ABC123,
    ｶﾀｶﾅ -> カタカナ), lower case, one space between words, no control characters.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n ")
    return _SPACES.sub(" ", text).strip().lower()


# Characters that are query syntax for a search backend (SQLite FTS5 fails on a stray quote);
# a resident's query is words, so they become spaces.
_QUERY_SYNTAX = re.compile(r'["*^:(){}\[\]\\]')


def normalize_query(text: str) -> str:
    """A search query as typed by a resident: normalised, query syntax removed."""
    return normalize(_QUERY_SYNTAX.sub(" ", normalize(text)))
