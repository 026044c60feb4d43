"""
What is served: only approved creatives of running bookings, targeted by what the page is about,
rotated by weight and paced, never twice on a page, all stopped by the switch.
"""

import datetime
import random
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from ads import selection, selectors, services
from ads.models import Creative, ReviewStatus
from members.models import AuditEntry

pytestmark = pytest.mark.django_db


def api_ids(client, query):
    response = client.get(f"/api/v3/ads/?{query}")
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def served_ids(placement, **kwargs):
    return {item["id"] for _ in range(20) for item in selectors.ads_for(placement, limit=5, **kwargs).items}


def test_unreviewed_refused_and_expired_creatives_are_never_served(client, make_booking, make_creative):
    shown = make_creative(placement="home-top")
    pending = make_creative(placement="home-top", approved=False)
    refused = make_creative(placement="home-top", approved=False)
    Creative.objects.filter(pk=refused.pk).update(review_status=ReviewStatus.REFUSED)
    expired = make_creative(booking=make_booking("home-top", starts=-40, ends=-1, name="終わった予約"))
    future = make_creative(booking=make_booking("home-top", starts=2, ends=30, name="これからの予約"))
    paused = make_creative(booking=make_booking("home-top", name="止めた予約", active=False))
    selection.invalidate()
    assert served_ids("home-top") == {shown.pk}
    assert set(api_ids(client, "placement=home-top&limit=5")) == {shown.pk}
    for hidden in (pending, refused, expired, future, paused):
        assert selectors.servable(hidden.pk) is None


def test_the_counting_image_of_an_unservable_creative_is_a_blank(client, make_creative):
    pending = make_creative(placement="home-top", approved=False)
    from ads import tokens

    response = client.get(f"/ads/i/{tokens.make('impression', pending.pk, 'home-top')}")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert len(response.content) < 200  # the 1×1 blank, not the creative


def test_targeting_by_district_theme_and_language(client, make_booking, make_creative):
    okubo = make_creative(booking=make_booking("section-side", districts=["okubo"], name="大久保だけ"))
    kosodate = make_creative(booking=make_booking("section-side", themes=["kosodate"], name="子育てだけ"))
    english = make_creative(booking=make_booking("section-side", language="en", name="英語ページだけ"))
    everywhere = make_creative(booking=make_booking("section-side", name="どこでも"))
    assert set(api_ids(client, "placement=section-side&district=okubo&limit=5")) == {okubo.pk, everywhere.pk}
    assert set(api_ids(client, "placement=section-side&district=yotsuya&limit=5")) == {everywhere.pk}
    assert set(api_ids(client, "placement=section-side&theme=kosodate&limit=5")) == {kosodate.pk, everywhere.pk}
    assert set(api_ids(client, "placement=section-side&locale=en&limit=5")) == {english.pk, everywhere.pk}
    assert set(api_ids(client, "placement=section-side&limit=5")) == {everywhere.pk}


def test_a_district_page_shows_its_own_ad_and_another_district_does_not(client, make_booking, make_creative):
    okubo = make_creative(booking=make_booking("section-side", districts=["okubo"]), alt="大久保の冬のスタンプラリー")
    from ads.selectors import ads_for
    from pages.terms import district_model

    okubo_page = district_model().objects.get(slug="okubo", locale__language_code="ja")
    yotsuya_page = district_model().objects.get(slug="yotsuya", locale__language_code="ja")
    assert [item["id"] for item in ads_for("section-side", page=okubo_page).items] == [okubo.pk]
    assert ads_for("section-side", page=yotsuya_page).items == []


def test_rotation_follows_the_weights(make_booking, make_creative):
    heavy = make_creative(booking=make_booking("home-top", weight=30, name="重い"))
    light = make_creative(booking=make_booking("home-top", weight=10, name="軽い"))
    rng = random.Random(7)
    shown = Counter(selection.choose("home-top", rng=rng)[0][0].creative_id for _ in range(4000))
    assert 2.6 < shown[heavy.pk] / shown[light.pk] < 3.4


def test_pacing_spreads_an_impression_goal_over_the_period():
    start, end = datetime.date(2026, 12, 1), datetime.date(2026, 12, 30)
    today = datetime.date(2026, 12, 15)  # half way: about half the goal is due
    on_pace = selection.pacing_factor(3000, 1450, start, end, today)
    ahead = selection.pacing_factor(3000, 2900, start, end, today)
    behind = selection.pacing_factor(3000, 200, start, end, today)
    assert 0.9 < on_pace < 1.1
    assert ahead < 0.6 < 2 < behind


def test_a_booking_that_reached_its_goal_is_no_longer_served(make_booking, make_creative):
    from ads.models import AdCount

    creative = make_creative(booking=make_booking("home-top", impression_goal=100))
    AdCount.objects.create(hour=timezone.now().replace(minute=0, second=0, microsecond=0), day=timezone.localdate(),
                           creative=creative, booking=creative.booking, placement="home-top", impressions=100)
    selection.invalidate()
    assert selectors.servable(creative.pk) is None


def test_a_page_never_shows_the_same_creative_twice(make_booking, make_creative):
    only = make_creative(booking=make_booking("section-side"))
    request = RequestFactory().get("/")
    template = Template('{% load ads_tags %}{% ad_slot "section-side" %}{% ad_slot "section-side" %}')
    html = template.render(Context({"request": request}))
    assert html.count(f'alt="{only.alt}"') == 1


def test_the_slot_is_labelled_and_sponsored(make_creative):
    make_creative(placement="home-top", alt="パン屋の広告", text="毎朝7時から")
    html = Template('{% load ads_tags %}{% ad_slot "home-top" %}').render(Context({"request": RequestFactory().get("/")}))
    assert 'aria-label="広告"' in html and '>広告</p>' in html
    assert 'rel="sponsored noopener"' in html
    assert 'alt="パン屋の広告"' in html and "毎朝7時から" in html
    assert "http://" not in html and "https://" not in html  # no third-party resource, not even the destination


def test_the_switch_stops_every_slot_and_is_audited(client, make_creative, administrator):
    creative = make_creative(placement="home-top")
    services.stop_all(administrator, "区からの指示（災害対応）", "ただいま災害対応中のため、広告の掲載を停止しています。")
    assert api_ids(client, "placement=home-top") == []
    assert selectors.servable(creative.pk) is None
    html = Template('{% load ads_tags %}{% ad_slot "home-top" %}').render(Context({"request": RequestFactory().get("/")}))
    assert "災害対応中" in html and "広告主" not in html
    entry = AuditEntry.objects.filter(action="ads_stop_all").latest("pk")
    assert entry.actor == administrator and "災害" in entry.reason
    services.resume_all(administrator, "区から再開の連絡")
    assert api_ids(client, "placement=home-top") == [creative.pk]
    assert AuditEntry.objects.filter(action="ads_resume_all").exists()


def test_only_those_allowed_may_stop_everything(make_staff):
    from django.core.exceptions import PermissionDenied

    sales = make_staff("広告担当")
    with pytest.raises(PermissionDenied):
        services.stop_all(sales, "試しに")
    assert Group.objects.filter(name="広告担当").exists()
