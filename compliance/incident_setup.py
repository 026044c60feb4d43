"""
The incident register's and training's declarations, made once at start-up (imported by
``ComplianceConfig.ready``): the audit actions, the roles' grants, the training
gate on personal data and moderation, and the incident clocks' section of the moderators' digest.
Only light modules are imported here (the models are still loading); the gate's predicate and the
digest section load their modules when first called. Every declaration is idempotent.
"""

from django.utils.translation import gettext_lazy

from members import access
from moderation import digest

from . import incident_audit, incident_roles  # noqa: F401 - declarations

# members.services.PERSONAL_DATA_PERMISSION and moderation.selectors.MODERATE_PERMISSION (a test
# keeps them equal; importing those modules here would load the models too early).
GATED_PERMISSIONS = ("members.view_personal_data", "moderation.change_post")
GATE_MESSAGE = gettext_lazy("研修の受講記録がないため、個人情報の閲覧とモデレーションはできません。"
                            "必須の研修（現在の版）を受講し、誓約書を提出してください。")


def training_gate(user):
    from .training import training_current

    return training_current(user)


def incident_section(now):
    from .incident_digest import build_section

    return build_section(now)


access.register_gate(GATED_PERMISSIONS, training_gate, GATE_MESSAGE, name="compliance.training")
digest.register("compliance_incidents", incident_section, order=30)
