"""What the staff roles may do with incidents and training records: the administrators keep both."""

from members import roles

roles.grant(roles.ADMINISTRATORS,
            "compliance.view_incident", "compliance.add_incident", "compliance.change_incident",
            "compliance.view_course", "compliance.add_course", "compliance.change_course",
            "compliance.view_trainingrecord", "compliance.add_trainingrecord", "compliance.change_trainingrecord")

INCIDENT_VIEW = "compliance.view_incident"
INCIDENT_CHANGE = "compliance.change_incident"
TRAINING_VIEW = "compliance.view_trainingrecord"
TRAINING_ADD = "compliance.add_trainingrecord"
