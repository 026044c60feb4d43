from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "ページ"

    def ready(self):
        from . import caching
        from .api_schemas import extend_page_schemas
        from .selectors import check_listed_kinds

        # Before any Wagtail app's ready() imports the API (this app is listed before them).
        # The editorial set-up after migrate is a members.roles set-up step (pages/roles.py).
        extend_page_schemas()
        # The kinds of page the content API lists: pages' own four (pages.selectors) and those
        # later apps declare in their listed_kinds.py; checked against the models at start-up.
        autodiscover_modules("listed_kinds")
        check_listed_kinds()
        # Locales and view restrictions loaded once per request, not once per look-up (pages.caching).
        caching.install()
