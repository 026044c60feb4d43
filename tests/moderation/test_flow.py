"""
The moderation rules end to end through the services: the policy for new members, flags,
screening outcomes, decisions with their audit entries and e-mails, submissions becoming
draft pages in the editorial workflow, retention, the digest, withdrawal and export.
"""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import Page

from members.models import AuditEntry
from members.services import export_member_data, withdraw_member
from moderation import selectors, services, tasks
from moderation.audit import ModerationAction
from moderation.models import Flag, NGWord, Post, Sanction, Status, Submission
from pages.models import DistrictPage, EventPage, ShopPage, ThemePage

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"  # every member's in conftest's make_member


def _audit(action, **details):
    entries = AuditEntry.objects.filter(action=action)
    return [e for e in entries if all(e.details.get(k) == v for k, v in details.items())]


# --- the policy ---------------------------------------------------------------------------------

def test_new_members_post_is_held_until_approved_then_shown_and_audited(board, make_member, moderator):
    policy = services.current_policy()
    policy.trusted_after_approved_posts = 2
    policy.save()
    newcomer = make_member()
    post = services.create_thread(newcomer, board, "落ち葉拾いの集まり", "日曜の朝、公園に集まりませんか。")
    assert post.status == Status.HELD and post.queued_at is not None
    assert [r["code"] for r in post.screening] == ["new_member"]
    assert post.thread not in selectors.visible_threads(board)

    services.approve(post, moderator)
    post.refresh_from_db()
    assert post.status == Status.SHOWN and post.decided_by == moderator and post.queued_at is None
    assert post.thread in selectors.visible_threads(board)
    entry = _audit(ModerationAction.APPROVE, target=f"post:{post.pk}")[0]
    assert entry.actor == moderator and entry.subject == newcomer
    assert entry.details["before"]["status"] == "held" and entry.details["after"]["status"] == "shown"

    # One approved post is not enough for a threshold of two; two are.
    second = services.reply(newcomer, post.thread, "雨なら翌週にします。")
    assert second.status == Status.HELD
    services.approve(second, moderator)
    third = services.reply(newcomer, post.thread, "軍手は用意してあります。")
    assert third.status == Status.SHOWN


def test_three_flags_from_different_members_hide_a_shown_post(board, member, make_member, policy):
    post = services.create_thread(member, board, "不用品の譲り合い", "ベビーカーを譲ります。")
    assert post.status == Status.SHOWN
    reporters = [make_member() for _ in range(3)]
    services.flag_post(post, reporters[0], Flag.Reason.SPAM)
    with pytest.raises(services.ContributionError) as twice:
        services.flag_post(post, reporters[0], Flag.Reason.ABUSE)
    assert twice.value.code == "already_flagged" and twice.value.status == 409
    with pytest.raises(services.ContributionError) as own:
        services.flag_post(post, member, Flag.Reason.SPAM)
    assert own.value.code == "own_post"
    services.flag_post(post, reporters[1], Flag.Reason.ABUSE, "言葉が乱暴です")
    post.refresh_from_db()
    assert post.status == Status.SHOWN and post.flag_count == 2
    services.flag_post(post, reporters[2], Flag.Reason.PERSONAL)
    post.refresh_from_db()
    assert post.status == Status.HELD and post.flag_count == 3
    assert post.thread not in selectors.visible_threads(board)
    assert post in selectors.queue()
    # Hidden now: nobody else can flag it.
    with pytest.raises(services.ContributionError) as hidden:
        services.flag_post(post, make_member(), Flag.Reason.SPAM)
    assert hidden.value.code == "not_found"


def test_flagged_post_kept_by_a_moderator_resolves_its_flags(board, member, make_member, policy, moderator):
    post = services.create_thread(member, board, "夜回りの参加者募集", "毎週金曜日です。")
    services.flag_post(post, make_member(), Flag.Reason.OTHER)
    assert post in selectors.queue()
    services.approve(post, moderator, "問題なし")
    post.refresh_from_db()
    assert post.flag_count == 0 and post not in selectors.queue()
    assert post.flags.get().resolved_at is not None


