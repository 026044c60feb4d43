"""
``{% page_numbers page_obj as numbers %}``: the page numbers a pager shows — the first and the last,
two on each side of the current one, and ``None`` for each gap — without walking every page number
(a district's listing at 100,000 pages has about a thousand; issue 18).
"""

from django import template
from django.core.paginator import Paginator

register = template.Library()


@register.simple_tag
def page_numbers(page_obj):
    numbers = page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    return [None if n == Paginator.ELLIPSIS else n for n in numbers]
