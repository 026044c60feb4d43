"""
The compliance app's part of a member's data: their own requests (開示等の請求) in the export; on
withdrawal the case stays as the operator's record of the answer (type, dates, decision), its
free text and the requester's name and contact are erased.
"""

from members import personal_data

from .models import Case


def export_cases(user):
    return [
        {"id": c.pk, "type": c.get_type_display(), "channel": c.get_channel_display(),
         "received_at": c.received_at.isoformat(), "due_on": c.due_on.isoformat(), "state": c.get_state_display(),
         "decision": c.get_decision_display(), "ground": c.decision_ground, "reply_method": c.get_reply_method_display(),
         "details": c.details}
        for c in Case.objects.filter(member=user).order_by("received_at", "pk")
    ]


def erase_cases(user, keep_posts):
    for case in Case.objects.filter(member=user):
        case.details = case.requester_name = case.requester_contact = ""
        case.save(update_fields=["details", "requester_name", "requester_contact"])


personal_data.register("requests", export=export_cases, erase=erase_cases)
