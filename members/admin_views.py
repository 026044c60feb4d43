"""
The staff side of member management, in the Wagtail admin: the member list, a member's page
(with the audited "show personal data" form and the suspend / reactivate / delete actions) and
the audit log with its CSV export.

Built from Wagtail's generic views (IndexView, InspectView) and registered as viewsets in
``wagtail_hooks``. The views stay thin: every change and every reveal of personal data goes
through ``members.services``, which writes the audit entry.

What staff see here without stating a reason is only what tells accounts apart: the nickname,
the masked e-mail, the status and the dates. Names, addresses, the date of birth and the full
e-mail appear only in the response to a "show personal data" request, which is logged and
marked ``no-store``; they are never put in the session or in a listing.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError, Q
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms.search import SearchForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.widgets.button import HeaderButton

from . import audit, services
from .models import PERSONAL_FIELDS, AuditEntry, Consent, User
from .personal_data import activity_of
from .selectors import (
    STATE_QUERIES,
    AccountState,
    People,
    account_state_label,
    details_text,
    in_state,
    of_people,
    staff_labels,
)

VIEW_MEMBERS = "members.view_user"
CHANGE_MEMBERS = "members.change_user"
DELETE_MEMBERS = "members.delete_user"
VIEW_PERSONAL_DATA = services.PERSONAL_DATA_PERMISSION
VIEW_AUDIT_LOG = "members.view_auditentry"

# Personal data other than the e-mail (whose masked form the pages show) is not even loaded
# (decrypted) for the list and the member's page; only a reveal reads it.
NOT_LOADED = [name for name in PERSONAL_FIELDS if name != "email"]


def field_label(name):
    return str(User._meta.get_field(name).verbose_name)


PERSONAL_FIELD_CHOICES = [(name, field_label(name)) for name in PERSONAL_FIELDS]
ACTIVITY_ROWS = 20  # the member's latest contributions on their page (every app's, members.personal_data)


# --- status -----------------------------------------------------------------------------------

def refusal(actor, member, action):
    """Why staff may not take this action on this member (the rule is the service's)."""
    return services.action_refusal(actor, member, action)


# --- forms ------------------------------------------------------------------------------------

class MemberSearchForm(SearchForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, placeholder="ニックネーム または メールアドレス", **kwargs)
        self.fields["q"].label = "会員を検索"
        # The e-mail is stored encrypted: only its keyed hash can be matched, so only a whole address.
        self.fields["q"].help_text = "ニックネームは部分一致、メールアドレスは暗号化のため完全一致のみで探せます。"


class RevealForm(forms.Form):
    """The rule (a reason of at least five characters, known fields) is the service's; its
    messages are put on this form."""

    reason = forms.CharField(
        label="閲覧する理由", max_length=500,
        help_text="5文字以上。理由は監査ログに記録され、管理者が確認します。",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "閲覧する理由を入力してください。",
                        "max_length": "理由は500文字以内で入力してください。"},
    )
    items = forms.MultipleChoiceField(
        # Nothing ticked beforehand: staff choose what they need, and only that is shown and logged.
        label="表示する項目", choices=PERSONAL_FIELD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "表示する項目を1つ以上選んでください。",
                        "invalid_choice": "不明な項目です: %(value)s"},
    )

    def add_service_errors(self, error):
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages_ in error.message_dict.items():
            self.add_error({"reason": "reason", "fields": "items"}.get(name), messages_)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由", max_length=500, help_text="監査ログに記録されます。",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "理由を入力してください。", "max_length": "理由は500文字以内で入力してください。"},
    )


class DeleteForm(ReasonForm):
    confirm = forms.BooleanField(
        label="この会員のアカウントと個人情報を削除します。元に戻せないことを確認しました。",
        error_messages={"required": "削除してよいか確認のチェックを入れてください。"},
    )


# --- member list ------------------------------------------------------------------------------

