"""
Surveys and calls in the JSON API (django-ninja, mounted at /api/v3/forms/ in the portal's one API):
Wagtail's form builder has no API, so headless sites answer here.

- ``GET /api/v3/forms/``: open surveys and calls (``type``, ``district``, ``theme``, ``locale``).
- ``GET /api/v3/forms/{id}/``: one, with its questions (``fields``) and its status.
- ``POST /api/v3/forms/{id}/responses`` ``{"answers": {name: value}, "captcha": "…"}``: an answer
  or an application. Open to anyone where the form is (CSRF header as for every anonymous write:
  ``GET /api/v3/members/csrf`` first); members-only forms take the session.
- ``GET /api/v3/forms/applications/`` and ``POST …/applications/{id}/cancel``: a member's own
  applications.

Errors are problem documents with a stable ``code``: ``already_answered`` (409), ``closed`` (410),
``not_open`` (409), ``full`` (409; a call with a waiting list answers 202 instead),
``authentication_required`` (401), ``validation_error`` (422, one entry per field),
``rate_limited`` (429), ``csrf_failed`` (403). Nothing is stored when an error is returned.
"""

import datetime
from typing import Any, Literal, Optional

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination

from apikit import ApiError, require_csrf, session
from members.captcha import CaptchaField
from members.lockout import client_ip
from pages.terms import TermSchema, locale_by_code, named_terms, term, visible_term_map

from . import selectors, services
from .fieldtypes import CHOICE_TYPES, SCALE, SCALE_CHOICES, max_length_of, split_choices
from .forms import ApplicantForm
from .models import Application, ApplicationState, RecruitmentPage, SurveyPage

router = Router(tags=["forms"])

FormType = Literal["survey", "recruitment"]


class FieldOut(Schema):
    name: str
    label: str
    type: str = Field(description="short, long, single, multiple, scale, number, date（募集は name, email, phone, "
                                  "address, eligible も）")
    required: bool
    choices: list[str]
    help_text: str
    max_length: Optional[int]
    max_choices: Optional[int] = None


class FormSummary(Schema):
    id: int
    title: str
    type: FormType
    status: Literal["open", "closed", "full", "upcoming"]
    url: str
    opens_at: Optional[datetime.datetime]
    closes_at: Optional[datetime.datetime]
    districts: list[TermSchema]
    themes: list[TermSchema]


class FormOut(FormSummary):
    audience: Literal["anyone", "members"]
    capacity: Optional[int]
    remaining: Optional[int]
    mode: Optional[str] = Field(None, description="募集の決め方: first_come, lottery, selection")
    waiting_list: Optional[bool] = None
    intro: str
    fields: list[FieldOut]


class FormFilters(Schema):
    type: Optional[FormType] = None
    district: Optional[str] = Field(None, description="地域（ID またはスラッグ）")
    theme: Optional[str] = Field(None, description="テーマ（ID またはスラッグ）")
    locale: str = "ja"


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(description="{質問の name: 値}（複数選択は配列）")
    captcha: str = Field("", description="reCAPTCHA のトークン（会員でない場合）")


class ResponseOut(Schema):
    id: int
    type: FormType
    state: Optional[str] = Field(None, description="募集: received, selected, waiting")
    detail: str


class ApplicationOut(Schema):
    id: int
    form: int
    title: str
    state: str
    state_label: str
    waiting_position: Optional[int]
    created_at: datetime.datetime


def _raise(error):
    raise ApiError(error.status, error.code, error.message, error.errors) from error


def _summary(page, terms):
    return {
        "id": page.pk, "title": page.title, "type": page.kind, "status": selectors.form_status(page),
        "url": page.full_url or "", "opens_at": page.opens_at, "closes_at": page.closes_at,
        "districts": [term(t) for t in terms if t.translation_key in {d.translation_key for d in page.districts.all()}],
        "themes": [term(t) for t in terms if t.translation_key in {d.translation_key for d in page.themes.all()}],
    }


def _question(field):
    choices = split_choices(field.choices) if field.field_type in CHOICE_TYPES else (
        [value for value, _label in SCALE_CHOICES] if field.field_type == SCALE else [])
    return {"name": field.clean_name, "label": field.label, "type": field.field_type, "required": field.required,
            "choices": choices, "help_text": field.help_text, "max_length": max_length_of(field),
            "max_choices": field.max_choices}


def _builtin(name, form_field):
    choices = [str(value) for value, _label in getattr(form_field, "choices", [])]
    return {"name": name, "label": str(form_field.label), "type": name, "required": form_field.required,
            "choices": choices, "help_text": str(form_field.help_text or ""),
            "max_length": getattr(form_field, "max_length", None)}


