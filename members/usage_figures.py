"""The members part of the monthly usage report (declared into ``members.usage``): counts only, small ones hidden."""

from . import usage
from .audit import MemberAction
from .models import AuditEntry, User
from .staff_users import STAFF_ACCOUNTS

# Staff views of personal data: the audit trail's reveal actions (any app's action whose value says so).
REVEAL_ACTIONS = (MemberAction.REVEAL, MemberAction.EXPORT_LOG)


def build(month_start, month_end):
    start, end = usage.bounds(month_start, month_end)
    residents = User.objects.exclude(pk__in=User.objects.filter(STAFF_ACCOUNTS).values("pk"))
    registered = residents.filter(date_joined__gte=start, date_joined__lt=end).count()
    verified = residents.filter(email_verified_at__gte=start, email_verified_at__lt=end).count()
    withdrawn = residents.filter(withdrawn_at__gte=start, withdrawn_at__lt=end).count()
    total = residents.filter(date_joined__lt=end, email_verified_at__isnull=False).exclude(withdrawn_at__lt=end).count()
    return [
        usage.Figure("新規登録", usage.small(registered), "期間中に登録された会員の数（メール確認前を含む。5未満は「5未満」）。"),
        usage.Figure("メール確認", usage.small(verified), "期間中にメールアドレスの確認を終えた会員の数。"),
        usage.Figure("退会", usage.small(withdrawn), "期間中に退会した会員の数。"),
        usage.Figure("月末の会員数", usage.small(total), "期間の末日の終わりに、メール確認済みで退会していない会員の数。"),
    ]


def build_audit(month_start, month_end):
    start, end = usage.bounds(month_start, month_end)
    reveals = AuditEntry.objects.filter(created_at__gte=start, created_at__lt=end).filter(
        action__contains="reveal").count()
    return [usage.Figure("スタッフによる個人情報の閲覧", reveals,
                         "期間中に監査ログに記録された、スタッフが個人情報を表示した操作（「個人情報の閲覧」など、"
                         "操作名に reveal を含むもの）の件数。")]


usage.register("members", "会員", build, order=30)
usage.register("audit", "個人情報の取り扱い", build_audit, order=90)
