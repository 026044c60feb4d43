"""
A member's data across the apps: each app that holds something of a member's declares, in its
own ``personal_data.py``, its part of the member's export (開示) and of the erasure on
withdrawal. ``members.services`` collects them; no section is pre-declared here::

    # moderation/personal_data.py
    personal_data.register("posts", export=posts_of, erase=erase_posts)

``export(user)`` returns JSON-ready data for its section; ``erase(user, keep_posts)`` removes or
anonymises what the member leaves behind (``keep_posts``: the member chose to leave their public
contributions under 「退会したユーザー」).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Section:
    name: str
    export: Optional[Callable]
    erase: Optional[Callable]


_SECTIONS = {}


def register(name, *, export=None, erase=None):
    known = _SECTIONS.get(name)
    owner = (export or erase).__module__
    if known is not None and (known.export or known.erase).__module__ != owner:
        raise ValueError(f"personal-data section {name!r} is already registered by another app")
    _SECTIONS[name] = Section(name, export, erase)


def sections():
    return list(_SECTIONS.values())


def export_sections(user):
    """{section: data} from every app that exports something of ``user``."""
    return {section.name: section.export(user) for section in _SECTIONS.values() if section.export}


def erase_everywhere(user, keep_posts):
    for section in _SECTIONS.values():
        if section.erase:
            section.erase(user, keep_posts)
