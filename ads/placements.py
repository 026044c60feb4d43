"""
The ad slots (掲載枠) and each one's rules for a creative: exact pixel size, largest file, how many
creatives one slot shows. A fixed list in code: a new slot needs a template and a rule, so it is
a change of code, not of data.

Sizes follow common banner shapes; the site scales images down on narrow screens (``max-width:
100%``), so a creative is always drawn at this exact size and never stretched up.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Placement:
    slug: str
    label: str
    width: int
    height: int
    max_bytes: int
    slots: int  # creatives shown at once (and the API's default ``limit``)
    where: str  # where on the site (for the admin's help text)

    @property
    def size(self):
        return f"{self.width}×{self.height}"


PLACEMENTS = {
    placement.slug: placement
    for placement in (
        Placement("home-top", _("トップページ上部"), 1200, 200, 200 * 1024, 1, _("トップページの見出しの下")),
        Placement("section-side", _("地域・テーマのページ"), 300, 250, 100 * 1024, 2,
                  _("地域ページ・テーマページ（ページの地域・テーマで絞り込み）")),
        Placement("article-bottom", _("記事の下"), 728, 90, 100 * 1024, 1, _("取材記事の本文の後")),
        Placement("search-results", _("検索結果"), 728, 90, 100 * 1024, 1, _("サイト内検索の結果の上")),
        Placement("newsletter", _("メールマガジン"), 600, 200, 150 * 1024, 1, _("メールマガジンの本文中（配信時に選択）")),
    )
}

CHOICES = [(slug, placement.label) for slug, placement in PLACEMENTS.items()]


def placement(slug):
    """The placement named ``slug``; an unknown one is a ``LookupError``."""
    try:
        return PLACEMENTS[slug]
    except KeyError:
        raise LookupError(slug) from None
