"""
Reads of the reports app: the monitoring overview (the 運用状況 page, the digest's server section)
and the month's uptime (the monthly report). R1's reads of usage follow below.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from .models import Alert, DailyCheck, ErrorCount, JobRun

RECENT_CLEARED = 10


def _aware(day_or_time):
    if isinstance(day_or_time, datetime):
        return day_or_time if timezone.is_aware(day_or_time) else timezone.make_aware(day_or_time)
    return timezone.make_aware(datetime.combine(day_or_time, time.min))


def uptime(month_start, month_end):
    """
    The share of the period the portal was up, from the alerts that count as downtime (the checks
    not running at all: database, worker or scheduler away). ``month_start`` and ``month_end`` are
    dates (the end excluded) or datetimes. Returns ``{"percent", "minutes_down", "incidents"}``,
    incidents as ``(start, end, what)`` in time order, each clipped to the period.
    """
    start, end = _aware(month_start), _aware(month_end)
    rows = (Alert.objects.filter(downtime=True, first_seen_at__lt=end)
            .exclude(cleared_at__lt=start).order_by("first_seen_at"))
    incidents, covered, cursor = [], timedelta(), start
    now = timezone.now()
    for alert in rows:
        begin = max(alert.first_seen_at, start)
        finish = min(alert.cleared_at or now, end)
        if finish <= begin:
            continue
        incidents.append((begin, finish, alert.message))
        if finish > cursor:
            covered += finish - max(begin, cursor)
            cursor = finish
    total = (end - start).total_seconds()
    down = covered.total_seconds()
    percent = round(100 * (1 - down / total), 3) if total > 0 else 100.0
    return {"percent": percent, "minutes_down": round(down / 60), "incidents": incidents}


def errors_on(day):
    return ErrorCount.objects.filter(day=day).values_list("errors", flat=True).first() or 0


def failed_runs_since(since):
    return list(JobRun.objects.filter(outcome=JobRun.Outcome.FAILED, finished_at__gte=since).order_by("-finished_at"))


def daily_check(day):
    return DailyCheck.objects.filter(day=day).select_related("checked_by").first()


def days_without_check(first_day, last_day):
    """The days from ``first_day`` to ``last_day`` (inclusive) with no recorded daily check."""
    checked = set(DailyCheck.objects.filter(day__range=(first_day, last_day)).values_list("day", flat=True))
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    return [day for day in days if day not in checked]


def jobs_overview(now):
    """For each scheduled job: its name, cron, last run and the next time its cron names."""
    from . import monitoring

    runs = monitoring.last_runs()
    rows = []
    for name, entry in settings.SCHEDULED_TASKS.items():
        run = runs.get(name)
        rows.append({"name": name, "cron": entry["cron"], "run": run,
                     "next": monitoring.next_due(entry["cron"], now)})
    return rows


def monitor_overview(now=None):
    """Everything the 運用状況 page shows, read once."""
    from . import monitoring

    now = now or timezone.now()
    today = timezone.localdate(now)
    depth, oldest = monitoring.queue_state(now)
    failed_mail, retrying_mail = monitoring.mail_state(now)
    return {
        "now": now,
        "heartbeats": monitoring.heartbeats(),
        "stale_before": now - timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS),
        "database_tasks": settings.TASKS_BACKEND == "database",
        "jobs": jobs_overview(now),
        "queue_depth": depth, "queue_oldest_minutes": int(oldest // 60),
        "open_alerts": list(Alert.objects.exclude(state=Alert.State.CLEARED).order_by("-first_seen_at")),
        "cleared_alerts": list(Alert.objects.filter(state=Alert.State.CLEARED).order_by("-cleared_at")[:RECENT_CLEARED]),
        "feed_errors": feed_errors(),
        "failed_mail": failed_mail, "retrying_mail": retrying_mail,
        "search_state": monitoring.search_state(),
        "disk": [(name, free, total, 100 * free / total if total else 0)
                 for name, (free, total) in monitoring.disk_free().items()],
        "database_bytes": monitoring.database_size(),
        "errors_yesterday": errors_on(today - timedelta(days=1)),
        "errors_today": errors_on(today),
        "today": today,
        "daily_check": daily_check(today),
    }


def feed_errors():
    from wardinfo.models import FeedSource

    return list(FeedSource.objects.filter(active=True).exclude(last_error="").order_by("name"))
