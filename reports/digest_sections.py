"""
The server section of the moderators' 8:00 digest (``moderation.digest``): the alerts open now,
yesterday's server errors, the jobs that failed since yesterday's digest, the ward feeds in error,
mail not going out, and the 「確認しました」 link that records today's daily check.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from moderation.digest import Section, register

from . import monitoring, selectors
from .models import Alert
from .monitor_views import check_path


def _job_lines(now):
    failed = selectors.failed_runs_since(now - timedelta(days=1))
    by_job = {}
    for run in failed:
        by_job.setdefault(run.job, []).append(run)
    return [format_lazy(_("・失敗したジョブ {job}: {count} 回（最後: {error}）"), job=job, count=len(runs),
                        error=runs[0].error or "-") for job, runs in sorted(by_job.items())]


def build(now):
    today = timezone.localdate(now)
    open_alerts = list(Alert.objects.filter(state=Alert.State.OPEN).order_by("first_seen_at"))
    errors = selectors.errors_on(today - timedelta(days=1))
    lines = [format_lazy(_("・発生中のアラート: {count} 件"), count=len(open_alerts))]
    lines += [format_lazy("　- {message}", message=alert.message) for alert in open_alerts]
    lines.append(format_lazy(_("・昨日のサーバーエラー（5xx）: {count} 件"), count=errors))
    job_lines = _job_lines(now)
    lines += job_lines
    feeds = selectors.feed_errors()
    lines += [format_lazy(_("・区のフィードのエラー: {name}"), name=source.name) for source in feeds]
    failed_mail, retrying_mail = monitoring.mail_state(now)
    if failed_mail or retrying_mail:
        lines.append(format_lazy(_("・メールの送信失敗 {failed} 件、再送中 {retrying} 件"),
                                 failed=failed_mail, retrying=retrying_mail))
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    links = [(_("確認しました"), base + check_path(today))]
    attention = bool(open_alerts or job_lines or feeds or failed_mail)
    return Section(title=_("サーバーの状態（日常確認）"), lines=lines, attention=attention, links=links)


register("server", build, order=10)
