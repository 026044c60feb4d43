"""
Reading JSON request bodies for every endpoint of the one API (django-ninja's ``Parser``).

JSON may carry text that no database, template or e-mail can hold: a lone surrogate written as an
escape (``"\\udcff"``) decodes to a Python string that fails the moment anything encodes it as
UTF-8. Such a body is refused here, before any endpoint sees it, as a ``validation_error`` that
names each field holding one, so every endpoint (and every endpoint added later) answers 422 with
nothing stored instead of failing half-way with a 500. A body that is not JSON at all is a 400
``invalid_json``.

Ninja turns any error raised while parsing into a plain 400 ("Cannot parse request body"), with the
original as its ``__cause__``: the API's error handler answers with that cause (``parse_error``).
"""

import json

from django.utils.translation import gettext as _
from ninja.parser import Parser

from .errors import ApiError


def _unencodable(value, path=()):
    """The paths (tuples of keys and indexes) of every string in ``value`` that UTF-8 cannot encode."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unencodable(key, (*path, key))
            yield from _unencodable(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unencodable(item, (*path, index))


def _printable(part):
    """A path part as the problem document can show it (a bad key itself must not break the answer)."""
    return part.encode("utf-8", "replace").decode("utf-8") if isinstance(part, str) else part


class JsonParser(Parser):
    """Ninja's JSON parser, refusing bodies that are not JSON (400) or hold unencodable text (422)."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
            raise ApiError(400, "invalid_json", _("リクエストの本文を JSON として読み取れません。")) from exc
        bad = [tuple(_printable(part) for part in path) for path in dict.fromkeys(_unencodable(data))]
        if bad:
            message = _("「%(field)s」に使えない文字（対になっていないサロゲート）が含まれています。")
            names = [".".join(str(part) for part in path) or "body" for path in bad]
            errors = [{"loc": ["body", *path], "type": "invalid_characters", "msg": message % {"field": name}}
                      for path, name in zip(bad, names, strict=True)]
            raise ApiError(422, "validation_error", message % {"field": "」「".join(names)}, errors)
        return data


def parse_error(exc):
    """The error to answer with for ``exc``: the parser's own ``ApiError`` when ninja wrapped one."""
    cause = exc.__cause__
    return cause if isinstance(cause, ApiError) else exc
