from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "メールマガジン"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Issues are published only by the editorial workflow (or an administrator): registered
        # before anything asks Wagtail for the model's policy.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save
        from wagtail.permissions import register_permission_policy

        from .models import Issue
        from .permissions import IssuePermissionPolicy
        from .signals import link_member

        register_permission_policy(Issue, IssuePermissionPolicy(Issue))
        post_save.connect(link_member, sender=get_user_model(), dispatch_uid="newsletter.link_member")