# --- screening --------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["バカ野郎", "ﾊﾞｶ野郎", "ば か野郎", "ＢＡＫＡ"])
def test_ng_words_refuse_after_normalisation_and_keep_the_record(board, member, policy, written):
    NGWord.objects.create(word="ばか")
    NGWord.objects.create(word="baka")
    with pytest.raises(services.ContributionError) as refused:
        services.create_thread(member, board, "ひとこと", f"あの人は{written}だ")
    assert refused.value.code == "refused" and refused.value.status == 422
    assert "掲載できない表現" in refused.value.message
    stored = Post.objects.get(author=member)
    assert stored.status == Status.REFUSED and "掲載できない表現" in stored.status_reason


def test_a_hold_word_holds(board, member, policy):
    NGWord.objects.create(word="儲かる", action=NGWord.Action.HOLD)
    post = services.create_thread(member, board, "副業", "簡単にもうかる話ではなく、儲かる方法の相談です。")
    assert post.status == Status.HELD and post.screening[0]["code"] == "ng_word_hold"


@pytest.mark.parametrize("text, kind", [
    ("連絡は 090-1234-5678 までどうぞ", "電話番号"),
    ("メールは taro@example.jp へ", "メールアドレス"),
    ("うちは新宿区大久保2-3-4です", "番地までの住所"),
])
def test_personal_data_holds_for_review(board, member, policy, text, kind):
    post = services.create_thread(member, board, "連絡先", text)
    assert post.status == Status.HELD
    assert kind in post.status_reason


def test_too_many_links_and_near_duplicates_are_refused(board, member, policy):
    links = "\n".join(f"https://shop{n}.example.jp/" for n in range(4))
    with pytest.raises(services.ContributionError) as too_many:
        services.create_thread(member, board, "おすすめ", links)
    assert "リンクは3件まで" in too_many.value.message
    services.create_thread(member, board, "お祭りの案内", "土曜日に大久保公園でお祭りがあります。ぜひどうぞ。")
    with pytest.raises(services.ContributionError) as duplicate:
        services.create_thread(member, board, "お祭りの案内", "土曜日に大久保公園でお祭りがあります。ぜひどうぞ！")
    assert any(r["code"] == "duplicate" for r in duplicate.value.reasons)


def test_rate_limit_per_member_is_a_429_and_stores_nothing(board, member, policy, settings):
    settings.MODERATION_RATE_LIMITS = {"member": (2, 600), "address": (100, 600)}
    services.create_thread(member, board, "一件目", "最初の投稿です。")
    services.create_thread(member, board, "二件目", "二つ目の話題です。")
    with pytest.raises(services.ContributionError) as limited:
        services.create_thread(member, board, "三件目", "三つ目のまったく別の話題です。")
    assert limited.value.status == 429 and limited.value.code == "rate_limited"
    assert "分ほど待って" in limited.value.message
    assert Post.objects.filter(author=member).count() == 2


def test_rate_limit_per_address_counts_every_member(board, make_member, policy, settings):
    settings.MODERATION_RATE_LIMITS = {"member": (100, 600), "address": (1, 600)}
    services.create_thread(make_member(), board, "一件目", "最初の投稿です。", address="a" * 64)
    with pytest.raises(services.ContributionError) as limited:
        services.create_thread(make_member(), board, "二件目", "別の人の投稿です。", address="a" * 64)
    assert limited.value.status == 429


def test_a_screening_failure_holds_the_post_instead_of_losing_it(board, member, policy):
    with mock.patch("moderation.detectors.find_personal_data", side_effect=RuntimeError("辞書が壊れています")):
        post = services.create_thread(member, board, "防災訓練", "参加します。")
    assert post.status == Status.HELD and post.screening[0]["code"] == "screening_error"


def test_unverified_suspended_and_banned_members_cannot_post(board, make_member, policy, moderator):
    with pytest.raises(services.ContributionError) as unverified:
        services.create_thread(make_member(verified=False), board, "題名", "本文")
    assert unverified.value.code == "email_not_verified"
    member = make_member()
    services.sanction(member, moderator, Sanction.Kind.SUSPEND, "繰り返しの宣伝投稿", days=7)
    with pytest.raises(services.ContributionError) as suspended:
        services.create_thread(member, board, "題名", "本文")
    assert suspended.value.code == "posting_suspended" and "まで投稿を停止" in suspended.value.message
    thread = services.create_thread(make_member(), board, "返信先", "どなたでもどうぞ。").thread
    other = make_member()
    services.sanction(other, moderator, Sanction.Kind.BAN, "悪質な誹謗中傷")
    with pytest.raises(services.ContributionError) as banned:
        services.reply(other, thread, "本文")
    assert banned.value.code == "posting_suspended"
    warned = make_member()
    services.sanction(warned, moderator, Sanction.Kind.WARN, "言葉づかいに注意してください")
    assert services.create_thread(warned, board, "注意のあと", "気をつけます。").status == Status.SHOWN
    assert len(_audit(ModerationAction.SANCTION)) == 3
    assert mail.outbox[-1].subject == "【新宿地域ポータル】注意のお知らせ" and mail.outbox[-1].to == [warned.email]


