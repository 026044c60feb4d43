"""The incident clocks in the moderators' daily digest (registered by ``compliance.incident_setup``)."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from moderation.digest import Section

from .incidents import active_incidents, clocks


def _line(incident, now):
    parts = []
    for clock in clocks(incident):
        if not clock.required or clock.done_at:
            continue
        due = timezone.localtime(clock.due).strftime("%Y-%m-%d %H:%M")
        if clock.overdue(now):
            parts.append(_("%(label)s 期限超過（%(due)s）") % {"label": clock.label, "due": due})
        else:
            parts.append(_("%(label)s %(due)s まで") % {"label": clock.label, "due": due})
    state = incident.get_state_display()
    return f"#{incident.pk} {incident.title}（{state}）: " + ("、".join(parts) or _("報告はすべて送付済み"))


def build_section(now):
    """Open incidents with their clocks; attention when any clock is overdue. None when nothing is open."""
    incidents = list(active_incidents())
    if not incidents:
        return None
    overdue = [incident for incident in incidents if any(c.overdue(now) for c in clocks(incident))]
    lines = [_("対応中の事故 %(count)d 件、期限を過ぎた報告のある事故 %(overdue)d 件")
             % {"count": len(incidents), "overdue": len(overdue)}]
    lines += [_line(incident, now) for incident in incidents]
    try:
        links = [(_("事故報告の一覧"), settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("compliance_incidents"))]
    except NoReverseMatch:  # the admin pages are not wired (C1's wagtail_hooks not loaded)
        links = []
    return Section(title=_("事故報告の期限"), lines=lines, attention=bool(overdue), links=links)
