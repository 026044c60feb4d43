"""
The pages app in the Wagtail admin: the four-eyes notice on the edit screen, autosave kept to
saving, and the slug proposal.
"""

from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from wagtail import hooks
from wagtail.admin import messages

from .admin_views import slug_proposal
from .models import FourEyesApprovalTask


@hooks.register("register_admin_urls")
def register_slug_proposal_url():
    return [path("pages/slug-proposal/", slug_proposal, name="pages_slug_proposal")]


@hooks.register("insert_editor_js")
def slug_proposal_js():
    return format_html('<script src="{}" data-url="{}" defer></script>',
                       static("pages/slug-proposal.js"), reverse("pages_slug_proposal"))


@hooks.register("before_edit_page")
def explain_four_eyes_refusal(request, page):
    """
    A reviewer of the step who may not approve it (they submitted the page, or approved another
    step) sees no 承認 action: the edit screen says why, instead of leaving them to guess.
    """
    if request.method != "GET":
        return None
    task = page.current_workflow_task
    if not isinstance(task, FourEyesApprovalTask):
        return None
    user = request.user
    if not (user.is_superuser or task.groups.filter(pk__in=user.groups.values("pk")).exists()):
        return None
    reason = task.refusal(page, user)
    if reason:
        messages.warning(request, reason)
    return None


# The buttons of the edit screen's action menu (publish, submit, workflow actions).
ACTION_FIELDS = ("action-publish", "action-submit", "action-workflow-action", "action-restart-workflow",
                 "action-cancel-workflow")


@hooks.register("before_edit_page")
def refuse_actions_in_autosave(request, page):
    """
    Autosave (a JSON request every half second while the form changes) sends the whole form. A
    workflow action adds hidden ``action-workflow-action`` inputs to the form before submitting
    it, so an autosave just after 承認 repeated the approval: the second request, still holding the
    unpublished page it had loaded, saved it over the page the first had just published (seen in
    Chromium: the page ended approved but not live). Autosave may only save.
    """
    if request.method != "POST" or request.accepts("text/html"):
        return None
    if not any(request.POST.get(name) for name in ACTION_FIELDS):
        return None
    return JsonResponse({"success": False, "error_code": "action_in_autosave",
                         "error_message": gettext("自動保存では公開やワークフローの操作は行いません。")}, status=400)