class MemberFilterSet(WagtailFilterSet):
    """Residents by default; staff accounts on their own tab (``people=staff``)."""

    people = django_filters.ChoiceFilter(
        label="区分", choices=People.CHOICES, method="filter_people", empty_label=None, initial=People.RESIDENTS,
        widget=forms.RadioSelect,
    )
    status = django_filters.ChoiceFilter(
        label="状態", choices=AccountState.CHOICES, method="filter_status", empty_label="すべて",
        widget=forms.RadioSelect,
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and data.get("people") not in dict(People.CHOICES):
            data = data.copy()
            data["people"] = People.RESIDENTS
        super().__init__(data, *args, **kwargs)

    def filter_people(self, queryset, name, value):
        return of_people(value, queryset)

    def filter_status(self, queryset, name, value):
        return in_state(value, queryset) if value in STATE_QUERIES else queryset

    class Meta:
        model = User
        fields = []


@method_decorator(never_cache, name="dispatch")
class MemberIndexView(generic.IndexView):
    """
    Nickname, masked e-mail, status and date joined: nothing that identifies a person. Two tabs,
    住民会員 (the default) and スタッフ (with their roles), so residents are never mixed with staff.
    """

    model = User
    permission_required = "view"
    any_permission_required = None
    page_title = "会員一覧"
    header_icon = "group"
    default_ordering = "-date_joined"
    paginate_by = 30
    search_fields = ["nickname"]
    filterset_class = MemberFilterSet
    template_name = "members/admin/member_index.html"
    results_template_name = "members/admin/index_results.html"
    detail_url_name = None

    def get_base_queryset(self):
        return User.objects.defer(*NOT_LOADED).prefetch_related("groups")

    @cached_property
    def people(self):
        """The tab shown (the filter set turns a missing or unknown value into residents)."""
        return self.filters.form.data.get("people") if self.filters else People.RESIDENTS

    def get_search_form(self):
        return MemberSearchForm(self.request.GET if self.search_kwarg in self.request.GET else None)

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query.strip()
        by_email = User.objects.by_email(query).values("pk")
        return queryset.filter(Q(nickname__icontains=query) | Q(pk__in=by_email))

    def get_detail_url(self, member):
        return reverse(self.detail_url_name, args=(member.pk,))

    @cached_property
    def columns(self):
        columns = [
            TitleColumn("__str__", label="ニックネーム", sort_key="nickname", get_url=self.get_detail_url),
            Column("masked_email", label="メールアドレス（一部のみ）"),
            Column("status", label="状態", accessor=account_state_label),
            Column("date_joined", label="登録日", sort_key="date_joined",
                   accessor=lambda member: timezone.localdate(member.date_joined)),
        ]
        if self.people == People.STAFF:
            columns.insert(1, Column("roles", label="役割", accessor=roles_display))
        return columns

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["people_tabs"] = [{"value": value, "label": label, "current": value == self.people,
                                   "url": f"{self.index_url}?people={value}"} for value, label in People.CHOICES]
        return context

    def get_list_more_buttons(self, instance):
        return []


ROLE_WORDS = {"Editors": "編集者", "Moderators": "審査担当", "Administrators": "管理者"}


def roles_display(member):
    roles = [ROLE_WORDS.get(group.name, group.name) for group in member.groups.all()]
    if member.is_superuser:
        roles.insert(0, "スーパーユーザー")
    return "、".join(roles) or "—"


# --- member's page, reveal, actions -----------------------------------------------------------

@method_decorator(never_cache, name="dispatch")
class MemberDetailView(generic.InspectView):
    """
    The member's page. The action views below are the same page answering a POST: on success
    they redirect (or, for a reveal, show the values on this one response); on an error they
    show the page again with the error on the form that was sent.
    """

    model = User
    permission_required = None
    any_permission_required = None
    required_permissions = (VIEW_MEMBERS,)
    template_name = "members/admin/member_detail.html"
    page_title = "会員の詳細"
    header_icon = "user"
    fields = ["nickname", "masked_email", "status", "date_joined", "email_verified_at", "withdrawn_at", "last_login"]
    labels = {"nickname": "ニックネーム", "masked_email": "メールアドレス（一部のみ）", "status": "状態",
              "date_joined": "登録日時", "email_verified_at": "メール確認日時", "withdrawn_at": "退会日時",
              "last_login": "最終ログイン"}
    index_url_name = None
    detail_url_name = None
    reveal_url_name = None
    suspend_url_name = None
    reactivate_url_name = None
    delete_url_name = None

    def get_object(self, queryset=None):
        # Checked before the member is looked up: without the permission, no answer says
        # whether an id exists.
        if not self.request.user.has_perms(self.required_permissions):
            raise PermissionDenied
        return get_object_or_404(User.objects.defer(*NOT_LOADED), pk=self.pk)

    def get_page_subtitle(self):
        return str(self.object)

    def get_field_label(self, field_name, field):
        return self.labels[field_name]

    def get_status_display_value(self):
        return account_state_label(self.object)

    def get_nickname_display_value(self):
        return self.object.nickname or "（未設定）"

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, datetime.datetime):
            # The template formats the value as it is: in Japan time, as the rest of the admin.
            value = timezone.localtime(value)
        return "—" if value is None or value == "" else value

    @cached_property
    def header_more_buttons(self):
        return []

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "会員一覧"},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def forms(self, bound=None):
        """The page's forms, unbound except the one that was sent (``bound``: name -> form)."""
        user = self.request.user
        forms_ = {}
        if user.has_perm(VIEW_PERSONAL_DATA):
            forms_["reveal"] = RevealForm(prefix="reveal")
        if user.has_perm(CHANGE_MEMBERS):
            action = "reactivate" if not self.object.is_active else "suspend"
            if refusal(user, self.object, action) is None:
                forms_[action] = ReasonForm(prefix=action)
        if user.has_perm(DELETE_MEMBERS) and refusal(user, self.object, "delete") is None:
            forms_["delete"] = DeleteForm(prefix="delete")
        forms_.update(bound or {})
        return forms_

    def get_context_data(self, **kwargs):
        kwargs.setdefault("forms", self.forms())
        context = super().get_context_data(**kwargs)
        pk = (self.object.pk,)
        context.update(
            consents=Consent.objects.filter(user=self.object).order_by("document", "-agreed_at"),
            activity=activity_of(self.object, limit=ACTIVITY_ROWS),
            reveal_url=reverse(self.reveal_url_name, args=pk),
            suspend_url=reverse(self.suspend_url_name, args=pk),
            reactivate_url=reverse(self.reactivate_url_name, args=pk),
            delete_url=reverse(self.delete_url_name, args=pk),
        )
        return context


