from django.conf import settings
from django.core.checks import Error, register


@register()
def encryption_keys_configured(app_configs, **kwargs):
    errors = []
    if not settings.FIELD_ENCRYPTION_KEYS:
        errors.append(Error("FIELD_ENCRYPTION_KEYS is not set: members' personal data cannot be stored.",
                            hint="Set one or more Fernet keys (newest first); see README.", id="members.E001"))
    if not settings.FIELD_HASH_KEY:
        errors.append(Error("FIELD_HASH_KEY is not set: members cannot be found by e-mail.",
                            hint="Set a long random string; see README.", id="members.E002"))
    return errors
