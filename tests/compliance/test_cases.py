"""Personal-data requests as cases: due dates, the ward's 30 + 30 days, the steps, the identity rule, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compliance import cases
from compliance.audit import ComplianceAction
from compliance.models import Case
from members.models import AuditEntry
from tests.compliance.c1_helpers import resident

pytestmark = pytest.mark.django_db
T, C, R, S, D = Case.Type, Case.Channel, Case.ReplyMethod, Case.State, Case.Decision


def _letter(actor, days_ago=0, **extra):
    fields = {"type": T.DISCLOSURE, "channel": C.POST, "reply_method": R.POST, "requester_name": "見本 花子",
              "requester_contact": "東京都新宿区サンプル1-2-3", "received_at": timezone.now() - datetime.timedelta(days=days_ago)}
    return cases.record_request(actor, **{**fields, **extra})


def test_a_request_is_due_after_the_configured_target(administrator, settings):
    settings.COMPLIANCE_CASE_TARGET_DAYS = 10
    case = _letter(administrator, days_ago=3)
    assert case.due_on == timezone.localdate(case.received_at) + datetime.timedelta(days=10)
    assert cases.days_left(case) == 7
    settings.COMPLIANCE_CASE_TARGET_DAYS = 14
    assert _letter(administrator).due_on == timezone.localdate() + datetime.timedelta(days=14)


def test_a_request_via_the_ward_or_flagged_for_it_gets_30_days_and_one_30_day_extension(administrator):
    via_ward = _letter(administrator, channel=C.WARD)
    flagged = _letter(administrator, for_ward=True)
    for case in (via_ward, flagged):
        assert case.due_on == timezone.localdate() + datetime.timedelta(days=30)
    cases.extend(administrator, via_ward, "資料の確認に時間を要するため")
    via_ward.refresh_from_db()
    assert via_ward.due_on == timezone.localdate() + datetime.timedelta(days=60)
    assert via_ward.extension_reason == "資料の確認に時間を要するため" and via_ward.extended_at
    entry = AuditEntry.objects.get(action=ComplianceAction.CASE_EXTEND)
    assert entry.reason == "資料の確認に時間を要するため" and entry.details["until"] == via_ward.due_on.isoformat()
    with pytest.raises(ValidationError) as again:
        cases.extend(administrator, via_ward, "もう一度")
    assert again.value.code == "already_extended"


def test_an_extension_needs_its_reason_and_a_ward_case(administrator):
    own = _letter(administrator)
    with pytest.raises(ValidationError) as not_ward:
        cases.extend(administrator, own, "理由")
    assert not_ward.value.code == "not_for_ward"
    ward = _letter(administrator, channel=C.WARD)
    with pytest.raises(ValidationError):
        cases.extend(administrator, ward, "   ")
    ward.refresh_from_db()
    assert ward.extended_at is None and ward.due_on == timezone.localdate() + datetime.timedelta(days=30)


def test_the_steps_from_receipt_to_closing_are_each_audited(administrator):
    case = _letter(administrator)
    assert case.state == S.RECEIVED
    cases.check_identity(administrator, case, Case.IdentityMethod.DOCUMENT_SHOWN)
    assert case.state == S.VERIFIED and case.identity_checked_by == administrator and case.identity_checked_at
    cases.start(administrator, case)
    cases.decide(administrator, case, D.DISCLOSE)
    cases.close(administrator, case)
    case.refresh_from_db()
    assert case.state == S.CLOSED and case.closed_at and case.decision == D.DISCLOSE
    actions = list(AuditEntry.objects.filter(details__target=f"case:{case.pk}").order_by("pk").values_list("action", flat=True))
    assert actions == [ComplianceAction.CASE_RECEIVE, ComplianceAction.CASE_IDENTITY, ComplianceAction.CASE_START,
                       ComplianceAction.CASE_DECIDE, ComplianceAction.CASE_CLOSE]


def test_nothing_is_disclosed_without_an_identity_check(administrator):
    case = _letter(administrator)
    with pytest.raises(ValidationError) as refused:
        cases.decide(administrator, case, D.DISCLOSE)
    assert refused.value.code == "identity_unchecked"
    case.refresh_from_db()
    assert case.state == S.RECEIVED and case.decision == ""


def test_a_case_without_identity_check_cannot_be_closed_as_disclosed(administrator):
    case = _letter(administrator)
    # Even if the decision got there some other way (an import, an old record), closing refuses.
    Case.objects.filter(pk=case.pk).update(state=S.DECIDED, decision=D.DISCLOSE)
    case.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        cases.close(administrator, case)
    assert refused.value.code == "identity_unchecked"
    case.refresh_from_db()
    assert case.state == S.DECIDED and case.closed_at is None


def test_a_refusal_needs_its_ground_and_may_be_decided_before_the_identity_check(administrator):
    case = _letter(administrator)
    with pytest.raises(ValidationError) as no_ground:
        cases.decide(administrator, case, D.REFUSE, "")
    assert no_ground.value.code == "required"
    cases.decide(administrator, case, D.REFUSE, "本人であることを確認できなかったため。")
    case.refresh_from_db()
    assert case.state == S.DECIDED and case.decision_ground == "本人であることを確認できなかったため。"


@pytest.mark.parametrize("decision", ["stop", "nonsense", ""])
def test_a_decision_must_answer_the_request(administrator, decision):
    case = _letter(administrator)
    cases.check_identity(administrator, case, Case.IdentityMethod.DOCUMENT_SHOWN)
    with pytest.raises(ValidationError) as refused:
        cases.decide(administrator, case, decision, "理由")
    assert refused.value.code == "invalid_choice"
    case.refresh_from_db()
    assert case.state == S.VERIFIED and not case.decision


def test_steps_out_of_order_are_refused(administrator):
    case = _letter(administrator)
    for step in (lambda: cases.start(administrator, case), lambda: cases.close(administrator, case)):
        with pytest.raises(ValidationError) as refused:
            step()
        assert refused.value.code == "wrong_state"
    cases.withdraw(administrator, case, "本人から電話で取下げの連絡")
    with pytest.raises(ValidationError):
        cases.check_identity(administrator, case, Case.IdentityMethod.DOCUMENT_SHOWN)
    assert Case.objects.get(pk=case.pk).state == S.WITHDRAWN


@pytest.mark.parametrize("bad", [
    {"type": "opinion"}, {"channel": "fax"}, {"channel": "profile"}, {"reply_method": "pigeon"},
    {"requester_name": ""}, {"received_at": timezone.now() + datetime.timedelta(days=2)},
    {"details": "あ" * 2001},
])
def test_bad_input_when_staff_record_a_request_stores_nothing(administrator, bad):
    with pytest.raises(ValidationError):
        _letter(administrator, **bad)
    assert not Case.objects.exists()
    assert not AuditEntry.objects.filter(action=ComplianceAction.CASE_RECEIVE).exists()


def test_the_identity_check_is_a_method_never_a_login_claimed_by_staff(administrator):
    case = _letter(administrator)
    for method in ("login", "passport_copy", ""):
        with pytest.raises(ValidationError):
            cases.check_identity(administrator, case, method)
    assert Case.objects.get(pk=case.pk).state == S.RECEIVED


def test_staff_without_the_permission_cannot_handle_cases(administrator, moderator, editor):
    case = _letter(administrator)
    for outsider in (moderator, editor):
        with pytest.raises(PermissionDenied):
            cases.record_request(outsider, type=T.DISCLOSURE, channel=C.POST, reply_method=R.POST, requester_name="誰か")
        with pytest.raises(PermissionDenied):
            cases.check_identity(outsider, case, Case.IdentityMethod.DOCUMENT_SHOWN)
        with pytest.raises(PermissionDenied):
            cases.decide(outsider, case, D.REFUSE, "理由")
    assert Case.objects.get(pk=case.pk).state == S.RECEIVED


def test_a_member_files_from_the_profile_verified_by_their_login(administrator):
    member = resident()
    case = cases.file_request(member, T.CORRECTION, R.EMAIL, "住所を訂正してください。")
    assert case.state == S.VERIFIED and case.identity_method == Case.IdentityMethod.LOGIN
    assert case.channel == C.PROFILE and case.member == member
    cases.decide(administrator, case, D.CORRECT)
    assert AuditEntry.objects.filter(action=ComplianceAction.CASE_RECEIVE, actor=member, subject=member).exists()


def test_a_member_may_withdraw_only_their_own_request():
    member, other = resident(), resident()
    case = cases.file_request(member, T.DELETION, R.SCREEN, "")
    with pytest.raises(PermissionDenied):
        cases.withdraw(other, case, "")
    cases.withdraw(member, case, "")
    assert Case.objects.get(pk=case.pk).state == S.WITHDRAWN


def test_the_requesters_name_contact_and_text_are_stored_encrypted(administrator):
    from django.db import connection

    case = _letter(administrator, details="登録住所を東京都新宿区サンプル9-9に訂正してください")
    with connection.cursor() as cursor:
        cursor.execute("SELECT requester_name, requester_contact, details FROM compliance_case WHERE id = %s", [case.pk])
        row = cursor.fetchone()
    assert all(value.startswith("enc1:") for value in row)
    assert "見本" not in "".join(row) and "サンプル" not in "".join(row)


def test_the_demo_has_cases_in_different_states_one_overdue_and_is_idempotent():
    from compliance.demo import ensure_compliance_demo
    from compliance.selectors import overdue_cases

    made = ensure_compliance_demo(seed=3, report=lambda message: None)
    assert len(made) == 4 and len({case.state for case in made}) == 4
    assert [case.pk for case in overdue_cases()] == [made[0].pk]
    assert ensure_compliance_demo(seed=3, report=lambda message: None) == [] and Case.objects.count() == 4
