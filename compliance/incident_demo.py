"""
Demo data for the incident register and the training records (``seed_demo``): a required course,
a current record with a signed pledge for every staff account that exists (so the demo keeps
working with the training gate on), and one closed incident with its timeline. Idempotent.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .incidents import add_event
from .models.incidents import Incident
from .models.training import Course, TrainingRecord
from .training import staff_accounts

COURSE = "個人情報保護研修"
DEMO_INCIDENT = "デモ: 誤送信メール（回収済み）"


def _training(course, rng, report):
    made = 0
    for user in staff_accounts():
        if TrainingRecord.objects.filter(course=course, attendee=user, version=course.version).exists():
            continue
        attended = timezone.localdate() - timedelta(days=rng.randint(1, 60))
        TrainingRecord.objects.create(course=course, attendee=user, version=course.version, date=attended,
                                      pledge_signed_at=timezone.now())
        made += 1
    report(f"研修: 受講記録 {made} 件を作成（{course}）")


def _incident(rng, report):
    if Incident.objects.filter(title=DEMO_INCIDENT).exists():
        return
    discovered = timezone.now() - timedelta(days=40 + rng.randint(0, 10))
    incident = Incident.objects.create(
        title=DEMO_INCIDENT, category=Incident.Category.LEAK, state=Incident.State.CLOSED, discovered_at=discovered,
        description="イベント参加者1名への連絡メールを、別の参加者のアドレスに誤って送信した（デモ用の架空の事例）。",
        data_items=["last_name", "first_name", "email"], affected_count=1,
        secondary_damage="受信者がメールを開封前に削除したことを確認しており、二次被害のおそれはない。",
        member_response="本人に電話と書面で経緯を説明し、謝罪した。", publication="公表は行っていない（本人1名・回収済み）。",
        cause="宛先の手入力と送信前確認の不足。", measures="受信者にメールの削除を依頼し、削除を確認した。",
        prevention="会員への連絡は管理画面から送るものに限り、手入力の宛先を廃止した。",
        ward_reported_at=discovered + timedelta(hours=3), preliminary_reported_at=discovered + timedelta(days=2),
        final_reported_at=discovered + timedelta(days=20), closed_at=discovered + timedelta(days=21))
    steps = [(0, "事故を登録しました。"), (1, "受信者に削除を依頼しました。"), (3, "区へ書面で報告しました。"),
             (48, "個人情報保護委員会へ速報を送付しました。"), (480, "個人情報保護委員会へ確報を送付しました。")]
    for hours, what in steps:
        add_event(incident, None, what, at=discovered + timedelta(hours=hours))
    report(f"事故報告: デモの事故 #{incident.pk}（完了）を作成")


@transaction.atomic
def ensure_incidents_demo(seed=20261126, report=print):
    rng = random.Random(seed)
    course, _created = Course.objects.get_or_create(
        name=COURSE, defaults={"version": "2026年度版", "valid_months": 12, "required": True,
                               "description": "個人情報の取扱い、目的外利用の禁止、複写の禁止、事故時の報告（デモ）"})
    _training(course, rng, report)
    _incident(rng, report)
