"""The public list of the ward's notices (``/ward-notices/``), filterable by district and theme."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Locale

from pages.terms import visible_districts, visible_themes

from .feeds import feed_links
from .selectors import ward_notices


def notice_list(request):
    locale = Locale.get_active()
    districts = list(visible_districts(locale).order_by("path"))
    themes = list(visible_themes(locale).order_by("path"))
    district = next((d for d in districts if d.slug == request.GET.get("district")), None)
    theme = next((t for t in themes if t.slug == request.GET.get("theme")), None)
    notices = ward_notices(district, theme).prefetch_related("districts", "themes")
    return render(request, "wardinfo/notice_index.html", {
        "items": Paginator(notices, settings.PORTAL_PAGE_SIZE).get_page(request.GET.get("page")),
        "districts": districts,
        "themes": themes,
        "district": district,
        "theme": theme,
        "feeds": feed_links(district or theme),
        "term": district or theme,
    })
