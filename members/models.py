"""
The member account: residents and staff share one user model, logged in by e-mail.

Residents post under their public ``nickname``; staff (editors, moderators, administrators)
are members of the Wagtail groups. The personal data the contract lists (name, kana, date of
birth, gender, address) and its encryption arrive with the members capability; this model is
the stable anchor every app points at (``settings.AUTH_USER_MODEL``).
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Log-in and look-ups ignore case: Admin@Example.jp and admin@example.jp are one account.
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("メールアドレスは必須です。")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("管理者は is_staff と is_superuser が必要です。")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("メールアドレス"), unique=True)
    nickname = models.CharField(
        _("ニックネーム"), max_length=40, blank=True, help_text=_("投稿に表示される名前です。")
    )
    # Wagtail's admin shows first/last name; staff accounts fill them, residents need not.
    first_name = models.CharField(_("名"), max_length=150, blank=True)
    last_name = models.CharField(_("姓"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("スタッフ"), default=False)
    is_active = models.BooleanField(_("有効"), default=True)
    date_joined = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("会員")
        verbose_name_plural = _("会員")
        constraints = [models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique")]

    def __str__(self):
        return self.nickname or self.email

    def get_full_name(self):
        return f"{self.last_name} {self.first_name}".strip() or self.nickname or self.email

    def get_short_name(self):
        return self.nickname or self.first_name or self.email

    @property
    def public_name(self):
        """The only name shown to the public: the nickname."""
        return self.nickname or "会員"
