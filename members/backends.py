from django.contrib.auth.backends import ModelBackend

from .selectors import can_log_in


class EmailHashBackend(ModelBackend):
    """
    Django's model backend; accounts are found by the keyed hash of the e-mail
    (``UserManager.get_by_natural_key``), as the e-mail itself is encrypted. A resident who
    registered on the site logs in only once the e-mail is verified; a withdrawn member never.
    """

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and can_log_in(user)
