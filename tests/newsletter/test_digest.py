"""
The weekly digest writes itself per subscriber: what is new this week in their districts and
themes (everything when they chose none), in their language where a translation exists, and
nothing at all when nothing is new for them.
"""

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from newsletter import services
from newsletter.models import Delivery, Mailing, Status
from pages.terms import visible_districts
from tests.newsletter.conftest import make_subscriber
from wardinfo.models import WardNotice

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_week():
    """Nothing in the demo counts as new: pages and notices all dated long ago."""
    from wagtail.models import Page

    long_ago = timezone.now() - timezone.timedelta(days=400)
    Page.objects.update(first_published_at=long_ago)
    WardNotice.objects.update(published_at=long_ago)


def new_notice(title, districts=(), themes=()):
    source = WardNotice.objects.first().source
    notice = WardNotice.objects.create(source=source, guid=title, title=title, summary="<p>デモ用の文章です。</p>",
                                       url=f"https://example.jp/notice/{abs(hash(title))}.html",
                                       published_at=timezone.now() - timezone.timedelta(hours=3))
    notice.districts.set([p for p in visible_districts() if p.slug in districts and p.locale.language_code == "ja"])
    return notice


def bodies_for(address):
    return [m.body for m in mail.outbox if m.to == [address]]


def test_each_subscriber_gets_what_is_new_in_their_districts_and_nothing_when_nothing_is(quiet_week):
    okubo, yotsuya, everything = (make_subscriber(districts=["okubo"]), make_subscriber(districts=["yotsuya"]),
                                  make_subscriber())
    new_notice("大久保の落ち葉拾い", districts=["okubo"])
    call_command("send_newsletter_digest", "--now")
    assert "大久保の落ち葉拾い" in bodies_for(okubo.email)[0]
    assert "大久保の落ち葉拾い" in bodies_for(everything.email)[0]
    assert bodies_for(yotsuya.email) == []  # nothing new in 四谷: no mail
    mailing = Mailing.objects.get(kind=Mailing.Kind.DIGEST)
    assert set(Delivery.objects.filter(mailing=mailing).values_list("subscriber_id", flat=True)) == {
        okubo.pk, everything.pk}


def test_a_quiet_week_sends_nothing_at_all(quiet_week):
    make_subscriber()
    call_command("send_newsletter_digest", "--now")
    assert mail.outbox == []


def test_the_digest_links_the_translation_in_the_subscribers_language_where_there_is_one():
    from wagtail.models import Locale, Page

    from pages.selectors import listed_model

    special = listed_model("special").objects.filter(locale__language_code="ja").order_by("pk").first()
    Page.objects.filter(pk=special.pk).update(first_published_at=timezone.now() - timezone.timedelta(hours=1))
    translation = special.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    translation.title = "Special: local key people"
    translation.save_revision().publish()
    english, japanese = make_subscriber(language="en"), make_subscriber(language="ja")
    services.run_mailing(services.digest_mailing(extra=True))
    [to_english] = [m for m in mail.outbox if m.to == [english.email]]
    [to_japanese] = [m for m in mail.outbox if m.to == [japanese.email]]
    assert "Special: local key people" in to_english.body and "/en/" in to_english.body
    assert special.title in to_japanese.body and "Special: local key people" not in to_japanese.body
    assert "/en/newsletter/unsubscribe/" in to_english.extra_headers["List-Unsubscribe"]
    assert 'lang="en"' in to_english.alternatives[0][0]


def test_the_weekly_run_is_once_a_week_and_digest_only_subscribers_get_no_issue():
    reader = make_subscriber(issues=False)
    first = services.digest_mailing()
    assert services.digest_mailing() == first  # the scheduled digest is one mailing per ISO week
    services.run_mailing(first)
    services.run_mailing(first)
    assert len(bodies_for(reader.email)) == 1
    assert first.key.startswith("digest:") and "-W" in first.key


def test_an_unsubscribed_address_is_left_out_of_the_next_run():
    reader = make_subscriber()
    call_command("send_newsletter_digest", "--now")
    assert len(bodies_for(reader.email)) == 1
    reader.status = Status.UNSUBSCRIBED
    reader.save()
    call_command("send_newsletter_digest", "--now")
    assert len(bodies_for(reader.email)) == 1
