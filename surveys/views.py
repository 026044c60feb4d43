"""「応募の状況」: a member's applications and their states, and cancelling one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Application


@login_required
def my_applications(request):
    return TemplateResponse(request, "surveys/mine.html", {"applications": selectors.own_applications(request.user)})


@login_required
@require_POST
def cancel_application(request, application_id):
    application = get_object_or_404(Application, pk=application_id, member=request.user)
    try:
        services.cancel(application, request.user)
        messages.success(request, _("応募を取り消しました。"))
    except services.FormError as error:
        messages.error(request, error.message)
    return redirect("surveys:mine")
