from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class SearchConfig(AppConfig):
    name = "search"
    label = "portal_search"
    verbose_name = "検索"

    def ready(self):
        # Each app declares its sources in its own ``search_sources.py`` (see search.registry).
        autodiscover_modules("search_sources")
        # Wagtail's pages API ``?search=`` is the portal's one search (search.api.pages_search_queryset).
        from wagtail.api.v3.schemas.params import SearchSchema

        from .api import page_search_over

        SearchSchema.search_queryset = page_search_over(SearchSchema.search_queryset)
