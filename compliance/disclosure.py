"""
The disclosure package (開示): everything the portal holds about a member — today's export
(``members.services.export_member_data``: the account, personal data, consents with their
versions, and every app's section: posts, submissions, reports filed, measures taken,
subscriptions, survey answers and applications, requests) — plus what the law and good practice
add: who on the staff viewed their data, when, why and which items (from the audit trail), and
the records of provision to third parties, stated explicitly: there are none.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.selectors import staff_views_of
from members.services import export_member_data

from .models import Case

# How a staff role reads for residents (the group names are the roles of ``members.roles``).
ROLE_LABELS = {"Administrators": gettext_noop("管理者"), "Moderators": gettext_noop("投稿の審査担当"),
               "Editors": gettext_noop("編集担当")}


def third_party_statement():
    return _("第三者提供の記録はありません。このポータルは、会員の個人情報を第三者に提供していません。")


FIELD_LABELS = {"documents": gettext_noop("請求の書類")}
# How each app's section of the export reads on the member's page (an unknown one shows its name).
SECTION_LABELS = {"posts": gettext_noop("掲示板への投稿"), "submissions": gettext_noop("情報提供"),
                  "flags": gettext_noop("通報"), "sanctions": gettext_noop("処分"), "newsletter": gettext_noop("メールマガジン"),
                  "surveys": gettext_noop("アンケートの回答・応募"), "requests": gettext_noop("開示等の請求")}


def _field_label(name):
    if name in FIELD_LABELS:
        return _(FIELD_LABELS[name])
    for model in (get_user_model(), Case):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name


def staff_role(user):
    """A staff member as residents see them: the role, not the name (「運営スタッフ（管理者）」)."""
    if user is None:
        return _("運営スタッフ")
    names = sorted(_(ROLE_LABELS.get(group.name, group.name)) for group in user.groups.all())
    if user.is_superuser:
        names.insert(0, _("システム管理者"))
    return _("運営スタッフ（%(roles)s）") % {"roles": "・".join(names)} if names else _("運営スタッフ")


def staff_views(member):
    """Who on the staff viewed the member's data: role, when, why, which items, newest first."""
    return [
        {"who": staff_role(entry.actor), "at": timezone.localtime(entry.created_at),
         "why": entry.reason, "fields": [_field_label(name) for name in entry.fields]}
        for entry in staff_views_of(member)
    ]


def package(member):
    """The whole package as JSON-ready data."""
    data = export_member_data(member)
    data["generated_at"] = timezone.now().isoformat()
    data["staff_views"] = [{**row, "at": row["at"].isoformat()} for row in staff_views(member)]
    data["third_party_provisions"] = {"records": [], "statement": third_party_statement()}
    return data


def personal_rows(data):
    """(label, value) of the member's registered items, for the page."""
    return [(_field_label(name), value) for name, value in data["personal_data"].items()]


def section_rows(data):
    """(label, count or None) of the export's other sections, for the page."""
    skip = {"account", "personal_data", "consents", "staff_views", "third_party_provisions", "generated_at"}
    return [(_(SECTION_LABELS[name]) if name in SECTION_LABELS else name, len(value) if isinstance(value, list) else None)
            for name, value in data.items() if name not in skip]