def test_sanction_needs_a_reason_and_a_period(member, moderator):
    with pytest.raises(Exception) as no_reason:
        services.sanction(member, moderator, Sanction.Kind.WARN, "")
    assert "理由" in str(no_reason.value)
    with pytest.raises(Exception) as no_days:
        services.sanction(member, moderator, Sanction.Kind.SUSPEND, "宣伝の繰り返し")
    assert "日数" in str(no_days.value)
    assert not Sanction.objects.exists() and not _audit(ModerationAction.SANCTION)


# --- decisions --------------------------------------------------------------------------------

def test_refuse_hide_restore_edit_each_leave_an_audit_entry_and_refusal_mails_the_author(
        board, member, make_member, policy, moderator):
    post = services.create_thread(member, board, "町会のお知らせ", "回覧板の内容です。電話 03-1234-5678")
    assert post.status == Status.HELD
    services.moderator_edit(post, moderator, "回覧板の内容です。", "電話番号を削除")
    post.refresh_from_db()
    assert "03-1234-5678" not in post.body_html
    edit = _audit(ModerationAction.EDIT, target=f"post:{post.pk}")[0]
    assert "03-1234-5678" in edit.details["before"]["body"] and "03-1234-5678" not in edit.details["after"]["body"]
    assert edit.reason == "電話番号を削除"
    services.approve(post, moderator)

    services.hide(post, moderator, "苦情があったため一時的に非表示")
    post.refresh_from_db()
    assert post.status == Status.HIDDEN
    services.restore(post, moderator, "確認の結果、問題なし")
    post.refresh_from_db()
    assert post.status == Status.SHOWN

    other = services.create_thread(make_member(), board, "宣伝", "格安でお売りします。" + "詳しくは店頭で。")
    services.refuse(other, moderator, "営業目的の投稿は掲示板ではお受けしていません")
    other.refresh_from_db()
    assert other.status == Status.REFUSED and other.status_reason.startswith("営業目的")
    assert Post.objects.filter(pk=other.pk).exists()  # kept for the record
    refusal = mail.outbox[-1]
    assert refusal.to == [other.author.email] and "掲載できませんでした" in refusal.subject
    assert "営業目的の投稿" in refusal.body

    for action in (ModerationAction.APPROVE, ModerationAction.HIDE, ModerationAction.RESTORE,
                   ModerationAction.REFUSE, ModerationAction.EDIT):
        assert AuditEntry.objects.filter(action=action, actor=moderator).exists(), action


def test_decisions_check_the_stored_state(board, member, policy, moderator):
    post = services.create_thread(member, board, "消す投稿", "あとで消します。")
    stale = Post.objects.get(pk=post.pk)  # a moderator's page loaded before the author deleted it
    services.delete_post(post, member)
    for decide in (services.approve, services.hide, services.refuse):
        with pytest.raises(services.ContributionError) as deleted:
            decide(stale, moderator, "理由です")
        assert deleted.value.code == "deleted" and deleted.value.status == 409
    assert Post.objects.get(pk=post.pk).status == Status.DELETED
    submission = _shop_submission(member)
    services.approve(Submission.objects.get(pk=submission.pk), moderator)
    with pytest.raises(services.ContributionError) as twice:  # a double click, or a second moderator
        services.approve(submission, moderator)
    assert twice.value.code == "already_decided"
    assert ShopPage.objects.filter(title="喫茶まちかど").count() == 1


def test_a_refused_post_corrected_by_its_author_is_not_a_duplicate(board, member, policy):
    links = "\n".join(f"https://shop{n}.example.jp/" for n in range(4))
    with pytest.raises(services.ContributionError):
        services.create_thread(member, board, "おすすめのお店", f"商店街のおすすめです。\n{links}")
    fixed = services.create_thread(member, board, "おすすめのお店", "商店街のおすすめです。\n" + links.rsplit("\n", 1)[0])
    assert fixed.status == Status.SHOWN


