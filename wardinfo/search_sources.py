"""What the ward-information app lets residents find (see ``search.registry``): its notices."""

from django.utils.translation import gettext_lazy as _
from wagtail.rich_text import get_text_for_indexing

from search.registry import Document, Source, register

from .models import FeedSource, WardNotice
from .selectors import ward_notices


def visible_notices():
    # The ward's published information, as the site and the API show it (not those dated ahead;
    # the nightly rebuild adds them once their day has come).
    return ward_notices()


def notice_document(notice):
    return Document(
        title=notice.title, url=notice.url, text=get_text_for_indexing(notice.summary or ""),
        date=notice.published_at, districts=[d.slug for d in notice.districts.all()],
        themes=[t.slug for t in notice.themes.all()],
    )


register(Source(
    name="wardinfo.notice", type="notice", label=_("区のお知らせ"), model=WardNotice,
    visible=visible_notices, document=notice_document, recency_weight=1.0,
    related=[(FeedSource, lambda source: source.notices.values_list("pk", flat=True))],
    prefetch=lambda queryset: queryset.prefetch_related("districts", "themes"),
))
