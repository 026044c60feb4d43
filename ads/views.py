"""
The public side of ads: the counting image (``/ads/i/<token>``), the click redirect
(``/ads/c/<token>``) and an advertiser's own read-only reports (``/ads/reports/``).

No view here sets a cookie or stores anything about the visitor: the counting image is the
creative itself, sent with ``Cache-Control: no-cache`` so that each view of a page (even a page
served from a cache) asks for it again — answered 304 when unchanged — and is counted.
"""

import hashlib
import io

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from PIL import Image

from . import reports, selectors, services, tokens
from .models import Booking, Creative, ReviewStatus


def _blank_png():
    buffer = io.BytesIO()
    Image.new("RGBA", (1, 1), (0, 0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


# A transparent 1×1 PNG: what a cached page gets for an ad that may no longer be shown.
BLANK_PNG = _blank_png()


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _blank():
    return _no_store(HttpResponse(BLANK_PNG, content_type="image/png"))


def _image_response(request, entry):
    digest = hashlib.sha256(f"{entry.creative_id}:{entry.updated}:{entry.image}".encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        try:
            with default_storage.open(entry.image, "rb") as stored:
                response = HttpResponse(stored.read(), content_type=entry.content_type)
        except FileNotFoundError:
            return _blank()
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"  # the browser asks again on every view: each view is counted
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def impression(request, token):
    """The creative's image, counted as one impression. A forged token: 404; an ad no longer shown: a blank."""
    found = tokens.read("impression", token)
    if found is None:
        raise Http404
    creative_id, placement, district = found
    entry = selectors.servable(creative_id)
    if entry is None or entry.placement != placement:
        return _blank()
    services.count("impression", request, entry, placement, district)
    return _image_response(request, entry)


@require_GET
def click(request, token):
    """302 to the creative's stored destination, counted as one click; a forged or altered token is a 404."""
    found = tokens.read("click", token)
    if found is None:
        raise Http404
    creative_id, placement, district = found
    entry = selectors.servable(creative_id)
    if entry is not None and entry.placement == placement:
        services.count("click", request, entry, placement, district)
        destination = entry.destination
    else:  # a cached page whose ad has ended: still an approved creative's own destination, not counted
        creative = Creative.objects.filter(pk=creative_id, review_status=ReviewStatus.APPROVED).first()
        if creative is None:
            raise Http404
        destination = creative.destination_url
    return _no_store(HttpResponseRedirect(destination))


# --- An advertiser's own reports ---------------------------------------------------------------

def _viewer_booking(request, booking_id):
    return get_object_or_404(Booking.objects.select_related("advertiser"), pk=booking_id,
                             advertiser__in=selectors.advertisers_for_viewer(request.user))


@login_required
def report_index(request):
    """The bookings of the advertisers this account may read, with their totals (read-only)."""
    advertisers = list(selectors.advertisers_for_viewer(request.user).prefetch_related("bookings"))
    if not advertisers:
        raise Http404  # deny unless allowed: an account of no advertiser sees nothing here
    blocks = [{"advertiser": advertiser,
               "bookings": [selectors.booking_figures(booking) for booking in advertiser.bookings.all()]}
              for advertiser in advertisers]
    return render(request, "ads/reports.html", {"blocks": blocks})


@login_required
def report_booking(request, booking_id):
    booking = _viewer_booking(request, booking_id)
    return render(request, "ads/report_booking.html", {"figures": selectors.booking_figures(booking)})


@login_required
def report_booking_csv(request, booking_id):
    booking = _viewer_booking(request, booking_id)
    return reports.csv_response(reports.booking_csv(booking), f"ad-report-booking-{booking.pk}.csv")