def test_refusing_without_a_reason_changes_nothing(board, member, policy, moderator):
    post = services.create_thread(member, board, "話題", "本文です。")
    with pytest.raises(ValidationError):
        services.refuse(post, moderator, " ")
    post.refresh_from_db()
    assert post.status == Status.SHOWN and not _audit(ModerationAction.REFUSE)


def test_only_moderators_decide(board, member, policy, editor):
    post = services.create_thread(member, board, "話題", "本文です。")
    with pytest.raises(PermissionDenied) as denied:
        services.hide(post, editor, "理由")
    assert "権限" in str(denied.value)
    post.refresh_from_db()
    assert post.status == Status.SHOWN


# --- submissions --------------------------------------------------------------------------------

def _shop_submission(member, **extra):
    okubo = DistrictPage.objects.get(slug="okubo")
    return services.submit(
        member, Submission.Kind.NEW_SHOP, "喫茶まちかど", "昭和から続く喫茶店です。ナポリタンが人気です。",
        {"title_reading": "きっさまちかど", "category": "restaurant", "postal_code": "169-0072",
         "address": "新宿区大久保二丁目1-1", "phone": "03-0000-0000", "opening_hours": "8時〜18時・日曜定休",
         "website": "https://kissa.example.jp/"},
        district=okubo, themes=[ThemePage.objects.get(slug="bunka")], credit_nickname=True, **extra)


def test_an_approved_shop_submission_becomes_a_draft_page_waiting_in_the_workflow(member, policy, moderator):
    submission = _shop_submission(member)
    assert submission.status == Status.HELD  # shops are always reviewed, even from trusted members
    assert submission.screening[-1]["code"] == "review_required"
    services.approve(submission, moderator)
    submission.refresh_from_db()
    page = submission.created_page.specific
    assert isinstance(page, ShopPage) and not page.live
    assert page.title == "喫茶まちかど" and page.address == "新宿区大久保二丁目1-1" and page.category == "restaurant"
    assert f"情報提供：{member.nickname}さん" in page.description
    assert [d.slug for d in page.districts.all()] == ["okubo"]
    state = page.current_workflow_state
    assert state is not None and state.status == "in_progress"
    assert state.current_task_state.task.name == "内容確認"
    assert _audit(ModerationAction.APPROVE, target=f"submission:{submission.pk}")[0].details["page_id"] == page.pk


def test_nickname_is_not_credited_without_consent(member, policy, moderator):
    submission = _shop_submission(member)
    submission.credit_nickname = False
    submission.save()
    approved = services.approve(submission, moderator)
    assert member.nickname not in approved.created_page.specific.description


def test_an_approved_event_submission_becomes_a_draft_event(member, policy, moderator):
    start = (timezone.now() + datetime.timedelta(days=20)).replace(microsecond=0)
    submission = services.submit(
        member, Submission.Kind.EVENT, "大久保 夏の夕涼み会", "盆踊りと屋台があります。",
        {"start": start.isoformat(), "end": (start + datetime.timedelta(hours=3)).isoformat(), "venue": "大久保公園",
         "venue_address": "", "fee": "無料", "capacity": "", "organiser": "大久保町会（架空）",
         "how_to_apply": "", "contact": ""},
        district=DistrictPage.objects.get(slug="okubo"))
    services.approve(submission, moderator)
    page = Submission.objects.get(pk=submission.pk).created_page.specific
    assert isinstance(page, EventPage) and not page.live and page.start == start
    assert page.current_workflow_state.status == "in_progress"


def test_an_approved_correction_becomes_a_draft_revision_of_the_shop(member, policy, moderator):
    shop = ShopPage.objects.live().first()
    live_hours = shop.opening_hours
    submission = services.submit(member, Submission.Kind.SHOP_CORRECTION, "営業時間の変更",
                                 "店頭の掲示で確認しました。", {"opening_hours": "10時〜20時・水曜定休"}, target_page=shop)
    services.approve(submission, moderator)
    shop.refresh_from_db()
    assert shop.opening_hours == live_hours  # the live page is untouched
    assert shop.has_unpublished_changes
    assert shop.get_latest_revision_as_object().opening_hours == "10時〜20時・水曜定休"
    assert shop.current_workflow_state.status == "in_progress"


