"""
Integration tests run against the real services `make test` starts: PostgreSQL (DATABASE_URL),
Elasticsearch (SEARCH_URL), an SMTP server (aiosmtpd, started here) and headless Chromium.

With CI=true a missing service fails the run; on a developer's machine it skips the suite with
the reason printed.
"""

import os
import shutil
import socket

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import SERVICES_SEEN

pytestmark = pytest.mark.integration

# Playwright's sync API runs an event loop in this thread; the test itself stays synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _missing():
    reasons = []
    if connection.vendor != "postgresql":
        reasons.append(f"DATABASE_URL is not PostgreSQL (database is {connection.vendor})")
    if settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"].endswith(".database"):
        reasons.append("SEARCH_URL is not set (search backend is the database)")
    if not shutil.which("chromium"):
        reasons.append("chromium is not installed")
    return reasons


def pytest_collection_modifyitems(config, items):
    reasons = _missing()
    if not reasons:
        return
    message = "integration services missing: " + "; ".join(reasons) + " (run `make test`)"
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(message + " — CI=true forbids skipping")
    print("\n" + message)
    for item in items:
        item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session", autouse=True)
def drop_test_search_indexes():
    """The run's indexes carry a per-run prefix; remove them at the end."""
    yield
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    if hasattr(backend, "es"):
        backend.es.indices.delete(index=f"{settings.WAGTAILSEARCH_BACKENDS['default']['INDEX_PREFIX']}*",
                                  ignore_unavailable=True, allow_no_indices=True)


@pytest.fixture
def smtp_server(settings, request):
    """A real SMTP server on loopback (aiosmtpd); Django sends mail to it over SMTP."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message as MessageHandler

    class Collect(MessageHandler):
        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    request.config.stash[SERVICES_SEEN].append(f"smtp: aiosmtpd on 127.0.0.1:{port}")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def browser(pytestconfig):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"],
        )
        pytestconfig.stash[SERVICES_SEEN].append(f"browser: Chromium {chromium.version} (headless)")
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site_url(django_db_setup, django_db_blocker):
    """
    The portal served over HTTP from a thread, for the browser. Unlike pytest-django's
    live_server it does not flush the database after each test, so the demo site built once
    for the session stays (the server's own connection sees it: it was committed).
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    with django_db_blocker.unblock():
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)  # static files from the finders
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        yield f"http://127.0.0.1:{server.port}"
        server.terminate()
