"""
Ads against the real parts: PostgreSQL (the counts' upserts, the review's row lock), the portal
served over HTTP, and headless Chromium loading the home page — the creative labelled 「広告」, its
counting image loaded (and revalidated on the next view), the signed click redirect followed — with
the views counted, flushed into PostgreSQL and equal to the report's figures.
"""

import re
import shutil
import subprocess

import pytest
from django.core.cache import cache, caches
from django.utils import timezone

from ads import selection, selectors, services
from ads.demo import ensure_ads_demo
from ads.models import AdCount, AdsSwitch, Advertiser, Booking, Creative, ReviewStatus

pytestmark = pytest.mark.django_db

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def _clean():
    AdCount.objects.all().delete()
    Creative.objects.all().delete()
    Booking.objects.all().delete()
    Advertiser.objects.all().delete()
    AdsSwitch.objects.all().delete()
    cache.clear()
    caches["ads"].clear()
    selection.invalidate()


@pytest.fixture(scope="module")
def ads_demo(django_db_setup, django_db_blocker):
    """The demo ads, committed so the served portal sees them; removed afterwards."""
    with django_db_blocker.unblock():
        _clean()
        ensure_ads_demo(report=lambda message: None)
        selection.invalidate()
    yield
    with django_db_blocker.unblock():
        _clean()


@pytest.fixture
def tab(browser, site_url):
    """A browser context that looks like a person's browser (a headless one is treated as a bot) and reaches nothing outside."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}, user_agent=BROWSER_UA)
    context.route(re.compile(r"^https://bakery\.example\.jp/.*"),
                  lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>bakery</h1>"))
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]|bakery\.example\.jp/).*"), lambda route: route.abort())
    page = context.new_page()
    page.problems = []
    page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: page.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    yield page
    context.close()


def test_the_home_page_ad_is_labelled_counted_and_clicked_in_chromium(ads_demo, tab, site_url, report_service,
                                                                       django_db_blocker):
    with django_db_blocker.unblock():
        services.flush_counts()
        creative = Creative.objects.get(booking__placement="home-top", review_status=ReviewStatus.APPROVED)
        before = AdCount.objects.filter(creative=creative).values_list("impressions", flat=True)
        before = sum(before)
    for _ in range(3):
        tab.goto(site_url + "/")
        slot = tab.locator("aside.ad-slot")
        assert slot.get_attribute("aria-label") == "広告"
        assert slot.locator(".ad-slot__label").inner_text() == "広告"
        image = slot.locator("img")
        assert image.get_attribute("alt") == creative.alt
        tab.wait_for_function("img => img.complete && img.naturalWidth === 1200", arg=image.element_handle())
    link = slot.locator("a.ad-slot__link")
    assert link.get_attribute("rel") == "sponsored noopener"
    link.click()
    tab.wait_for_url("https://bakery.example.jp/**")
    assert tab.problems == [], tab.problems  # no CSP violation, no failed load
    with django_db_blocker.unblock():
        services.flush_counts()
        counts = AdCount.objects.filter(creative=creative)
        assert sum(counts.values_list("impressions", flat=True)) - before == 3
        assert sum(counts.values_list("clicks", flat=True)) >= 1
        figures = selectors.booking_figures(creative.booking)
        assert figures["impressions"] == sum(counts.values_list("impressions", flat=True))
    report_service("ads: Chromium loaded the counting image 3 times; counts upserted into PostgreSQL")


def test_district_targeting_on_postgresql(ads_demo, client):
    okubo = Creative.objects.get(booking__advertiser__name="大久保みらい商店会", booking__placement="section-side")
    listed = client.get("/api/v3/ads/?placement=section-side&district=okubo").json()["items"]
    assert okubo.pk in [item["id"] for item in listed]
    listed = client.get("/api/v3/ads/?placement=section-side&district=yotsuya").json()["items"]
    assert okubo.pk not in [item["id"] for item in listed]
    from pages.terms import district_model

    page = district_model().objects.get(slug="okubo", locale__language_code="ja")
    html = client.get(page.url).content.decode()
    assert okubo.alt in html


def test_review_and_monthly_pdf_on_postgresql(ads_demo, moderator, tmp_path):
    pending = Creative.objects.get(review_status=ReviewStatus.PENDING)
    services.review(pending, moderator, "approve", dict.fromkeys(services.CHECKLIST_CODES, True))
    assert Creative.objects.get(pk=pending.pk).review_status == ReviewStatus.APPROVED
    month = timezone.localdate().strftime("%Y-%m")
    from ads import reports

    pdf = reports.monthly_pdf(selectors.monthly_report(month))
    assert pdf.startswith(b"%PDF") and b"NotoSansJP" in pdf
    if shutil.which("pdftotext"):
        path = tmp_path / "month.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        assert "大久保みらい商店会" in text and "広告掲載レポート" in text
