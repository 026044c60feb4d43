from django.apps import AppConfig


class WardInfoConfig(AppConfig):
    name = "wardinfo"
    verbose_name = "区政情報"
