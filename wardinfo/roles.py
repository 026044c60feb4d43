"""What the staff roles may do with ward information (collected by ``members.roles``)."""

from members import roles

# Related-site links are editors' work; feed sources and imported notices are administrators'.
RELATED_SITES = ("wardinfo.add_relatedsite", "wardinfo.change_relatedsite", "wardinfo.delete_relatedsite",
                 "wardinfo.view_relatedsite")
roles.grant(roles.EDITORS, *RELATED_SITES)
roles.grant(roles.MODERATORS, *RELATED_SITES)
roles.grant(roles.ADMINISTRATORS, *RELATED_SITES,
            "wardinfo.add_feedsource", "wardinfo.change_feedsource", "wardinfo.delete_feedsource",
            "wardinfo.view_feedsource", "wardinfo.view_wardnotice", "wardinfo.change_wardnotice",
            "wardinfo.delete_wardnotice")
