"""
The moderation queue in the Wagtail admin (投稿の審査): everything held or flagged, oldest first,
filterable by kind, district and time in the queue; approve, refuse with a reason (e-mailed to
the author), hide, restore, edit with a note, one by one or in bulk; sanctions on members.

One ``ViewSet`` (``ModerationQueueViewSet``, registered in ``wagtail_hooks``) gives the views,
their URLs under ``/admin/moderation/`` and the menu item with the count of what waits. Rows
come from every kind in ``moderation.registry``; URLs and forms name an item by its key
(``post:9``), people read its title (「『題名』」, a reply 「『スレッドの題名』への返信」).

Each row has its own reason field: a decision takes the reason typed on its row (or, where the
row has none, the shared one above the list), and each decision's message says what was done to whose
contribution, with 「元に戻す（再表示）」 after a refusal or a hiding where restoring is allowed.

Views are thin: what is listed comes from ``moderation.selectors`` and every decision goes
through ``moderation.services``, which checks the permission and writes the audit entry (the
same trail as access to personal data).
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from members.selectors import can_receive_mail
from members.staff_views import StaffView
from pages.terms import district_model

from . import registry, selectors, services
from .forms import add_service_errors
from .models import Sanction, Status
from .screening import active_sanction

PERMISSION = selectors.MODERATE_PERMISSION
AGE_CHOICES = [("", "すべて"), ("24", "24時間以上"), ("72", "3日以上"), ("168", "1週間以上")]
DECISIONS = {"approve": services.approve, "refuse": services.refuse, "hide": services.hide,
             "restore": services.restore}
DONE = {"approve": "承認しました", "refuse": "掲載不可にしました", "hide": "非表示にしました", "restore": "再表示しました"}
FAILED = {"approve": "承認できませんでした", "refuse": "掲載不可にできませんでした", "hide": "非表示にできませんでした",
          "restore": "再表示できませんでした"}
MAILED = "理由は投稿者にメールで伝えました。"
CLOSED = (Status.HIDDEN, Status.REFUSED)
RECENT = 10  # a member's latest contributions on the sanction page


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


class ModerationView(StaffView):
    """The views' common part: the moderation permission, and the URL names the viewset gives them."""

    allowed = staticmethod(selectors.can_moderate)
    queue_url_name = None
    edit_url_name = None
    sanction_url_name = None
    restore_url_name = None

    def get_section(self):
        return (self.queue_url_name, "投稿の審査")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(queue_url=reverse(self.queue_url_name), sanction_url_name=self.sanction_url_name)
        return context


def _row(item, now, edit_url_name, reply_threads):
    kind = registry.kind_of(item)
    queued = item.queued_at or item.created_at
    key = kind.key(item)
    return {
        "key": key,
        "item": item,
        "kind": kind.label_of(item),
        "title": kind.title(item),
        "name": selectors.item_name(item),
        "reply_to": reply_threads.get(key),
        "excerpt": kind.summary(item)[:300],
        "district": kind.district_of(item),
        "waited": now - queued,
        "queued_at": queued,
        "flags": getattr(item, "open_flags", []),
        "details_template": kind.details_template,
        "url": kind.url(item),
        "edit_url": reverse(edit_url_name, args=[key]),
        "restore_refusal": selectors.restore_refusal(item) if item.status in CLOSED else "",
        "author": kind.author(item),
    }


def reason_for(data, key):
    """The reason typed on the item's own row, or the form's shared reason where its row has none."""
    return (data.get(f"reason-{key}", "").strip() or data.get("reason", "").strip())[:1000]


def chosen(data):
    """(action, keys): a row's own button (``single`` = ``action|key``) or the bulk action on the ticked rows."""
    single = data.get("single", "")
    if single:
        action, _, key = single.partition("|")
        return action, [key]
    return data.get("action", ""), data.getlist("selected")


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
        items = self.items(filters)
        threads = selectors.reply_threads(items)
        context["filters"] = filters
        context["rows"] = [_row(item, now, self.edit_url_name, threads) for item in items]
        context["closed"] = self.request.GET.get("state") == "closed"
        return context

    def post(self, request, *args, **kwargs):
        """Each chosen item decided with the reason typed on its row; one message per item, naming it."""
        action, keys = chosen(request.POST)
        if action not in DECISIONS or not keys:
            messages.error(request, "操作と対象の投稿を選んでください。")
            return redirect(request.get_full_path())
        for key in keys:
            try:
                item = find_item(key)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                continue
            decide(request, action, item, reason_for(request.POST, key), self.restore_url_name)
        return redirect(request.get_full_path())


def decide(request, action, item, reason, restore_url_name):
    """One decision through the services, and the message that says what was done (or why not)."""
    try:
        item = DECISIONS[action](item, request.user, reason)
    except ValidationError as error:
        messages.error(request, f"{selectors.item_name(item)}を{FAILED[action]}：{' '.join(error.messages)}")
        return
    except services.ContributionError as error:
        messages.error(request, f"{selectors.item_name(item)}を{FAILED[action]}：{error.message}")
        return
    messages.success(request, done_message(action, item), buttons=_done_buttons(action, item, restore_url_name))


