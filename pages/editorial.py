"""
The editorial set-up every database gets after ``migrate``: the staff groups' permissions on the
page tree and the collections, and the two-step workflow (review, then approval) on the whole
content tree. The groups and their model permissions come from ``members.roles`` (the pages
app's in ``pages/roles.py``); this runs after them, as a set-up step of that registry.

Idempotent: it only adds what is missing, so an operator's later changes in the admin (another
task, another member of a group) are kept.

**Only the workflow publishes.** Editors and moderators have no ``publish_page`` permission, so
every way Wagtail offers to publish checks that permission and refuses them: the edit and create
screens' 公開 button, bulk publish, the API's publish, create-with-publish and copy endpoints,
copying with 「公開する」, aliases, restoring a revision then publishing, publishing a translation,
unpublishing (and so republishing). Administrators keep it. The one exception is the workflow's
own publication when its last step is approved: the step's task (``FourEyesApprovalTask``) marks
the page while it approves (``publishing_by_workflow``), and the pages' permission tester lets
exactly that publication through (``pages.models.EditorialPageMixin``).
"""

import contextlib
import contextvars

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from members.roles import ADMINISTRATORS, EDITORS, MODERATORS

WORKFLOW_NAME = "編集ワークフロー（確認・承認）"
REVIEW_TASK = "内容確認"
APPROVAL_TASK = "公開承認"

# Page permissions per group. Editors write and submit; they never publish.
PAGE_PERMISSIONS = {
    EDITORS: ["add_page", "change_page"],
    MODERATORS: ["add_page", "change_page", "lock_page", "unlock_page"],
    ADMINISTRATORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "delete_page"],
}
COLLECTION_PERMISSIONS = {
    EDITORS: ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
    MODERATORS: ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
    ADMINISTRATORS: ["add_image", "change_image", "delete_image", "choose_image",
                     "add_document", "change_document", "delete_document", "choose_document"],
}
def ensure_locales():
    """One Wagtail locale per content language (ja is the default, created by Wagtail itself)."""
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


def _collection_permission(codename):
    return Permission.objects.get(codename=codename, content_type__app_label__in=["wagtailimages", "wagtaildocs"])


@transaction.atomic
def ensure_editorial_setup():
    """Create the groups, their permissions and the two-step workflow where missing. Returns the workflow."""
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    if root_page is None or root_collection is None:
        return None
    groups = {name: Group.objects.get(name=name) for name in (EDITORS, MODERATORS, ADMINISTRATORS)}

    for name, codenames in PAGE_PERMISSIONS.items():
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=groups[name], page=root_page,
                permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
            )
    # Editors and moderators publish only through the workflow, whatever an older database gave them.
    GroupPagePermission.objects.filter(
        group__in=[groups[EDITORS], groups[MODERATORS]], permission__codename="publish_page"
    ).delete()

    for name, codenames in COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=groups[name], collection=root_collection, permission=_collection_permission(codename)
            )
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        for order, task_name in enumerate((REVIEW_TASK, APPROVAL_TASK)):
            WorkflowTask.objects.create(workflow=workflow, task=_four_eyes_task(task_name, groups), sort_order=order)
        # The whole tree follows this workflow, in place of Wagtail's one-step default, which is
        # retired so that nobody assigns it by mistake.
        WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})
        Workflow.objects.filter(name="Moderators approval").exclude(pk=workflow.pk).update(active=False)
    _upgrade_tasks(workflow, groups)
    return workflow


def _four_eyes_task(name, groups):
    from .models import FourEyesApprovalTask

    task = FourEyesApprovalTask.objects.create(name=name)
    task.groups.set([groups[MODERATORS], groups[ADMINISTRATORS]])
    return task


def _upgrade_tasks(workflow, groups):
    """
    A database made before the four-eyes task existed has plain group approvals as 内容確認 and
    公開承認: each is replaced in the workflow by a four-eyes task of the same name and groups, and
    retired (deactivated without cancelling anything: a review already at that step finishes
    there). Tasks an operator added under other names are left as they are.
    """
    from .models import FourEyesApprovalTask

    links = WorkflowTask.objects.filter(workflow=workflow, task__name__in=(REVIEW_TASK, APPROVAL_TASK))
    for link in links.select_related("task"):
        task = link.task.specific
        if isinstance(task, FourEyesApprovalTask) or not isinstance(task, GroupApprovalTask):
            continue
        replacement = FourEyesApprovalTask.objects.create(name=task.name)
        replacement.groups.set(task.groups.all())
        link.task = replacement
        link.save(update_fields=["task"])
        Task.objects.filter(pk=task.pk).update(active=False)


# --- The workflow's own publication ----------------------------------------------------------------

_publishing = contextvars.ContextVar("pages_publishing_by_workflow", default=frozenset())


@contextlib.contextmanager
def publishing_by_workflow(page_id):
    """While a workflow step of page ``page_id`` is approved: its publication, if it is the last step, is allowed."""
    token = _publishing.set(_publishing.get() | {str(page_id)})
    try:
        yield
    finally:
        _publishing.reset(token)


def is_published_by_workflow(page):
    return page.pk is not None and str(page.pk) in _publishing.get()

