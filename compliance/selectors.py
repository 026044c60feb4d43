"""Reads of the compliance app: the cases in sight (open, overdue, due soon), a member's own cases."""

import datetime

from django.utils import timezone

from .models import Case

OPEN = (Case.State.RECEIVED, Case.State.VERIFIED, Case.State.IN_PROGRESS, Case.State.DECIDED)
DUE_SOON_DAYS = 3


def open_cases():
    return Case.objects.filter(state__in=OPEN)


def overdue_cases(today=None):
    today = today or timezone.localdate()
    return list(open_cases().filter(due_on__lt=today).order_by("due_on", "pk"))


def cases_due_soon(today=None, days=DUE_SOON_DAYS):
    today = today or timezone.localdate()
    return list(open_cases().filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))
                .order_by("due_on", "pk"))


def cases_for_admin(state=""):
    """The admin's list: open cases first (overdue on top, by due date), then the closed ones, newest first."""
    cases = Case.objects.select_related("member")
    if state == "open":
        return cases.filter(state__in=OPEN).order_by("due_on", "pk")
    if state in dict(Case.State.choices):
        return cases.filter(state=state).order_by("due_on", "pk")
    return cases.order_by("-received_at", "-pk")


def cases_of(member):
    return Case.objects.filter(member=member).order_by("-received_at", "-pk")
