"""
Gates on permissions: conditions besides the roles that a permission needs at the moment it is
checked. An app declares one for permissions it does not own (compliance: no personal data and no
moderation without current staff training)::

    from members import access
    access.register_gate({"members.view_personal_data"}, predicate, message, name="training")

``predicate(user)`` says whether the user may use the permissions now; ``message`` (a translated
string, lazy) tells them why not. ``User.has_perm`` consults the gates after the roles, so a gated
permission is denied wherever it is checked — superusers included. Registering the same name again
replaces the gate (idempotent at start-up).
"""

_GATES = {}  # name -> (frozenset of "app_label.codename", predicate, message)


def register_gate(permissions, predicate, message, name=None):
    """Gate ``permissions`` (an iterable of "app_label.codename") by ``predicate(user)``; ``name``
    defaults to the predicate's dotted name."""
    name = name or f"{predicate.__module__}.{predicate.__qualname__}"
    permissions = frozenset([permissions] if isinstance(permissions, str) else permissions)
    for dotted in permissions:
        if dotted.count(".") != 1:
            raise ValueError(f"permission {dotted!r} must be 'app_label.codename'")
    _GATES[name] = (permissions, predicate, message)


def unregister_gate(name):
    _GATES.pop(name, None)


def gated(perm):
    """Whether any gate watches ``perm``."""
    return any(perm in permissions for permissions, _p, _m in _GATES.values())


def refusal(user, perm):
    """Why a gate denies ``user`` the permission ``perm`` (a message), or None when no gate does."""
    for permissions, predicate, message in _GATES.values():
        if perm in permissions and not predicate(user):
            return message
    return None


def allowed(user, perm):
    """Whether every gate on ``perm`` lets ``user`` use it (the roles are checked elsewhere)."""
    return refusal(user, perm) is None


def refusals(user):
    """Every gate's message that applies to ``user`` now, with the permissions it holds back."""
    return [(message, sorted(permissions)) for permissions, predicate, message in _GATES.values()
            if not predicate(user)]
