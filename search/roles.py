"""Editors and moderators manage promoted search results (Wagtail's search promotions)."""

from members import roles

PROMOTIONS = ("wagtailsearchpromotions.add_searchpromotion", "wagtailsearchpromotions.change_searchpromotion",
              "wagtailsearchpromotions.delete_searchpromotion", "wagtailsearchpromotions.view_searchpromotion")
roles.grant(roles.EDITORS, *PROMOTIONS)
roles.grant(roles.MODERATORS, *PROMOTIONS)
