"""
Hostile input posted to the bulletin board through the web form and through the API: each input
is either stored inert (the sanitised HTML keeps only the small formatting subset, links are safe
http(s) links with rel="nofollow ugc noopener noreferrer") or refused with a clear error and
nothing stored. The rendered thread page carries no script a resident wrote.

The checks are on exact substrings and on a parse of the HTML, so they fail the moment the
sanitiser, the control-character cleaning or the template's escaping is switched off.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from moderation import services
from moderation.models import Post, Status, Thread

pytestmark = pytest.mark.django_db

NEW_THREAD = "/board/district-okubo/new/"
API_NEW_THREAD = "/api/v3/board/boards/district-okubo/threads/"
REL = "nofollow ugc noopener noreferrer"
ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "blockquote"}
FORBIDDEN_TAGS = ("<script", "<iframe", "<svg", "<style", "<math", "<img", "<object", "<embed", "<form", "<mi")
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
BAD_URL = re.compile(r"(javascript|data|vbscript)\s*:", re.IGNORECASE)


# --- the hostile inputs ----------------------------------------------------------------------------

@dataclass
class Case:
    id: str
    body: str
    title: str = "大久保の話題"
    must_contain: list = field(default_factory=list)  # substrings of body_html
    must_not_contain: list = field(default_factory=list)  # substrings that sanitising removes
    stored_body: str | None = None  # the expected Post.body when it differs from the input


CASES = [
    Case("script_tag", "<script>alert(1)</script>大久保の夏祭り",
         must_contain=["大久保の夏祭り"], must_not_contain=["<script", "alert(1)"]),
    Case("img_onerror", "<img src=x onerror=alert(1)>写真です",
         must_contain=["写真です"], must_not_contain=["<img", "onerror", "alert(1)"]),
    Case("javascript_link", '<a href="javascript:alert(1)">x</a>',
         must_contain=[f'<a rel="{REL}">x</a>'], must_not_contain=["javascript", "href"]),
    Case("mixed_case_javascript_link", '<a href="JaVaScRiPt:alert(1)">x</a>',
         must_contain=[f'<a rel="{REL}">x</a>'], must_not_contain=["javascript", "href"]),
    Case("data_url_link", '<a href="data:text/html,<script>alert(1)</script>">x</a>',
         must_contain=[f'<a rel="{REL}">x</a>'], must_not_contain=["data:", "text/html", "<script", "href"]),
    Case("svg_with_script", "<svg onload=alert(1)><script>alert(1)</script></svg>図です",
         must_contain=["図です"], must_not_contain=["<svg", "onload", "alert(1)"]),
    Case("iframe", '<iframe src="https://example.com"></iframe>埋め込み',
         must_contain=["埋め込み"], must_not_contain=["<iframe", "example.com"]),
    Case("style_element", "<style>body{display:none}</style>見えますか",
         must_contain=["見えますか"], must_not_contain=["<style", "display:none", "body{"]),
    Case("broken_html", '<b><i>broken <a href="https://example.jp">unclosed',
         must_contain=[f'<b><i>broken <a href="https://example.jp" rel="{REL}">unclosed</a></i></b>']),
    Case("attribute_breakout", '"><script>alert(1)</script>',
         must_contain=["&gt;"], must_not_contain=["<script", "alert(1)", '">']),
    Case("mathml_xlink", '<math><mi xlink:href="javascript:alert(1)">x</mi></math>数式',
         must_contain=["数式"], must_not_contain=["<math", "<mi", "xlink", "javascript"]),
    Case("style_attribute", '<p style="color:red;background:url(javascript:alert(1))">赤い字</p>',
         must_contain=["赤い字"], must_not_contain=["style=", "color:red", "javascript", "url("]),
    Case("event_handler_on_allowed_tag", '<a href="https://example.jp/" onclick="alert(1)" target="_blank">店</a>',
         must_contain=[f'<a href="https://example.jp/" rel="{REL}">店</a>'],
         must_not_contain=["onclick", "target=", "alert(1)"]),
    Case("bare_url_with_quote", 'https://example.jp/"onmouseover="alert(1)',
         # the quote ends the link; the rest stays text, not an attribute
         must_contain=[f'<a href="https://example.jp/" rel="{REL}">https://example.jp/</a>"onmouseover="alert(1)</p>'],
         must_not_contain=['href="https://example.jp/"onmouseover', '"https://example.jp/&quot;']),
    Case("control_characters", "ベル\x07と\x1b[31m赤\u202eの文字",
         must_contain=["ベルと[31m赤の文字"], must_not_contain=["\x07", "\x1b", "\u202e"],
         stored_body="ベルと[31m赤の文字"),
    Case("emoji", "家族👨\u200d👩\u200d👧\u200d👦と🇯🇵の旗",
         must_contain=["家族👨\u200d👩\u200d👧\u200d👦と🇯🇵の旗"]),
    Case("combining_characters", "か\u3099っこう（ㇷ\u309aも）",
         must_contain=["がっこう（ㇷ\u309aも）"], must_not_contain=["か\u3099"],
         stored_body="がっこう（ㇷ\u309aも）"),
    Case("script_in_title", "題名に気をつけて", title="<script>alert(1)</script>夏祭り"),
    Case("attribute_breakout_in_title", "題名その2", title='"><img src=x onerror=alert(1)>案内'),
]


class _Markup(HTMLParser):
    """Every start tag with its attributes, and the inline text of script elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.inline_scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def _markup(html):
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


