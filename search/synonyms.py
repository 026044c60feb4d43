"""
The editors' synonym list (``SynonymGroup``) applied at query time: ``expand(word)`` gives the other
terms of every group the word belongs to. Groups are compared by their analysed form, so 四ッ谷,
四ツ谷 and ｺﾞﾐ find their groups as typed any way.

The list is read once and kept in the process, keyed by the table's size and last change (one
small aggregate query per search): a group saved or deleted in the admin is used by every process
from the next search on, with no rebuild of the index.
"""

import threading

from django.db.models import Count, Max

from .models import SynonymGroup

_lock = threading.Lock()
_cache = {"signature": None, "index": {}}


def _key(term):
    from .analysis import fold_variants
    from .text import normalize

    return fold_variants(normalize(term)).replace(" ", "")


def _keys(term):
    """A term is found as written and by its reading (介護 also under かいご)."""
    from .analysis import reading

    keys = {_key(term)}
    if not term.isascii():
        keys.add(reading(term))
    return keys


def _signature():
    state = SynonymGroup.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return state["n"], state["last"]


def _index():
    signature = _signature()
    if _cache["signature"] != signature:
        index = {}
        for group in SynonymGroup.objects.all():
            terms = group.term_list()
            for term in terms:
                for key in _keys(term):
                    others = index.setdefault(key, [])
                    others += [other for other in terms if _key(other) != key and other not in others]
        with _lock:
            _cache.update(signature=signature, index=index)
    return _cache["index"]


def expand(word):
    """The other terms of the groups ``word`` belongs to (as entered by the editors)."""
    from .analysis import to_hiragana

    index = _index()
    found = list(index.get(_key(word), []))
    found += [other for other in index.get(to_hiragana(_key(word)), []) if other not in found]
    return found


def forget():
    """Drop the process's copy (tests)."""
    with _lock:
        _cache.update(signature=None, index={})
