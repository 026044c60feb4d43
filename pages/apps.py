from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "ページ"

    def ready(self):
        from .api_schemas import extend_page_schemas

        # Before any Wagtail app's ready() imports the API (this app is listed before them).
        # The editorial set-up after migrate is a members.roles set-up step (pages/roles.py).
        extend_page_schemas()