def assert_inert(body_html):
    """The sanitised HTML: only the allowed tags, only href/rel on links, only http(s) URLs."""
    lowered = body_html.lower()
    for tag in FORBIDDEN_TAGS:
        assert tag not in lowered, (tag, body_html)
    assert not EVENT_HANDLER.search(body_html), body_html
    assert not BAD_URL.search(body_html), body_html
    for tag, attrs in _markup(body_html).tags:
        assert tag in ALLOWED_TAGS, (tag, body_html)
        if tag == "a":
            assert set(attrs) <= {"href", "rel"}, attrs
            assert attrs["rel"] == REL, attrs
            assert "href" not in attrs or re.match(r"https?://", attrs["href"]), attrs
        else:
            assert attrs == {}, (tag, attrs)


def assert_page_runs_no_resident_script(html):
    """A thread page: no inline script, no script from elsewhere than our static files, no handlers."""
    markup = _markup(html)
    assert markup.inline_scripts == [], markup.inline_scripts
    for tag, attrs in markup.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:text", "vbscript:")), (tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith(("/static/", "https://www.google.com/recaptcha/")), attrs
        assert tag not in ("iframe", "svg", "math", "object", "embed", "style"), tag
    assert "alert(1)</script>" not in html


def _post_body_div(html, post):
    match = re.search(rf'<article class="post[^"]*" id="post-{post.pk}">.*?<div class="post__body">(.*?)</div>',
                      html, re.S)
    assert match, f"post {post.pk} not on the page"
    return match.group(1)


