"""The incident register in the admin: the list's overdue clocks, registering, the PDF, notices."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from compliance import incidents
from compliance.models import Incident
from tests.staff import login_staff

pytestmark = pytest.mark.django_db


def _late(admin):
    return incidents.open_incident(admin, title="遅れている事故", category="loss", description="書類の紛失",
                                   discovered_at=timezone.now() - timedelta(days=2))


def test_the_list_shows_overdue_clocks(client, administrator):
    late = _late(administrator)
    login_staff(client, administrator)
    page = client.get(reverse("compliance_incidents")).content.decode()
    assert late.title in page and "期限超過" in page and "compliance-overdue" in page


def test_registering_refuses_bad_input_and_stores_nothing(client, administrator):
    login_staff(client, administrator)
    assert client.get(reverse("compliance_incident_new")).status_code == 200
    before = Incident.objects.count()
    bad = client.post(reverse("compliance_incident_new"), {"title": "", "category": "volcano",
                                                          "discovered_at": "2026-01-01T10:00", "description": ""})
    assert bad.status_code == 400 and Incident.objects.count() == before
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post(reverse("compliance_incident_new"), {"title": "件名", "category": "leak", "affected_count": 0,
                                                          "discovered_at": future, "description": "概要"})
    assert bad.status_code == 400 and Incident.objects.count() == before
    ok = client.post(reverse("compliance_incident_new"), {
        "title": "USBメモリの紛失", "category": "loss", "affected_count": 12, "data_items": ["last_name", "email"],
        "discovered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "description": "名簿を保存したUSBメモリを紛失"})
    assert ok.status_code == 302
    incident = Incident.objects.get(title="USBメモリの紛失")
    assert incident.state == Incident.State.OPEN and incident.data_items == ["last_name", "email"]


def test_the_detail_page_records_a_report_and_downloads_the_pdf(client, administrator):
    late = _late(administrator)
    login_staff(client, administrator)
    url = reverse("compliance_incident", args=[late.pk])
    page = client.get(url).content.decode()
    assert "区への報告（書面・直ちに）" in page and "期限超過" in page and "送付を記録する" in page
    assert client.post(url, {"action": "report", "clock": "ward"}).status_code == 302
    late.refresh_from_db()
    assert late.ward_reported_at is not None
    assert client.post(url, {"action": "report", "clock": "ward"}).status_code == 400  # not twice
    assert client.post(url, {"action": "explode"}).status_code == 400
    pdf = client.get(reverse("compliance_incident_pdf", args=[late.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_notifying_from_the_page_mails_each_member_once(client, administrator):
    late = _late(administrator)
    member = get_user_model().objects.create_user(email="victim@example.jp", nickname="対象者")
    incidents.set_affected(late, administrator, [member])
    login_staff(client, administrator)
    url = reverse("compliance_incident", args=[late.pk])
    mail.outbox.clear()
    client.post(url, {"action": "notify"})
    client.post(url, {"action": "notify"})
    assert [m.to for m in mail.outbox] == [["victim@example.jp"]]


def test_moderators_and_editors_do_not_see_incidents(client, moderator, administrator):
    late = _late(administrator)
    login_staff(client, moderator)
    assert client.get(reverse("compliance_incidents")).status_code in (302, 403)
    assert client.get(reverse("compliance_incident", args=[late.pk])).status_code in (302, 403)
    assert client.get(reverse("compliance_incident", args=[999999])).status_code in (302, 403)  # nothing learnt
