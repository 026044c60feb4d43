"""
Residents' voices on a district page, without the pages app knowing this app::

    {% load moderation_tags %}{% resident_posts district=page %}

The same for every visitor: what the box shows (the board's slug, the threads' titles and counts,
the information's titles and public names — no other member data) is kept per process until the
board changes (``pages.caching.shared``, under the page cache's generations).
"""

from types import SimpleNamespace

from django import template

from pages.caching import shared

from ..models import Board
from ..selectors import visible_local_info, visible_threads

register = template.Library()


@register.inclusion_tag("moderation/resident_posts.html")
def resident_posts(district, limit=5):
    board, threads, local_info = shared("resident_posts", (district.translation_key, limit),
                                        lambda: _resident_posts(district, limit), sections=("board",))
    return {"district": district, "board": board, "threads": threads, "local_info": local_info}


def _resident_posts(district, limit):
    board = Board.objects.filter(active=True, district__translation_key=district.translation_key).first()
    threads = list(visible_threads(board).order_by("-last_posted_at", "-pk")[:limit]) if board else []
    return (
        board and SimpleNamespace(slug=board.slug),
        [SimpleNamespace(pk=thread.pk, title=thread.title, shown_posts=thread.shown_posts) for thread in threads],
        [SimpleNamespace(pk=item.pk, title=item.title, author_name=item.author_name)
         for item in visible_local_info(district)[:limit]],
    )
