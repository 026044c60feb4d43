"""
The incident register (事故報告): a leak, loss, damage, unauthorised access or use beyond the
purpose of the personal data the portal holds for the ward; its timeline, who was notified, and
when the written reports went (the ward's at once, the commission's preliminary and final ones).
The clocks themselves are computed in ``compliance.incidents``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Incident(models.Model):
    class Category(models.TextChoices):
        LEAK = "leak", _("漏えい")
        LOSS = "loss", _("滅失")
        DAMAGE = "damage", _("毀損")
        UNAUTHORIZED_ACCESS = "unauthorized_access", _("不正アクセス")
        MISUSE = "misuse", _("目的外利用")
        OTHER = "other", _("その他")

    class State(models.TextChoices):
        DRAFT = "draft", _("下書き（確認待ち）")
        OPEN = "open", _("対応中")
        CLOSED = "closed", _("完了")
        DISMISSED = "dismissed", _("事故ではない（取り下げ）")

    title = models.CharField(_("件名"), max_length=200)
    state = models.CharField(_("状態"), max_length=20, choices=State.choices, default=State.DRAFT)
    discovered_at = models.DateTimeField(_("発覚日時"), default=timezone.now)
    discovered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("発見者"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("報告者"))
    category = models.CharField(_("種類"), max_length=30, choices=Category.choices)
    description = models.TextField(_("概要"))
    data_items = models.JSONField(_("漏えい等が発生し、又は発生したおそれがある個人データの項目"), default=list, blank=True)
    affected_count = models.PositiveIntegerField(_("本人の数"), default=0)
    affected_members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                              verbose_name=_("対象の会員"))
    encrypted_keys_intact = models.BooleanField(
        _("高度な暗号化がされ、鍵は漏えいしていない"), default=False,
        help_text=_("該当する場合、個人情報保護委員会への報告と本人への通知は不要です。"))
    wrongful_purpose = models.BooleanField(
        _("不正の目的をもって行われたおそれがある"), default=False,
        help_text=_("該当する場合、確報の期限は発覚から60日です。"))
    secondary_damage = models.TextField(_("二次被害又はそのおそれの有無及びその内容"), blank=True)
    member_response = models.TextField(_("本人への対応の実施状況"), blank=True)
    publication = models.TextField(_("公表の実施状況"), blank=True)
    cause = models.TextField(_("原因"), blank=True)
    measures = models.TextField(_("実施した措置"), blank=True)
    prevention = models.TextField(_("再発防止のための措置"), blank=True)
    other_notes = models.TextField(_("その他参考となる事項"), blank=True)
    ward_reported_at = models.DateTimeField(_("区への報告（書面）"), null=True, blank=True)
    preliminary_reported_at = models.DateTimeField(_("委員会への速報"), null=True, blank=True)
    final_reported_at = models.DateTimeField(_("委員会への確報"), null=True, blank=True)
    # An automatically opened draft names the signal and its subject (a staff member's id, or "").
    signal = models.CharField(_("自動検知の種類"), max_length=40, blank=True, editable=False)
    signal_subject = models.CharField(_("自動検知の対象"), max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    closed_at = models.DateTimeField(_("完了日時"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("事故")
        verbose_name_plural = _("事故報告")
        ordering = ["-discovered_at", "-pk"]
        indexes = [models.Index(fields=["signal", "signal_subject", "discovered_at"])]

    def __str__(self):
        return f"#{self.pk} {self.title}"


class IncidentEvent(models.Model):
    """One line of an incident's timeline: when, what, by whom."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events", verbose_name=_("事故"))
    at = models.DateTimeField(_("日時"), default=timezone.now)
    what = models.TextField(_("内容"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("記録者"))

    class Meta:
        verbose_name = _("経過")
        verbose_name_plural = _("経過")
        ordering = ["at", "pk"]


class IncidentNotification(models.Model):
    """A notice mailed to one affected member (once per incident and member)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notifications",
                                 verbose_name=_("事故"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("会員"))
    sent_at = models.DateTimeField(_("通知日時"), default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("送信者"))

    class Meta:
        verbose_name = _("本人への通知")
        verbose_name_plural = _("本人への通知")
        constraints = [models.UniqueConstraint(fields=["incident", "member"], name="compliance_notice_once")]


__all__ = ["Incident", "IncidentEvent", "IncidentNotification"]
