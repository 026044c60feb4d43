"""
Who may do what with ads (collected by ``members.roles``).

- 広告担当 (ad sales, a role of this app): advertisers, bookings, creatives and reports; cannot
  review creatives (the people who sell an ad do not approve it) and cannot stop all ads.
- Moderators: review creatives (the portal's reviewers of what is published).
- Administrators: everything, including the stop-all switch.
"""

from members import roles

AD_SALES = roles.declare("広告担当")

SALES = (
    "wagtailadmin.access_admin",
    "ads.add_advertiser", "ads.change_advertiser", "ads.view_advertiser", "ads.view_advertiser_contact",
    "ads.add_booking", "ads.change_booking", "ads.view_booking", "ads.delete_booking",
    "ads.add_creative", "ads.change_creative", "ads.view_creative", "ads.delete_creative",
    "ads.view_adcount",
)
REVIEW = ("ads.view_creative", "ads.review_creative")

roles.grant(AD_SALES, *SALES)
roles.grant(roles.MODERATORS, *REVIEW)
roles.grant(roles.ADMINISTRATORS, *SALES, *REVIEW, "ads.delete_advertiser", "ads.change_adsswitch",
            "ads.view_adsswitch")
