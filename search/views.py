from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Locale, Page

from .text import normalize_query

MAX_QUERY_LENGTH = 200


def search(request):
    """The public site search: every visible page of the visitor's language, best match first."""
    query = normalize_query(request.GET.get("q", ""))[:MAX_QUERY_LENGTH]
    results = None
    if query:
        pages = Page.objects.live().public().filter(locale=Locale.get_active()).specific()
        results = Paginator(pages.search(query), settings.PORTAL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "search/search.html", {"query": query, "results": results})
