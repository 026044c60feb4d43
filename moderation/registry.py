"""
The moderated kinds: each app declares what it submits to moderation; moderation works on any.

Screening (near-duplicates, the trust of new members), the queue and its counts, the decisions
with their audit entries, the admin and the retention purge read this registry and never name a
model, so a new kind of contribution (a survey's free-text answer, an ad's creative) needs no
edit in ``moderation``. An app declares its kinds in a module ``moderation_kinds.py`` (found by
``ModerationConfig.ready``), with ``moderation.registry`` and ``moderation.models.Moderated``
as its only imports from moderation::

    # surveys/models.py
    class Answer(Moderated):                  # status, reasons, author, queue and decision times
        question = models.ForeignKey(Question, ...)
        body = models.TextField()

    # surveys/moderation_kinds.py
    register(Kind(
        name="answer", label="アンケートの自由回答", model=Answer,
        title=lambda answer: answer.question.title, related=("question",),
        url=lambda answer: reverse("surveys:answer", args=[answer.pk]),
    ))

and stores a new one with ``moderation.services.receive(answer, address)`` (screened, shown or
held, or refused with the reasons). One kind per model: an item's kind is found from its class,
and its key in the audit trail and the admin's URLs is ``<name>:<pk>`` (``post:9``).

Why an abstract model (``Moderated``) for the shared fields rather than one table of moderation
items pointing at each app's rows: the queue filters and sorts on those fields in the database,
each app keeps its rows (and their deletion, export and erasure) to itself, and there is no
generic foreign key to keep in step.
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Optional


def _nothing(*args):
    return ""


@dataclass(frozen=True)
class Kind:
    name: str  # the key's prefix ("post" → "post:9") and the queue's filter value; unique
    label: str  # in Japanese, for the queue, its filter, the digest and the audit entry
    model: type  # a subclass of ``moderation.models.Moderated``
    # What the queue shows: a title, and the text (the excerpt; "body" before and after in the audit trail).
    title: Callable[[Any], str] = attrgetter("title")
    summary: Callable[[Any], str] = attrgetter("body")
    # The text screening compares a new contribution with (near-duplicates); default: title and summary.
    text: Optional[Callable[[Any], str]] = None
    author_field: str = "author"  # the member it came from (decisions are logged and mailed to them)
    district: Optional[str] = None  # lookup of its district ("thread__board__district"), for the filter
    related: tuple = ()  # select_related paths the callables here read
    prefetch: Callable[[], list] = list  # prefetch_related lookups the queue's rows read
    subkinds: tuple = ()  # (field, choices): the queue filters by these values instead of the name
    # Decisions: what approval does besides showing (returns details for the audit entry), what
    # any decision does besides the status (a post's flags resolved), a moderator's edit of the
    # text (default: ``title`` and ``body``), and why it cannot be restored ("" when it can).
    on_approve: Optional[Callable[[Any, Any], dict]] = None
    on_decided: Optional[Callable[[Any], None]] = None
    apply_edit: Optional[Callable[[Any, str, Optional[str]], None]] = None
    restore_refusal: Callable[[Any], str] = _nothing
    url: Callable[[Any], str] = _nothing  # where a moderator sees it ("" when there is nothing to see)
    details_template: str = ""  # more of it in the queue's row (images, the fields of a form)
    counts_towards_trust: bool = True  # its approved items make a new member trusted

    def key(self, item):
        return f"{self.name}:{item.pk}"

    def author(self, item):
        return getattr(item, self.author_field)

    def label_of(self, item):
        """The label of one item: its sub-kind's (「お店・団体の登録」) where the kind has sub-kinds."""
        if self.subkinds:
            field, choices = self.subkinds
            return str(dict(choices).get(getattr(item, field), self.label))
        return self.label

    def screened_text(self, item):
        return self.text(item) if self.text else f"{self.title(item)}\n{self.summary(item)}"

    def district_of(self, item):
        value = item
        for name in (self.district or "").split("__"):
            value = getattr(value, name, None) if name and value is not None else None
        return value

    def objects(self):
        """Its items with what the callables above read loaded."""
        return self.model.objects.select_related(*self.related)

    def filter_choices(self):
        return list(self.subkinds[1]) if self.subkinds else [(self.name, self.label)]


_kinds: dict[str, Kind] = {}


def register(kind: Kind):
    """Declare a kind; a name or a model already taken by another kind is an error."""
    for other in _kinds.values():
        if other.name != kind.name and other.model is kind.model:
            raise ValueError(f"{kind.model.__name__} is already the moderated kind {other.name!r}")
    if kind.name in _kinds and _kinds[kind.name].model is not kind.model:
        raise ValueError(f"moderated kind {kind.name!r} is already registered")
    _kinds[kind.name] = kind
    return kind


def unregister(name):
    return _kinds.pop(name, None)


def kinds() -> list[Kind]:
    return list(_kinds.values())


def get(name) -> Kind:
    return _kinds[name]


def kind_of(item) -> Kind:
    """The kind of a contribution, from its class."""
    for kind in _kinds.values():
        if type(item) is kind.model:
            return kind
    raise LookupError(f"{type(item).__name__} is not a moderated kind")


def key(item):
    return kind_of(item).key(item)


def parse(value):
    """``post:12`` → (the post kind, 12); ``LookupError`` for anything else."""
    name, _, pk = (value or "").partition(":")
    if name not in _kinds or not pk.isdecimal():
        raise LookupError(f"not a contribution's key: {value!r}")
    return _kinds[name], int(pk)


def filter_choices():
    """The queue's kind filter: each kind, or each of its sub-kinds."""
    return [choice for kind in _kinds.values() for choice in kind.filter_choices()]


def selected(value=None):
    """
    The kinds a filter value selects, as ``(kind, sub-kind value or None)``: every kind for no
    value, the kind of that name, or the kind with that sub-kind; none for an unknown value.
    """
    if not value:
        return [(kind, None) for kind in _kinds.values()]
    if value in _kinds:
        return [(_kinds[value], None)]
    return [(kind, value) for kind in _kinds.values()
            if kind.subkinds and value in dict(kind.subkinds[1])]
