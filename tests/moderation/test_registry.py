"""
A new moderated kind needs no edit in moderation: registered from outside (here, by the test,
as a later app would from its own ``moderation_kinds.py``), it is screened, listed in the queue,
decided in the admin, mailed about, audited and purged through ``moderation.registry`` alone.

The kind's model is ``Submission`` (no migration needed), registered under another name with
its own label, title, link and approval; the real ``submission`` kind steps aside for this
module (one kind per model), so nothing here is reachable by a name moderation's code knows.
"""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from members.models import AuditEntry
from moderation import registry, selectors, services, tasks
from moderation.audit import ModerationAction
from moderation.models import NGWord, Status, Submission
from moderation.registry import Kind
from tests.staff import login_staff

pytestmark = pytest.mark.django_db
QUEUE = "/admin/moderation/queue/"
APPROVED = []  # what the kind's own approval step saw


def _approve_answer(answer, moderator):
    APPROVED.append(answer.pk)
    return {"answered": True}


ANSWER = Kind(
    name="answer", label="アンケートの自由回答", model=Submission,
    title=lambda answer: f"回答：{answer.title}", district="district", related=("district",),
    on_approve=_approve_answer, url=lambda answer: f"/surveys/answers/{answer.pk}/",
)


@pytest.fixture(scope="module", autouse=True)
def answer_kind():
    """Module-wide, so that conftest's audit check (run after each test) sees the same registry."""
    original = registry.unregister("submission")
    registry.register(ANSWER)
    yield ANSWER
    registry.unregister("answer")
    registry.register(original)


@pytest.fixture
def newcomer(make_member):
    policy = services.current_policy()
    policy.trusted_after_approved_posts = 1
    policy.save()
    return make_member()


def _answer(author, title="公園の遊具について", body="ブランコを増やしてほしいです。"):
    return Submission(author=author, kind=Submission.Kind.LOCAL_INFO, title=title, body=body)


def test_screening_holds_refuses_and_compares_across_kinds(newcomer, board):
    held = services.receive(_answer(newcomer), address="b" * 64)
    assert held.status == Status.HELD and held.queued_at and [r["code"] for r in held.screening] == ["new_member"]
    NGWord.objects.create(word="ばか")
    with pytest.raises(services.ContributionError) as refused:
        services.receive(_answer(newcomer, "ひとこと", "ﾊﾞｶみたいな遊具"))
    assert refused.value.code == "refused" and Submission.objects.get(pk=refused.value.item.pk).status == Status.REFUSED
    post = services.create_thread(newcomer, board, "図書館の開館時間", "日曜日も夜8時まで開いてほしいです。")
    with pytest.raises(services.ContributionError) as duplicate:  # the board post is of another kind
        services.receive(_answer(newcomer, "図書館の開館時間", "日曜日も夜8時まで開いてほしいです！"))
    assert any(r["code"] == "duplicate" for r in duplicate.value.reasons)
    assert post.status == Status.HELD


def test_the_queue_lists_filters_and_counts_it(newcomer, board):
    answer = services.receive(_answer(newcomer))
    post = services.create_thread(newcomer, board, "別の話題", "掲示板への投稿です。")
    assert selectors.queue() == [answer, post]
    assert selectors.queue(kind="answer") == [answer] and selectors.queue(kind="post") == [post]
    assert selectors.queue(kind="local_info") == []  # the sub-kinds were the submission kind's
    assert selectors.queue(kind="answer", district=board.district) == []
    assert selectors.queue_size() == 2
    assert selectors.queue_counts()["アンケートの自由回答"][0] == 1
    assert ("answer", "アンケートの自由回答") in registry.filter_choices()


def test_decided_in_the_admin_and_audited(client, moderator, newcomer):
    answer = services.receive(_answer(newcomer))
    other = services.receive(_answer(newcomer, "ゴミ置き場", "カラス対策のネットを増やしてください。"))
    login_staff(client, moderator)
    html = client.get(QUEUE, {"kind": "answer"}).content.decode()
    assert "回答：公園の遊具について" in html and "アンケートの自由回答" in html and f"answer:{answer.pk}" in html
    client.post(QUEUE, {"single": f"approve|answer:{answer.pk}"})
    answer.refresh_from_db()
    assert answer.status == Status.SHOWN and answer.decided_by == moderator and APPROVED[-1] == answer.pk
    entry = AuditEntry.objects.get(action=ModerationAction.APPROVE)
    assert entry.details["target"] == f"answer:{answer.pk}" and entry.details["kind"] == "アンケートの自由回答"
    assert entry.details["answered"] is True and entry.details["before"]["title"] == "回答：公園の遊具について"
    assert services.receive(_answer(newcomer, "街灯", "暗い道に街灯を。")).status == Status.SHOWN  # trusted now

    client.post(QUEUE, {"single": f"refuse|answer:{other.pk}", "reason": "個人への批判が含まれるため"})
    assert Submission.objects.get(pk=other.pk).status == Status.REFUSED
    assert "回答：ゴミ置き場" in mail.outbox[-1].body and mail.outbox[-1].to == [newcomer.email]
    closed = client.get(QUEUE, {"state": "closed", "kind": "answer"}).content.decode()
    assert "個人への批判が含まれるため" in closed
    edit = client.post(f"/admin/moderation/items/answer:{other.pk}/edit/",
                       {"title": "ゴミ置き場の対策", "body": "ネットを増やしてください。", "note": "個人名を削除"})
    assert edit.status_code == 302 and Submission.objects.get(pk=other.pk).title == "ゴミ置き場の対策"
    client.post(f"{QUEUE}?state=closed", {"single": f"restore|answer:{other.pk}"})
    assert Submission.objects.get(pk=other.pk).status == Status.SHOWN
    assert {e.details["target"] for e in AuditEntry.objects.filter(actor=moderator)} == {
        f"answer:{answer.pk}", f"answer:{other.pk}"}


def test_the_retention_purge_covers_it(newcomer, moderator, settings):
    settings.MODERATION_RETENTION_DAYS = 30
    answer = services.receive(_answer(newcomer))
    services.hide(answer, moderator, "確認のため")
    Submission.objects.filter(pk=answer.pk).update(decided_at=timezone.now() - datetime.timedelta(days=31))
    assert tasks.purge_expired()["answer"] == 1 and not Submission.objects.filter(pk=answer.pk).exists()


def test_one_kind_per_model_and_keys_name_a_registered_kind():
    with pytest.raises(ValueError):
        registry.register(Kind(name="answer2", label="二重", model=Submission))
    assert registry.parse("answer:12") == (ANSWER, 12)
    for key in ("submission:12", "answer:x", "answer", ""):
        with pytest.raises(LookupError):
            registry.parse(key)
