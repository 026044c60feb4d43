from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "投稿と審査"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (image files follow their rows)

        # Every app's moderated kinds (this app's posts and submissions included): the queue,
        # screening and the decisions work on whatever is registered (moderation.registry).
        autodiscover_modules("moderation_kinds")
        # Sections other apps add to the moderators' daily digest (moderation.digest).
        autodiscover_modules("digest_sections")