def _fields(page, user):
    fields = [_question(field) for field in page.get_form_fields()]
    if isinstance(page, SurveyPage) and page.ask_district:
        slugs = list(services.district_choices(page))
        fields.append({"name": services.DISTRICT_FIELD, "label": _("お住まいの地域"), "type": "single", "required": False,
                       "choices": slugs, "help_text": "", "max_length": None})
    if isinstance(page, RecruitmentPage):
        member = user if user.is_authenticated else None
        form = ApplicantForm(page=page, member=member)
        fields += [_builtin(name, form_field) for name, form_field in form.fields.items()]
    return fields


def _detail(page, user):
    terms = list(visible_term_map(page.locale).values())
    recruitment = isinstance(page, RecruitmentPage)
    return {
        **_summary(page, terms), "audience": page.audience, "intro": page.intro,
        "capacity": page.capacity if recruitment else page.max_responses,
        "remaining": selectors.remaining(page), "mode": page.mode if recruitment else None,
        "waiting_list": page.waiting_list if recruitment else None, "fields": _fields(page, user),
    }


@router.get("/", response=list[FormSummary], summary="受付中のアンケートと募集", auth=None)
@paginate(WagtailLimitOffsetPagination)
def list_forms(request, filters: Query[FormFilters]):
    locale = locale_by_code(filters.locale)
    district, theme = named_terms(locale, filters.district, filters.theme)
    terms = list(visible_term_map(locale).values())
    return [_summary(page, terms) for page in selectors.listed_forms(locale, kind=filters.type, district=district,
                                                                       theme=theme)]


def _form_or_404(form_id):
    page = selectors.visible_form(form_id)
    if page is None:
        raise ApiError(404, "not_found", _("このアンケート・募集は見つかりません。"))
    return page


@router.get("/{int:form_id}/", response=FormOut, summary="アンケート・募集の内容と質問", auth=None)
def form_detail(request, form_id: int, response: HttpResponse):
    add_never_cache_headers(response)
    return _detail(_form_or_404(form_id), request.user)


def _check_captcha(request, payload):
    if request.user.is_authenticated:
        return
    try:
        CaptchaField(required=True).clean(payload.captcha or None)
    except Exception as error:  # ValidationError with the field's message
        message = getattr(error, "messages", [str(error)])[0]
        raise ApiError(422, "validation_error", _("入力内容に誤りがあります。"),
                       [{"loc": ["body", "captcha"], "msg": message, "type": "captcha"}]) from error


@router.post("/{int:form_id}/responses", response={201: ResponseOut, 202: ResponseOut},
             summary="回答・応募を送る", auth=None, url_name="forms_respond")
def respond(request, form_id: int, payload: AnswersIn):
    require_csrf(request)
    page = _form_or_404(form_id)
    try:
        if isinstance(page, SurveyPage):
            services.check_before_answer(page, request.user, client_ip(request), request.headers.get("User-Agent", ""))
            _check_captcha(request, payload)
            answer = services.answer_survey(page, payload.answers, request.user, client_ip(request),
                                            request.headers.get("User-Agent", ""))
            return Status(201, {"id": answer.pk, "type": "survey", "state": None,
                                "detail": page.thanks or _("回答を受け付けました。ご協力ありがとうございました。")})
        services.check_before_apply(page, request.user)
        _check_captcha(request, payload)
        application = services.apply(page, payload.answers, request.user, client_ip(request))
    except services.FormError as error:
        _raise(error)
    waiting = application.state == ApplicationState.WAITING
    return Status(202 if waiting else 201, {
        "id": application.pk, "type": "recruitment", "state": application.state,
        "detail": services.state_message(application)})


def _application(application):
    return {"id": application.pk, "form": application.page_id, "title": application.page.title,
            "state": application.state, "state_label": application.get_state_display(),
            "waiting_position": application.waiting_position, "created_at": application.created_at}


@router.get("/applications/", response=list[ApplicationOut], auth=session, summary="自分の応募と状態")
def my_applications(request, response: HttpResponse):
    add_never_cache_headers(response)
    return [_application(a) for a in selectors.own_applications(request.auth)]


@router.post("/applications/{int:application_id}/cancel", response=ApplicationOut, auth=session,
             summary="自分の応募を取り消す")
def cancel_application(request, application_id: int):
    require_csrf(request)
    application = get_object_or_404(Application, pk=application_id, member=request.auth)
    try:
        services.cancel(application, request.auth)
    except services.FormError as error:
        _raise(error)
    return _application(application)
