"""
Who may see the 運用状況 page and record the daily check (``reports.view_monitoring``): the
moderators, who receive the 8:00 digest and do the daily check, and the administrators.
Imported by ``ReportsConfig.ready`` (the lead may merge it into ``reports/roles.py``).
"""

from members import roles

VIEW_MONITORING = "reports.view_monitoring"

roles.grant(roles.MODERATORS, VIEW_MONITORING)
roles.grant(roles.ADMINISTRATORS, VIEW_MONITORING)
