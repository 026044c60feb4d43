"""
Members' JSON API (django-ninja, mounted at /api/v3/members/ in the portal's one API).

Browsers authenticate with the session cookie; every state-changing call needs the CSRF token
(header ``X-CSRFToken``, from the ``csrftoken`` cookie), including registration and log-in.
"""

import datetime
from typing import Literal, Optional

from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import add_never_cache_headers
from ninja import Router, Schema, Status

from apikit import ApiError, form_errors, require_csrf, session

from . import lockout, postal, services
from .forms import EmailChangeForm, MemberDataForm, MemberPasswordResetForm, RegistrationForm
from .models import PERSONAL_FIELDS

router = Router(tags=["members"])


class Message(Schema):
    detail: str


class RegisterIn(Schema):
    email: str
    password: str
    nickname: str
    last_name: str
    first_name: str
    last_name_kana: str = ""  # the reading is optional (the contract does not ask for it)
    first_name_kana: str = ""
    date_of_birth: datetime.date
    gender: Literal["female", "male", "other", "unanswered"]
    postal_code: str
    prefecture: str
    municipality: str
    street: str
    building: str = ""
    agree_terms: bool
    agree_privacy: bool
    captcha: str = ""


class TokenIn(Schema):
    token: str


class LoginIn(Schema):
    email: str
    password: str


class EmailIn(Schema):
    email: str


class ProfileOut(Schema):
    id: int
    nickname: str
    email: str
    last_name: str
    first_name: str
    last_name_kana: str
    first_name_kana: str
    date_of_birth: Optional[datetime.date]
    gender: str
    postal_code: str
    prefecture: str
    municipality: str
    street: str
    building: str
    email_verified: bool


class ProfilePatch(Schema):
    nickname: Optional[str] = None
    last_name: Optional[str] = None
    first_name: Optional[str] = None
    last_name_kana: Optional[str] = None
    first_name_kana: Optional[str] = None
    date_of_birth: Optional[datetime.date] = None
    gender: Optional[Literal["female", "male", "other", "unanswered"]] = None
    postal_code: Optional[str] = None
    prefecture: Optional[str] = None
    municipality: Optional[str] = None
    street: Optional[str] = None
    building: Optional[str] = None


class WithdrawIn(Schema):
    password: str
    keep_posts: bool


class AddressOut(Schema):
    postal_code: str
    prefecture: str
    municipality: str
    town: str


def _profile(user):
    return {"id": user.pk, "nickname": user.nickname, **{name: getattr(user, name) or "" for name in PERSONAL_FIELDS
                                                         if name != "date_of_birth"},
            "date_of_birth": user.date_of_birth, "email_verified": user.email_verified_at is not None}


@router.get("/csrf", response=Message, summary="CSRF トークン（Cookie に設定）")
def csrf(request):
    get_token(request)
    return {"detail": "ok"}


@router.post("/register", response={202: Message}, summary="会員登録（確認メールを送信）")
def register(request, payload: RegisterIn):
    require_csrf(request)
    data = payload.dict()
    data.update({"password1": payload.password, "password2": payload.password,
                 "g-recaptcha-response": payload.captcha, "date_of_birth": payload.date_of_birth.isoformat()})
    form = RegistrationForm(data)
    if not form.is_valid():
        raise ApiError(422, "validation_error", "入力内容に誤りがあります。", form_errors(form))
    services.register_member(form.cleaned_data, payload.password, services.site_base_url(request))
    # The same answer whether the address was new or already registered (no enumeration).
    return Status(202, {"detail": "確認メールを送りました。メールのリンクを開くと登録が完了します。"})


@router.post("/verify", response=Message, summary="メールアドレスの確認")
def verify(request, payload: TokenIn):
    if services.verify_email(payload.token) is None:
        raise ApiError(400, "invalid_token", "このリンクは期限切れか、正しくありません。")
    return {"detail": "メールアドレスを確認しました。"}


@router.post("/login", response=ProfileOut, summary="ログイン（セッション）")
def login_view(request, payload: LoginIn, response: HttpResponse):
    require_csrf(request)
    user = authenticate(request=request, username=payload.email, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise ApiError(429, "locked_out", "ログインの失敗が続いたため、一時的にログインできなくなっています。",
                       retry_after=lockout.retry_after(request))
    if user is None:
        raise ApiError(401, "invalid_credentials", "メールアドレスまたはパスワードが正しくありません。")
    login(request, user)
    add_never_cache_headers(response)
    return _profile(user)


@router.post("/logout", response={204: None}, auth=session, summary="ログアウト")
def logout_view(request):
    logout(request)
    return Status(204, None)


@router.post("/password-reset", response={202: Message}, summary="パスワード再設定メールの送信")
def password_reset(request, payload: EmailIn):
    require_csrf(request)
    form = MemberPasswordResetForm({"email": payload.email})
    if not form.is_valid():
        raise ApiError(422, "validation_error", "入力内容に誤りがあります。", form_errors(form))
    form.save(request=request, subject_template_name="members/email/password_reset_subject.txt",
              email_template_name="members/email/password_reset_body.txt")
    return Status(202, {"detail": "登録されているメールアドレスであれば、再設定用のリンクを送りました。"})


@router.get("/me", response=ProfileOut, auth=session, summary="自分の登録内容")
def me(request, response: HttpResponse):
    add_never_cache_headers(response)  # personal data: never kept by a browser or proxy cache
    return _profile(request.auth)


@router.patch("/me", response=ProfileOut, auth=session, summary="登録内容の変更")
def update_me(request, payload: ProfilePatch, response: HttpResponse):
    add_never_cache_headers(response)
    user = request.auth
    current = {name: getattr(user, name) for name in MemberDataForm.Meta.fields}
    changes = payload.dict(exclude_unset=True)
    form = MemberDataForm({**current, **changes}, instance=user)
    if not form.is_valid():
        raise ApiError(422, "validation_error", "入力内容に誤りがあります。", form_errors(form))
    form.save()
    return _profile(user)


@router.delete("/me", response={204: None}, auth=session, summary="退会（個人情報をすぐに消去）")
def withdraw(request, payload: WithdrawIn):
    try:
        services.withdraw_member(request.auth, keep_posts=payload.keep_posts, password=payload.password)
    except ValidationError as error:
        raise ApiError(403, "wrong_password", error.messages[0]) from error
    logout(request)
    return Status(204, None)


class EmailChangeIn(Schema):
    email: str
    password: str


@router.post("/me/email", response={202: Message}, auth=session, summary="メールアドレスの変更（確認メールを送信）")
def change_email(request, payload: EmailChangeIn):
    form = EmailChangeForm(payload.dict(), user=request.auth)
    if not form.is_valid():
        raise ApiError(422, "validation_error", "入力内容に誤りがあります。", form_errors(form))
    services.request_email_change(request.auth, form.cleaned_data["email"], services.site_base_url(request))
    return Status(202, {"detail": "新しいメールアドレスに確認用のリンクを送りました。リンクを開くと変更されます。"})


@router.get("/me/export", auth=session, summary="登録情報の開示（JSON）")
def export(request, response: HttpResponse):
    add_never_cache_headers(response)
    return services.export_member_data(request.auth)


@router.get("/postal/{code}", response=list[AddressOut], summary="郵便番号から住所")
def postal_lookup(request, code: str):
    try:
        found = postal.lookup(code)
    except ValueError as exc:
        raise ApiError(422, "invalid_postal_code", str(exc)) from exc
    return [{"postal_code": a.postal_code, "prefecture": a.prefecture, "municipality": a.municipality,
             "town": a.town} for a in found]
