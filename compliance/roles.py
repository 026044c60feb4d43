"""What the staff roles may do with personal-data requests: the administrators handle them."""

from members import access, roles

from .incident_setup import GATE_MESSAGE, training_gate

roles.grant(roles.ADMINISTRATORS, "compliance.view_case", "compliance.add_case", "compliance.change_case",
            "compliance.handle_case", "compliance.view_casedocument", "compliance.add_casedocument")

# Handling a request shows the requester's personal data: like viewing it in the member list, only with
# current staff training (C2's gate, ``compliance.incident_setup``).
access.register_gate({"compliance.handle_case"}, training_gate, GATE_MESSAGE, name="compliance.training_cases")
