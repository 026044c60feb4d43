"""
The newsletter in the Wagtail admin, besides the issues' own editor (``wagtail_hooks``):

- an issue as the mail (subject, HTML part, plain-text part) with 「自分にテスト送信」;
- 送信履歴: every mailing with its figures (sent, failed, bounced, unsubscribed, complaints);
- 配信先 (administrators: subscribers are personal data): masked addresses, state, choices and
  consent records, searched by a whole address (its keyed hash), and 停止 / 再開 with a reason
  (audited by ``services``).

Thin views: every change goes through ``services``; each view checks its own permission first.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages

from . import rendering, selectors, services
from .forms import ReasonForm
from .models import Issue, Status, Subscriber

VIEW_ISSUES = "newsletter.view_issue"
VIEW_FIGURES = "newsletter.view_mailing"
VIEW_SUBSCRIBERS = "newsletter.view_subscriber"
CHANGE_SUBSCRIBERS = services.SUBSCRIBER_PERMISSION


def _require(request, permission):
    if not request.user.has_perm(permission):
        raise PermissionDenied


# --- an issue as the mail ---------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
def issue_mail(request, pk):
    _require(request, VIEW_ISSUES)
    issue = get_object_or_404(Issue, pk=pk)
    latest = issue.get_latest_revision_as_object()
    if request.method == "POST":
        try:
            services.send_test(request.user, issue)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"テスト送信しました（{request.user.masked_email} 宛て）。")
        return redirect(request.path)
    subject, text, body = rendering.render_issue(latest, latest.language or "ja")
    mailings = selectors.mailings_with_figures(issue.mailings.all())
    return render(request, "newsletter/admin/issue_mail.html", {
        "page_title": "メールとして確認", "header_icon": "mail", "issue": latest, "subject": subject, "text": text,
        "html": body, "mailings": mailings, "can_test": request.user.has_perm("newsletter.change_issue"),
        "edit_url": reverse("wagtailsnippets_newsletter_issue:edit", args=[issue.pk])})


# --- figures ------------------------------------------------------------------------------------

@never_cache
def mailing_index(request):
    _require(request, VIEW_FIGURES)
    page = Paginator(selectors.mailings_with_figures().select_related("issue"), 30).get_page(request.GET.get("p"))
    return render(request, "newsletter/admin/mailings.html",
                  {"page_title": "送信履歴", "header_icon": "mail", "page": page})


# --- subscribers --------------------------------------------------------------------------------

@never_cache
def subscriber_index(request):
    """Masked addresses only; a whole address finds its subscriber by the keyed hash."""
    _require(request, VIEW_SUBSCRIBERS)
    queryset = Subscriber.objects.annotate(bounce_count=Count("bounces")).order_by("-created_at", "-pk")
    query = request.GET.get("q", "").strip()
    if query:
        found = selectors.subscriber_by_email(query)
        queryset = queryset.filter(pk=found.pk if found else 0)
    status = request.GET.get("status", "")
    if status in Status.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset, 50).get_page(request.GET.get("p"))
    return render(request, "newsletter/admin/subscribers.html", {
        "page_title": "配信先", "header_icon": "group", "page": page, "query": query, "status": status,
        "statuses": Status.choices})


def _subscriber_context(request, subscriber, forms=None):
    can_change = request.user.has_perm(CHANGE_SUBSCRIBERS)
    action = "reactivate" if subscriber.status == Status.SUSPENDED else "suspend"
    forms = forms or ({action: ReasonForm(prefix=action)} if can_change else {})
    return {"page_title": "配信先の詳細", "header_icon": "user", "subscriber": subscriber,
            "choices": selectors.choices_of(subscriber), "consents": subscriber.consents.all(),
            "bounces": subscriber.bounces.select_related("delivery")[:20], "forms": forms,
            "deliveries": subscriber.deliveries.count()}


@never_cache
def subscriber_detail(request, pk):
    _require(request, VIEW_SUBSCRIBERS)
    subscriber = get_object_or_404(Subscriber, pk=pk)
    return render(request, "newsletter/admin/subscriber.html", _subscriber_context(request, subscriber))


@never_cache
@require_POST
def subscriber_action(request, pk, action):
    _require(request, VIEW_SUBSCRIBERS)
    _require(request, CHANGE_SUBSCRIBERS)
    subscriber = get_object_or_404(Subscriber, pk=pk)
    service = {"suspend": services.suspend, "reactivate": services.reactivate}[action]
    form = ReasonForm(request.POST, prefix=action)
    if form.is_valid():
        try:
            service(request.user, subscriber, form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, "配信先を停止しました。" if action == "suspend" else "配信先の停止を解除しました。")
            return redirect("newsletter_subscribers:detail", pk=subscriber.pk)
    return render(request, "newsletter/admin/subscriber.html",
                  _subscriber_context(request, subscriber, {action: form}), status=400)
