"""
Reads of the ads app: which ads a page shows (the same selection for the site's slots, the API and,
later, the mail magazine), what waits for review, who may see what, and the reports' figures.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from pages.terms import district_model, theme_model

from . import selection, tokens
from .models import AdCount, Advertiser, Booking, Creative, ReviewStatus
from .placements import PLACEMENTS

REVIEW_PERMISSION = "ads.review_creative"
SWITCH_PERMISSION = "ads.change_adsswitch"
CONTACT_PERMISSION = "ads.view_advertiser_contact"


# --- What a page shows -------------------------------------------------------------------------

@dataclass
class Slot:
    placement: str
    items: list = field(default_factory=list)  # dicts in the API's shape
    stopped: bool = False
    message: str = ""


def _slugs(pages, slug_map):
    return frozenset(slug_map[page.translation_key] for page in pages if page.translation_key in slug_map)


def page_terms(page, snapshot):
    """(districts, themes) a page is about, as Japanese slugs: a district or theme page itself, or its tags."""
    if page is None:
        return frozenset(), frozenset()
    if isinstance(page, district_model()):
        return _slugs([page], snapshot.district_slugs), frozenset()
    if isinstance(page, theme_model()):
        return frozenset(), _slugs([page], snapshot.theme_slugs)
    districts = list(page.districts.all()) if hasattr(page, "districts") else \
        [d for d in [getattr(page, "district", None)] if d is not None]
    themes = list(page.themes.all()) if hasattr(page, "themes") else []
    return _slugs(districts, snapshot.district_slugs), _slugs(themes, snapshot.theme_slugs)


def item(entry, placement, districts):
    """One chosen ad in the API's shape, with its counting image URL and its signed click URL."""
    district = entry.count_district(districts)
    return {
        "id": entry.creative_id,
        "placement": placement,
        "advertiser": entry.advertiser,
        "label": _("広告"),
        "alt": entry.alt,
        "image": {"url": reverse("ads:impression", args=[tokens.make("impression", entry.creative_id, placement, district)]),
                  "width": entry.width, "height": entry.height},
        "click_url": reverse("ads:click", args=[tokens.make("click", entry.creative_id, placement, district)]),
        "text": entry.text,
    }


def ads_for(placement, page=None, districts=None, themes=None, language=None, limit=None, exclude=()):
    """
    The ads of one slot: ``page`` (what it is about), or ``districts`` / ``themes`` as Japanese slugs
    (the API, the search page, a newsletter). ``exclude``: creative ids already shown on the page.
    """
    rule = PLACEMENTS[placement]
    snapshot = selection.current()
    page_districts, page_themes = page_terms(page, snapshot)
    districts = page_districts | frozenset(districts or ())
    themes = page_themes | frozenset(themes or ())
    language = language or getattr(getattr(page, "locale", None), "language_code", None) or translation.get_language()
    entries, snapshot = selection.choose(placement, districts, themes, language_code(language),
                                         limit=limit or rule.slots, exclude=exclude)
    slot = Slot(placement, stopped=snapshot.stopped, message=snapshot.message if snapshot.stopped else "")
    slot.items = [item(entry, placement, districts) for entry in entries]
    return slot


def language_code(language):
    """A site language's code (``ja``, ``en``, ``zh-hans``, ``ko``) from a locale or browser code ("ja-JP")."""
    code = (language or settings.LANGUAGE_CODE).lower()
    codes = {code for code, _name in settings.LANGUAGES}
    return code if code in codes else code.split("-")[0]


def district_slugs():
    """Every district's Japanese slug (the API checks a ``district=`` value against these)."""
    return set(selection.current().district_slugs.values())


def theme_slugs():
    return set(selection.current().theme_slugs.values())


def servable(creative_id):
    """The eligible entry of a creative (``None`` when it may not be shown now)."""
    snapshot = selection.current()
    return None if snapshot.stopped else snapshot.by_creative.get(creative_id)


# --- Who may do what ---------------------------------------------------------------------------

