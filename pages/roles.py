"""
What the staff roles may do in the CMS itself (the admin, workflows, locales, redirects,
translations). Page and collection permissions and the workflow are set up by
``pages.editorial`` after these grants (a ``members.roles`` set-up step).
"""

from members import roles

ADMIN = "wagtailadmin.access_admin"

roles.grant(roles.EDITORS, ADMIN)
roles.grant(roles.MODERATORS, ADMIN)
roles.grant(
    roles.ADMINISTRATORS, ADMIN,
    "wagtailcore.add_workflow", "wagtailcore.change_workflow", "wagtailcore.add_task", "wagtailcore.change_task",
    "wagtailcore.add_locale", "wagtailcore.change_locale",
    "wagtailredirects.add_redirect", "wagtailredirects.change_redirect", "wagtailredirects.delete_redirect",
    "wagtail_localize.submit_translation",
)


@roles.on_setup
def editorial_setup():
    from .editorial import ensure_editorial_setup, ensure_locales

    ensure_locales()
    ensure_editorial_setup()
