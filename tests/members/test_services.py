"""The rules for staff actions live in the services: whatever calls them gets the same answer."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from members import services
from members.audit import MemberAction
from members.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return get_user_model().objects.create_user(email="member@example.jp", password="x" * 12, nickname="住民")


@pytest.mark.parametrize("action", [services.suspend_member, services.delete_member])
def test_an_editor_cannot_act_on_members_and_nothing_is_logged(editor, member, action):
    with pytest.raises(ValidationError, match="権限がありません"):
        action(editor, member, "理由")
    assert not AuditEntry.objects.exists()
    member.refresh_from_db()
    assert member.is_active


def test_administrators_give_a_reason_and_never_suspend_themselves(administrator, member):
    with pytest.raises(ValidationError, match="理由を入力してください"):
        services.suspend_member(administrator, member, "  ")
    with pytest.raises(ValidationError, match="自分自身"):
        services.suspend_member(administrator, administrator, "テスト")
    services.suspend_member(administrator, member, "規約違反の投稿が続いたため")
    with pytest.raises(ValidationError, match="すでに利用停止中"):
        services.suspend_member(administrator, member, "もう一度")
    assert list(AuditEntry.objects.values_list("action", "reason")) == [
        (MemberAction.SUSPEND, "規約違反の投稿が続いたため")]
