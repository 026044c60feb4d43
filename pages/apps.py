from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _editorial_setup(sender, **kwargs):
    # post_migrate is sent once per app with models, in INSTALLED_APPS order, and each app's
    # permissions are created in its own turn: run once the last app has had its turn.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not with_models[-1]:
        return
    from .editorial import ensure_editorial_setup, ensure_locales

    ensure_locales()
    ensure_editorial_setup()


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "ページ"

    def ready(self):
        from .api_schemas import extend_page_schemas

        # Before any Wagtail app's ready() imports the API (this app is listed before them).
        extend_page_schemas()
        post_migrate.connect(_editorial_setup, dispatch_uid="pages.editorial_setup")