def done_message(action, item):
    """「〇〇さんの投稿『題名』を掲載不可にしました。」"""
    author = registry.kind_of(item).author(item)
    mailed = action == "refuse" and can_receive_mail(author)
    return f"{selectors.author_label(author)}の{selectors.item_phrase(item)}を{DONE[action]}。" + (MAILED if mailed else "")


def _done_buttons(action, item, restore_url_name):
    """A refusal or a hiding can be taken back (where 「再表示」 is allowed); what was approved can be opened."""
    if action in ("refuse", "hide") and not selectors.restore_refusal(item):
        return [messages.button(reverse(restore_url_name, args=[registry.key(item)]), "元に戻す（再表示）")]
    url = registry.kind_of(item).url(item) if action in ("approve", "restore") else ""
    return [messages.button(url, "表示する", new_window=True)] if url else []


class EditForm(forms.Form):
    title = forms.CharField(label="題名", max_length=120, required=False)
    body = forms.CharField(label="本文", widget=forms.Textarea(attrs={"rows": 12}), max_length=services.MAX_BODY)
    note = forms.CharField(label="編集の理由（監査ログに残ります）", max_length=500)


class ItemView(ModerationView):
    """A view of one contribution, named in the URL by its key (``post:9``); an unknown key is a 404."""

    def load(self, key):
        try:
            self.item = find_item(key)
        except ValidationError:
            raise Http404("対象が正しくありません。") from None
        self.kind = registry.kind_of(self.item)


class EditView(ItemView):
    template_name = "moderation/admin/edit.html"
    page_title = "投稿の編集"
    header_icon = "edit"

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
    """「〇〇さんへの処分」: the form, with the member's latest contributions and earlier sanctions beside it."""

    template_name = "moderation/admin/sanction.html"
    page_title = "会員への処分"
    header_icon = "warning"

    def load(self, member_id):
        self.member = get_object_or_404(get_user_model(), pk=member_id, is_staff=False)

    def get_page_title(self):
        return f"{selectors.author_label(self.member)}への処分"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.member
        context["form"] = kwargs.get("form") or SanctionForm()
        context["history"] = Sanction.objects.filter(member=self.member).select_related("created_by")
        context["active"] = active_sanction(self.member)
        context["contributions"] = [_contribution(item, self.edit_url_name)
                                    for item in selectors.member_contributions(self.member, limit=RECENT)]
        return context

    def post(self, request, *args, **kwargs):
        form = SanctionForm(request.POST)
        if form.is_valid():
            try:
                measure = services.sanction(self.member, request.user, form.cleaned_data["kind"],
                                            form.cleaned_data["reason"], form.cleaned_data["days"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                told = "、会員にメールで知らせました" if can_receive_mail(self.member) else ""
                messages.success(request, f"{selectors.author_label(self.member)}への処分"
                                          f"「{measure.get_kind_display()}」を記録し{told}。")
                return redirect(self.queue_url_name)
        return self.render_to_response(self.get_context_data(form=form))


def _contribution(item, edit_url_name):
    """One of a member's contributions, as the sanction page lists it."""
    kind = registry.kind_of(item)
    return {"kind": kind.label_of(item), "name": selectors.item_name(item), "state": item.get_status_display(),
            "date": item.created_at, "url": kind.url(item), "edit_url": reverse(edit_url_name, args=[kind.key(item)])}


class RestoreView(ItemView):
    """
    「元に戻す（再表示）」, the link in the message after a refusal or a hiding: the contribution, and
    a button that restores it (a GET changes nothing). Only what ``services.restore`` allows is offered.
    """

    template_name = "moderation/admin/restore.html"
    page_title = "投稿の再表示"
    header_icon = "rotate"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(item=self.item, kind_label=self.kind.label_of(self.item), name=selectors.item_name(self.item),
                       author=selectors.author_label(self.kind.author(self.item)),
                       excerpt=self.kind.summary(self.item)[:300], refusal=selectors.restore_refusal(self.item))
        return context

    def post(self, request, *args, **kwargs):
        note = request.POST.get("note", "").strip()[:1000]
        decide(request, "restore", self.item, note, self.restore_url_name)
        return redirect(self.queue_url_name)


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
    The queue, the moderator's edit, restoring and sanctions: ``/admin/moderation/queue/``,
    ``/admin/moderation/items/<key>/edit/``, ``/admin/moderation/items/<key>/restore/``,
    ``/admin/moderation/members/<id>/sanction/`` (URL names ``moderation:queue``,
    ``moderation:edit``, ``moderation:restore``, ``moderation:sanction``). Each view
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
                 "sanction_url_name": self.get_url_name("sanction"), "restore_url_name": self.get_url_name("restore")}
        return [
            path("queue/", QueueView.as_view(**names), name="queue"),
            path("items/<str:key>/edit/", EditView.as_view(**names), name="edit"),
            path("items/<str:key>/restore/", RestoreView.as_view(**names), name="restore"),
            path("members/<int:member_id>/sanction/", SanctionView.as_view(**names), name="sanction"),
        ]
