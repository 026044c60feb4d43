"""Staff training: without current training no personal data and no moderation (superusers too)."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from compliance import incident_setup, training
from compliance.models import Course, TrainingRecord
from members import access
from members.services import PERSONAL_DATA_PERMISSION, reveal_personal_data
from moderation.selectors import MODERATE_PERMISSION
from tests.staff import login_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def gate_on(settings):
    settings.COMPLIANCE_TRAINING_REQUIRED = True
    return settings


@pytest.fixture
def course(db):
    return Course.objects.create(name="個人情報保護研修（テスト）", version="v2", valid_months=12)


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def _attend(user, course, version=None, days_ago=10, pledge=True):
    return training.record_training(None, course=course, attendee=user, version=version or course.version,
                                    date_attended=timezone.localdate() - timedelta(days=days_ago),
                                    pledge_signed_at=timezone.now() if pledge else None)


def test_the_gate_watches_the_permissions_the_apps_check():
    assert set(incident_setup.GATED_PERMISSIONS) == {PERSONAL_DATA_PERMISSION, MODERATE_PERMISSION}
    assert access.gated(PERSONAL_DATA_PERMISSION) and access.gated(MODERATE_PERMISSION)
    assert not access.gated("members.view_user")


def test_without_training_no_personal_data_and_no_moderation(gate_on, course, administrator, moderator):
    member = get_user_model().objects.create_user(email="resident@example.jp", nickname="住民")
    assert not administrator.has_perm(PERSONAL_DATA_PERMISSION)
    assert administrator.has_perm("members.view_user")  # what is not gated stays
    with pytest.raises(PermissionDenied):
        reveal_personal_data(administrator, member, "問い合わせへの回答のため")
    assert not moderator.has_perm(MODERATE_PERMISSION)
    assert "研修の受講記録がないため" in str(access.refusal(moderator, MODERATE_PERMISSION))


def test_with_current_training_both_are_allowed(gate_on, course, administrator, moderator):
    _attend(administrator, course)
    _attend(moderator, course)
    member = get_user_model().objects.create_user(email="resident2@example.jp", nickname="住民2", first_name="花子")
    assert reveal_personal_data(_fresh(administrator), member, "問い合わせへの回答のため", ["first_name"]) == {
        "first_name": "花子"}
    assert _fresh(moderator).has_perm(MODERATE_PERMISSION)


def test_an_old_version_an_expired_record_or_no_pledge_is_not_current(gate_on, course, moderator, make_staff):
    _attend(moderator, course, version="v1")
    assert not _fresh(moderator).has_perm(MODERATE_PERMISSION)
    expired = make_staff("Moderators")
    _attend(expired, course, days_ago=400)
    assert not _fresh(expired).has_perm(MODERATE_PERMISSION)
    unsigned = make_staff("Moderators")
    _attend(unsigned, course, pledge=False)
    assert not _fresh(unsigned).has_perm(MODERATE_PERMISSION)
    course.version = "v3"  # a new version makes everyone due again
    course.save()
    fresh = make_staff("Moderators")
    _attend(fresh, course, version="v2")
    assert not _fresh(fresh).has_perm(MODERATE_PERMISSION)


def test_every_required_course_counts_and_no_course_at_all_means_nobody(gate_on, course, moderator):
    _attend(moderator, course)
    assert _fresh(moderator).has_perm(MODERATE_PERMISSION)
    second = Course.objects.create(name="情報セキュリティ研修", version="2026")
    assert not _fresh(moderator).has_perm(MODERATE_PERMISSION)
    second.required = False
    second.save()
    assert _fresh(moderator).has_perm(MODERATE_PERMISSION)
    Course.objects.filter(required=True).update(required=False)
    assert not _fresh(moderator).has_perm(MODERATE_PERMISSION)


def test_superusers_are_gated_too(gate_on, course):
    root = get_user_model().objects.create_superuser(email="root@example.jp", password="x" * 12)
    assert not root.has_perm(PERSONAL_DATA_PERMISSION) and not root.has_perm(MODERATE_PERMISSION)
    assert root.has_perm("members.delete_user")
    _attend(root, course)
    assert _fresh(root).has_perm(PERSONAL_DATA_PERMISSION)


def test_the_gate_is_off_when_the_setting_says_so(settings, moderator):
    settings.COMPLIANCE_TRAINING_REQUIRED = False
    assert moderator.has_perm(MODERATE_PERMISSION)


def test_the_moderation_queue_refuses_an_untrained_moderator(gate_on, client, course, moderator):
    login_staff(client, moderator)
    assert client.get(reverse("moderation:queue")).status_code in (302, 403)
    _attend(moderator, course)
    assert client.get(reverse("moderation:queue")).status_code == 200


def test_the_dashboard_says_why(gate_on, client, course, administrator):
    login_staff(client, administrator)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "研修の受講記録がないため" in page
    _attend(administrator, course)
    assert "研修の受講記録がないため" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_bad_training_records_are_refused(course, administrator):
    resident = get_user_model().objects.create_user(email="notstaff@example.jp", nickname="住民")
    before = TrainingRecord.objects.count()
    with pytest.raises(ValidationError):
        _attend(resident, course)
    with pytest.raises(ValidationError):
        training.record_training(administrator, course=course, attendee=administrator,
                                 date_attended=timezone.localdate() + timedelta(days=3))
    assert TrainingRecord.objects.count() == before


def test_the_roster_exports_as_csv_and_xlsx(client, course, administrator, moderator):
    _attend(moderator, course)
    login_staff(client, administrator)
    response = client.get(reverse("compliance_training_export") + "?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0][:3] == ["職員", "アカウント", "研修"]
    mine = [row for row in rows if row[1] == f"#{moderator.pk}" and row[2] == course.name]
    assert mine and mine[0][-1] == "受講済み" and mine[0][5] == "v2"
    admin_row = [row for row in rows if row[1] == f"#{administrator.pk}" and row[2] == course.name]
    assert admin_row[0][-1] == "未受講"
    xlsx = client.get(reverse("compliance_training_export") + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(reverse("compliance_training_export") + "?format=pdf").status_code == 400
    assert client.get(reverse("compliance_training_export") + "?kind=secrets").status_code == 400
    report = client.get(reverse("compliance_training_export") + "?kind=records&format=csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0][:2] == ["受講日", "職員"] and [row[2] for row in rows[1:]] == [f"#{moderator.pk}"]


def test_the_roster_page_records_an_attendance_and_refuses_bad_input(client, course, administrator, moderator):
    login_staff(client, administrator)
    url = reverse("compliance_training")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"action": "record", "course": course.pk, "attendee": moderator.pk, "date": "not a date"})
    assert bad.status_code == 400 and not TrainingRecord.objects.filter(attendee=moderator).exists()
    ok = client.post(url, {"action": "record", "course": course.pk, "attendee": moderator.pk,
                           "date": timezone.localdate().isoformat(), "pledge": "on"})
    assert ok.status_code == 302
    record = TrainingRecord.objects.get(attendee=moderator)
    assert record.version == "v2" and record.pledge_signed_at and record.recorded_by == administrator


def test_editors_cannot_see_the_roster(client, editor):
    login_staff(client, editor)
    assert client.get(reverse("compliance_training")).status_code in (302, 403)
