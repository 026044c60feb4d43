from django.contrib.auth.backends import ModelBackend


class EmailHashBackend(ModelBackend):
    """
    Django's model backend, named so the project states how accounts are found: by the keyed
    hash of the e-mail (``UserManager.get_by_natural_key``), as the e-mail itself is encrypted.
    """
