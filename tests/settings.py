"""
Test settings: the one settings module, read with the variables a test run needs.

Only environment variables are set here (no setting is overridden), so the tests exercise
exactly what a deployment would get from the same variables. DATABASE_URL and SEARCH_URL,
when set by `make test` for the integration run, come through untouched.
"""

import base64
import os
import secrets
import tempfile

os.environ.setdefault("PORTAL_TESTING", "1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("BASE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="portal-test-"))
os.environ.setdefault("SEARCH_INDEX_PREFIX", f"test_{os.getpid()}_")
# Fresh keys for each run: test data is encrypted with keys that exist nowhere else.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
os.environ.setdefault("FIELD_HASH_KEY", secrets.token_urlsafe(32))
# The training gate (compliance) is on by default; the tests that are about it switch it on.
os.environ.setdefault("COMPLIANCE_TRAINING_REQUIRED", "false")
# Page views are flushed by the tests themselves, never by a timer thread writing to the test database.
os.environ.setdefault("REPORTS_FLUSH_IN_PROCESS", "false")

from portal.settings import *  # noqa: E402,F403
