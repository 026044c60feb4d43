"""
Choosing the ads for a page, fast: the eligible set is built from the database into this process's
memory (``Snapshot``) and each page's choice is a filter and a weighted draw over it, with no query.

Eligible: an approved creative of an active booking of an active advertiser, running today, whose
impression goal (if any) is not yet reached, while the stop-all switch is off. The snapshot is
rebuilt when any ads row changes (a version number in the shared cache, checked at most every
``ADS_SNAPSHOT_CHECK_SECONDS``; this process's own changes drop it at once), when the date
changes, and at least every ``ADS_SNAPSHOT_SECONDS`` (pacing reads the flushed counts).

Targeting is by what the page is about, never by who looks: a booking with districts is shown
only on pages about one of them, likewise themes and language; an empty target means any.

Pacing: a booking with an impression goal gets its weight multiplied by how far it is behind (or
ahead of) an even delivery over its period: (due + 1) / (delivered + 1), between 0.05 and 5.
"""

import random
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from pages.terms import district_model, theme_model

from .counting import cache
from .models import AdCount, AdsSwitch, Creative, ReviewStatus

VERSION_KEY = "ads:snapshot-version"
_lock = threading.Lock()
_state = {"snapshot": None, "checked": 0.0}


@dataclass(frozen=True)
class Entry:
    creative_id: int
    booking_id: int
    placement: str
    advertiser: str
    alt: str
    text: str
    width: int
    height: int
    image: str  # storage name
    content_type: str
    destination: str
    weight: float
    districts: frozenset
    themes: frozenset
    language: str
    updated: float

    def matches(self, districts, themes, language):
        return ((not self.districts or not self.districts.isdisjoint(districts))
                and (not self.themes or not self.themes.isdisjoint(themes))
                and (not self.language or self.language == language))

    def count_district(self, districts):
        """The district the view is counted under: the targeted one the page is about, else the page's first."""
        chosen = (self.districts & districts) or districts
        return min(chosen) if chosen else ""


@dataclass
class Snapshot:
    version: object
    day: object
    built: float
    stopped: bool = False
    message: str = ""
    by_placement: dict = field(default_factory=dict)
    by_creative: dict = field(default_factory=dict)
    district_slugs: dict = field(default_factory=dict)  # translation key -> Japanese slug
    theme_slugs: dict = field(default_factory=dict)


def pacing_factor(goal, delivered, starts_on, ends_on, today):
    """Weight multiplier that spreads ``goal`` impressions evenly from ``starts_on`` to ``ends_on`` (inclusive)."""
    days = (ends_on - starts_on).days + 1
    elapsed = min(days, max(0, (today - starts_on).days) + 0.5)  # halfway through today
    due = goal * elapsed / days
    return min(5.0, max(0.05, (due + 1) / (delivered + 1)))


def _delivered(booking_ids):
    rows = AdCount.objects.filter(booking_id__in=booking_ids).values("booking_id").annotate(n=Sum("impressions"))
    return {row["booking_id"]: row["n"] or 0 for row in rows}


def _eligible_creatives(today):
    return list(
        Creative.objects.filter(review_status=ReviewStatus.APPROVED, booking__active=True,
                                booking__advertiser__active=True, booking__starts_on__lte=today,
                                booking__ends_on__gte=today)
        .select_related("booking__advertiser").prefetch_related("booking__districts", "booking__themes")
    )


def _weights(creatives, today):
    """Each creative's weight: its booking's (paced) weight shared among the booking's creatives."""
    bookings = {creative.booking_id: creative.booking for creative in creatives}
    delivered = _delivered([pk for pk, booking in bookings.items() if booking.impression_goal])
    per_booking = {}
    for pk, booking in bookings.items():
        weight = float(booking.weight)
        if booking.impression_goal:
            done = delivered.get(pk, 0)
            weight = 0.0 if done >= booking.impression_goal else weight * pacing_factor(
                booking.impression_goal, done, booking.starts_on, booking.ends_on, today)
        per_booking[pk] = weight
    shares = {}
    for creative in creatives:
        shares[creative.booking_id] = shares.get(creative.booking_id, 0) + 1
    return {creative.pk: per_booking[creative.booking_id] / shares[creative.booking_id] for creative in creatives}


def _entry(creative, weight):
    booking = creative.booking
    return Entry(
        creative_id=creative.pk, booking_id=booking.pk, placement=booking.placement, advertiser=booking.advertiser.name,
        alt=creative.alt, text=creative.text, width=creative.image_width, height=creative.image_height,
        image=creative.image.name, content_type=f"image/{(creative.image_format or 'png').lower()}",
        destination=creative.destination_url, weight=weight,
        districts=frozenset(page.slug for page in booking.districts.all()),
        themes=frozenset(page.slug for page in booking.themes.all()),
        language=booking.language, updated=creative.updated_at.timestamp(),
    )


def build(version=None):
    """A new snapshot from the database."""
    today = timezone.localdate()
    switch = AdsSwitch.current()
    snapshot = Snapshot(version=version, day=today, built=time.monotonic(), stopped=switch.stopped,
                        message=switch.message)
    snapshot.district_slugs = dict(district_model().objects.values_list("translation_key", "slug")
                                   .filter(locale__language_code=settings.LANGUAGE_CODE))
    snapshot.theme_slugs = dict(theme_model().objects.values_list("translation_key", "slug")
                                .filter(locale__language_code=settings.LANGUAGE_CODE))
    creatives = _eligible_creatives(today)
    weights = _weights(creatives, today)
    for creative in creatives:
        if weights[creative.pk] > 0:
            entry = _entry(creative, weights[creative.pk])
            snapshot.by_placement.setdefault(entry.placement, []).append(entry)
            snapshot.by_creative[entry.creative_id] = entry
    return snapshot


def current():
    """This process's snapshot, rebuilt when stale (see the module's docstring)."""
    now = time.monotonic()
    snapshot = _state["snapshot"]
    if snapshot is not None and now - _state["checked"] < settings.ADS_SNAPSHOT_CHECK_SECONDS:
        return snapshot
    version = cache.get(VERSION_KEY, 0)
    if (snapshot is None or snapshot.version != version or snapshot.day != timezone.localdate()
            or now - snapshot.built > settings.ADS_SNAPSHOT_SECONDS):
        with _lock:
            snapshot = build(version)
            _state["snapshot"] = snapshot
    _state["checked"] = now
    return snapshot


def invalidate():
    """Something changed: every process rebuilds its snapshot (this one at once)."""
    if not cache.add(VERSION_KEY, 1, None):
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 1, None)
    _state["snapshot"] = None


def choose(placement, districts=frozenset(), themes=frozenset(), language="ja", limit=1, exclude=(), rng=random):
    """
    Up to ``limit`` entries for one slot, drawn by weight without replacement among the eligible
    ones that match the page; ``exclude``: creative ids already on the page. Returns
    (entries, snapshot) — the snapshot tells whether everything is stopped and the message.
    """
    snapshot = current()
    if snapshot.stopped:
        return [], snapshot
    candidates = [entry for entry in snapshot.by_placement.get(placement, ())
                  if entry.creative_id not in exclude and entry.matches(districts, themes, language)]
    chosen = []
    while candidates and len(chosen) < limit:
        pick = _draw(candidates, rng)
        chosen.append(pick)
        candidates = [entry for entry in candidates if entry.creative_id != pick.creative_id]
    return chosen, snapshot


def _draw(candidates, rng):
    total = sum(entry.weight for entry in candidates)
    point = rng.random() * total
    for entry in candidates:
        point -= entry.weight
        if point < 0:
            return entry
    return candidates[-1]
