"""
Alerts: one ``Alert`` row per problem key, and exactly two mails per problem — one when it opens,
one when it clears (「復旧しました」) — nothing in between, however many minutes it lasts.

``sync(problems, checked_kinds, now)`` is called every minute with what the checks found:

- a new problem gets a row (pending); once it has lasted its ``hold`` (a feed failing for hours, the
  engine down for minutes; most problems at once) the row opens and the operator is mailed;
- a problem no longer found, among the kinds that were checked, clears: an open row is mailed as
  cleared, a pending one (never mailed) is simply forgotten;
- a monitoring gap (the checks themselves did not run: the database, worker or scheduler away) is
  recorded as a cleared alert counting as downtime, with one mail.

The operator: ``MONITORING_ALERT_EMAILS``, or the active superusers when that is empty. Mail goes
through the outbox like every mail; when mail itself is failing, the alert is on the 「運用状況」
page (the mail problem is not part of ``/readyz``, which is for load balancers).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.mail import send_templated_mail

from .models import Alert

logger = logging.getLogger(__name__)


def operator_addresses():
    if settings.MONITORING_ALERT_EMAILS:
        return list(settings.MONITORING_ALERT_EMAILS)
    from members.models import User
    from members.selectors import AccountState, in_state

    users = in_state(AccountState.ACTIVE, User.objects.filter(is_superuser=True))
    return sorted({user.email for user in users if user.email})


def page_url():
    try:
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("reports_monitor")
    except NoReverseMatch:  # the admin URLs not loaded (a command without them)
        return settings.WAGTAILADMIN_BASE_URL


def notify(alert, what):
    """One mail to the operator: ``what`` is "opened" or "cleared"."""
    recipients = operator_addresses()
    if not recipients:
        logger.error("monitoring: no operator address (MONITORING_ALERT_EMAILS) for alert %s", alert.key)
        return 0
    return send_templated_mail(recipients, f"reports/email/alert_{what}", {"alert": alert, "url": page_url()})


def _live():
    return {alert.key: alert for alert in Alert.objects.exclude(state=Alert.State.CLEARED)}


def _seen(problem, alert, now):
    if alert is None:
        try:
            with transaction.atomic():
                alert = Alert.objects.create(key=problem.key, kind=problem.kind, message=problem.message[:500],
                                             first_seen_at=now, last_seen_at=now, downtime=problem.downtime)
        except IntegrityError:  # another run took it a moment ago
            return Alert.objects.exclude(state=Alert.State.CLEARED).get(key=problem.key), False
    else:
        alert.last_seen_at, alert.message = now, problem.message[:500]
    opening = alert.state == Alert.State.PENDING and now - alert.first_seen_at >= problem.hold
    if opening:
        alert.state, alert.opened_at = Alert.State.OPEN, now
    alert.save(update_fields=["last_seen_at", "message", "state", "opened_at"])
    return alert, opening


def sync(problems, checked_kinds, now=None):
    """Open, keep and clear alerts after a round of checks. Returns (opened, cleared) alert lists."""
    now = now or timezone.now()
    live = _live()
    opened, cleared = [], []
    for problem in problems:
        alert, opening = _seen(problem, live.pop(problem.key, None), now)
        if opening:
            opened.append(alert)
            notify(alert, "opened")
    for alert in live.values():
        if alert.kind not in checked_kinds:
            continue
        if alert.state == Alert.State.PENDING:
            alert.delete()
            continue
        updated = Alert.objects.filter(pk=alert.pk, state=Alert.State.OPEN).update(
            state=Alert.State.CLEARED, cleared_at=now)
        if updated:
            alert.state, alert.cleared_at = Alert.State.CLEARED, now
            cleared.append(alert)
            notify(alert, "cleared")
    return opened, cleared


def record_gap(since, now):
    """The checks did not run from ``since`` to ``now``: a cleared alert counted as downtime, one mail."""
    minutes = int((now - since).total_seconds() // 60)
    alert = Alert.objects.create(
        key=f"gap:{since:%Y%m%d%H%M}", kind="gap", state=Alert.State.CLEARED, downtime=True,
        message=_("監視が %(minutes)s 分間動いていませんでした（データベース、ワーカーまたはスケジューラーの停止）")
        % {"minutes": minutes},
        first_seen_at=since, last_seen_at=now, opened_at=now, cleared_at=now)
    notify(alert, "cleared")
    return alert


def prune(now=None):
    """Cleared alerts after ``MONITORING_ALERTS_KEEP_DAYS`` days (the monthly report reads a month back)."""
    now = now or timezone.now()
    deleted, _rows = Alert.objects.filter(
        state=Alert.State.CLEARED, cleared_at__lt=now - timedelta(days=settings.MONITORING_ALERTS_KEEP_DAYS)).delete()
    return deleted