def test_local_info_is_reviewed_by_default_and_shown_when_the_policy_says_so(member, policy, moderator):
    held = services.submit(member, Submission.Kind.LOCAL_INFO, "桜が満開です", "大久保通りの桜が見ごろです。")
    assert held.status == Status.HELD
    policy.review_local_info = False
    policy.save()
    shown = services.submit(member, Submission.Kind.LOCAL_INFO, "朝市の日程", "毎月第2日曜日に朝市があります。")
    assert shown.status == Status.SHOWN
    assert list(selectors.visible_local_info()) == [shown]


# --- search index -------------------------------------------------------------------------------

def _found(word):
    from search.query import Filters, search

    return [result.url for result in search(word, Filters(types=("post", "local_info"))).results]


def test_only_visible_contributions_are_found_by_search(board, member, make_member, policy, moderator):
    shown = services.create_thread(member, board, "川べりの清掃", "軍手を持って河川敷の清掃に集まりましょう。")
    held = services.create_thread(make_member(), board, "清掃の相談", "河川敷のことで電話 090-1111-2222 まで")
    assert held.status == Status.HELD
    assert _found("河川敷") == [f"/board/threads/{shown.thread_id}/#post-{shown.pk}"]
    services.hide(shown, moderator, "確認のため")
    assert _found("河川敷") == []
    services.restore(shown, moderator)
    reply = services.reply(member, shown.thread, "河川敷の集合場所は橋の下です。")
    assert len(_found("河川敷")) == 2
    services.delete_post(shown, member)  # the opening post gone: the whole thread leaves the index
    assert _found("河川敷") == [] and Post.objects.get(pk=reply.pk).status == Status.SHOWN
    info = services.submit(member, Submission.Kind.LOCAL_INFO, "河川敷の桜", "河川敷の桜が満開です。")
    assert _found("河川敷") == []  # held for review
    services.approve(info, moderator)
    assert _found("河川敷") == [f"/local-info/{info.pk}/"]
    assert member.nickname not in str(_found("河川敷"))


# --- nothing lost, and nothing kept too long ----------------------------------------------------

