"""
What the staff roles may do with the newsletter (collected by ``members.roles``), and the workflow
on issues: the same two-step review (内容確認 → 公開承認) the whole page tree follows.

Editors and moderators write issues and take part in the review; only the workflow's last
approval or an administrator publishes (releases for sending) an issue (``permissions``).
Subscribers are personal data: administrators only.
"""

from members import roles

ISSUES = ("newsletter.add_issue", "newsletter.change_issue", "newsletter.view_issue")
FIGURES = ("newsletter.view_mailing",)

roles.grant(roles.EDITORS, *ISSUES, *FIGURES)
roles.grant(roles.MODERATORS, *ISSUES, "newsletter.lock_issue", "newsletter.unlock_issue", *FIGURES)
roles.grant(roles.ADMINISTRATORS, *ISSUES, "newsletter.publish_issue", "newsletter.delete_issue",
            "newsletter.lock_issue", "newsletter.unlock_issue", *FIGURES,
            "newsletter.view_subscriber", "newsletter.change_subscriber")


@roles.on_setup
def issue_workflow():
    """Issues follow the workflow the root of the page tree follows (set up by the pages app before this)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, WorkflowContentType, WorkflowPage

    from .models import Issue

    root = Page.get_first_root_node()
    assigned = WorkflowPage.objects.filter(page=root).select_related("workflow").first() if root else None
    if assigned is None:
        return
    content_type = ContentType.objects.get_for_model(Issue, for_concrete_model=False)
    WorkflowContentType.objects.get_or_create(content_type=content_type, defaults={"workflow": assigned.workflow})
