"""
Encryption at rest for members' personal data.

- ``FIELD_ENCRYPTION_KEYS``: Fernet keys (AES-128-CBC + HMAC-SHA256), comma-separated, newest
  first. New values are encrypted with the newest; every listed key decrypts, so keys rotate by
  putting a new one in front and running ``manage.py reencrypt_personal_data``, then dropping
  the old one.
- ``FIELD_HASH_KEY``: the HMAC key of the e-mail look-up hash. The e-mail itself is stored
  encrypted; its keyed hash (of the normalised address) finds the account at log-in and keeps
  addresses unique without storing them in clear.
"""

import hashlib
import hmac
import unicodedata
from datetime import date
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxLengthValidator
from django.db import models

PREFIX = "enc1:"  # marks an encrypted value in the database (and its format version)


@lru_cache(maxsize=4)
def _fernet(keys):
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key.") from exc


def fernet():
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: personal data cannot be stored.")
    return _fernet(keys)


def encrypt(text):
    return PREFIX + fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(stored):
    if not stored.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    try:
        return fernet().decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A personal-data value cannot be decrypted with FIELD_ENCRYPTION_KEYS (a key is missing)."
        ) from exc


def rotate(stored):
    """The same value encrypted with the newest key (no plain text leaves this function)."""
    return PREFIX + fernet().rotate(stored[len(PREFIX):].encode("ascii")).decode("ascii")


def normalize_email(email):
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def email_digest(email):
    """Keyed hash of a normalised e-mail address (hex), for look-up and uniqueness."""
    key = settings.FIELD_HASH_KEY
    if not key:
        raise ImproperlyConfigured("FIELD_HASH_KEY is empty.")
    return hmac.new(key.encode(), normalize_email(email).encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """
    A text value stored encrypted. It can be read and written like any text field, but the
    database cannot search, sort or compare it: look-ups go through a keyed hash where needed.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return self.to_python(decrypt(value))

    def get_prep_value(self, value):
        value = self._to_text(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def _to_text(self, value):
        return value

    def get_db_prep_value(self, value, connection, prepared=False):
        return value if prepared else self.get_prep_value(value)

    def value_to_string(self, obj):
        return self._to_text(self.value_from_object(obj)) or ""


class EncryptedCharField(EncryptedTextField):
    """Encrypted, with a length limit on the plain text (checked by forms and ``full_clean``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length:
            self.validators.append(MaxLengthValidator(self.max_length))

    def formfield(self, **kwargs):
        from django import forms

        kwargs.setdefault("max_length", self.max_length)
        if self.choices:
            return super().formfield(**kwargs)
        return forms.CharField(**{"required": not self.blank, "label": self.verbose_name,
                                  "help_text": self.help_text, **kwargs})


class EncryptedEmailField(EncryptedCharField):
    default_validators = [*models.EmailField.default_validators]

    def formfield(self, **kwargs):
        from django import forms

        return forms.EmailField(**{"required": not self.blank, "label": self.verbose_name, "max_length": 254,
                                   "help_text": self.help_text, **kwargs})


class EncryptedDateField(EncryptedTextField):
    """A date stored as its encrypted ISO text."""

    def to_python(self, value):
        if value in (None, "") or isinstance(value, date):
            return value or None
        return date.fromisoformat(str(value))

    def _to_text(self, value):
        return value.isoformat() if isinstance(value, date) else value

    def formfield(self, **kwargs):
        from django import forms

        return forms.DateField(**{"required": not self.blank, "label": self.verbose_name,
                                  "help_text": self.help_text, **kwargs})
