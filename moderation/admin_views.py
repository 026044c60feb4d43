"""
The moderation queue in the Wagtail admin (投稿の審査): everything held or flagged, oldest first,
filterable by kind, district and time in the queue; approve, refuse with a reason (e-mailed to
the author), hide, restore, edit with a note, one by one or in bulk; sanctions on members.

One ``ViewSet`` (``ModerationQueueViewSet``, registered in ``wagtail_hooks``) gives the views,
their URLs under ``/admin/moderation/`` and the menu item with the count of what waits. Rows
come from every kind in ``moderation.registry``; an item is named by its key (``post:9``).

Views are thin: what is listed comes from ``moderation.selectors`` and every decision goes
through ``moderation.services``, which checks the permission and writes the audit entry (the
same trail as access to personal data).
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from pages.terms import district_model

from . import registry, selectors, services
from .forms import add_service_errors
from .models import Sanction
from .screening import active_sanction

PERMISSION = selectors.MODERATE_PERMISSION
AGE_CHOICES = [("", "すべて"), ("24", "24時間以上"), ("72", "3日以上"), ("168", "1週間以上")]
DECISIONS = {"approve": services.approve, "refuse": services.refuse, "hide": services.hide,
             "restore": services.restore}


def find_item(key):
    """``post:12``, ``submission:3`` (any registered kind's key) → the contribution (404 if missing)."""
    try:
        kind, pk = registry.parse(key)
    except LookupError:
        raise ValidationError("対象が正しくありません。") from None
    return get_object_or_404(kind.model, pk=pk)


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label="種類", required=False)
    district = forms.ModelChoiceField(label="地域", queryset=district_model().objects.none(), required=False,
                                      empty_label="すべて")
    age = forms.ChoiceField(label="確認待ちの時間", choices=AGE_CHOICES, required=False)
    state = forms.ChoiceField(label="表示", required=False,
                              choices=[("", "確認待ち・通報あり"), ("closed", "非表示・掲載不可")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "すべて"), *registry.filter_choices()]
        self.fields["district"].queryset = district_model().objects.filter(
            locale__language_code="ja").order_by("path")


class ModerationView(WagtailAdminTemplateMixin, TemplateView):
    """The views' common part: the moderation permission, and the URL names the viewset gives them."""

    queue_url_name = None
    edit_url_name = None
    sanction_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_moderate(request.user):
            raise PermissionDenied
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs):
        """Find what the URL names: after the permission check, so that nobody else learns what exists."""

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": "ダッシュボード"},
                {"url": reverse(self.queue_url_name), "label": "投稿の審査"}, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(queue_url=reverse(self.queue_url_name), sanction_url_name=self.sanction_url_name)
        return context


def _row(item, now, edit_url_name):
    kind = registry.kind_of(item)
    queued = item.queued_at or item.created_at
    key = kind.key(item)
    return {
        "key": key,
        "item": item,
        "kind": kind.label_of(item),
        "title": kind.title(item),
        "excerpt": kind.summary(item)[:300],
        "district": kind.district_of(item),
        "waited": now - queued,
        "queued_at": queued,
        "flags": getattr(item, "open_flags", []),
        "details_template": kind.details_template,
        "url": kind.url(item),
        "edit_url": reverse(edit_url_name, args=[key]),
        "author": kind.author(item),
    }


