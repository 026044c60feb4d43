from django.shortcuts import render
from wagtail.models import Locale, Page

from pages.models import paginate

from .text import normalize

MAX_QUERY_LENGTH = 200


def search(request):
    """The public site search: every live page of the visitor's language, best match first."""
    query = normalize(request.GET.get("q", ""))[:MAX_QUERY_LENGTH]
    results = None
    if query:
        pages = Page.objects.live().public().filter(locale=Locale.get_active()).specific()
        results = paginate(request, pages.search(query))
    return render(request, "search/search.html", {"query": query, "results": results})
