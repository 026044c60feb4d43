"""
The public pages of surveys and calls, served by the pages' own routes (``SurveyPage.answer``,
``results``, ``RecruitmentPage.apply``). 「応募の状況」 is in ``views``.

Thin: one form shows the page's questions (and a call's applicant items, and reCAPTCHA for
someone not logged in); its POST goes to the same services as the API, and their errors come back
on the form's fields.
"""

from django import forms
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.captcha import page_policy
from members.lockout import client_ip

from . import selectors, services
from .fieldtypes import MULTIPLE
from .forms import ApplicantForm, CaptchaForm
from .models import Application, RecruitmentPage, SurveyPage


def _public_form_class(page, member):
    """The page's questions, then the district (a survey that asks it), the applicant items, reCAPTCHA."""
    fields = dict(page.get_form_class().base_fields)
    districts = services.district_choices(page)
    if districts:
        fields[services.DISTRICT_FIELD] = forms.ChoiceField(
            label=gettext_lazy("お住まいの地域"), required=False,
            choices=[("", gettext_lazy("選ばない"))] + [(slug, d.title) for slug, d in districts.items()])
    if isinstance(page, RecruitmentPage):
        fields.update(ApplicantForm(page=page, member=member).fields)
    if member is None:
        fields.update(CaptchaForm.base_fields)
    return type("PublicForm", (forms.Form,), fields)


def _answers(page, form_class, data):
    multiple = {field.clean_name for field in page.get_form_fields() if field.field_type == MULTIPLE}
    return {name: (data.getlist(name) if name in multiple else data.get(name)) for name in form_class.base_fields
            if name != "captcha" and (name in data or name in multiple)}


def _add_errors(form, error):
    for entry in error.errors or []:
        name = entry["loc"][-1]
        form.add_error(name if name in form.fields else None, entry["msg"])
    if not error.errors:
        form.add_error(None, error.message)


def _render(request, page, template, context):
    response = TemplateResponse(request, template, {**page.get_context(request), **context})
    policy = page_policy()
    if policy and "form" in context and "captcha" in getattr(context["form"], "fields", {}):
        response["Content-Security-Policy"] = policy
    return response


def _submit(page, request, member, form_class):
    form = form_class(request.POST)
    if member is None:
        captcha = CaptchaForm(request.POST)
        if not captcha.is_valid():
            form.is_valid()
            for message in captcha.errors.get("captcha", []):
                form.add_error("captcha", message)
            return form, None
    answers = _answers(page, form_class, request.POST)
    try:
        if isinstance(page, SurveyPage):
            return form, services.answer_survey(page, answers, request.user, client_ip(request),
                                                request.headers.get("User-Agent", ""))
        return form, services.apply(page, answers, request.user, client_ip(request))
    except services.FormError as error:
        form.is_valid()
        _add_errors(form, error)
        return form, None


def _serve_form(page, request, template):
    member = request.user if request.user.is_authenticated else None
    status = selectors.form_status(page)
    form_class = _public_form_class(page, member)
    if request.method == "POST" and status in ("open", "full"):
        form, stored = _submit(page, request, member, form_class)
        if stored is not None:
            message = services.state_message(stored) if isinstance(stored, Application) else (
                page.thanks or _("回答を受け付けました。ご協力ありがとうございました。"))
            return _render(request, page, page.get_landing_page_template(request),
                           {"message": message, "stored": stored})
    else:
        form = form_class()
    blocked = ""
    if status in ("open", "full"):
        try:
            if isinstance(page, SurveyPage):
                services.check_before_answer(page, request.user, client_ip(request), request.headers.get("User-Agent", ""))
            else:
                services.check_before_apply(page, request.user)
        except services.FormError as error:
            blocked = error.message
    return _render(request, page, template, {"form": form, "status": status, "blocked": blocked,
                                             "remaining": selectors.remaining(page)})


def serve_survey(page, request):
    return _serve_form(page, request, page.template)


def serve_recruitment(page, request):
    return _serve_form(page, request, page.template)


def serve_results(page, request):
    """The public results: after the survey closed, if it publishes them; totals only."""
    if not page.results_public or selectors.form_status(page) != "closed":
        raise Http404(_("結果はまだ公開されていません。"))
    results = selectors.public_tally(page)
    for question in results["questions"]:
        question["bars"] = selectors.chart_rows(question)
        question["chart_height"] = len(question["bars"]) * 28 + 8
    return TemplateResponse(request, "surveys/results.html", {
        **page.get_context(request), "results": results, "minimum": selectors.PUBLIC_MINIMUM})
