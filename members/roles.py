"""
Staff roles: the groups staff belong to, and what each may do. Each app declares, in its own
``roles.py``, what the roles may do with its models; one ``post_migrate`` handler (connected in
``MembersConfig.ready``) creates the groups and grants every declaration, then runs the apps'
set-up steps (``on_setup``: the editorial workflow, for one) — so no app depends on running last::

    # moderation/roles.py
    from members import roles
    roles.grant(roles.MODERATORS, "moderation.view_post", "moderation.change_post")

Idempotent: it only adds what is missing, so an operator's later changes in the admin are kept.
An app may declare a role of its own with ``roles.declare(name)``.
"""

from collections import defaultdict

from django.apps import apps
from django.db import transaction

EDITORS = "Editors"
MODERATORS = "Moderators"
ADMINISTRATORS = "Administrators"

_ROLES = [EDITORS, MODERATORS, ADMINISTRATORS]
_GRANTS = defaultdict(set)  # role -> {"app_label.codename"}
_SETUP = []  # callables run after the grants, in registration order


def declare(name):
    """A staff group of an app's own (e.g. ad sales); the three roles above always exist."""
    if name not in _ROLES:
        _ROLES.append(name)
    return name


def grant(role, *permissions):
    """Let ``role`` (declared) have ``permissions`` (``"app_label.codename"``)."""
    if role not in _ROLES:
        raise ValueError(f"unknown role {role!r}: declare it first")
    for dotted in permissions:
        if dotted.count(".") != 1:
            raise ValueError(f"permission {dotted!r} must be 'app_label.codename'")
        _GRANTS[role].add(dotted)


def on_setup(function):
    """Run ``function()`` after the groups exist and the grants are given (decorator)."""
    if function not in _SETUP:
        _SETUP.append(function)
    return function


def granted(role):
    return sorted(_GRANTS[role])


def roles():
    return list(_ROLES)


@transaction.atomic
def ensure_roles():
    """Create the groups and give them every declared permission. Returns {role: group}."""
    from django.contrib.auth.models import Group, Permission

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in _ROLES}
    for role, dotted_names in _GRANTS.items():
        wanted = {tuple(dotted.split(".")) for dotted in dotted_names}
        found = [p for p in Permission.objects.filter(codename__in={c for _a, c in wanted})
                 .select_related("content_type") if (p.content_type.app_label, p.codename) in wanted]
        missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
        if missing:
            raise LookupError(f"role {role}: no such permission {sorted('.'.join(m) for m in missing)}")
        groups[role].permissions.add(*found)
    return groups


def _after_migrate(sender, **kwargs):
    # post_migrate is sent once per app with models, in INSTALLED_APPS order, and each app's
    # permissions are created in its own turn: the roles are set up once, after the last app's.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not with_models[-1]:
        return
    ensure_roles()
    for function in _SETUP:
        function()


# --- the members app's own grants -----------------------------------------------------------

grant(ADMINISTRATORS, "members.add_user", "members.change_user", "members.delete_user", "members.view_user",
      "members.view_personal_data", "members.view_auditentry", "auth.add_group", "auth.change_group")
grant(ADMINISTRATORS, "members.view_outboxmail")  # メール送信状況 (members.outbox_admin)
