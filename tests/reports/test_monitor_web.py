"""
The faces of monitoring: /metrics (token only, Prometheus text), JSON log lines with the request id,
the 運用状況 page, the daily check (signed link, GET changes nothing, POST records once, others
denied), the server section of the 8:00 digest, and the daily 5xx count.
"""

import io
import json
import logging
import re

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from reports import metrics
from reports.logging import JsonFormatter, RequestIdMiddleware
from reports.models import Alert, DailyCheck, ErrorCount
from reports.monitor_views import check_path
from tests.staff import login_staff

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests-0123456789"


# --- /metrics ---------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def no_kept_errors():
    """503s counted in memory by earlier tests (the health tests answer some) are not this test's."""
    metrics._pending_errors.clear()
    yield
    metrics._pending_errors.clear()


def test_metrics_is_404_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer "])
def test_metrics_is_401_without_the_right_token(client, settings, header):
    settings.METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"portal_http" not in response.content


def test_metrics_with_the_token_is_prometheus_text(client, settings):
    settings.METRICS_TOKEN = TOKEN
    Alert.objects.create(key="disk:media", kind="disk", message="ディスク", state=Alert.State.OPEN)
    client.get("/healthz")
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    families = {family.name: family for family in text_string_to_metric_families(response.content.decode())}
    for name in ("portal_http_requests", "portal_http_request_duration_seconds", "portal_http_server_errors",
                 "portal_task_queue_depth", "portal_alerts_open", "portal_job_runs_24h"):
        assert name in families, name
    ok = [s for s in families["portal_http_requests"].samples
          if s.name == "portal_http_requests_total" and s.labels == {"method": "GET", "status": "2xx"}]
    assert ok and ok[0].value >= 1
    assert families["portal_alerts_open"].samples[0].value == 1


def test_a_server_error_is_counted_for_the_day(rf):
    def failing(request):
        return HttpResponse(status=502)

    middleware = metrics.MetricsMiddleware(failing)
    before = metrics.SERVER_ERRORS._value.get()
    middleware(rf.get("/"))
    middleware(rf.get("/"))
    assert ErrorCount.objects.get(day=timezone.localdate()).errors == 2
    assert metrics.SERVER_ERRORS._value.get() == before + 2


def test_a_5xx_count_the_database_refused_is_kept_for_the_next_one(monkeypatch):
    from django.db import DatabaseError

    real_filter = ErrorCount.objects.filter

    def refuse(*args, **kwargs):
        raise DatabaseError("database away")

    monkeypatch.setattr(ErrorCount.objects, "filter", refuse)
    metrics.count_server_error()
    monkeypatch.setattr(ErrorCount.objects, "filter", real_filter)
    metrics.count_server_error()
    assert ErrorCount.objects.get(day=timezone.localdate()).errors == 2


def test_a_503_is_kept_in_memory_and_a_good_answer_writes_nothing(rf, django_assert_num_queries):
    statuses = iter([503, 503, 200, 500])
    middleware = metrics.MetricsMiddleware(lambda request: HttpResponse(status=next(statuses)))
    with django_assert_num_queries(0):  # the database is probably away: no write, no connect timeout
        middleware(rf.get("/"))
        middleware(rf.get("/"))
        middleware(rf.get("/"))  # nor after a good answer (it could hang a stored post's 201)
    assert not ErrorCount.objects.exists()
    middleware(rf.get("/"))  # the next other 5xx stores the kept ones with it
    assert ErrorCount.objects.get(day=timezone.localdate()).errors == 3


# --- JSON logs --------------------------------------------------------------------------------

def test_a_json_log_line_carries_the_request_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.r2.json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def view(request):
        logger.info("ページを表示しました")
        return HttpResponse("ok")

    try:
        response = RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-42.abc"))
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue().strip())
    assert line["request_id"] == "req-42.abc"
    assert line["message"] == "ページを表示しました" and line["level"] == "INFO"
    assert response["X-Request-ID"] == "req-42.abc"


def test_an_unsafe_request_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert client.get("/healthz")["X-Request-ID"] != response["X-Request-ID"]


def test_the_settings_log_json_when_debug_is_off(settings):
    assert settings.LOGGING["formatters"]["json"]["()"] == "reports.logging.JsonFormatter"


# --- the 運用状況 page and the daily check ------------------------------------------------------

def test_the_monitor_page_shows_the_state_at_a_glance(client, moderator):
    Alert.objects.create(key="mail", kind="mail", message="メールが送れていません（テスト）", state=Alert.State.OPEN)
    login_staff(client, moderator)
    response = client.get("/admin/reports/monitor/")
    assert response.status_code == 200
    text = response.content.decode()
    for expected in ("運用状況", "メールが送れていません（テスト）", "定期実行ジョブ", "reports_monitor",
                     "サーバーエラー（5xx）", "確認しました", "/readyz"):
        assert expected in text, expected


def test_the_monitor_page_is_denied_to_an_editor(client, editor):
    login_staff(client, editor)
    response = client.get("/admin/reports/monitor/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")  # Wagtail's answer to a denial


def test_the_daily_check_get_changes_nothing_and_post_records_once(client, moderator, administrator):
    today = timezone.localdate()
    url = check_path(today)
    login_staff(client, moderator)
    page = client.get(url)
    assert page.status_code == 200 and "確認しました" in page.content.decode()
    assert not DailyCheck.objects.exists()
    assert client.post(url).status_code == 302
    check = DailyCheck.objects.get(day=today)
    assert check.checked_by == moderator
    login_staff(client, administrator)
    client.post(url)
    assert DailyCheck.objects.get(day=today).checked_by == moderator  # once a day
    assert "記録済み" in client.get(url).content.decode()


def test_the_daily_check_is_denied_to_others_and_refuses_a_forged_link(client, editor, moderator):
    url = check_path(timezone.localdate())
    login_staff(client, editor)
    response = client.post(url)
    assert (response.status_code, response["Location"]) == (302, "/admin/")  # Wagtail's answer to a denial
    assert not DailyCheck.objects.exists()
    login_staff(client, moderator)
    token = url.rstrip("/").rsplit("/", 1)[1]  # the link's own token (a new one has another timestamp)
    forged = url.replace(token, token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB"))
    assert forged != url
    assert client.post(forged).status_code == 404
    old = check_path(timezone.localdate() - timezone.timedelta(days=5))
    assert client.post(old).status_code == 404
    assert not DailyCheck.objects.exists()


def test_the_daily_check_needs_a_login(client):
    response = client.post(check_path(timezone.localdate()))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not DailyCheck.objects.exists()


# --- the 8:00 digest ----------------------------------------------------------------------------

def test_the_digest_has_the_server_section_and_the_check_link(moderator):
    from moderation.tasks import send_digest

    ErrorCount.objects.create(day=timezone.localdate() - timezone.timedelta(days=1), errors=7)
    Alert.objects.create(key="queue_old", kind="queue", message="実行待ちのジョブが 20 分待っています",
                         state=Alert.State.OPEN)
    mail.outbox.clear()
    send_digest()
    digest = [message for message in mail.outbox if moderator.email in message.to]
    assert digest
    body = digest[0].body
    assert "サーバーの状態" in body and "【要対応】" in body
    assert "昨日のサーバーエラー（5xx）: 7 件" in body
    assert "実行待ちのジョブが 20 分待っています" in body
    link = re.search(r"確認しました: (\S+)", body).group(1)
    assert "/admin/reports/monitor/check/" in link
