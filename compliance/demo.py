"""
Demo personal-data requests (``seed_demo`` calls ``ensure_compliance_demo``): four cases in different
states — one overdue, one received by letter from someone not matched to an account (identity not yet
checked), one handled for the ward and in progress, one disclosed and closed. Generated dummy data
only (Faker ja_JP). Idempotent: nothing is added once a case exists.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone
from faker import Faker

from . import cases
from .models import Case


def _resident():
    User = get_user_model()
    return (User.objects.filter(is_staff=False, is_superuser=False, withdrawn_at__isnull=True, groups__isnull=True)
            .order_by("pk").first())


def _case(received_days_ago, **fields):
    case = Case(received_at=timezone.now() - datetime.timedelta(days=received_days_ago), **fields)
    case.due_on = cases.due_date(case)
    case.save()
    return case


def ensure_compliance_demo(seed=1, report=print):
    if Case.objects.exists():
        report("開示等の請求: デモの請求はすでにあります")
        return []
    fake, rng = Faker("ja_JP"), random.Random(seed)
    Faker.seed(seed)
    member = _resident()
    S, T = Case.State, Case.Type
    login = {"identity_method": Case.IdentityMethod.LOGIN}
    made = [
        _case(cases.target_days() + 6, member=member, type=T.DISCLOSURE, channel=Case.Channel.PROFILE,
              reply_method=Case.ReplyMethod.SCREEN, state=S.VERIFIED, identity_checked_at=timezone.now()
              - datetime.timedelta(days=cases.target_days() + 6), details="登録情報と閲覧の記録の開示を求めます。", **login),
        _case(2, type=T.CORRECTION, channel=Case.Channel.POST, reply_method=Case.ReplyMethod.POST,
              requester_name=fake.name(), requester_contact=fake.address(), details="登録住所の訂正を求めます（郵送）。"),
        _case(rng.randint(8, 12), member=member, type=T.STOP_PROVISION, channel=Case.Channel.WARD,
              reply_method=Case.ReplyMethod.POST, for_ward=True, state=S.IN_PROGRESS,
              identity_method=Case.IdentityMethod.WARD, identity_checked_at=timezone.now() - datetime.timedelta(days=7)),
        _case(30, member=member, type=T.DISCLOSURE, channel=Case.Channel.PROFILE, reply_method=Case.ReplyMethod.SCREEN,
              state=S.CLOSED, decision=Case.Decision.DISCLOSE, identity_checked_at=timezone.now()
              - datetime.timedelta(days=30), decided_at=timezone.now() - datetime.timedelta(days=25),
              closed_at=timezone.now() - datetime.timedelta(days=25), **login),
    ]
    report(f"開示等の請求: デモの請求 {len(made)} 件（うち期限切れ 1 件）")
    return made
