"""
The newsletter's mails: an issue or a weekly digest rendered in the subscriber's language, as a
plain-text part and an HTML part, with the headers bulk mail needs (Message-ID, List-Unsubscribe
with its one-click POST, List-Id) and the sender block the law asks for (templates/newsletter/email/).

Rendering is done once per language (an issue) or per language and choice of districts and themes
(a digest); each recipient's copy differs only in its unsubscribe link, put in place of ``TOKEN``.
No tracking: no pixel, no rewritten links.
"""

import html
import re
from collections import OrderedDict
from email.header import Header
from email.message import Message
from email.utils import formatdate, parseaddr
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from . import selectors, tokens

TOKEN = "NLRECIPIENTTOKEN"  # stands for a recipient's unsubscribe token in a rendered mail
DIGEST_KINDS = ("article", "event", "special", "notice")
RENDERED_KEEP = 256  # digests kept rendered at once (one per language and choice of terms)


def base_url():
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def mail_domain():
    return parseaddr(settings.NEWSLETTER_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def localized_url(name, language, *args):
    """An absolute URL of the site in ``language`` (``/en/…`` for English, none for Japanese)."""
    with translation.override(language):
        return base_url() + reverse(name, args=args)


def html_to_text(value):
    """Rich text as the plain-text part reads it: paragraphs and list items on their lines, links spelled out."""
    value = re.sub(r"(?is)<a\s[^>]*href=\"([^\"]+)\"[^>]*>(.*?)</a>", lambda m: f"{m.group(2)} ( {m.group(1)} )", str(value))
    value = re.sub(r"(?i)<br\s*/?>", "\n", value)
    value = re.sub(r"(?i)<li[^>]*>", "・", value)
    value = re.sub(r"(?i)</(p|li|h[1-6]|div|ul|ol)>", "\n", value)
    text = html.unescape(strip_tags(value))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def absolute_links(value):
    return re.sub(r"href=\"/", f'href="{base_url()}/', str(value))


# --- entries: what a mail lists -----------------------------------------------------------------

def page_entry(page):
    summary = getattr(page, "lead", "") or getattr(page, "search_description", "") or ""
    start = getattr(page, "start", None)
    return {"title": page.title, "url": page.get_full_url(), "summary": summary[:200],
            "date": timezone.localtime(start) if start else None}


def notice_entry(notice):
    return {"title": notice.title, "url": notice.url, "summary": html_to_text(notice.summary)[:200],
            "date": timezone.localtime(notice.published_at), "ward": True}


def issue_items(issue):
    """The issue's body as entries both parts render; chosen pages no longer visible are left out."""
    items = []
    for block in issue.body:
        item = _item(block.block_type, block.value)
        if item is not None:
            items.append(item)
    return items


def _item(kind, value):
    if kind == "heading":
        return {"kind": kind, "title": value}
    if kind == "text":
        rich = absolute_links(value.__html__())
        return {"kind": kind, "html": mark_safe(rich), "text": html_to_text(rich)}  # noqa: S308 (editors' rich text)
    if kind in ("article", "event", "page"):
        page = selectors.visible_page(value["page"].pk) if value["page"] else None
        return {"kind": kind, **page_entry(page), "note": value["note"]} if page else None
    if kind == "notice":
        return {"kind": kind, **notice_entry(value["notice"]), "note": value["note"]} if value["notice"] else None
    if kind == "link":
        return {"kind": kind, "title": value["title"], "url": value["url"], "summary": value["description"],
                "note": "", "date": None}
    return None


# --- rendering -----------------------------------------------------------------------------------

def footer_context(language):
    return {
        "sender_name": settings.NEWSLETTER_SENDER_NAME, "sender_address": settings.NEWSLETTER_SENDER_ADDRESS,
        "sender_contact": settings.NEWSLETTER_SENDER_CONTACT, "site_url": localized_url("newsletter:subscribe", language),
        "unsubscribe_url": localized_url("newsletter:unsubscribe", language, TOKEN),
        "settings_url": localized_url("newsletter:subscribe", language),
    }


def render_parts(template, context, language):
    """(subject, text, html) of ``newsletter/email/<template>`` in ``language``."""
    context = {**footer_context(language), **context, "language": language}
    with translation.override(language):
        subject = " ".join(render_to_string(f"newsletter/email/{template}_subject.txt", context).split())
        text = render_to_string(f"newsletter/email/{template}_body.txt", context)
        body = render_to_string(f"newsletter/email/{template}_body.html", context)
    return subject, text, body


def render_issue(issue, language):
    return render_parts("issue", {"issue": issue, "items": issue_items(issue)}, language)


def render_digest(entries, period, language):
    return render_parts("digest", {"entries": entries, "start": timezone.localtime(period[0]),
                                   "end": timezone.localtime(period[1])}, language)


def list_headers(language, token, message_id, quoted_token=None):
    unsubscribe = localized_url("newsletter:unsubscribe", language, token)
    quoted = quoted_token if quoted_token is not None else quote(token, safe="")
    mailto = f"mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject=unsubscribe%20{quoted}"
    return {"Message-ID": message_id, "List-Unsubscribe": f"<{unsubscribe}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "List-Id": f"<newsletter.{mail_domain()}>",
            "Precedence": "bulk"}


class NewsletterMessage(EmailMultiAlternatives):
    """
    Django folds a long encoded subject onto a line of its own (``Subject:`` then a continuation),
    which a reader shows with a leading space; encoded knowing the header's name, its first words
    stay on the ``Subject:`` line.
    """

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
        subject = str(self.subject)
        if not subject.isascii():
            del message["Subject"]
            Message.__setitem__(message, "Subject", Header(subject, "utf-8", header_name="Subject"))
        return message


def build_message(parts, to, token, headers):
    subject, text, body = parts
    message = NewsletterMessage(subject, text.replace(TOKEN, token), settings.NEWSLETTER_FROM_EMAIL, [to],
                                headers=headers)
    message.attach_alternative(body.replace(TOKEN, token), "text/html")
    return message


# --- what goes out: the same bytes for everyone, but for the recipient's own parts ----------------

PLACEHOLDERS = {"to": "nl-recipient@placeholder.invalid", "id": "<nl-message-id@placeholder.invalid>",
                "date": "Thu, 01 Jan 1970 00:00:00 -0000", "quoted": "NLQUOTEDRECIPIENTTOKEN"}


class Content:
    """
    One rendered mail (subject, text, HTML) in one language, and its wire form built once: every
    recipient's copy is those bytes with their address, Message-ID, date and token put in place of
    the placeholders. Should an encoding have split a placeholder (a quoted-printable line break),
    the copy is built message by message instead.
    """

    def __init__(self, parts, language):
        self.parts, self.language = parts, language
        self._wire = None

    def email_message(self, to, token, message_id):
        return build_message(self.parts, to, token, list_headers(self.language, token, message_id))

    def wire(self):
        if self._wire is None:
            p = PLACEHOLDERS
            headers = {**list_headers(self.language, TOKEN, p["id"], p["quoted"]), "Date": p["date"]}
            data = build_message(self.parts, p["to"], TOKEN, headers).message().as_bytes(linesep="\r\n")
            expected = {p["to"]: 1, p["id"]: 1, p["date"]: 1, p["quoted"]: 1,
                        TOKEN: 1 + self.parts[1].count(TOKEN) + self.parts[2].count(TOKEN)}
            intact = all(data.count(value.encode()) == count for value, count in expected.items())
            self._wire = data if intact else b""
        return self._wire


class Outgoing:
    """One recipient's message: bytes for SMTP, or a Django message for the other mail backends."""

    def __init__(self, content, to, token, message_id):
        self.content, self.to, self.token, self.message_id = content, to, token, message_id

    def email_message(self):
        return self.content.email_message(self.to, self.token, self.message_id)

    def as_bytes(self):
        wire = self.content.wire()
        if not wire or not self.to.isascii():
            return self.email_message().message().as_bytes(linesep="\r\n")
        p = PLACEHOLDERS
        return (wire.replace(p["to"].encode(), self.to.encode()).replace(p["id"].encode(), self.message_id.encode())
                .replace(p["date"].encode(), formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode())
                .replace(p["quoted"].encode(), quote(self.token, safe="").encode())
                .replace(TOKEN.encode(), self.token.encode()))


# --- composers: one per mailing ----------------------------------------------------------------

class IssueComposer:
    """An issue's mail, rendered once per language from the approved version being sent."""

    def __init__(self, mailing):
        self.mailing = mailing
        self.issue = mailing.revision.as_object() if mailing.revision_id else mailing.issue
        self._content = {}

    def content(self, subscriber):
        language = subscriber.language
        if language not in self._content:
            self._content[language] = Content(render_issue(self.issue, language), language)
        return self._content[language]


class DigestComposer:
    """
    A weekly digest per subscriber: what is new in their districts and themes (everything when
    they chose none), in their language where translated. None when nothing is new for them.
    """

    def __init__(self, mailing):
        self.mailing = mailing
        self.period = (mailing.period_start, mailing.period_end)
        districts, themes = selectors.japanese_terms()
        self.terms = {("d", page.pk): page for page in districts} | {("t", page.pk): page for page in themes}
        self._new = {}
        self._content = OrderedDict()

    def _new_rows(self, kind, term):
        key = (kind, term.pk if term else None, type(term).__name__)
        if key not in self._new:
            district_model, _theme_model = selectors.term_models()
            district = term if isinstance(term, district_model) else None
            theme = term if term is not None and district is None else None
            self._new[key] = selectors.new_in_period(kind, *self.period, district=district, theme=theme)
        return self._new[key]

    def _rows(self, kind, terms):
        if kind == "special" or not terms:
            return self._new_rows(kind, None)
        rows = {row[0]: row for term in terms for row in self._new_rows(kind, term)}
        return sorted(rows.values(), key=lambda row: row[2], reverse=True)[:selectors.DIGEST_LIMITS[kind]]

    def selection(self, subscriber):
        districts = sorted(page.pk for page in subscriber.districts.all())
        themes = sorted(page.pk for page in subscriber.themes.all())
        return subscriber.language, tuple(districts), tuple(themes)

    def entries(self, selection):
        language, district_ids, theme_ids = selection
        terms = [self.terms[("d", pk)] for pk in district_ids if ("d", pk) in self.terms] + [
            self.terms[("t", pk)] for pk in theme_ids if ("t", pk) in self.terms]
        entries = {}
        for kind in DIGEST_KINDS:
            rows = self._rows(kind, terms)
            if kind == "notice":
                entries[kind] = [notice_entry(n) for n in selectors.notices_by_id([row[0] for row in rows])]
            else:
                entries[kind] = [page_entry(page) for page in selectors.pages_in_language(kind, rows, language)]
        return entries if any(entries.values()) else None

    def content(self, subscriber):
        selection = self.selection(subscriber)
        if selection not in self._content:
            entries = self.entries(selection)
            self._content[selection] = Content(render_digest(entries, self.period, selection[0]), selection[0]) \
                if entries else None
            if len(self._content) > RENDERED_KEEP:
                self._content.popitem(last=False)
        return self._content[selection]


def compose(composer, delivery, subscriber):
    """The message to ``subscriber`` for ``delivery``, or None when there is nothing to send them."""
    content = composer.content(subscriber)
    if content is None:
        return None
    token = tokens.make_unsubscribe_token(subscriber.pk, delivery.pk)
    return Outgoing(content, subscriber.email, token, tokens.message_id(composer.mailing.pk, delivery.pk, mail_domain()))


def composer_for(mailing):
    return IssueComposer(mailing) if mailing.kind == mailing.Kind.ISSUE else DigestComposer(mailing)


# --- previews and test sends ---------------------------------------------------------------------

def test_message(issue, address, language="ja"):
    """An issue (its latest version) as a subscriber would get it, marked as a test, to ``address``."""
    subject, text, body = render_issue(issue, language or "ja")
    with translation.override(language or "ja"):
        subject = translation.gettext("［テスト送信］") + subject
    return build_message((subject, text, body), address, "test", {"X-Newsletter-Test": "1"})


def preview_response(request, issue, mode):
    """The admin's preview: the HTML part as the mail shows it, or the plain-text part."""
    subject, text, body = render_issue(issue, issue.language or "ja")
    if mode == "text":
        return HttpResponse(render_to_string("newsletter/preview_text.html", {"subject": subject, "text": text}))
    return HttpResponse(body)
