"""
The search registry: each app declares what it lets residents find.

This is the one module of ``search`` that other apps import. An app declares its sources in a
module ``search_sources.py`` (found by ``SearchConfig.ready``)::

    from search.registry import Document, Source, register

    def visible_notices():
        return WardNotice.objects.all()            # deny by default: only what anyone may see

    def notice_document(notice):
        return Document(
            title=notice.title, url=notice.url, text=notice.summary, date=notice.published_at,
            districts=[d.slug for d in notice.districts.all()], themes=[...],
        )

    register(Source(
        name="wardinfo.notice", type="notice", label="区のお知らせ", model=WardNotice,
        visible=visible_notices, document=notice_document,
        related=[(FeedSource, lambda source: source.notices.all())],
    ))

The registry keeps the search index in step with the source: whenever an object of ``model`` is
saved or deleted (or an object of a ``related`` model, which names the source objects it affects),
the object is looked up again in ``visible()``: there, its document is written; not there, its
document is removed. So a held, hidden, refused, unpublished or private object leaves the index
the moment it stops being visible, whatever the reason, and only ``visible()`` decides.

A document carries only what a search result shows. Never put personal data in it: authors by
nickname at most, never names, e-mail or addresses of members.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Optional

_sources: dict[str, "Source"] = {}


@dataclass
class Document:
    """What one search result shows, and the text it is found by."""

    title: str
    url: str
    text: str = ""  # body text, plain (no HTML)
    date: Optional[datetime.datetime | datetime.date] = None
    districts: list[str] = field(default_factory=list)  # slugs of the ward's districts
    themes: list[str] = field(default_factory=list)  # slugs of the themes
    locale: str = "ja"
    keywords: str = ""  # extra words matched like the title (readings, tags, category)


@dataclass
class Source:
    name: str  # unique, "app.kind": "pages.article"
    type: str  # the result's ``type`` in the API ("article", "notice", "post", ...)
    label: str  # the type in Japanese, for the site and the facets
    model: type
    visible: Callable[[], "Iterable"]  # a queryset of what anyone may see; the only gate
    document: Callable[[object], Document]
    # (model, callable(instance) -> iterable of source objects or of their pks) for changes elsewhere
    # that change this source's documents (a feed's districts, a page's view restriction, ...).
    related: list[tuple[type, Callable]] = field(default_factory=list)
    # Recent items rank higher (ward notices, events): weight of the recency bonus, 0 for none.
    recency_weight: float = 0.0
    # Bulk loading: a function(queryset) -> queryset with the relations ``document`` reads.
    prefetch: Optional[Callable] = None


_term_labels: dict[str, Callable] = {}


def register_term_labels(kind, resolver):
    """
    How to name the slugs in documents' ``districts`` or ``themes`` (``kind``) for the facets:
    ``resolver(slugs, locale) -> {slug: title}``.
    """
    _term_labels[kind] = resolver


def term_labels(kind, slugs, locale="ja") -> dict[str, str]:
    resolver = _term_labels.get(kind)
    if resolver is None or not slugs:
        return {}
    return resolver(list(slugs), locale)


def register(source: Source):
    if source.name in _sources and _sources[source.name].model is not source.model:
        raise ValueError(f"search source {source.name!r} is already registered")
    _sources[source.name] = source
    from . import sync

    sync.connect(source)
    return source


def unregister(name):
    source = _sources.pop(name, None)
    if source is not None:
        from . import sync

        sync.disconnect(source)


def sources() -> list[Source]:
    return list(_sources.values())


def get(name) -> Source:
    return _sources[name]


def for_model(model) -> list[Source]:
    return [source for source in _sources.values() if issubclass(model, source.model)]


def types() -> dict[str, str]:
    """Result type -> its label, for every registered source (several sources may share a type)."""
    return {source.type: source.label for source in _sources.values()}
