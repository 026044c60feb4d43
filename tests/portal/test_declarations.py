"""
Apps declare, shared places collect: an audit action, a mail, a role's permissions and a part
of a member's export and erasure, each added from the declaring app's own code alone — as a
later app (ads, newsletter, surveys…) adds them from its ``audit.py``, ``roles.py`` and
``personal_data.py``. Here the declaring "app" is this test module.
"""

import copy

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import models

from members import audit, personal_data, roles
from members.mail import send_templated_mail
from members.models import AuditEntry, User
from members.services import export_member_data, withdraw_member
from tests.staff import login_staff

PASSWORD = "correct horse battery 9"


@pytest.fixture
def registries():
    """The registries as they were: what a test declares does not leak into the next one."""
    saved = (dict(audit._ACTIONS), list(roles._ROLES), copy.deepcopy(roles._GRANTS), list(roles._SETUP),
             dict(personal_data._SECTIONS))
    yield
    audit._ACTIONS.clear(), audit._ACTIONS.update(saved[0])
    roles._ROLES[:] = saved[1]
    roles._GRANTS.clear(), roles._GRANTS.update(saved[2])
    roles._SETUP[:] = saved[3]
    personal_data._SECTIONS.clear(), personal_data._SECTIONS.update(saved[4])


class ExampleAction(models.TextChoices):
    BOOKED = "example_booked", "広告枠の予約"


@pytest.mark.django_db
def test_an_app_registers_an_audit_action_and_the_audit_log_names_it(client, registries):
    administrator = User.objects.create_user("admin@example.jp", PASSWORD, nickname="管理者", is_staff=True)
    administrator.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    with pytest.raises(ValueError, match="unregistered"):
        audit.record(administrator, ExampleAction.BOOKED)
    audit.register(ExampleAction)
    audit.record(administrator, ExampleAction.BOOKED, reason="四月の予約", target="booking:1")
    assert AuditEntry.objects.get().action == "example_booked"

    login_staff(client, administrator)
    page = client.get("/admin/audit-log/").content.decode()
    assert "広告枠の予約" in page and "四月の予約" in page


def test_one_action_value_cannot_carry_two_labels(registries):
    class Clash(models.TextChoices):
        REVEAL = "reveal_personal_data", "別の意味"

    with pytest.raises(ValueError, match="already registered"):
        audit.register(Clash)


@pytest.mark.django_db
def test_a_mail_is_rendered_from_the_owning_apps_templates_one_message_per_recipient():
    sent = send_templated_mail(["a@example.jp", "b@example.jp"], "moderation/email/digest",
                               {"rows": [("掲示板の投稿", 2, 5)], "total": 2, "admin_url": "http://x/admin/"})
    assert sent == 2 and [m.to for m in mail.outbox] == [["a@example.jp"], ["b@example.jp"]]
    assert "\n" not in mail.outbox[0].subject and "掲示板の投稿" in mail.outbox[0].body


@pytest.mark.django_db
def test_an_app_declares_a_role_and_its_grants_and_the_group_gets_them(registries):
    with pytest.raises(ValueError, match="unknown role"):
        roles.grant("地域行事担当", "wardinfo.view_wardnotice")
    roles.declare("地域行事担当")
    roles.grant("地域行事担当", "wardinfo.view_wardnotice")
    roles.grant(roles.EDITORS, "wardinfo.view_feedsource")
    roles.ensure_roles()
    assert set(Group.objects.get(name="地域行事担当").permissions.values_list("codename", flat=True)) == {
        "view_wardnotice"}
    assert Group.objects.get(name="Editors").permissions.filter(codename="view_feedsource").exists()


@pytest.mark.django_db
def test_a_grant_of_a_permission_that_does_not_exist_is_an_error_not_silence(registries):
    roles.grant(roles.MODERATORS, "wardinfo.fly_to_the_moon")
    with pytest.raises(LookupError, match="fly_to_the_moon"):
        roles.ensure_roles()


@pytest.mark.django_db
def test_after_migrate_every_role_has_what_the_apps_declared():
    # The real declarations (pages, members, moderation, wardinfo, search), given by post_migrate.
    for role in (roles.EDITORS, roles.MODERATORS, roles.ADMINISTRATORS):
        given = {f"{p.content_type.app_label}.{p.codename}"
                 for p in Group.objects.get(name=role).permissions.select_related("content_type")}
        assert set(roles.granted(role)) <= given, role
    assert "moderation.change_post" in roles.granted(roles.MODERATORS)
    assert "wagtailsearchpromotions.add_searchpromotion" in roles.granted(roles.EDITORS)
    assert "members.view_personal_data" not in roles.granted(roles.MODERATORS)


@pytest.mark.django_db
def test_an_app_adds_its_part_to_a_members_export_and_erasure(registries):
    member = User.objects.create_user("m@example.jp", PASSWORD, nickname="みどり")
    erased = []
    personal_data.register("bookings", export=lambda user: [{"id": 1, "user": user.pk}],
                           erase=lambda user, keep_posts: erased.append((user.pk, keep_posts)))
    data = export_member_data(member)
    assert data["bookings"] == [{"id": 1, "user": member.pk}]
    assert {"posts", "submissions"} <= set(data)  # moderation's sections, declared in its own module

    withdraw_member(member, keep_posts=False, password=PASSWORD)
    assert erased == [(member.pk, False)]


@pytest.mark.django_db
def test_withdrawal_needs_the_members_password_and_changes_nothing_without_it():
    member = User.objects.create_user("w@example.jp", PASSWORD, nickname="あおば")

    with pytest.raises(ValidationError, match="パスワードが正しくありません"):
        withdraw_member(member, keep_posts=True, password="wrong")
    member.refresh_from_db()
    assert member.withdrawn_at is None and member.nickname == "あおば"