def test_retention_purges_only_old_refused_hidden_and_deleted_contributions(board, member, policy, moderator,
                                                                            settings):
    settings.MODERATION_RETENTION_DAYS = 30
    old_refused = services.create_thread(member, board, "古い", "掲載不可になった投稿です。")
    services.refuse(old_refused, moderator, "規約違反")
    recent_refused = services.create_thread(member, board, "新しい", "最近掲載不可になった投稿です。")
    services.refuse(recent_refused, moderator, "規約違反")
    shown = services.create_thread(member, board, "公開中", "ずっと公開の投稿です。")
    Post.objects.filter(pk=old_refused.pk).update(decided_at=timezone.now() - datetime.timedelta(days=31))
    Post.objects.filter(pk=shown.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    posts = tasks.purge_expired()["post"]
    assert not Post.objects.filter(pk=old_refused.pk).exists()
    assert Post.objects.filter(pk__in=[recent_refused.pk, shown.pk]).count() == 2
    assert posts >= 1


def test_daily_digest_tells_moderators_what_waits(board, make_member, moderator, settings):
    policy = services.current_policy()
    policy.trusted_after_approved_posts = 5
    policy.save()
    services.create_thread(make_member(), board, "質問", "ゴミの出し方を教えてください。")
    _shop_submission(make_member())
    mail.outbox.clear()
    tasks.send_digest()
    assert {m.to[0] for m in mail.outbox} >= {moderator.email}
    digest = next(m for m in mail.outbox if m.to == [moderator.email])
    assert "確認待ちの投稿が2件" in digest.subject
    assert "掲示板：1件" in digest.body and "お店・団体の登録：1件" in digest.body


def test_digest_carries_other_apps_sections_and_is_sent_with_an_empty_queue_when_they_speak(moderator, monkeypatch):
    from moderation import digest

    monkeypatch.setattr(digest, "_builders", {})  # only this test's section, whatever the apps declare

    def server(now):
        return digest.Section(title="サーバーの状態", lines=["定期処理の失敗：1件"], attention=True,
                              links=[("確認しました", "https://example.test/check/1")])

    mail.outbox.clear()
    assert tasks.send_digest() is None and not mail.outbox  # empty queue, nothing to say: no mail
    digest.register("test-server", server)
    tasks.send_digest()
    sent = next(m for m in mail.outbox if m.to == [moderator.email])
    assert "要対応" in sent.subject
    assert "確認待ちの投稿はありません" in sent.body
    assert "■ サーバーの状態 【要対応】" in sent.body and "定期処理の失敗：1件" in sent.body
    assert "確認しました: https://example.test/check/1" in sent.body


def test_withdrawal_keeps_or_deletes_posts_and_export_lists_them(board, make_member, policy):
    keeper, leaver = make_member(), make_member()
    kept = services.create_thread(keeper, board, "残す投稿", "退会しても残します。")
    gone = services.create_thread(leaver, board, "消す投稿", "退会と一緒に消します。")
    data = export_member_data(keeper)
    assert [p["thread"] for p in data["posts"]] == ["残す投稿"] and data["posts"][0]["status"] == "公開中"
    withdraw_member(keeper, keep_posts=True, password=PASSWORD)
    withdraw_member(leaver, keep_posts=False, password=PASSWORD)
    kept.refresh_from_db()
    assert kept.author_name() == "退会したユーザー"
    assert not Post.objects.filter(pk=gone.pk).exists()


def test_author_edits_within_the_window_and_deletes_their_post(board, member, make_member, policy):
    post = services.create_thread(member, board, "編集テスト", "はじめの文です。")
    services.edit_post(post, member, "書き直した文です。")
    post.refresh_from_db()
    assert "書き直した文" in post.body_html and post.edited_at
    with pytest.raises(services.ContributionError):
        services.edit_post(post, make_member(), "他人の編集")
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    post.refresh_from_db()
    with pytest.raises(services.ContributionError) as late:
        services.edit_post(post, member, "遅すぎる編集")
    assert late.value.code == "edit_not_allowed"
    services.delete_post(post, member)
    post.refresh_from_db()
    assert post.status == Status.DELETED and post.thread not in selectors.visible_threads(board)


def test_home_page_is_unaffected_and_district_page_shows_residents_posts(client, board, member, policy):
    services.create_thread(member, board, "大久保の新しい話題", "みなさんこんにちは。")
    html = client.get(DistrictPage.objects.get(slug="okubo").url).content.decode()
    assert "大久保の住民の声" in html and "大久保の新しい話題" in html
    assert client.get(Page.objects.get(depth=2).url).status_code == 200


def test_every_field_of_a_submission_is_screened_but_a_shops_own_phone_is_not_personal_data(member, policy):
    NGWord.objects.create(word="激安")
    with pytest.raises(services.ContributionError) as refused:
        services.submit(
            member, Submission.Kind.NEW_SHOP, "八百屋さん", "新鮮な野菜のお店です。",
            {"category": "shop", "address": "新宿区大久保一丁目1-1", "opening_hours": "毎日激安で営業！"})
    assert refused.value.code == "refused" and "掲載できない表現" in refused.value.message
    submission = _shop_submission(member)
    assert [r["code"] for r in submission.screening] == ["review_required"]  # its phone and address are no reason


def test_the_admin_menu_counts_what_waits(board, make_member, rf, moderator, editor):
    from moderation.admin_views import ModerationQueueViewSet

    policy = services.current_policy()
    policy.trusted_after_approved_posts = 1
    policy.save()
    services.create_thread(make_member(), board, "質問", "ゴミの日はいつですか。")
    services.submit(make_member(), Submission.Kind.LOCAL_INFO, "朝市", "毎月第2日曜日です。")
    assert selectors.queue_size() == 2
    item = ModerationQueueViewSet().get_menu_item()
    request = rf.get("/admin/")
    request.user = moderator
    assert item.is_shown(request) and item.render_component(request).label == "投稿の審査（2件）"
    request.user = editor
    assert not item.is_shown(request)


def test_a_stored_post_is_answered_without_the_database(board, member, policy, rf, django_assert_num_queries):
    """
    Once a post's transaction has committed, the API's answer needs no query: a connection lost just
    after the commit (a database restart) cannot turn a stored post into a refusal the member would
    send again.
    """
    from moderation.api import _post

    opening = services.create_thread(member, board, "公園の落とし物", "青い傘を預かっています。", [], "203.0.113.9")
    answer = services.reply(member, opening.thread, "受付に届けました。", [], "203.0.113.9")
    request = rf.post("/api/v3/board/")
    request.user = member
    with django_assert_num_queries(0):
        assert _post(opening, request)["images"] == [] and _post(answer, request)["author"] == member.nickname
