"""
Counting without a row per view: impressions and clicks are added up in the cache, one counter per
hour × kind × creative × booking × placement × district, and a flush (the scheduled task every
minute, and the counting view itself at most every ``ADS_FLUSH_SECONDS`` when the cache is one per
process) moves them into ``AdCount`` rows in one transaction.

How the counters are found again without scanning the cache: the first time a counter is created
(``cache.add`` succeeds once, atomically, on every backend) its key is written into that hour's
register (an atomic sequence number and one entry per number). A flush reads the registers of the
recent hours, takes each counter's value and subtracts exactly that (``decr``), so views counted
meanwhile stay for the next flush; if the database write fails the values are added back. An hour
that ended more than ``_SETTLE`` ago and has been flushed is marked done and not read again.

Nothing about the visitor is in a key or a value: only what was shown where.
"""

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import AdCount

logger = logging.getLogger(__name__)


class _AdsCache:
    """The ``ads`` cache (portal/settings.py: counters must never be culled), looked up per thread as Django wants."""

    def __getattr__(self, name):
        return getattr(caches["ads"], name)


cache = _AdsCache()

IMPRESSION, CLICK = "i", "c"
_SETTLE = timedelta(minutes=5)
_LOCK = "ads:flush-lock"
_LAST = "ads:flush-last"


def _ttl():
    return settings.ADS_COUNTER_HOURS * 3600


def _hour_key(moment):
    return moment.astimezone(UTC).strftime("%Y%m%d%H")


def _incr(key, delta=1):
    """Atomic increment, creating the counter at 0 first; True when this call created it."""
    created = cache.add(key, 0, _ttl())
    try:
        cache.incr(key, delta)
    except ValueError:  # expired between add and incr: start again
        cache.add(key, 0, _ttl())
        cache.incr(key, delta)
    return created


def bump(kind, creative_id, booking_id, placement, district, moment=None):
    """Count one impression or click (``kind``: ``IMPRESSION`` or ``CLICK``)."""
    hour = _hour_key(moment or timezone.now())
    key = f"ads:n:{hour}:{kind}:{creative_id}:{booking_id}:{placement}:{district}"
    if _incr(key):
        number = _sequence(f"ads:r:{hour}")
        cache.set(f"ads:r:{hour}:{number}", key, _ttl())


def _sequence(key):
    cache.add(key, 0, _ttl())
    return cache.incr(key)


def _hours(now):
    first = now.replace(minute=0, second=0, microsecond=0)
    return [first - timedelta(hours=n) for n in range(settings.ADS_COUNTER_HOURS)]


def _take(hour_key):
    """{counter key: value} of one hour, each value subtracted from its counter (the flush owns it now)."""
    size = cache.get(f"ads:r:{hour_key}") or 0
    if not size:
        return {}
    keys = [key for key in cache.get_many([f"ads:r:{hour_key}:{n}" for n in range(1, size + 1)]).values()]
    taken = {key: value for key, value in cache.get_many(keys).items() if value}
    for key, value in taken.items():
        cache.decr(key, value)
    return taken


def _give_back(taken):
    for key, value in taken.items():
        _incr(key, value)


def _rows(taken):
    """{(hour, creative, booking, placement, district): [impressions, clicks]} from counter keys."""
    rows = defaultdict(lambda: [0, 0])
    for key, value in taken.items():
        _, _, hour, kind, creative, booking, placement, district = key.split(":", 7)
        moment = datetime.strptime(hour, "%Y%m%d%H").replace(tzinfo=UTC)
        rows[(moment, int(creative), int(booking), placement, district)][0 if kind == IMPRESSION else 1] += value
    return rows


@transaction.atomic
def _write(rows):
    for (hour, creative, booking, placement, district), (impressions, clicks) in rows.items():
        updated = AdCount.objects.filter(hour=hour, creative_id=creative, placement=placement, district=district) \
            .update(impressions=F("impressions") + impressions, clicks=F("clicks") + clicks)
        if not updated:
            AdCount.objects.create(hour=hour, day=timezone.localdate(hour), creative_id=creative, booking_id=booking,
                                   placement=placement, district=district, impressions=impressions, clicks=clicks)


def flush(now=None):
    """
    Move every counted impression and click into ``AdCount`` rows. Returns (rows written, views
    moved). One flush at a time (a lock in the cache); another caller returns (0, 0) at once.
    """
    now = now or timezone.now()
    if not cache.add(_LOCK, 1, 300):
        return 0, 0
    try:
        return _flush_hours(now)
    finally:
        cache.delete(_LOCK)
        cache.set(_LAST, now.timestamp(), None)


def _flush_hours(now):
    written = moved = 0
    for hour in _hours(now):
        hour_key = _hour_key(hour)
        if cache.get(f"ads:done:{hour_key}"):
            continue
        taken = _take(hour_key)
        if taken:
            rows = _rows(taken)
            try:
                _write(rows)
            except Exception:
                _give_back(taken)
                raise
            written, moved = written + len(rows), moved + sum(taken.values())
        if hour + timedelta(hours=1) + _SETTLE < now:
            cache.set(f"ads:done:{hour_key}", 1, _ttl())
    return written, moved


def flush_if_due(now=None):
    """The counting view's own flush, where no scheduler can see this process's cache: at most every ADS_FLUSH_SECONDS."""
    if not settings.ADS_FLUSH_IN_REQUEST:
        return
    now = now or timezone.now()
    last = cache.get(_LAST)
    if last is not None and now.timestamp() - last < settings.ADS_FLUSH_SECONDS:
        return
    try:
        flush(now)
    except Exception:  # counting must never break the image; the counts stay in the cache
        logger.exception("ads: flushing counts failed")
