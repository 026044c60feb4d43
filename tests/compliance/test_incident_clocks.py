"""The incident register: clocks, the digest, the written report, notices, bad input."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from compliance import incidents
from compliance.incident_digest import build_section
from compliance.incident_report import NINE_ITEMS, incident_pdf
from compliance.models import Incident, IncidentNotification
from moderation import digest

pytestmark = pytest.mark.django_db


def _incident(admin, days_ago=0, **fields):
    return incidents.open_incident(
        admin, title="会員名簿の誤送信", category=Incident.Category.LEAK, description="会員3名の氏名を誤って送信した。",
        discovered_at=timezone.now() - timedelta(days=days_ago), data_items=["last_name", "email"], **fields)


def _clock(incident, key):
    return next(clock for clock in incidents.clocks(incident) if clock.key == key)


def test_the_clocks_run_from_discovery_ward_preliminary_and_final(administrator, settings):
    settings.COMPLIANCE_WARD_REPORT_HOURS, settings.COMPLIANCE_PRELIMINARY_REPORT_DAYS = 24, 5
    incident = _incident(administrator)
    start = incident.discovered_at
    assert _clock(incident, "ward").due == start + timedelta(hours=24)
    assert _clock(incident, "preliminary").due == start + timedelta(days=5)
    assert _clock(incident, "final").due == start + timedelta(days=30)
    assert not incidents.overdue_clocks(incident)
    assert [c.key for c in incidents.overdue_clocks(incident, start + timedelta(hours=25))] == ["ward"]
    assert [c.key for c in incidents.overdue_clocks(incident, start + timedelta(days=31))] == [
        "ward", "preliminary", "final"]


def test_a_wrongful_purpose_gives_the_final_report_sixty_days(administrator):
    incident = _incident(administrator, wrongful_purpose=True)
    assert _clock(incident, "final").due == incident.discovered_at + timedelta(days=60)
    assert not _clock(incident, "final").overdue(incident.discovered_at + timedelta(days=45))


def test_encrypted_data_with_keys_intact_needs_no_commission_report(administrator):
    incident = _incident(administrator, days_ago=40, encrypted_keys_intact=True)
    assert [c.key for c in incidents.overdue_clocks(incident)] == ["ward"]


def test_a_sent_report_stops_its_clock_and_is_in_the_timeline(administrator):
    incident = _incident(administrator, days_ago=2)
    assert "ward" in [c.key for c in incidents.overdue_clocks(incident)]
    incidents.mark_report_sent(incident, administrator, "ward")
    assert "ward" not in [c.key for c in incidents.overdue_clocks(incident)]
    assert any("区への報告" in event.what for event in incident.events.all())
    with pytest.raises(ValidationError):  # never twice
        incidents.mark_report_sent(incident, administrator, "ward")
    with pytest.raises(ValidationError):
        incidents.mark_report_sent(incident, administrator, "nonsense")


def test_overdue_clocks_stand_out_in_the_digest(administrator):
    assert build_section(timezone.now()) is None  # nothing open, nothing to say
    _incident(administrator, days_ago=0)
    calm = build_section(timezone.now())
    assert calm is not None and not calm.attention
    late = _incident(administrator, days_ago=6)
    section = build_section(timezone.now())
    assert section.attention
    assert any(f"#{late.pk}" in line and "期限超過" in line for line in section.lines)
    assert section in digest.sections(timezone.now()) or any(
        s.title == section.title and s.attention for s in digest.sections(timezone.now()))


def test_bad_input_stores_nothing(administrator):
    before = Incident.objects.count()
    for bad in ({"title": "", "category": "leak", "description": "x"},
                {"title": "件名", "category": "volcano", "description": "x"},
                {"title": "件名", "category": "leak", "description": "  "},
                {"title": "件名", "category": "leak", "description": "x", "data_items": ["password"]},
                {"title": "件名", "category": "leak", "description": "x",
                 "discovered_at": timezone.now() + timedelta(days=1)}):
        with pytest.raises(ValidationError):
            incidents.open_incident(administrator, **bad)
    assert Incident.objects.count() == before


def test_closing_needs_the_causes_and_every_report_sent(administrator):
    incident = _incident(administrator, days_ago=1)
    with pytest.raises(ValidationError):
        incidents.close_incident(incident, administrator)
    incident.cause, incident.measures, incident.prevention = "確認不足", "削除依頼", "二重確認"
    incident.save()
    with pytest.raises(ValidationError, match="未送付"):
        incidents.close_incident(incident, administrator)
    for key in ("ward", "preliminary", "final"):
        incidents.mark_report_sent(incident, administrator, key)
    incidents.close_incident(incident, administrator)
    incident.refresh_from_db()
    assert incident.state == Incident.State.CLOSED and not incidents.overdue_clocks(incident)
    with pytest.raises(ValidationError):  # a dismissal needs a reason
        incidents.close_incident(_incident(administrator), administrator, Incident.State.DISMISSED, "")


def test_the_written_report_has_the_commissions_nine_items(administrator, tmp_path):
    incident = _incident(administrator, cause="宛先の手入力", prevention="宛先の自動入力", secondary_damage="なし")
    pdf = incident_pdf(incident)
    assert pdf.startswith(b"%PDF") and b"NotoSansJP" in pdf
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "incident.pdf"
    path.write_bytes(pdf)
    text = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
    for number, item in enumerate(NINE_ITEMS, start=1):
        assert f"{number}.{item}" in text, item
    assert "宛先の手入力" in text and "会員名簿の誤送信" in text and "メールアドレス" in text


def _members(n, **extra):
    User = get_user_model()
    return [User.objects.create_user(email=f"affected{i}@example.jp", nickname=f"対象{i}", **extra) for i in range(n)]


def test_notices_go_to_reachable_members_once(administrator):
    incident = _incident(administrator)
    reachable = _members(2)
    gone = get_user_model().objects.create_user(email="gone@example.jp", nickname="退会", withdrawn_at=timezone.now())
    incidents.set_affected(incident, administrator, [*reachable, gone])
    mail.outbox.clear()
    assert incidents.notify_affected(incident, administrator) == (2, 1)
    assert sorted(m.to[0] for m in mail.outbox) == ["affected0@example.jp", "affected1@example.jp"]
    assert "個人情報" in mail.outbox[0].subject and "メールアドレス" in mail.outbox[0].body
    assert set(IncidentNotification.objects.filter(incident=incident).values_list("member", flat=True)) == {
        m.pk for m in reachable}
    mail.outbox.clear()
    assert incidents.notify_affected(incident, administrator) == (0, 1)  # never twice
    assert mail.outbox == []


def test_notices_are_in_the_members_language(administrator):
    incident = _incident(administrator)
    member = _members(1, language="en")[0]
    incidents.set_affected(incident, administrator, [member])
    mail.outbox.clear()
    incidents.notify_affected(incident, administrator)
    assert mail.outbox and mail.outbox[0].to == [member.email]
    assert "Important notice about your personal data" in mail.outbox[0].subject
    assert "Data concerned: Family name, Email address" in mail.outbox[0].body
    assert "Leak" in mail.outbox[0].body  # the category in the member's language
