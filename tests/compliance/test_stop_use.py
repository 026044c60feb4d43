"""利用停止 without withdrawal: no mail, posts hidden from listings and the API, no posting, log-in kept; lifting restores."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compliance import cases, stop_use
from compliance.audit import ComplianceAction
from compliance.models import Case
from members.mail import send_templated_mail
from members.models import AuditEntry, OutboxMail
from moderation import selectors
from moderation.models import Submission
from newsletter import selectors as newsletter_selectors
from newsletter.models import Status as SubscriberStatus
from newsletter.models import Subscriber
from tests.compliance.c1_helpers import board, resident, shown_thread

pytestmark = pytest.mark.django_db
PAGE = "/members/me/privacy/"


def _stopped(member):
    cases.request_stop(member, "")
    member.refresh_from_db()
    return member


def test_the_member_stops_from_the_page_and_keeps_logging_in(client):
    member = resident()
    client.force_login(member)
    assert client.post(f"{PAGE}stop/").status_code == 302
    member.refresh_from_db()
    assert member.use_stopped_at is not None and member.is_active and member.last_name
    case = Case.objects.get(member=member)
    assert case.type == Case.Type.STOP_USE and case.state == Case.State.CLOSED and case.decision == "stop"
    assert AuditEntry.objects.filter(action=ComplianceAction.USE_STOP, subject=member).exists()
    client.logout()
    logged_in = client.post("/members/login/", {"username": member.email, "password": "correct horse battery staple"})
    assert logged_in.status_code == 302
    assert "利用停止を解除する" in client.get(PAGE).content.decode()


def test_no_mail_reaches_a_member_who_stopped_use_by_any_path(moderator):
    member = _stopped(resident())
    other = resident()
    OutboxMail.objects.all().delete()
    send_templated_mail([member, other], "moderation/email/sanction",
                        {"user": member, "sanction": None})
    send_templated_mail(member.email, "moderation/email/sanction", {"user": member, "sanction": None})
    recipients = [m.recipient for m in OutboxMail.objects.all()]
    assert recipients == [other.email]


def test_password_reset_and_answers_to_their_requests_still_reach_them():
    member = _stopped(resident())
    OutboxMail.objects.all().delete()
    send_templated_mail(member, "members/email/password_reset_unknown", {"register_url": "x", "reset_url": "y"})
    assert [m.recipient for m in OutboxMail.objects.all()] == [member.email]


def test_newsletter_recipients_exclude_the_member_linked_or_by_address():
    member = resident()
    linked = Subscriber.objects.create(email="elsewhere@example.jp", user=member, status=SubscriberStatus.ACTIVE)
    by_address = Subscriber.objects.create(email=member.email, status=SubscriberStatus.ACTIVE)
    someone = Subscriber.objects.create(email="someone@example.jp", status=SubscriberStatus.ACTIVE)
    assert {linked, by_address, someone} <= set(newsletter_selectors.digest_recipients())
    _stopped(member)
    recipients = set(newsletter_selectors.digest_recipients())
    assert someone in recipients and linked not in recipients and by_address not in recipients


def test_their_posts_and_threads_are_hidden_from_listings_pages_and_the_api(client):
    the_board = board()
    member, other = resident(), resident()
    thread, post = shown_thread(the_board, member, title="停止した会員の話題")
    other_thread, _ = shown_thread(the_board, other, title="ほかの会員の話題")
    from moderation.models import Post, Status
    reply = Post.objects.create(thread=other_thread, author=member, body="返信です", body_html="<p>返信です</p>",
                                status=Status.SHOWN)
    assert post in selectors.visible_posts_for() and reply in selectors.thread_posts(other_thread)
    _stopped(member)
    assert post not in selectors.visible_posts_for() and reply not in selectors.visible_posts_for()
    assert thread not in selectors.visible_threads() and other_thread in selectors.visible_threads()
    assert list(selectors.thread_posts(other_thread)) == [other_thread.posts.get(is_opening=True)]
    assert selectors.visible_threads().get(pk=other_thread.pk).shown_posts == 1
    assert "停止した会員の話題" not in client.get(f"/board/{the_board.slug}/").content.decode()
    assert client.get(f"/board/threads/{thread.pk}/").status_code == 404
    api = client.get(f"/api/v3/board/boards/{the_board.slug}/threads/").json()
    assert "停止した会員の話題" not in str(api) and "ほかの会員の話題" in str(api)
    assert "返信です" not in str(client.get(f"/api/v3/board/threads/{other_thread.pk}/").json())


def test_their_local_information_is_not_listed():
    member = resident()
    info = Submission.objects.create(author=member, kind=Submission.Kind.LOCAL_INFO, title="朝市", body="毎週",
                                     status="shown")
    assert info in selectors.visible_local_info()
    _stopped(member)
    assert info not in selectors.visible_local_info()


def test_they_cannot_post_while_stopped():
    from moderation import services
    from moderation.services import ContributionError

    the_board = board()
    member = _stopped(resident())
    with pytest.raises(ContributionError) as refused:
        services.create_thread(member, the_board, "新しい話題", "本文です", address="127.0.0.1")
    assert refused.value.code == "use_stopped"


def test_lifting_restores_listing_and_mail(client):
    the_board = board()
    member = resident()
    _thread, post = shown_thread(the_board, member)
    _stopped(member)
    client.force_login(member)
    assert client.post(f"{PAGE}resume/").status_code == 302
    member.refresh_from_db()
    assert member.use_stopped_at is None and post in selectors.visible_posts_for()
    OutboxMail.objects.all().delete()
    send_templated_mail(member, "moderation/email/sanction", {"user": member, "sanction": None})
    assert OutboxMail.objects.filter().count() == 1
    assert AuditEntry.objects.filter(action=ComplianceAction.USE_LIFT, subject=member).exists()


def test_only_the_member_lifts_and_twice_is_refused(administrator):
    member = _stopped(resident())
    with pytest.raises(PermissionDenied):
        stop_use.lift(member, actor=administrator)
    with pytest.raises(ValidationError):
        cases.request_stop(member, "")
    stop_use.lift(member, actor=member)
    with pytest.raises(ValidationError):
        stop_use.lift(member, actor=member)
    assert Case.objects.filter(member=member).count() == 1


def test_a_stop_use_case_decided_by_staff_stops_the_use(administrator):
    member = resident()
    case = cases.record_request(administrator, type=Case.Type.STOP_USE, channel=Case.Channel.POST,
                                reply_method=Case.ReplyMethod.POST, member=member)
    cases.check_identity(administrator, case, Case.IdentityMethod.POSTAL_MATCH)
    cases.decide(administrator, case, Case.Decision.STOP)
    member.refresh_from_db()
    assert member.use_stopped_at is not None


def test_stop_and_lift_need_a_post(client):
    member = resident()
    client.force_login(member)
    assert client.get(f"{PAGE}stop/").status_code == 405
    member.refresh_from_db()
    assert member.use_stopped_at is None


def test_their_posts_leave_the_search_index_and_come_back_when_lifted():
    from search.models import SearchDocument

    member = resident()
    _thread, post = shown_thread(board(), member)
    post.save()  # indexed as any visible post is
    key = f"moderation.post:{post.pk}"
    assert SearchDocument.objects.filter(key=key).exists()
    _stopped(member)
    assert not SearchDocument.objects.filter(key=key).exists()
    stop_use.lift(member, actor=member)
    assert SearchDocument.objects.filter(key=key).exists()
