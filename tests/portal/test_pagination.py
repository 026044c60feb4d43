"""The pager (templates/includes/pagination.html): first, last, two either side of the current page, gaps."""

import re

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

pytestmark = pytest.mark.django_db  # context processors read the site


def _pager(number, pages):
    page_obj = Paginator(range(pages * 10), 10).get_page(number)
    request = RequestFactory().get("/shinjuku/district/yotsuya/", {"page": number, "type": "shop"})
    html = render_to_string("includes/pagination.html", {"page_obj": page_obj}, request=request)
    shown = [int(n) for n in re.findall(r'<span aria-hidden="true">(\d+)</span>', html)]
    return shown, html


def test_a_long_listing_shows_the_ends_and_the_neighbours_with_gaps_between():
    shown, html = _pager(500, 998)
    assert shown == [1, 498, 499, 500, 501, 502, 998]
    assert html.count("pagination__gap") == 2
    assert 'aria-current="page"' in html and "type=shop" in html and "page=501" in html


def test_near_the_start_there_is_no_gap_before_and_a_short_listing_shows_every_page():
    assert _pager(2, 998)[0] == [1, 2, 3, 4, 998]
    assert _pager(3, 5)[0] == [1, 2, 3, 4, 5]
    assert _pager(1, 1)[0] == []  # one page: no pager
