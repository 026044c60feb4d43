"""
Who is current in their training, and the roster the ward asks for.

A staff member is current when, for every required course, they have a record of the course's
current version, attended within the course's valid months, with the pledge (誓約) signed. Without
it the gate (``members.access``) denies them personal data and moderation — superusers included —
as long as COMPLIANCE_TRAINING_REQUIRED is on (the default). No required course at all means no
one is trained: the operator records the course first.
"""

import csv
import io
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit import record

from .incident_audit import IncidentAction
from .incident_setup import GATE_MESSAGE, GATED_PERMISSIONS  # noqa: F401 - re-exported
from .models.training import Course, TrainingRecord

_CACHE = "_compliance_training_current"


def valid_until(record, course):
    return record.date + relativedelta(months=course.valid_months)


def _current_record(records, course, today):
    """The latest record of ``course``'s current version still valid on ``today`` with a pledge, or None."""
    for record_ in records:
        if (record_.course_id == course.pk and record_.version == course.version and record_.pledge_signed_at
                and valid_until(record_, course) >= today):
            return record_
    return None


def missing_courses(user, today=None):
    """The required courses ``user`` has no current record of (every one when none is set up: [None])."""
    today = today or timezone.localdate()
    courses = list(Course.objects.filter(required=True))
    if not courses:
        return [None]
    records = list(TrainingRecord.objects.filter(attendee=user, course__in=courses).order_by("-date"))
    return [course for course in courses if _current_record(records, course, today) is None]


def training_current(user):
    """The gate's predicate: True when training is not required or ``user`` is current (cached on the user)."""
    if not settings.COMPLIANCE_TRAINING_REQUIRED:
        return True
    if not getattr(user, "pk", None):
        return False
    cached = getattr(user, _CACHE, None)
    if cached is None:
        cached = not missing_courses(user)
        setattr(user, _CACHE, cached)
    return cached


def forget(user):
    """Drop the cached answer (after a record is added for ``user``)."""
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


@transaction.atomic
def record_training(actor, *, course, attendee, date_attended, version=None, pledge_signed_at=None):
    """Store one attendance; the version defaults to the course's current one. Raises ValidationError."""
    errors = {}
    if not (attendee.is_staff or attendee.is_superuser or attendee.groups.exists()):
        errors["attendee"] = _("受講者は職員（スタッフ）のアカウントにしてください。")
    if date_attended is None or date_attended > timezone.localdate():
        errors["date"] = _("受講日は今日以前の日付にしてください。")
    version = (version or course.version or "").strip()
    if not version:
        errors["version"] = _("受講した版を入力してください。")
    if errors:
        raise ValidationError(errors)
    training = TrainingRecord.objects.create(course=course, attendee=attendee, date=date_attended, version=version,
                                             pledge_signed_at=pledge_signed_at, recorded_by=actor)
    record(actor, IncidentAction.TRAINING_RECORD, attendee, course=course.name, version=version,
           date=date_attended.isoformat(), pledge=bool(pledge_signed_at))
    forget(attendee)
    return training


def staff_accounts():
    """Everyone who works in the admin: staff, superusers, members of a staff group."""
    return (get_user_model().objects.filter(Q(is_staff=True) | Q(is_superuser=True) | Q(groups__isnull=False))
            .filter(withdrawn_at__isnull=True).distinct().order_by("pk"))


def roster(today=None):
    """One row per staff account and course: the latest record of the current version and its state."""
    today = today or timezone.localdate()
    courses = list(Course.objects.all())
    records = {}
    for training in TrainingRecord.objects.filter(course__in=courses).order_by("-date", "-pk"):
        records.setdefault((training.attendee_id, training.course_id), []).append(training)
    rows = []
    for user in staff_accounts():
        for course in courses:
            mine = records.get((user.pk, course.pk), [])
            current = _current_record(mine, course, today)
            latest = current or (mine[0] if mine else None)
            rows.append({"user": user, "course": course, "record": latest, "current": current is not None,
                         "valid_until": valid_until(latest, course) if latest else None})
    return rows


def _state(row):
    if row["current"]:
        return _("受講済み")
    if row["record"] is None:
        return _("未受講")
    return _("期限切れ・旧版・誓約なし")


ROSTER_HEADER = (gettext_lazy("職員"), gettext_lazy("アカウント"), gettext_lazy("研修"), gettext_lazy("現在の版"),
                 gettext_lazy("必須"), gettext_lazy("受講した版"), gettext_lazy("受講日"), gettext_lazy("有効期限"),
                 gettext_lazy("誓約書"), gettext_lazy("状態"))


def roster_rows(today=None):
    """The roster as rows of text, the header first (for CSV and XLSX alike)."""
    rows = [[str(title) for title in ROSTER_HEADER]]
    for row in roster(today):
        training, course = row["record"], row["course"]
        rows.append([row["user"].get_full_name(), f"#{row['user'].pk}", course.name, course.version,
                     _("はい") if course.required else _("いいえ"), training.version if training else "",
                     training.date.isoformat() if training else "",
                     row["valid_until"].isoformat() if row["valid_until"] else "",
                     timezone.localtime(training.pledge_signed_at).strftime("%Y-%m-%d")
                     if training and training.pledge_signed_at else "", _state(row)])
    return rows


RECORDS_HEADER = (gettext_lazy("受講日"), gettext_lazy("職員"), gettext_lazy("アカウント"), gettext_lazy("研修"),
                  gettext_lazy("受講した版"), gettext_lazy("誓約書"), gettext_lazy("記録者"), gettext_lazy("記録日時"))


def records_rows():
    """Every attendance recorded (the training report), newest first, the header first."""
    rows = [[str(title) for title in RECORDS_HEADER]]
    for training in TrainingRecord.objects.select_related("course", "attendee", "recorded_by"):
        rows.append([training.date.isoformat(), training.attendee.get_full_name(), f"#{training.attendee_id}",
                     training.course.name, training.version,
                     timezone.localtime(training.pledge_signed_at).strftime("%Y-%m-%d")
                     if training.pledge_signed_at else "",
                     training.recorded_by.get_full_name() if training.recorded_by else "",
                     timezone.localtime(training.recorded_at).strftime("%Y-%m-%d %H:%M")])
    return rows


def roster_csv(rows):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 with the mark
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def roster_xlsx(rows, title="研修受講状況"):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def record_export(actor, file_format, kind="roster"):
    record(actor, IncidentAction.TRAINING_EXPORT, format=file_format, kind=kind, on=date.today().isoformat())
