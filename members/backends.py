from django.contrib.auth.backends import ModelBackend


class EmailHashBackend(ModelBackend):
    """
    Django's model backend; accounts are found by the keyed hash of the e-mail
    (``UserManager.get_by_natural_key``), as the e-mail itself is encrypted. A resident who
    registered on the site logs in only once the e-mail is verified; a withdrawn member never.
    """

    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user) or user.withdrawn_at is not None:
            return False
        return not (user.self_registered and user.email_verified_at is None)
