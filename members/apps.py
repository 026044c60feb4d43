from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "会員"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
