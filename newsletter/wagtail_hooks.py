"""
「メールマガジン」 in the admin menu: the issues (a snippet with drafts, revisions, locking, the
two-step workflow and a preview as the mail), 送信履歴 (figures per mailing) and 配信先
(administrators). Each item is shown only to those who may open it.
"""

from django.urls import path, reverse
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, SnippetViewSet, SnippetViewSetGroup, WorkflowActionView

from . import admin_views
from .models import Issue
from .permissions import approving


class IssueEditView(EditView):
    def workflow_action_action(self):
        # 承認 from the editor: if it is the last step, the workflow publishes (releases) the issue.
        with approving():
            return super().workflow_action_action()

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.object and self.object.pk:
            buttons.append(HeaderButton("メールとして確認・テスト送信", icon_name="mail",
                                        url=reverse("wagtailsnippets_newsletter_issue:mail", args=[self.object.pk])))
        return buttons


class IssueWorkflowActionView(WorkflowActionView):
    def post(self, request, *args, **kwargs):
        with approving():
            return super().post(request, *args, **kwargs)


def _sending_state(issue):
    mailing = issue.mailings.first()
    if mailing is not None:
        return mailing.get_state_display()
    if not issue.live:
        return "未承認"
    return "送信待ち"


class IssueViewSet(SnippetViewSet):
    model = Issue
    icon = "mail"
    menu_label = "号"
    edit_view_class = IssueEditView
    workflow_action_view_class = IssueWorkflowActionView
    list_display = ["title", LiveStatusTagColumn(), Column("send_at", label="送信日時（予約）"),
                    Column("sending", label="送信", accessor=_sending_state), UpdatedAtColumn()]
    search_fields = ["title"]
    copy_view_enabled = False
    panels = [
        FieldPanel("title"), FieldPanel("lead"), FieldPanel("body"),
        MultiFieldPanel([FieldPanel("districts"), FieldPanel("themes"), FieldPanel("language")],
                        heading="送る相手（セグメント）"),
        FieldPanel("send_at"),
    ]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("mail/<int:pk>/", admin_views.issue_mail, name="mail")]


def _menu_item_for(permission):
    class PermissionMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm(permission)

    return PermissionMenuItem


class MailingViewSet(ViewSet):
    name = "newsletter_mailings"
    url_prefix = "newsletter/mailings"
    icon = "list-ul"
    menu_label = "送信履歴"
    menu_item_class = _menu_item_for(admin_views.VIEW_FIGURES)

    def get_urlpatterns(self):
        return [path("", admin_views.mailing_index, name="index")]


class SubscriberViewSet(ViewSet):
    name = "newsletter_subscribers"
    url_prefix = "newsletter/subscribers"
    icon = "group"
    menu_label = "配信先"
    menu_item_class = _menu_item_for(admin_views.VIEW_SUBSCRIBERS)

    def get_urlpatterns(self):
        return [
            path("", admin_views.subscriber_index, name="index"),
            path("<int:pk>/", admin_views.subscriber_detail, name="detail"),
            path("<int:pk>/suspend/", admin_views.subscriber_action, {"action": "suspend"}, name="suspend"),
            path("<int:pk>/reactivate/", admin_views.subscriber_action, {"action": "reactivate"}, name="reactivate"),
        ]


class NewsletterGroup(SnippetViewSetGroup):
    menu_label = "メールマガジン"
    menu_name = "newsletter"
    menu_icon = "mail"
    menu_order = 830
    items = (IssueViewSet, MailingViewSet, SubscriberViewSet)


register_snippet(NewsletterGroup)
