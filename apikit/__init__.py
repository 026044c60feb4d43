"""
The API toolkit every app's ``api.py`` stands on: errors with stable codes and their problem
documents, session + CSRF authentication, JSON bodies read strictly, form errors in the API's shape,
lazy paginated listings.

Not a Django app (no models, templates or settings) and it imports nothing of ours, so any app
may use it without depending on another app's API module.
"""

from .auth import require_csrf, session
from .errors import CODES, PROBLEM_JSON, ApiError, problem
from .forms import form_errors
from .listing import LazyItems
from .parsing import JsonParser, parse_error

__all__ = ["ApiError", "CODES", "JsonParser", "LazyItems", "PROBLEM_JSON", "form_errors", "parse_error", "problem",
           "require_csrf", "session"]
