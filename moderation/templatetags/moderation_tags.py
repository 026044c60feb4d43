"""
Residents' voices on a district page, without the pages app knowing this app::

    {% load moderation_tags %}{% resident_posts district=page %}
"""

from django import template

from ..models import Board
from ..selectors import visible_local_info, visible_threads

register = template.Library()


@register.inclusion_tag("moderation/resident_posts.html")
def resident_posts(district, limit=5):
    board = Board.objects.filter(active=True, district__translation_key=district.translation_key).first()
    threads = list(visible_threads(board).order_by("-last_posted_at", "-pk")[:limit]) if board else []
    return {
        "district": district,
        "board": board,
        "threads": threads,
        "local_info": list(visible_local_info(district)[:limit]),
    }
