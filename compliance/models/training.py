"""
Staff training records (従業員に対する教育): the courses, and who attended which version when, with
the pledge (誓約) they signed. ``compliance.training`` says who is current; without current
training a staff account may not view personal data or moderate (``members.access`` gate).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    name = models.CharField(_("研修名"), max_length=120, unique=True)
    version = models.CharField(_("現在の版"), max_length=40,
                               help_text=_("版を改めると、新しい版の受講記録がない職員は受講が必要になります。"))
    valid_months = models.PositiveSmallIntegerField(_("有効期間（月）"), default=12)
    required = models.BooleanField(_("必須"), default=True,
                                   help_text=_("必須の研修を受講していない職員は、個人情報の閲覧とモデレーションができません。"))
    description = models.TextField(_("内容"), blank=True)

    class Meta:
        verbose_name = _("研修")
        verbose_name_plural = _("研修")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.version}）"


class TrainingRecord(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="records", verbose_name=_("研修"))
    version = models.CharField(_("受講した版"), max_length=40)
    date = models.DateField(_("受講日"))
    attendee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records",
                                 verbose_name=_("受講者"))
    pledge_signed_at = models.DateTimeField(_("誓約書の提出日時"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("記録者"))
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("受講記録")
        verbose_name_plural = _("受講記録")
        ordering = ["-date", "-pk"]


__all__ = ["Course", "TrainingRecord"]
