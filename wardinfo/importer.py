"""
Import of the ward's feeds: fetch (safely, conditionally), parse (any RSS/Atom, any declared
encoding), sanitise, de-duplicate, store. A feed that fails leaves what was stored untouched
and records the error on its source.
"""

import calendar
import datetime
import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import feedparser
import nh3
import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pages.terms import district_model, theme_model
from search.text import normalize

from .models import FeedSource, WardNotice

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {"p", "br", "a", "ul", "ol", "li", "strong", "em", "b", "i"}
USER_AGENT = "ShinjukuPortal-WardInfo/1.0 (+https://portal.example.jp/)"


class FeedError(Exception):
    """A feed that could not be imported; the message is shown on the source in the admin."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: bool = False


def check_address(url):
    """Refuse non-HTTP(S) URLs and, unless allowed, hosts on private or loopback networks."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError("http または https の URL ではありません。")
    if settings.WARDINFO_ALLOW_PRIVATE_NETWORKS:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except socket.gaierror as exc:
        raise FeedError(f"ホスト名を解決できません: {parts.hostname}") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise FeedError(f"内部ネットワークのアドレス（{ip}）には接続しません。")


def fetch(source):
    """The feed's bytes and headers, or None when the server says nothing changed (304)."""
    check_address(source.url)
    headers = {"User-Agent": USER_AGENT}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    last_error = None
    for attempt in range(settings.WARDINFO_RETRIES):
        if attempt:
            time.sleep(settings.WARDINFO_BACKOFF_SECONDS * 2 ** (attempt - 1))
        try:
            with requests.get(source.url, headers=headers, timeout=settings.WARDINFO_TIMEOUT_SECONDS,
                              stream=True, allow_redirects=False) as response:
                if response.status_code == 304:
                    return None
                if response.status_code >= 500:
                    last_error = FeedError(f"サーバーエラー（HTTP {response.status_code}）")
                    continue
                if response.status_code != 200:
                    raise FeedError(f"フィードを取得できません（HTTP {response.status_code}）")
                body = bytearray()
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > settings.WARDINFO_MAX_BYTES:
                        raise FeedError(f"フィードが大きすぎます（{settings.WARDINFO_MAX_BYTES} バイトまで）")
                return bytes(body), response.headers
        except requests.RequestException as exc:
            last_error = FeedError(f"接続できません: {exc.__class__.__name__}")
    raise last_error


def _published(entry):
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return timezone.now()
    return datetime.datetime.fromtimestamp(calendar.timegm(parsed), tz=datetime.UTC)


def parse(body, headers):
    feed = feedparser.parse(body, response_headers={k.lower(): v for k, v in headers.items()})
    benign = (feedparser.CharacterEncodingOverride,)
    if feed.bozo and not isinstance(feed.bozo_exception, benign):
        raise FeedError(f"フィードの形式が正しくありません: {feed.bozo_exception}")
    if not feed.get("version"):
        raise FeedError("RSS または Atom のフィードではありません。")
    return feed.entries


def _rules(source):
    """[(keywords, district-or-theme page)] from the source's keyword rules."""
    pages = {normalize(p.title): p for p in [*district_model().objects.live(), *theme_model().objects.live()]}
    rules = []
    for line in source.keyword_rules.splitlines():
        if "→" not in line:
            continue
        words, target = line.split("→", 1)
        page = pages.get(normalize(target))
        if page is not None:
            rules.append(([normalize(w) for w in words.split(",") if w.strip()], page))
    return rules


def import_source(source):
    try:
        fetched = fetch(source)
        if fetched is None:
            FeedSource.objects.filter(pk=source.pk).update(last_fetched_at=timezone.now())
            return ImportResult(not_modified=True)
        body, headers = fetched
        entries = parse(body, headers)
        result = _store(source, entries)
    except FeedError as exc:
        FeedSource.objects.filter(pk=source.pk).update(last_error=str(exc), last_error_at=timezone.now(),
                                                       last_fetched_at=timezone.now())
        logger.warning("ward feed %s failed: %s", source.url, exc)
        raise
    FeedSource.objects.filter(pk=source.pk).update(
        etag=headers.get("ETag", ""), last_modified=headers.get("Last-Modified", ""),
        last_fetched_at=timezone.now(), last_error="", last_error_at=None,
    )
    return result


@transaction.atomic
def _store(source, entries):
    result = ImportResult()
    rules = _rules(source)
    default_districts, default_themes = list(source.districts.all()), list(source.themes.all())
    for entry in entries:
        link = entry.get("link", "")
        guid = entry.get("id") or link
        if not guid or not link.startswith(("http://", "https://")):
            continue
        fields = {
            "title": nh3.clean(entry.get("title", ""), tags=set())[:300] or "（無題）",
            "summary": nh3.clean(entry.get("summary", ""), tags=ALLOWED_TAGS, link_rel="noopener nofollow"),
            "url": link[:500],
            "published_at": _published(entry),
        }
        notice = WardNotice.objects.filter(source=source, guid=guid[:500]).first()
        if notice is None:
            notice = WardNotice.objects.create(source=source, guid=guid[:500], **fields)
            result.created += 1
        elif any(getattr(notice, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(notice, k, v)
            notice.save()
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        text = normalize(fields["title"] + " " + nh3.clean(fields["summary"], tags=set()))
        matched = [page for words, page in rules if any(w and w in text for w in words)]
        notice.districts.set(default_districts + [p for p in matched if isinstance(p.specific, district_model())])
        notice.themes.set(default_themes + [p for p in matched if isinstance(p.specific, theme_model())])
    return result
