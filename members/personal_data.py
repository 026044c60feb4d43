"""
A member's data across the apps: each app that holds something of a member's declares, in its
own ``personal_data.py``, its part of the member's export (開示) and of the erasure on
withdrawal. ``members.services`` collects them; no section is pre-declared here::

    # moderation/personal_data.py
    personal_data.register("posts", export=posts_of, erase=erase_posts)

``export(user)`` returns JSON-ready data for its section; ``erase(user, keep_posts)`` removes or
anonymises what the member leaves behind (``keep_posts``: the member chose to leave their public
contributions under 「退会したユーザー」).

An app may also list the member's activity on the member's page in the admin (staff only):
``activity(user, limit)`` returns at most ``limit`` rows, newest first, each
``{"title", "state", "date", "url"}`` (and optionally ``"kind"``, a label such as 「掲示板」): no
personal data, only what the member contributed and where staff open it. ``activity_of``
merges every app's rows::

    personal_data.register("posts", export=posts_of, erase=erase_posts, activity=latest_posts)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Section:
    name: str
    export: Optional[Callable]
    erase: Optional[Callable]
    activity: Optional[Callable] = None

    @property
    def owner(self):
        return (self.export or self.erase or self.activity).__module__


_SECTIONS = {}


def register(name, *, export=None, erase=None, activity=None):
    if not (export or erase or activity):
        raise ValueError(f"personal-data section {name!r} declares nothing")
    section = Section(name, export, erase, activity)
    known = _SECTIONS.get(name)
    if known is not None and known.owner != section.owner:
        raise ValueError(f"personal-data section {name!r} is already registered by another app")
    _SECTIONS[name] = section


def sections():
    return list(_SECTIONS.values())


def export_sections(user):
    """{section: data} from every app that exports something of ``user``."""
    return {section.name: section.export(user) for section in _SECTIONS.values() if section.export}


def erase_everywhere(user, keep_posts):
    for section in _SECTIONS.values():
        if section.erase:
            section.erase(user, keep_posts)


def activity_of(user, limit=20):
    """The member's latest activity from every app that lists some, newest first, at most ``limit`` rows."""
    rows = []
    for section in _SECTIONS.values():
        if section.activity:
            rows += [{"kind": "", **row} for row in section.activity(user, limit)]
    return sorted(rows, key=lambda row: row["date"], reverse=True)[:limit]
