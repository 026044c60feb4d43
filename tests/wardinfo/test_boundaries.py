"""
Which way wardinfo's dependencies point: to pages only through its floor (``pages.terms``), its
reads (``pages.selectors``) and what a process keeps (``pages.caching.shared``), never through the pages app's models or API modules, and to
no other app's API module (the API toolkit is ``apikit``).
"""

import ast
from pathlib import Path

import wardinfo

ALLOWED_FROM_PAGES = {"pages.terms", "pages.selectors", "pages.caching"}  # caching: what a process keeps (sidebars)
FORBIDDEN = ("members.api", "moderation.api", "search.api", "portal")


def imported_modules(package):
    """(file, absolute module name) for every import in ``package`` outside its migrations."""
    root = Path(package.__file__).parent
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        here = path.relative_to(root.parent).parent.parts  # the file's package, e.g. ("search",)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = here[:len(here) - node.level + 1] if node.level else ()
                yield path, ".".join((*base, node.module) if node.module else base)
            elif isinstance(node, ast.Import):
                yield from ((path, alias.name) for alias in node.names)


def test_wardinfo_reaches_pages_only_through_terms_and_selectors():
    wrong = [(str(path), module) for path, module in imported_modules(wardinfo)
             if (module == "pages" or module.startswith("pages.")) and module not in ALLOWED_FROM_PAGES]
    assert wrong == []


def test_wardinfo_imports_no_other_apps_api_module():
    wrong = [(str(path), module) for path, module in imported_modules(wardinfo)
             if any(module == name or module.startswith(name + ".") for name in FORBIDDEN)]
    assert wrong == []
