"""
The monthly usage report's figures (利用状況報告), declared by the apps that hold them. A shared place
below every app, as ``members.audit`` is: each app writes a ``usage_figures.py`` of its own (found at
start-up by ``ReportsConfig.ready``) and registers a section here; the reports app reads the
sections and never imports the apps::

    # moderation/usage_figures.py
    from members import usage

    def build(start, end):
        return [usage.Figure("受け付けた投稿", 12, "期間中に受け付けた投稿の件数（取り下げを含む）")]

    usage.register("moderation", "投稿と審査", build, order=40)

``build(start, end)`` gets the month's first day and the next month's first day (dates; the end is
not included) and returns a list of ``Figure`` (a label, a value, its definition) and ``Table`` (a
small table with its definition). Every figure carries its definition: the report prints them.
Numbers about people that could point at someone go through ``small`` (1 to 4 read 「5未満」).
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone


@dataclass(frozen=True)
class Figure:
    label: str
    value: object
    definition: str


@dataclass(frozen=True)
class Table:
    title: str
    columns: list
    rows: list
    definition: str
    chart: bool = False  # draw the first two columns as a bar chart in the PDF


@dataclass(frozen=True)
class Section:
    name: str
    label: str
    build: object
    order: int = 100


_SECTIONS = {}
SMALL = "5未満"


def register(name, label, build, order=100):
    """Declare a section of the report; registering a name again replaces it (a module imported twice)."""
    _SECTIONS[name] = Section(name, label, build, order)


def sections():
    """The declared sections, in their order."""
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.name))


def small(number):
    """A count about people as the report shows it: 1 to 4 are 「5未満」 (too few not to point at someone)."""
    return SMALL if 0 < number < 5 else number


def bounds(start, end):
    """The month as aware datetimes (local midnight of ``start`` and of ``end``), for ``__gte`` / ``__lt``."""
    return (timezone.make_aware(datetime.combine(start, time.min)),
            timezone.make_aware(datetime.combine(end, time.min)))


def percentile(values, fraction):
    """The ``fraction`` percentile of ``values`` (nearest rank), None for none."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]