class QueueView(ModerationView):
    template_name = "moderation/admin/queue.html"
    page_title = "投稿の審査"
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": "ダッシュボード"}, {"url": "", "label": self.page_title}]

    def items(self, filters):
        data = filters.cleaned_data if filters.is_valid() else {}
        chosen = {"kind": data.get("kind") or None, "district": data.get("district")}
        if data.get("state") == "closed":
            return selectors.closed(**chosen)
        return selectors.queue(**chosen, older_than_hours=int(data["age"]) if data.get("age") else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = QueueFilterForm(self.request.GET or None)
        now = timezone.now()
        context["filters"] = filters
        context["rows"] = [_row(item, now, self.edit_url_name) for item in self.items(filters)]
        context["closed"] = self.request.GET.get("state") == "closed"
        return context

    def post(self, request, *args, **kwargs):
        """A row's own button (``single`` = ``action|key``) or the bulk action on the checked rows."""
        back = request.get_full_path()
        single = request.POST.get("single", "")
        if single:
            action, _, key = single.partition("|")
            keys = [key]
        else:
            action, keys = request.POST.get("action", ""), request.POST.getlist("selected")
        reason = request.POST.get("reason", "").strip()[:1000]
        if action not in DECISIONS or not keys:
            messages.error(request, "操作と対象の投稿を選んでください。")
            return redirect(back)
        done, failed = 0, []
        for key in keys:
            try:
                DECISIONS[action](find_item(key), request.user, reason)
                done += 1
            except ValidationError as error:
                failed.append(f"{key}: {' '.join(error.messages)}")
            except services.ContributionError as error:
                failed.append(f"{key}: {error.message}")
        if done:
            messages.success(request, f"{done}件を処理しました。")
        for failure in failed:
            messages.error(request, failure)
        return redirect(back)


class EditForm(forms.Form):
    title = forms.CharField(label="題名", max_length=120, required=False)
    body = forms.CharField(label="本文", widget=forms.Textarea(attrs={"rows": 12}), max_length=services.MAX_BODY)
    note = forms.CharField(label="編集の理由（監査ログに残ります）", max_length=500)


class EditView(ModerationView):
    template_name = "moderation/admin/edit.html"
    page_title = "投稿の編集"
    header_icon = "edit"

    def load(self, key):
        try:
            self.item = find_item(key)
        except ValidationError:
            raise Http404("対象が正しくありません。") from None
        self.kind = registry.kind_of(self.item)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(item=self.item, kind_label=self.kind.label_of(self.item))
        context["form"] = kwargs.get("form") or EditForm(initial={"title": self.kind.title(self.item),
                                                                  "body": self.kind.summary(self.item)})
        return context

    def post(self, request, *args, **kwargs):
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                services.moderator_edit(self.item, request.user, form.cleaned_data["body"], form.cleaned_data["note"],
                                        title=form.cleaned_data["title"] or None)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "投稿を編集しました（監査ログに記録しました）。")
                return redirect(self.queue_url_name)
        return self.render_to_response(self.get_context_data(form=form))


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label="処分", choices=Sanction.Kind.choices, widget=forms.RadioSelect)
    days = forms.IntegerField(label="停止する日数（一時停止のとき）", min_value=1, max_value=365, required=False)
    reason = forms.CharField(label="理由（会員にメールで伝わります）", widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=1000)


class SanctionView(ModerationView):
    template_name = "moderation/admin/sanction.html"
    page_title = "会員への処分"
    header_icon = "warning"

    def load(self, member_id):
        self.member = get_object_or_404(get_user_model(), pk=member_id, is_staff=False)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.member
        context["form"] = kwargs.get("form") or SanctionForm()
        context["history"] = Sanction.objects.filter(member=self.member).select_related("created_by")
        context["active"] = active_sanction(self.member)
        return context

    def post(self, request, *args, **kwargs):
        form = SanctionForm(request.POST)
        if form.is_valid():
            try:
                services.sanction(self.member, request.user, form.cleaned_data["kind"], form.cleaned_data["reason"],
                                  form.cleaned_data["days"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "処分を記録し、会員にメールで知らせました。")
                return redirect(self.queue_url_name)
        return self.render_to_response(self.get_context_data(form=form))


# --- the viewset -------------------------------------------------------------------------------

class QueueMenuItem(MenuItem):
    """「投稿の審査」 in the sidebar, for those who may decide, with the number of contributions waiting."""

    def is_shown(self, request):
        return selectors.can_moderate(request.user)

    def render_component(self, request):
        """The sidebar entry, with the number of contributions waiting: 「投稿の審査（3件）」."""
        component = super().render_component(request)
        waiting = selectors.queue_size()
        if waiting:
            component.label = f"{self.label}（{waiting}件）"
        return component


class ModerationQueueViewSet(ViewSet):
    """
    The queue, the moderator's edit and sanctions: ``/admin/moderation/queue/``,
    ``/admin/moderation/items/<key>/edit/``, ``/admin/moderation/members/<id>/sanction/``
    (URL names ``moderation:queue``, ``moderation:edit``, ``moderation:sanction``). Each view
    checks the moderation permission; Wagtail's admin access check comes first.
    """

    name = "moderation"
    icon = "warning"
    menu_label = "投稿の審査"
    menu_name = "moderation-queue"
    menu_order = 250
    add_to_admin_menu = True
    menu_item_class = QueueMenuItem

    def get_urlpatterns(self):
        names = {"queue_url_name": self.get_url_name("queue"), "edit_url_name": self.get_url_name("edit"),
                 "sanction_url_name": self.get_url_name("sanction")}
        return [
            path("queue/", QueueView.as_view(**names), name="queue"),
            path("items/<str:key>/edit/", EditView.as_view(**names), name="edit"),
            path("members/<int:member_id>/sanction/", SanctionView.as_view(**names), name="sanction"),
        ]
