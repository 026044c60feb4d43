"""
Who may do what with surveys and calls (collected by ``members.roles``).

- Editors: build the pages (page permissions, ``pages.editorial``) and read the results.
- Moderators: the results and their exports; the applicants (every view audited) and their
  decisions (lottery, selection).
- Administrators: all of it.
"""

from members import roles

RESULTS = ("surveys.view_response", "surveys.export_response")
APPLICANTS = ("surveys.view_application", "surveys.view_applicant", "surveys.decide_application",
              "surveys.view_lotterydraw")

roles.grant(roles.EDITORS, "surveys.view_response")
roles.grant(roles.MODERATORS, *RESULTS, *APPLICANTS)
roles.grant(roles.ADMINISTRATORS, *RESULTS, *APPLICANTS)
