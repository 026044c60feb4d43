"""
Surveys (``survey``) and calls (``recruitment``) in the portal's cross-type listing, the content
API (``/api/v3/content/?type=survey``; see ``pages.selectors.register_listed_kind``).

- Which: every live, public survey and call in the listing's language (``pages.selectors``'
  ``visible_pages``: an unpublished or restricted one is never listed), closed and not yet open
  ones too. The content API lists what is published on the site, and a closed survey keeps its
  page (and its results page, where published): a front end's page of a district or theme, or an
  archive by date, needs it. Listing by a rule that depends on the clock and on the answers
  (``form_status``'s ``full``) would also make pages of the listing shift under a client. Whether
  one is taking answers, its window and what is left are ``/api/v3/forms/`` (open ones only, with
  ``status``), which a front end asks for an item it shows.
- Date: the day it was first published (公開日), as for shops and specials. It is set for every
  listed page, it is the order of the merged listing (newest publication first), so an item's date
  and its place agree; and ``opens_at`` is empty for most (受付 from publication).
- Lead: the page's search description, or the start of its description (``intro``) as plain text.
"""

from django.utils.html import strip_tags
from django.utils.text import Truncator

from pages.selectors import register_listed_kind

LEAD_CHARS = 200


def _lead(page):
    text = page.search_description or strip_tags(page.intro or "")
    return Truncator(" ".join(text.split())).chars(LEAD_CHARS)


register_listed_kind("survey", "surveys.SurveyPage", date_field="first_published_at", lead=_lead)
register_listed_kind("recruitment", "surveys.RecruitmentPage", date_field="first_published_at", lead=_lead)
