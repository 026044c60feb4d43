from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "アンケート・募集"
    default_auto_field = "django.db.models.BigAutoField"
