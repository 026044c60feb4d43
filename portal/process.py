"""
The web process's memory: what lives as long as the process is moved out of the garbage
collector's walks (``gc.freeze()``).

Python's cyclic garbage collector walks every object in its oldest generation in each full
collection. In a worker that is about 300,000 objects made by importing Django, Wagtail and the apps,
and tens of thousands more made by its first requests (modules imported on first use, compiled
templates, what ``pages.caching`` keeps): a full collection took 50-200 ms, every forty-odd page
renders, and the render it fell in took two to five times as long (the render benchmark's p95).
The walks also write to the objects' headers, which copies the master's memory pages into every
worker. Frozen objects are never walked again; they are still freed when nothing refers to them,
and what a request makes is collected as before.

- ``freeze_loaded_objects()``: gunicorn's master, once the application is loaded and before it
  forks the workers (``site/gunicorn.conf.py``'s ``when_ready``), as the Python documentation advises
  for a process that forks without exec.
- ``freeze_after_requests()``: a worker, once more after its first ``FREEZE_AFTER_REQUESTS`` requests
  (``post_fork``); that one collection costs the request it ends a tenth of a second, once.
"""

import gc
import threading

from django.core.signals import request_finished

FREEZE_AFTER_REQUESTS = 200
_lock = threading.Lock()
_served = 0
_limit = FREEZE_AFTER_REQUESTS


def freeze_loaded_objects():
    """Collect what is garbage now, then freeze every object left; the number frozen in all."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def freeze_after_requests(count=FREEZE_AFTER_REQUESTS):
    """Freeze what this process keeps once it has served ``count`` requests (once)."""
    global _served, _limit
    with _lock:
        _served, _limit = 0, count
    request_finished.connect(_count_request, weak=False, dispatch_uid=__name__)


def _count_request(**kwargs):
    global _served
    with _lock:
        _served += 1
        due = _served == _limit
    if due:
        request_finished.disconnect(dispatch_uid=__name__)
        freeze_loaded_objects()
