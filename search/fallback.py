"""
Saying so when a search was answered by the database because the engine was not there.

Whatever searched during a request (the portal's search, Wagtail's backend behind the pages,
images, documents and snippets APIs' ``?search=``, the admin's search) calls ``note()``; the API
answers with the header ``X-Search-Fallback: database`` (``say_fallback``, a view decorator that
``portal/api.py`` puts on every API v3 endpoint). The portal's search API also says it in its
``fallback`` field and message.
"""

import contextvars
import functools

HEADER = "X-Search-Fallback"

_used = contextvars.ContextVar("search_fallback", default=None)


def note(backend="database"):
    """This request's search was answered by ``backend`` instead of the engine."""
    _used.set(backend)


def used():
    return _used.get()


def say_fallback(view):
    """Wrap an API view: answer with ``X-Search-Fallback`` when a search inside it fell back."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        token = _used.set(None)
        try:
            response = view(request, *args, **kwargs)
            backend = _used.get()
            if backend and hasattr(response, "headers"):
                response.headers[HEADER] = backend
            return response
        finally:
            _used.reset(token)

    return wrapped
