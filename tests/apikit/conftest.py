"""The moderation tests' members, boards and reCAPTCHA stand-in, for the API-wide tests here."""

from tests.moderation.conftest import board, captcha_ok, make_member, member, policy, real_captcha_keys  # noqa: F401
