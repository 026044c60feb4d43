from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "利用状況と運用監視"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Monitoring (R2): every run of a scheduled job is recorded (in the worker too, which loads no
        # admin hooks); the 運用状況 permission is granted with the other roles at migrate time.
        from . import monitor_roles, monitoring  # noqa: F401

        monitoring.connect_signals()

        # Usage (R1): the monthly report's figures are declared by each app in its usage_figures.py
        # (into members.usage); the reports app's own figures, roles and audit actions are here.
        from django.utils.module_loading import autodiscover_modules

        from . import audit, figures, roles  # noqa: F401

        autodiscover_modules("usage_figures")
