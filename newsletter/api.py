"""
The newsletter's JSON API (django-ninja, mounted at /api/v3/newsletter/ in the portal's one API).

``POST subscriptions`` is open to anyone and always answers 202 with the same text once the input
is valid (no enumeration; nothing applies until the mailed link is confirmed). ``POST confirm``
takes the token from that link. ``GET|PUT me`` are a signed-in member's own choices (session
cookie; ``PUT`` with the CSRF header).
"""

from typing import Literal

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from ninja import Router, Schema, Status

from apikit import ApiError, session

from . import services, tokens
from .models import ConsentRecord

router = Router(tags=["newsletter"])

Language = Literal["ja", "en", "zh-hans", "ko"]


class Message(Schema):
    detail: str


class SubscriptionIn(Schema):
    email: str
    districts: list[str] = []
    themes: list[str] = []
    language: Language = "ja"
    digest: bool = True
    issues: bool = True


class TokenIn(Schema):
    token: str


class Confirmed(Schema):
    detail: str
    status: str


class MySubscription(Schema):
    subscribed: bool
    districts: list[str]
    themes: list[str]
    language: Language
    issues: bool
    digest: bool


class MySubscriptionIn(Schema):
    subscribed: bool
    districts: list[str] = []
    themes: list[str] = []
    language: Language = "ja"
    issues: bool = True
    digest: bool = True


def _invalid(error):
    loc = ["body", error.field] if error.field else ["body"]
    return ApiError(422, error.code, error.messages[0],
                    [{"loc": loc, "msg": error.messages[0], "type": error.code, "values": error.values}])


@router.post("/subscriptions", response={202: Message}, summary="メールマガジンの申し込み（確認メールを送信）")
def subscribe(request, payload: SubscriptionIn):
    try:
        email = services.clean_email(payload.email)
        choices = services.clean_choices(payload.districts, payload.themes, payload.language, payload.issues,
                                         payload.digest)
    except services.SubscriptionError as error:
        raise _invalid(error) from error
    if not services.allow_request(services.client_address(request)):
        raise ApiError(429, "rate_limited", "短い時間に続けて申し込まれています。しばらく待ってからお試しください。")
    services.request_subscription(email, choices, ConsentRecord.Source.API)
    return Status(202, {"detail": "確認メールを送りました。メールのリンクを開き、ボタンを押すと配信が始まります。"})


@router.post("/confirm", response=Confirmed, summary="申し込みの確認（メールのリンクのトークン）")
def confirm(request, payload: TokenIn):
    try:
        subscriber = services.confirm(payload.token)
    except tokens.TokenError as error:
        message = ("このリンクは期限切れです。もう一度お申し込みください。" if error.code == "token_expired"
                   else "このリンクは正しくないか、すでに使えなくなっています。")
        raise ApiError(400, error.code, message) from error
    return {"detail": "メールマガジンの配信を開始しました。", "status": subscriber.status}


def _mine(user):
    subscribed, choices = services.member_subscription(user)
    return {"subscribed": subscribed, **choices}


@router.get("/me", response=MySubscription, auth=session, summary="自分のメールマガジンの設定")
def me(request, response: HttpResponse):
    add_never_cache_headers(response)
    return _mine(request.auth)


@router.put("/me", response=MySubscription, auth=session, summary="自分のメールマガジンの設定を変更")
def update_me(request, payload: MySubscriptionIn, response: HttpResponse):
    add_never_cache_headers(response)
    try:
        choices = services.clean_choices(payload.districts, payload.themes, payload.language, payload.issues,
                                         payload.digest) if payload.subscribed else {}
        services.set_member_subscription(request.auth, payload.subscribed, choices, ConsentRecord.Source.API)
    except services.SubscriptionError as error:
        if error.code == "suspended":
            raise ApiError(409, "suspended", error.messages[0]) from error
        raise _invalid(error) from error
    return _mine(request.auth)
