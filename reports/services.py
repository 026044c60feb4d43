"""
The usage reports' writes: a month's report archived in every format (``UsageReport``), mailed to
the active ward contacts (a link to the admin's download: the outbox carries no attachments), and
the staff downloads recorded in the audit trail.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from members import audit, mail

from . import counting, report
from .audit import ReportsAction
from .models import UsageReport, WardContact

logger = logging.getLogger(__name__)


def archive(month, send=True):
    """
    Build ``month``'s report (its first day) in pdf, csv and xlsx, store it (replacing an older one)
    and, when ``send``, mail the ward contacts a link to it.
    """
    try:
        counting.flush()  # what this process (or the shared cache) has counted goes in first
    except Exception:  # the rows already flushed still make a report
        logger.exception("reports: flushing page views before the report failed")
    built = report.build(month)
    files = {fmt: report.render(built, fmt) for fmt in report.FORMATS}
    with transaction.atomic():
        archived, _created = UsageReport.objects.update_or_create(
            month=month, defaults={**files, "created_at": timezone.now()})
        if send:
            archived.mailed_to = send_to_contacts(archived, built)
            archived.save(update_fields=["mailed_to"])
    return archived


def archive_last_month(today=None):
    return archive(report.last_month(today))


def download_url(archived, fmt):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("reports_download", args=[archived.pk, fmt])


def send_to_contacts(archived, built):
    """Mail the active ward contacts a link to the report in the admin; returns how many were mailed."""
    contacts = list(WardContact.objects.filter(active=True))
    with translation.override(settings.LANGUAGE_CODE):
        month_label = built.month_label
    context = {"month_label": month_label, "site_name": settings.WAGTAIL_SITE_NAME,
               "pdf_url": download_url(archived, "pdf"), "xlsx_url": download_url(archived, "xlsx"),
               "csv_url": download_url(archived, "csv")}
    sent = mail.send_templated_mail([contact.email for contact in contacts], "reports/email/report", context,
                                    language=settings.LANGUAGE_CODE)
    if sent:
        audit.record(None, ReportsAction.SEND, reason="", month=f"{archived.month:%Y-%m}", recipients=sent)
    return sent


def record_download(user, archived, fmt):
    audit.record(user, ReportsAction.DOWNLOAD, month=f"{archived.month:%Y-%m}", format=fmt)
