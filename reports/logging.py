"""
Structured logs: one JSON object a line (``LOG_FORMAT=json``, the default with DEBUG off), each with
the request id of the request it was written in.

- ``RequestIdMiddleware`` takes the request's ``X-Request-ID`` when it looks safe (letters, digits,
  ``.``, ``_``, ``-``; at most 64), or makes one; it is put in a context variable for the log lines
  written while the request is served, on ``request.request_id``, and echoed in the response's
  ``X-Request-ID`` header (nginx can pass its ``$request_id``, so its log and ours join up).
- ``JsonFormatter`` writes ``time``, ``level``, ``logger``, ``message``, ``request_id`` (when
  there is one) and ``exception`` (the traceback, when there is one); non-ASCII as is.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

request_id = contextvars.ContextVar("request_id", default=None)

SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
HEADER = "X-Request-ID"


def safe_request_id(value):
    """``value`` if it is a safe request id, else a new one."""
    if value and SAFE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = safe_request_id(request.headers.get(HEADER))
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = rid
        return response


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
