"""
Test settings: the one settings module, read with the variables a test run needs.

Only environment variables are set here (no setting is overridden), so the tests exercise
exactly what a deployment would get from the same variables. DATABASE_URL and SEARCH_URL,
when set by `make test` for the integration run, come through untouched.
"""

import os
import tempfile

os.environ.setdefault("PORTAL_TESTING", "1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("BASE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="portal-test-"))
os.environ.setdefault("SEARCH_INDEX_PREFIX", f"test_{os.getpid()}_")

from portal.settings import *  # noqa: E402,F403
