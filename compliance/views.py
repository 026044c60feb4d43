"""
The member's pages: 「あなたの情報の開示」 (the disclosure package on screen, with who on the staff
viewed their data, and as JSON), their requests (開示等の請求: a form to file one, the list with
state and due date), and stopping the use of their data (利用停止) or lifting that stop.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from members.selectors import use_stopped

from . import cases, selectors, stop_use
from . import disclosure as disclosure_package
from .forms import RequestForm


@login_required
@never_cache
def disclosure(request):
    member = request.user
    data = disclosure_package.package(member)
    return render(request, "compliance/disclosure.html", {
        "data": data, "personal": disclosure_package.personal_rows(data), "summary": disclosure_package.section_rows(data), "staff_views": disclosure_package.staff_views(member),
        "third_party": data["third_party_provisions"]["statement"], "stopped": use_stopped(member)})


@login_required
@never_cache
def disclosure_json(request):
    data = json.dumps(disclosure_package.package(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="shinjuku-portal-disclosure.json"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def requests(request):
    form = RequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                case = cases.file_request(request.user, form.cleaned_data["type"], form.cleaned_data["reply_method"],
                                          form.cleaned_data["details"])
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("請求を受け付けました（No.%(number)s、回答の期限 %(due)s）。") % {
                    "number": case.pk, "due": case.due_on.isoformat()})
                return redirect("compliance:requests")
        status = 400
    else:
        status = 200
    return render(request, "compliance/case_member_list.html", {
        "form": form, "cases": selectors.cases_of(request.user), "stopped": use_stopped(request.user)}, status=status)


@login_required
@require_POST
def withdraw_request(request, pk):
    case = get_object_or_404(selectors.cases_of(request.user), pk=pk)
    try:
        cases.withdraw(request.user, case, "")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("請求を取り下げました。"))
    return redirect("compliance:requests")


@login_required
@require_POST
def stop(request):
    try:
        cases.request_stop(request.user, request.POST.get("details", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("利用を停止しました。メールは届かず、投稿は一覧に表示されません。データは保管しています。"))
    return redirect("compliance:disclosure")


@login_required
@require_POST
def resume(request):
    try:
        stop_use.lift(request.user, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("利用停止を解除しました。"))
    return redirect("compliance:disclosure")