class RevealPersonalDataView(MemberDetailView):
    """POST: reason and fields -> the values, on this response only, logged by the service."""

    http_method_names = ["post"]
    required_permissions = (VIEW_MEMBERS, VIEW_PERSONAL_DATA)

    @sensitive_variables("values", "revealed")
    def post(self, request, *args, **kwargs):
        form = RevealForm(request.POST, prefix="reveal")
        revealed = None
        if form.is_valid():
            try:
                values = services.reveal_personal_data(
                    request.user, self.object, form.cleaned_data["reason"], form.cleaned_data["items"])
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                revealed = [{"label": field_label(name), "value": self.display(name, value)}
                            for name, value in values.items()]
                form = RevealForm(prefix="reveal")
        response = self.render_to_response(self.get_context_data(
            forms=self.forms(bound={"reveal": form}), revealed=revealed))
        # Rendered here, not later in the middleware, so the values live no longer than this call.
        response.render()
        add_never_cache_headers(response)
        return response

    @staticmethod
    def display(name, value):
        if value in (None, ""):
            return "（未登録）"
        if name == "gender":
            return User.Gender(value).label if value in User.Gender.values else value
        if isinstance(value, datetime.date):
            return f"{value.year}年{value.month}月{value.day}日"
        return value


class MemberActionView(MemberDetailView):
    """POST with a reason: suspend, reactivate or delete, through the services."""

    http_method_names = ["post"]
    action = None
    form_class = ReasonForm
    service = None
    success_message = ""

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, prefix=self.action)
        if form.is_valid():
            error = None
            label = str(self.object)
            try:
                self.service(request.user, self.object, form.cleaned_data["reason"])
            except ValidationError as exc:  # the service's rules (self, superuser, state, reason)
                error = " ".join(exc.messages)
            except ProtectedError:  # records another app keeps; the service's entry is rolled back
                error = "この会員に結び付いた記録があるため削除できません。"
            else:
                messages.success(request, self.success_message.format(member=label))
                return redirect(self.get_success_url())
            form.add_error(None, error)
        return self.render_to_response(self.get_context_data(forms=self.forms(bound={self.action: form})))

    def get_success_url(self):
        return reverse(self.detail_url_name, args=(self.object.pk,))


class SuspendMemberView(MemberActionView):
    action = "suspend"
    required_permissions = (VIEW_MEMBERS, CHANGE_MEMBERS)
    service = staticmethod(services.suspend_member)
    success_message = "「{member}」を利用停止にしました。ログインできなくなりました。"


