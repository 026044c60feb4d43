"""
Sections of the moderators' daily digest (the 8:00 mail) that other apps contribute: the server's
state and the daily check (reports), personal-data requests due and incident clocks (compliance).

An app declares in its ``digest_sections.py`` (found by ``ModerationConfig.ready``)::

    from moderation.digest import Section, register

    def build(now):
        # None when there is nothing to say today; else a Section
        return Section(title=_("サーバーの状態"), lines=[...], attention=False, links=[...])

    register("server", build, order=10)

``lines`` are plain translated strings (one per line in the mail); ``attention`` marks a section
that needs someone today (overdue cases, a failing job): the digest is sent even with an empty
queue when any section has something to say, and its subject says so. ``links`` are
``(label, absolute_url)`` pairs printed under the lines (e.g. 「確認しました」).
"""

from dataclasses import dataclass, field

_builders = {}


@dataclass
class Section:
    title: str
    lines: list = field(default_factory=list)
    attention: bool = False
    links: list = field(default_factory=list)


def register(name, build, order=50):
    """``build(now)`` returns a ``Section`` or None; sections are shown by ``order``, then name."""
    _builders[name] = (order, build)


def unregister(name):
    _builders.pop(name, None)


def sections(now):
    """The sections that have something to say today, in order."""
    built = []
    for _name, (_order, build) in sorted(_builders.items(), key=lambda item: (item[1][0], item[0])):
        section = build(now)
        if section is not None:
            built.append(section)
    return built