def is_staff_viewer(user):
    """Logged-in staff (anyone who may enter the admin): their views and clicks are not counted."""
    return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser
                                                    or user.has_perm("wagtailadmin.access_admin")))


def can_review(user):
    return user.is_authenticated and user.has_perm(REVIEW_PERMISSION)


def can_switch(user):
    return user.is_authenticated and user.has_perm(SWITCH_PERMISSION)


def can_see_contact(user):
    return user.is_authenticated and user.has_perm(CONTACT_PERMISSION)


def can_see_reports(user):
    return user.is_authenticated and user.has_perm("ads.view_adcount")


def pending_creatives():
    """Creatives waiting for review, oldest first."""
    return (Creative.objects.filter(review_status=ReviewStatus.PENDING)
            .select_related("booking__advertiser", "created_by").order_by("created_at"))


def advertisers_for_viewer(user):
    """The advertisers whose reports ``user`` (an advertiser's own account) may read."""
    if not user.is_authenticated:
        return Advertiser.objects.none()
    return Advertiser.objects.filter(report_viewers=user)


# --- Reports -----------------------------------------------------------------------------------

def month_range(month):
    """``"2026-11"`` → (first day, last day); a wrong value is a ``ValueError``."""
    year, number = (int(part) for part in month.split("-"))
    first = datetime.date(year, number, 1)
    return first, first.replace(day=calendar.monthrange(year, number)[1])


def ctr(impressions, clicks):
    """Click-through rate in percent (0 when nothing was shown)."""
    return round(clicks * 100 / impressions, 2) if impressions else 0.0


def district_names():
    """{Japanese slug: name} of the districts, for reports ("okubo" → 「大久保」)."""
    return dict(district_model().objects.filter(locale__language_code=settings.LANGUAGE_CODE)
                .values_list("slug", "title"))


def _figures(queryset, *group):
    rows = queryset.values(*group).annotate(impressions=Sum("impressions"), clicks=Sum("clicks")).order_by(*group)
    names = district_names() if "district" in group else {}
    return [{**row, "ctr": ctr(row["impressions"], row["clicks"]),
             **({"district_name": names.get(row["district"], row["district"]) or "（地域なし）"} if names else {})}
            for row in rows]


def booking_figures(booking, first=None, last=None):
    """A booking's figures: totals, and rows by day, by placement and by district (within the dates, if given)."""
    counts = AdCount.objects.filter(booking=booking)
    if first:
        counts = counts.filter(day__gte=first)
    if last:
        counts = counts.filter(day__lte=last)
    totals = counts.aggregate(impressions=Sum("impressions"), clicks=Sum("clicks"))
    impressions, clicks = totals["impressions"] or 0, totals["clicks"] or 0
    return {
        "booking": booking,
        "impressions": impressions, "clicks": clicks, "ctr": ctr(impressions, clicks),
        "by_day": _figures(counts, "day"),
        "by_placement": _figures(counts, "placement"),
        "by_district": _figures(counts, "district"),
        "rows": _figures(counts, "day", "placement", "district"),
    }


def monthly_report(month, advertiser=None):
    """
    Per advertiser, the bookings running in ``month`` (``"YYYY-MM"``) with their figures for that
    month, price and invoice state: what the invoice and the monthly usage report read.
    """
    first, last = month_range(month)
    bookings = Booking.objects.filter(Q(starts_on__lte=last) & Q(ends_on__gte=first)).select_related("advertiser")
    if advertiser is not None:
        bookings = bookings.filter(advertiser=advertiser)
    report = {}
    for booking in bookings.order_by("advertiser__name", "starts_on", "pk"):
        block = report.setdefault(booking.advertiser_id, {"advertiser": booking.advertiser, "bookings": [],
                                                          "impressions": 0, "clicks": 0, "price": 0})
        figures = booking_figures(booking, first, last)
        block["bookings"].append(figures)
        block["impressions"] += figures["impressions"]
        block["clicks"] += figures["clicks"]
        block["price"] += booking.price
    for block in report.values():
        block["ctr"] = ctr(block["impressions"], block["clicks"])
    return {"month": month, "first": first, "last": last, "advertisers": list(report.values())}
