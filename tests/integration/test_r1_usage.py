"""
Usage counting and the monthly report on the real services: views made over HTTP to the portal
served from a thread are counted, flushed into PostgreSQL and reported; the month's report is
archived and its link mailed to the ward contact over a real SMTP server.
"""

import csv
import email.header
import io
from urllib.request import Request, urlopen

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from reports import counting, report, services
from reports.models import PageViewDay, WardContact

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
CRAWLER = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"


def _get(url, agent):
    with urlopen(Request(url, headers={"User-Agent": agent, "Referer": "https://www.google.co.jp/"}), timeout=30) as answer:
        assert answer.status == 200
        assert answer.headers.get("Set-Cookie") is None


def test_views_over_http_are_counted_into_postgresql_and_reported(site_url, smtp_server, tmp_path, report_service):
    report_service(f"database: PostgreSQL {connection.pg_version}")
    counting.cache.clear()
    for _ in range(7):
        _get(f"{site_url}/", BROWSER)
        _get(f"{site_url}/", CRAWLER)
    assert counting.flush() == (1, 7)
    assert counting.flush() == (0, 0)
    row = PageViewDay.objects.get(path="/")
    assert (row.views, row.device, row.referrer_domain, row.day) == (7, "mobile", "www.google.co.jp",
                                                                    timezone.localdate())
    month = f"{timezone.localdate():%Y-%m}"
    out = tmp_path / "report.csv"
    call_command("usage_report", month=month, format="csv", output=str(out))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert next(r for r in rows if len(r) > 2 and r[1] == "ページの閲覧数")[2] == "7"
    WardContact.objects.create(name="区役所 担当", email="ward-contact@example.jp")
    archived = services.archive(report.parse_month(month))
    assert archived.mailed_to == 1
    [message] = [m for m in smtp_server.messages if m["To"] == "ward-contact@example.jp"]
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    assert "利用状況報告" in subject
    assert f"/admin/reports/usage/{archived.pk}/pdf" in body
