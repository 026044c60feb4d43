"""Editors and moderators manage promoted search results (Wagtail's search promotions) and the synonym list."""

from members import roles

PROMOTIONS = ("wagtailsearchpromotions.add_searchpromotion", "wagtailsearchpromotions.change_searchpromotion",
              "wagtailsearchpromotions.delete_searchpromotion", "wagtailsearchpromotions.view_searchpromotion")
roles.grant(roles.EDITORS, *PROMOTIONS)
roles.grant(roles.MODERATORS, *PROMOTIONS)

SYNONYMS = ("portal_search.add_synonymgroup", "portal_search.change_synonymgroup",
            "portal_search.delete_synonymgroup", "portal_search.view_synonymgroup")
roles.grant(roles.EDITORS, *SYNONYMS)
roles.grant(roles.MODERATORS, *SYNONYMS)
