from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules

# Editors and moderators manage promoted search results (Wagtail's search promotions).
PROMOTION_GROUPS = ("Editors", "Moderators")
PROMOTION_PERMISSIONS = ("add_searchpromotion", "change_searchpromotion", "delete_searchpromotion",
                         "view_searchpromotion")


def _grant_promotions(sender, **kwargs):
    # Once every app has created its permissions (and the pages app its groups): the last app's turn.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not with_models[-1]:
        return
    from django.contrib.auth.models import Group, Permission

    permissions = Permission.objects.filter(content_type__app_label="wagtailsearchpromotions",
                                            codename__in=PROMOTION_PERMISSIONS)
    for group in Group.objects.filter(name__in=PROMOTION_GROUPS):
        group.permissions.add(*permissions)


class SearchConfig(AppConfig):
    name = "search"
    label = "portal_search"
    verbose_name = "検索"

    def ready(self):
        # Each app declares its sources in its own ``search_sources.py`` (see search.registry).
        autodiscover_modules("search_sources")
        post_migrate.connect(_grant_promotions, dispatch_uid="search.grant_promotions")
