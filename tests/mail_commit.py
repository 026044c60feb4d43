"""
Mail leaves through the outbox once the transaction that queued it commits (members.outbox).
A test runs inside a transaction that is rolled back, never committed, so without help no test
would see a mail. ``outbox_commits`` (autouse, from tests/conftest.py) treats the end of the
code's own outermost transaction as its commit, for the outbox's hook only (search indexing and
the rest keep Django's rule): a rolled-back transaction still sends nothing. Tests of the commit
rule itself ask for the ``real_commit`` fixture.
"""

import pytest
from django.db import transaction


def _only_test_transactions(connection):
    return all(block._from_testcase for block in connection.atomic_blocks)


@pytest.fixture
def real_commit():
    """Django's own rule for the outbox too: nothing leaves until a real commit."""


@pytest.fixture(autouse=True)
def outbox_commits(request, monkeypatch):
    from members import outbox

    if "real_commit" in request.fixturenames:
        monkeypatch.setattr(outbox, "_server_failed_at", float("-inf"))
        yield
        return

    def on_commit(function):
        if _only_test_transactions(transaction.get_connection()):
            function()  # what autocommit would do outside the test's transaction
        else:
            function.outbox = True
            transaction.on_commit(function, robust=True)

    original_exit = transaction.Atomic.__exit__

    def atomic_exit(self, exc_type, exc_value, traceback):
        result = original_exit(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        if exc_type is None and connection.atomic_blocks and _only_test_transactions(connection):
            hooks = [hook for hook in connection.run_on_commit if getattr(hook[1], "outbox", False)]
            connection.run_on_commit = [hook for hook in connection.run_on_commit if hook not in hooks]
            for _savepoints, function, _robust in hooks:
                function()
        return result

    monkeypatch.setattr(outbox, "on_commit", on_commit)
    monkeypatch.setattr(outbox, "_server_failed_at", float("-inf"))  # no pause left over from another test
    monkeypatch.setattr(transaction.Atomic, "__exit__", atomic_exit)
    yield
