from django.apps import AppConfig


class AdsConfig(AppConfig):
    name = "ads"
    verbose_name = "広告"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401 (a change to any ads row renews the eligible set)
