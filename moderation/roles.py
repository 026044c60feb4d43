"""What the staff roles may do with the moderation app's models (collected by ``members.roles``)."""

from members import roles

# Deciding in the queue, flags, sanctions and NG words: moderators' work (and administrators').
QUEUE = (
    "moderation.view_post", "moderation.change_post", "moderation.view_submission", "moderation.change_submission",
    "moderation.view_flag", "moderation.view_sanction",
    "moderation.view_ngword", "moderation.add_ngword", "moderation.change_ngword", "moderation.delete_ngword",
)
roles.grant(roles.MODERATORS, *QUEUE)
roles.grant(roles.ADMINISTRATORS, *QUEUE, "moderation.add_board", "moderation.change_board", "moderation.view_board",
            "moderation.change_moderationsettings")
