"""
The house's shape, checked: functions stay short, and what apps declare needs no migration in
another app (ARCHITECTURE.md). The import directions are checked by `make lint` (import-linter).
"""

import ast
import pathlib
import tomllib

import pytest
from django.core.management import call_command

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Our packages: the ones the import contracts cover (pyproject.toml), so a new app is in both.
APPS = tuple(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["root_packages"])
MAX_FUNCTION_LINES = 60


def _functions():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield path.relative_to(ROOT), node


def test_no_function_is_longer_than_sixty_lines():
    long = [f"{path}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for path, node in _functions() if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, "functions over 60 lines:\n" + "\n".join(long)


def test_the_scan_sees_the_apps():
    # The check above is only worth something if it reads the code: every app has functions.
    seen = {str(path).split("/")[0] for path, _node in _functions()}
    assert seen == set(APPS)


@pytest.mark.django_db
def test_the_models_match_their_migrations():
    # Apps register audit actions, roles and sections at start-up; none of it is a schema change.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