class ReactivateMemberView(MemberActionView):
    action = "reactivate"
    required_permissions = (VIEW_MEMBERS, CHANGE_MEMBERS)
    service = staticmethod(services.reactivate_member)
    success_message = "「{member}」の利用を再開しました。"


class DeleteMemberView(MemberActionView):
    action = "delete"
    form_class = DeleteForm
    required_permissions = (VIEW_MEMBERS, DELETE_MEMBERS)
    service = staticmethod(services.delete_member)
    success_message = "「{member}」を削除しました。"

    def get_success_url(self):
        return reverse(self.index_url_name)


# --- audit log --------------------------------------------------------------------------------

class AuditEntryFilterSet(WagtailFilterSet):
    # Every app's registered actions (members.audit), read when the filter is built.
    action = django_filters.ChoiceFilter(
        label="操作", choices=audit.choices, empty_label="すべて", widget=forms.RadioSelect)
    created_at = django_filters.DateFromToRangeFilter(label="期間", widget=DateRangePickerWidget)

    class Meta:
        model = AuditEntry
        fields = []


def fields_display(entry):
    return "、".join(field_label(name) if name in PERSONAL_FIELDS else name for name in entry.fields or [])


def spreadsheet_safe(value):
    """A cell Excel will not run as a formula (a nickname such as ``=HYPERLINK(...)``)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@method_decorator(never_cache, name="dispatch")
class AuditLogView(generic.IndexView):
    """
    The audit trail, newest first, filtered by action and date; CSV export is itself logged.
    Staff appear by their name (「氏名（スタッフ）」), residents by nickname and number; the details
    read as Japanese text (``members.selectors.details_text``), on the page and in the CSV.
    """

    model = AuditEntry
    permission_required = "view"
    any_permission_required = None
    page_title = "監査ログ"
    header_icon = "history"
    default_ordering = "-created_at"
    paginate_by = 50
    search_fields = ["actor_label", "subject_label"]
    filterset_class = AuditEntryFilterSet
    results_template_name = "members/admin/index_results.html"
    FORMATS = (generic.IndexView.FORMAT_CSV,)  # xlsx is not offered: one logged export format
    list_export = ["created_at", "actor_label", "action", "subject_label", "reason", "fields", "details"]
    export_headings = {"created_at": "日時", "actor_label": "操作者", "action": "操作", "subject_label": "対象",
                       "reason": "理由", "fields": "項目", "details": "詳細"}

    def get_base_queryset(self):
        return AuditEntry.objects.all()

    def get_search_form(self):
        form = SearchForm(self.request.GET if self.search_kwarg in self.request.GET else None,
                          placeholder="ニックネーム または #番号")
        form.fields["q"].label = "操作者・対象で絞り込む"
        return form

    def order_queryset(self, queryset):
        return queryset.order_by("-created_at", "-pk")

    @cached_property
    def columns(self):
        return [
            Column("created_at", label="日時", accessor=lambda e: timezone.localtime(e.created_at)),
            Column("actor_label", label="操作者", accessor=self.actor_display),
            Column("action", label="操作", accessor=lambda e: audit.label(e.action)),
            Column("subject_label", label="対象", accessor=self.subject_display),
            Column("reason", label="理由"),
            Column("fields", label="項目", accessor=fields_display),
            Column("details", label="詳細", accessor=details_text),
        ]

    @cached_property
    def staff(self):
        """Staff by their name (「氏名（スタッフ）」), found when shown; residents as recorded."""
        return staff_labels()

    def actor_display(self, entry):
        return self.staff.get(entry.actor_id, entry.actor_label)

    def subject_display(self, entry):
        return self.staff.get(entry.subject_id, entry.subject_label)

    @cached_property
    def header_buttons(self):
        return [HeaderButton("CSVで書き出す", url=self.csv_export_url, icon_name="download",
                             attrs={"title": "表示中の条件で書き出します。書き出しも監査ログに記録されます。"})]

    @cached_property
    def header_more_buttons(self):
        return []  # no XLSX: one export format, logged

    def get_filename(self):
        return f"audit-log-{timezone.localdate():%Y%m%d}"

    def applied_filters(self):
        """The filter as applied (an invalid one is ignored by the listing, and so here)."""
        applied = {}
        if self.filters and self.filters.is_valid():
            data = self.filters.form.cleaned_data
            if data.get("action"):
                applied["action"] = data["action"]
            period = data.get("created_at")
            if period and period.start:
                applied["date_from"] = timezone.localtime(period.start).date().isoformat()
            if period and period.stop:
                applied["date_to"] = timezone.localtime(period.stop).date().isoformat()
        if self.is_searching:
            applied["q"] = self.search_query
        return applied

    def as_spreadsheet(self, queryset, spreadsheet_format):
        audit.record(self.request.user, audit.MemberAction.EXPORT_LOG, filters=self.applied_filters(),
                        format=spreadsheet_format)
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def to_row_dict(self, entry):
        return {
            "created_at": timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            "actor_label": self.actor_display(entry),
            "action": audit.label(entry.action),
            "subject_label": self.subject_display(entry),
            "reason": entry.reason,
            "fields": fields_display(entry),
            "details": details_text(entry, limit=None),
        }

    def write_csv_row(self, writer, row_dict):
        return writer.writerow({key: spreadsheet_safe(value) for key, value in row_dict.items()})

    def stream_csv(self, queryset):
        # The byte-order mark makes Excel read the file as UTF-8 (otherwise Japanese is garbled).
        yield "\ufeff".encode("utf-8")
        yield from super().stream_csv(queryset.iterator())

    def get_heading(self, queryset, field):
        return self.export_headings[field]

    def write_csv_response(self, queryset):
        response = StreamingHttpResponse(self.stream_csv(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.get_filename()}.csv"'
        add_never_cache_headers(response)
        return response


# --- viewsets ---------------------------------------------------------------------------------

def menu_item_for(permission):
    class PermissionMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm(permission)

    return PermissionMenuItem


class MemberViewSet(ViewSet):
    """
    A plain ViewSet, not a ModelViewSet: Wagtail's own user admin already registers the user
    model (its URL finder, permission policy and reference index), and this one must not
    replace those; nor does it create or edit accounts.
    """

    name = "members_admin"
    url_prefix = "members"
    icon = "group"
    menu_label = "会員一覧"
    menu_name = "members"
    menu_item_class = menu_item_for(VIEW_MEMBERS)

    def get_urlpatterns(self):
        names = {
            "index_url_name": self.get_url_name("index"),
            "detail_url_name": self.get_url_name("detail"),
        }
        detail_names = {
            **names,
            "reveal_url_name": self.get_url_name("reveal"),
            "suspend_url_name": self.get_url_name("suspend"),
            "reactivate_url_name": self.get_url_name("reactivate"),
            "delete_url_name": self.get_url_name("delete"),
        }
        index = {**names, "index_results_url_name": self.get_url_name("index_results")}
        return [
            path("", MemberIndexView.as_view(**index), name="index"),
            path("results/", MemberIndexView.as_view(**index, results_only=True), name="index_results"),
            path("<int:pk>/", MemberDetailView.as_view(**detail_names), name="detail"),
            path("<int:pk>/reveal/", RevealPersonalDataView.as_view(**detail_names), name="reveal"),
            path("<int:pk>/suspend/", SuspendMemberView.as_view(**detail_names), name="suspend"),
            path("<int:pk>/reactivate/", ReactivateMemberView.as_view(**detail_names), name="reactivate"),
            path("<int:pk>/delete/", DeleteMemberView.as_view(**detail_names), name="delete"),
        ]


class AuditLogViewSet(ViewSet):
    name = "members_audit_log"
    url_prefix = "audit-log"
    icon = "history"
    menu_label = "監査ログ"
    menu_name = "audit-log"
    menu_item_class = menu_item_for(VIEW_AUDIT_LOG)

    def get_urlpatterns(self):
        names = {"index_url_name": self.get_url_name("index"),
                 "index_results_url_name": self.get_url_name("index_results")}
        return [
            path("", AuditLogView.as_view(**names), name="index"),
            path("results/", AuditLogView.as_view(**names, results_only=True), name="index_results"),
        ]


class MemberAdminGroup(ViewSetGroup):
    """「会員管理」in the admin menu, shown only to those who may see one of its pages."""

    menu_label = "会員管理"
    menu_name = "member-management"
    menu_icon = "group"
    menu_order = 850
    items = (MemberViewSet, AuditLogViewSet)
