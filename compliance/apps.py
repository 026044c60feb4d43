from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "個人情報の取扱い"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The incident register's and training's declarations: audit actions, role grants, the
        # training gate on personal data and moderation (members.access), the incident clocks'
        # digest section. Idempotent.
        from . import incident_setup  # noqa: F401
