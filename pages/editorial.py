"""
The editorial set-up every database gets after ``migrate``: the three staff groups, their
permissions, and the two-step workflow (review, then approval) on the whole content tree.

Idempotent: it runs on every ``post_migrate`` and only adds what is missing, so an operator's
later changes in the admin (another task, another member of a group) are kept.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    Locale,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

EDITORS = "Editors"
MODERATORS = "Moderators"
ADMINISTRATORS = "Administrators"

WORKFLOW_NAME = "編集ワークフロー（確認・承認）"
REVIEW_TASK = "内容確認"
APPROVAL_TASK = "公開承認"

# Page permissions per group. Editors write and submit; they never publish.
PAGE_PERMISSIONS = {
    EDITORS: ["add_page", "change_page"],
    MODERATORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    ADMINISTRATORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "delete_page"],
}
COLLECTION_PERMISSIONS = {
    EDITORS: ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
    MODERATORS: ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
    ADMINISTRATORS: ["add_image", "change_image", "delete_image", "choose_image",
                     "add_document", "change_document", "delete_document", "choose_document"],
}
# Related-site links are editors' work; the moderation queue is moderators' (and administrators').
RELATED_SITES = ["wardinfo.add_relatedsite", "wardinfo.change_relatedsite", "wardinfo.delete_relatedsite",
                 "wardinfo.view_relatedsite"]
MODERATION = [
    "moderation.view_post", "moderation.change_post", "moderation.view_submission", "moderation.change_submission",
    "moderation.view_flag", "moderation.view_sanction",
    "moderation.view_ngword", "moderation.add_ngword", "moderation.change_ngword", "moderation.delete_ngword",
]
MODEL_PERMISSIONS = {
    EDITORS: ["wagtailadmin.access_admin", *RELATED_SITES],
    MODERATORS: ["wagtailadmin.access_admin", *RELATED_SITES, *MODERATION],
    ADMINISTRATORS: [
        "wagtailadmin.access_admin",
        "members.add_user", "members.change_user", "members.delete_user", "members.view_user",
        "members.view_personal_data", "members.view_auditentry",
        "auth.add_group", "auth.change_group",
        "wagtailcore.add_workflow", "wagtailcore.change_workflow",
        "wagtailcore.add_task", "wagtailcore.change_task",
        "wagtailcore.add_locale", "wagtailcore.change_locale",
        "wagtailredirects.add_redirect", "wagtailredirects.change_redirect", "wagtailredirects.delete_redirect",
        "wagtail_localize.submit_translation",
        "wardinfo.add_feedsource", "wardinfo.change_feedsource", "wardinfo.delete_feedsource",
        "wardinfo.view_feedsource", "wardinfo.view_wardnotice", "wardinfo.change_wardnotice",
        "wardinfo.delete_wardnotice", *RELATED_SITES, *MODERATION,
        "moderation.add_board", "moderation.change_board", "moderation.view_board",
        "moderation.change_moderationsettings",
    ],
}


def ensure_locales():
    """One Wagtail locale per content language (ja is the default, created by Wagtail itself)."""
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


def _permission(dotted):
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _collection_permission(codename):
    return Permission.objects.get(codename=codename, content_type__app_label__in=["wagtailimages", "wagtaildocs"])


@transaction.atomic
def ensure_editorial_setup():
    """Create the groups, their permissions and the two-step workflow where missing. Returns the workflow."""
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    if root_page is None or root_collection is None:
        return None
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in (EDITORS, MODERATORS, ADMINISTRATORS)}

    for name, codenames in PAGE_PERMISSIONS.items():
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=groups[name], page=root_page,
                permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
            )
    # Editors must not publish, whatever an older database gave them.
    GroupPagePermission.objects.filter(group=groups[EDITORS], permission__codename="publish_page").delete()

    for name, codenames in COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=groups[name], collection=root_collection, permission=_collection_permission(codename)
            )
    for name, dotted_names in MODEL_PERMISSIONS.items():
        groups[name].permissions.add(*[_permission(dotted) for dotted in dotted_names])

    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        for order, task_name in enumerate((REVIEW_TASK, APPROVAL_TASK)):
            task = GroupApprovalTask.objects.create(name=task_name)
            task.groups.set([groups[MODERATORS], groups[ADMINISTRATORS]])
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
        # The whole tree follows this workflow, in place of Wagtail's one-step default, which is
        # retired so that nobody assigns it by mistake.
        WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})
        Workflow.objects.filter(name="Moderators approval").exclude(pk=workflow.pk).update(active=False)
    return workflow