def check_stored_and_rendered(case, post):
    """The stored post and its thread page, for an accepted case."""
    assert post.status == Status.SHOWN, post.screening
    assert post.thread.title == unicodedata.normalize("NFC", case.title)  # titles are stored as plain text
    expected_body = case.stored_body if case.stored_body is not None else case.body
    assert post.body == expected_body
    assert_inert(post.body_html)
    for text in case.must_contain:
        assert text in post.body_html, (text, post.body_html)
    for text in case.must_not_contain:
        assert text not in post.body_html, (text, post.body_html)

    page = Client().get(f"/board/threads/{post.thread_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert _post_body_div(html, post) == post.body_html  # the sanitised HTML, and only it, is marked safe
    assert_page_runs_no_resident_script(html)
    assert "Content-Security-Policy" in page and "script-src 'self'" in page["Content-Security-Policy"]
    if "<" in case.title:
        assert case.title not in html  # never raw
        escaped = case.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        assert f'<h1 class="page-header__title">{escaped}</h1>' in html
        assert f"<title>{escaped} |" in html
        board_page = Client().get("/board/district-okubo/").content.decode()
        assert escaped in board_page and case.title not in board_page


# --- fixtures -----------------------------------------------------------------------------------

@pytest.fixture
def web(client, member, board, policy, captcha_ok):
    client.force_login(member)
    return client


@pytest.fixture
def api(member, board, policy, captcha_ok):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get("/api/v3/members/csrf")
    client.headers = {"X-CSRFToken": client.cookies["csrftoken"].value}
    return client


def web_post(client, title, body, **files):
    return client.post(NEW_THREAD, {"title": title, "body": body, "g-recaptcha-response": "token", **files})


def api_post(client, title, body, **files):
    return client.post(API_NEW_THREAD, {"title": title, "body": body, "captcha": "token", **files},
                       headers=client.headers)


def _counts():
    return Post.objects.count(), Thread.objects.count()


# --- accepted: stored inert -----------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input_through_the_web_form_is_stored_inert(web, case):
    response = web_post(web, case.title, case.body)
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(thread_id=int(re.search(r"/board/threads/(\d+)/", response["Location"]).group(1)))
    check_stored_and_rendered(case, post)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input_through_the_api_is_stored_inert(api, case):
    response = api_post(api, case.title, case.body)
    assert response.status_code == 201, response.content.decode()
    data = response.json()
    post = Post.objects.get(pk=data["id"])
    assert data["body_html"] == post.body_html
    check_stored_and_rendered(case, post)
    detail = api.get(f"/api/v3/board/threads/{post.thread_id}/").json()
    assert detail["title"] == case.title and detail["items"][0]["body_html"] == post.body_html


def test_a_hostile_reply_and_a_hostile_api_edit_are_sanitised_too(api, web, member, board):
    opening = services.create_thread(member, board, "返信のテスト", "普通の書き出しです。")
    reply = api.post(f"/api/v3/board/threads/{opening.thread_id}/posts/",
                     {"body": '<a href="javascript:alert(1)" onmouseover="alert(2)">返信</a>', "captcha": "t"},
                     headers=api.headers)
    assert reply.status_code == 201, reply.content.decode()
    post = Post.objects.get(pk=reply.json()["id"])
    assert post.body_html == f'<p><a rel="{REL}">返信</a></p>'

    edited = api.patch(f"/api/v3/board/posts/{post.pk}/", {"body": "<svg onload=alert(1)>編集</svg><script>x()</script>"},
                       content_type="application/json", headers=api.headers)
    assert edited.status_code == 200, edited.content.decode()
    post.refresh_from_db()
    assert post.body_html == "<p>編集</p>"
    assert_inert(post.body_html)

    web_reply = web.post(f"/board/threads/{opening.thread_id}/",
                         {"body": "<iframe src=https://example.com></iframe>ウェブから<b onclick=alert(1)>太字</b>",
                          "g-recaptcha-response": "t"})
    assert web_reply.status_code == 302, web_reply.content.decode()[:2000]
    latest = Post.objects.filter(thread_id=opening.thread_id).latest("pk")
    assert latest.body_html == "<p>ウェブから<b>太字</b></p>"
    html = Client().get(f"/board/threads/{opening.thread_id}/").content.decode()
    assert_page_runs_no_resident_script(html)


# --- refused: a clear error, nothing stored --------------------------------------------------------

LONG = "大久保の商店街について。" * 334  # 4008 characters
REFUSED = [
    # (id, title, body, field, Japanese message in the page / API errors)
    ("very_long_body", "長い", LONG, "body", "4000 文字以下"),
    ("very_long_body_of_emoji", "長い", "👨\u200d👩\u200d👧\u200d👦" * 600, "body", "4000 文字以下"),
    ("empty_body", "空", "", "body", "この項目は必須です"),
    ("only_invisible_characters", "見えない", "\u202e\u200b\x07\x1b\u2066", "body", "この項目は必須です"),
    ("very_long_title", "題" * 101, "本文です。", "title", "100 文字以下"),
]


@pytest.mark.parametrize("title,body,field,message", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refused_input_through_the_web_form_keeps_the_text_and_stores_nothing(web, title, body, field, message):
    before = _counts()
    response = web_post(web, title, body)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="form-error"' in html and 'role="alert"' in html  # the message, and the summary that announces it
    if body.strip():
        textarea = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', html, re.S).group(1)
        assert textarea.strip() == body.strip()  # the typed text is kept for the resident to fix
    assert _counts() == before


@pytest.mark.parametrize("title,body,field,message", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refused_input_through_the_api_is_a_422_problem_and_stores_nothing(api, title, body, field, message):
    before = _counts()
    response = api_post(api, title, body)
    assert response.status_code == 422, response.content.decode()
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert response["Content-Type"].startswith("application/problem+json")
    assert any(error["loc"][-1] == field and message in error["msg"] for error in problem["errors"]), problem
    assert _counts() == before


@pytest.mark.parametrize("channel", ["web", "api"])
def test_a_nul_character_is_removed_like_the_other_control_characters(request, channel):
    client = request.getfixturevalue(channel)
    body = "ヌル\x00文字\x00のある投稿"
    response = (web_post if channel == "web" else api_post)(client, "制御文字", body)
    assert response.status_code in (201, 302), response.content.decode()[:2000]
    post = Post.objects.latest("pk")
    assert post.body == "ヌル文字のある投稿" and "\x00" not in post.body_html


@pytest.mark.parametrize("channel", ["web", "api"])
def test_a_nul_character_is_at_least_never_stored(request, channel):
    """Whatever the message, a NUL never reaches the database (PostgreSQL would reject it: a 500)."""
    client = request.getfixturevalue(channel)
    before = _counts()
    response = (web_post if channel == "web" else api_post)(client, "制御文字", "ヌル\x00文字")
    if response.status_code in (201, 302):
        post = Post.objects.latest("pk")
        assert "\x00" not in post.body and "\x00" not in post.body_html
    else:
        assert response.status_code == (400 if channel == "web" else 422)
        assert _counts() == before


# --- an SVG "image" --------------------------------------------------------------------------------

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
IMAGE_ERROR = "JPEG・PNG・WebP・GIF の画像を選んでください。"


def _svg_uploads():
    return [("x.svg", "image/svg+xml"), ("x.png", "image/png")]


@pytest.mark.parametrize("name,content_type", _svg_uploads(), ids=["svg", "svg_named_png"])
def test_an_svg_upload_through_the_web_form_is_refused(web, name, content_type):
    before = _counts()
    response = web_post(web, "画像つき", "画像を見てください。",
                        images=SimpleUploadedFile(name, SVG, content_type=content_type))
    assert response.status_code == 400
    html = response.content.decode()
    assert IMAGE_ERROR in html
    assert "画像を見てください。" in html  # the text is kept
    assert "alert(1)</script>" not in html
    assert _counts() == before


@pytest.mark.parametrize("name,content_type", _svg_uploads(), ids=["svg", "svg_named_png"])
def test_an_svg_upload_through_the_api_is_refused(api, name, content_type):
    before = _counts()
    response = api_post(api, "画像つき", "画像を見てください。",
                        images=SimpleUploadedFile(name, SVG, content_type=content_type))
    assert response.status_code == 422, response.content.decode()
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert any(IMAGE_ERROR in error["msg"] for error in problem["errors"]), problem
    assert _counts() == before
