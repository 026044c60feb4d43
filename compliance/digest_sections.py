"""
The compliance app's section of the moderators' daily digest (``moderation.digest``): the
personal-data requests due within three days, and those overdue (attention: someone must act today).
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.digest import Section, register

from . import selectors


def build(now):
    today = timezone.localdate(now)
    overdue, due_soon = selectors.overdue_cases(today), selectors.cases_due_soon(today)
    if not overdue and not due_soon:
        return None
    lines = [_("期限切れ: No.%(number)s %(type)s（期限 %(due)s、%(days)s日超過）") % {
        "number": case.pk, "type": case.get_type_display(), "due": case.due_on.isoformat(),
        "days": (today - case.due_on).days} for case in overdue]
    lines += [_("期限が近い: No.%(number)s %(type)s（期限 %(due)s、あと%(days)s日）") % {
        "number": case.pk, "type": case.get_type_display(), "due": case.due_on.isoformat(),
        "days": (case.due_on - today).days} for case in due_soon]
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("compliance_cases:index")
    return Section(title=_("開示等の請求"), lines=lines, attention=bool(overdue), links=[(_("請求の一覧"), link)])


register("compliance_cases", build, order=30)
