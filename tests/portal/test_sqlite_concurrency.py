"""
The embedded default holds a few people at once: concurrent writers on the SQLite file (an
editor's autosave, a preview and a submit, a resident's post) wait their turn instead of failing
with "database is locked". Checked on a real database file with the settings' own options.
"""

import threading
import time

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler

WRITERS = 6
ROUNDS = 15


def _handler(path, options):
    base = {**settings.DATABASES["default"], "NAME": str(path), "OPTIONS": options, "TEST": {}}
    return ConnectionHandler({"default": base})


def _hammer(handler, errors):
    """Read then write in one transaction, as a Wagtail save does (the read is what deadlocks)."""
    connection = handler["default"]
    try:
        for _ in range(ROUNDS):
            connection.ensure_connection()
            # What transaction.atomic() does on SQLite for the global connection: BEGIN in the
            # configured transaction mode (here on this test's own connection to the file).
            connection._start_transaction_under_autocommit()
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM revision")
                    count = cursor.fetchone()[0]
                    time.sleep(0.002)  # the work between reading and writing (rendering, validation)
                    cursor.execute("INSERT INTO revision (body) VALUES (%s)", [f"autosave {count}"])
                connection.connection.commit()
            except Exception:
                connection.connection.rollback()
                raise
    except Exception as exc:  # collected: the test names what failed
        errors.append(repr(exc))
    finally:
        connection.close()


def _run(path, options):
    handler = _handler(path, options)
    with handler["default"].cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS revision (id INTEGER PRIMARY KEY, body TEXT)")
    handler["default"].close()
    errors = []
    threads = [threading.Thread(target=_hammer, args=(_handler(path, options), errors)) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with handler["default"].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM revision")
        stored = cursor.fetchone()[0]
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    handler["default"].close()
    return errors, stored, mode


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
                    reason="the embedded default's SQLite options")
def test_concurrent_writers_on_the_embedded_default_all_succeed(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        errors, stored, mode = _run(tmp_path / "portal.sqlite3", settings.DATABASES["default"]["OPTIONS"])
    assert errors == []
    assert stored == WRITERS * ROUNDS
    assert mode == "wal"


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
                    reason="the embedded default's SQLite options")
def test_without_those_options_the_same_load_fails_with_database_is_locked(tmp_path, django_db_blocker):
    # The control: WAL and a long timeout alone are not enough. A deferred transaction that read
    # before another writer committed cannot upgrade to a write; SQLite fails it at once.
    options = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    with django_db_blocker.unblock():
        errors, stored, _mode = _run(tmp_path / "deferred.sqlite3", options)
    assert any("locked" in error for error in errors), errors
    assert stored < WRITERS * ROUNDS
