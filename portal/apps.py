from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "ポータル"

    def ready(self):
        from . import cache_invalidation  # noqa: PLC0415 - signal receivers, once the models are loaded

        cache_invalidation.connect()
