"""
The search app depends on no app it indexes: apps declare what they index in their own
``search_sources.py``, and the API toolkit is ``apikit``, not another app's API module. Its two
faces share the rules (``search.selectors``, ``search.services``) without importing each other.
"""

import search
from tests.wardinfo.test_boundaries import imported_modules

# Apps that register sources, and the project: search must not name them. (members is a shared
# place others declare into, e.g. staff roles; its API module is not.)
INDEXED_APPS = ("moderation", "pages", "portal", "wardinfo", "members.api")


def test_search_imports_no_app_it_indexes():
    wrong = [(str(path), module) for path, module in imported_modules(search)
             if any(module == app or module.startswith(app + ".") for app in INDEXED_APPS)]
    assert wrong == []


def test_the_results_page_does_not_import_the_api():
    assert [module for path, module in imported_modules(search)
            if path.name == "views.py" and module == "search.api"] == []
