"""
Who may publish (that is, release for sending) an issue: administrators, who hold
``newsletter.publish_issue``, and the editorial workflow when its last step is approved — never an
editor or a moderator directly, as with pages (``pages.editorial``).

Wagtail publishes a workflow's object as the approving user and checks that user's "publish"
permission. The admin views that run workflow actions on issues (``wagtail_hooks``) mark the issue
while an approval runs (``approving``), and this policy lets exactly that publication through.
"""

import contextlib
import contextvars

from wagtail.permission_policies import ModelPermissionPolicy

_approving = contextvars.ContextVar("newsletter_issue_approving", default=False)


@contextlib.contextmanager
def approving():
    """While a workflow step of an issue is approved: its publication, if it is the last step, is allowed."""
    token = _approving.set(True)
    try:
        yield
    finally:
        _approving.reset(token)


class IssuePermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action == "publish" and _approving.get() and user is not None and user.is_active:
            return True
        return super().user_has_permission(user, action)
