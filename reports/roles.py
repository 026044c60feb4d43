"""
Who may see the monthly usage reports (collected by ``members.roles``): administrators, and the
moderators who keep the daily watch (the report lists the days without a recorded check). The ward
contacts are personal data: administrators only.
"""

from members import roles

REPORTS = ("wagtailadmin.access_admin", "reports.view_usagereport", "reports.download_usagereport")
CONTACTS = ("reports.view_wardcontact", "reports.add_wardcontact", "reports.change_wardcontact",
            "reports.delete_wardcontact")

roles.grant(roles.ADMINISTRATORS, *REPORTS, *CONTACTS)
roles.grant(roles.MODERATORS, *REPORTS)
