"""
The contract-end handover (資料等の返還): one archive the ward reads without this software.

``inventory()`` counts what there is, per kind: every model of the portal's own apps (the apps
whose code lives in this repository), Wagtail's pages, images and documents, the media files they
reference and the live pages rendered as HTML. ``handover_export --dry-run`` prints it; the export
writes the very same inventory into its ``manifest.json`` and checks every row and file it writes
against it, so the dry run's counts and the manifest's are equal by construction.

The archive is a tar stream encrypted to the ward's age public key (``age1…``, X25519) by pyrage
while it is written: a producer thread writes the tar into an OS pipe, pyrage reads the pipe and
writes the ciphertext to the output file. Nothing leaves the process unencrypted: no temporary
file, no clear copy. Members' personal data is decrypted by the ORM (``members.crypto`` fields)
in memory, row part by row part. Memory bound: one part of ``PART_ROWS`` rows as JSON, or one
rendered page, plus the pipe's and tar's buffers (media files are streamed in blocks).

Inside (all UTF-8): ``data/<app.Model>/part-0001.json`` (rows with field names, foreign keys as
ids, no password hashes), ``html/<page id>.html`` and ``html/index.json``, ``media/<storage
name>``, ``manifest.json`` (counts per kind, SHA-256 per file, generator, time) and ``README.txt``.
"""

import datetime
import hashlib
import io
import json
import os
import tarfile
import threading
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pyrage
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.test import Client
from django.test.utils import override_settings
from pyrage import x25519

from members import crypto

GENERATOR = "shinjuku-portal handover_export"
FORMAT_VERSION = 1
PART_ROWS = 1000
WAGTAIL_MODELS = ("wagtailcore.Page", "wagtailimages.Image", "wagtaildocs.Document")
EXCLUDED_FIELDS = {"password", "email_hash"}  # a password hash and a keyed hash are of no use to the ward


class HandoverError(Exception):
    """An export that cannot start or finish; the message says why (nothing is left behind)."""


# ---- what there is -------------------------------------------------------------------------

def _own_app(config):
    """An app of this repository: its code is under BASE_DIR and not in an installed package."""
    path = Path(config.path).resolve()
    base = Path(settings.BASE_DIR).resolve()
    return base in path.parents and "site-packages" not in path.parts


def existing_tables():
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def exported_models():
    """Label -> model: our apps' concrete models (m2m tables too) and Wagtail's pages, images, documents."""
    chosen, tables = {}, existing_tables()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in tables:
            continue  # a model whose migration has not run yet has no rows to hand over
        if _own_app(meta.app_config) or meta.label in WAGTAIL_MODELS:
            chosen[meta.label] = model
    return dict(sorted(chosen.items()))


def media_names():
    """Storage names referenced by a file field of an exported model, that exist in the storage."""
    names = set()
    for model in exported_models().values():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                values = model._base_manager.exclude(**{field.attname: ""}).values_list(field.attname, flat=True)
                names.update(v for v in values if v)
    return sorted(name for name in names if default_storage.exists(name))


def live_pages():
    """(page, root URL, path) of every live, routable page, in tree order."""
    page_model = apps.get_model("wagtailcore", "Page")
    found = []
    for page in page_model.objects.live().filter(depth__gt=1).order_by("path"):
        parts = page.get_url_parts()
        if parts:
            _site_id, root_url, path = parts
            found.append((page, root_url, path))
    return found


def inventory():
    """Counts per kind: {app label: {model label: rows}}, media files, live pages rendered."""
    kinds = {}
    for label, model in exported_models().items():
        kinds.setdefault(label.split(".")[0], {})[label] = model._base_manager.count()
    page_model = apps.get_model("wagtailcore", "Page")
    by_type = {}
    for page in page_model.objects.filter(depth__gt=1).select_related("content_type"):
        key = f"{page.content_type.app_label}.{page.content_type.model}"
        by_type[key] = by_type.get(key, 0) + 1
    kinds["pages_by_type"] = dict(sorted(by_type.items()))
    kinds["media"] = {"files": len(media_names())}
    kinds["html"] = {"live_pages": len(live_pages())}
    return kinds


# ---- the recipient -------------------------------------------------------------------------

def parse_recipient(key):
    """The ward's age X25519 public key, or HandoverError before anything is written."""
    key = (key or "").strip()
    if not key:
        raise HandoverError("受取人の公開鍵 (--recipient age1…) がありません。区から受け取った age の公開鍵を指定してください。")
    if not key.startswith("age1"):
        raise HandoverError("受取人の公開鍵は age の公開鍵 (age1 で始まる文字列) で指定してください。")
    try:
        return x25519.Recipient.from_str(key)
    except pyrage.RecipientError as exc:
        raise HandoverError(f"受取人の公開鍵が正しくありません: {exc}") from exc


# ---- rows as JSON --------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if hasattr(value, "get_prep_value"):  # StreamValue and other Wagtail values
        return value.get_prep_value()
    return str(value)


def row_of(obj, fields):
    row = {}
    for field in fields:
        value = field.value_from_object(obj)
        if isinstance(field, crypto.EncryptedTextField):
            value = field.value_to_string(obj) if value not in (None, "") else value
        row[field.attname] = value
    return row


def row_parts(model):
    """The model's rows in parts of PART_ROWS, each part as JSON bytes; foreign keys as ids."""
    fields = [f for f in model._meta.concrete_fields if f.name not in EXCLUDED_FIELDS]
    part = []
    for obj in model._base_manager.order_by("pk").iterator(chunk_size=PART_ROWS):
        part.append(row_of(obj, fields))
        if len(part) == PART_ROWS:
            yield len(part), _json(part)
            part = []
    if part:
        yield len(part), _json(part)


def _json(data):
    return json.dumps(data, ensure_ascii=False, indent=1, default=_plain).encode("utf-8")


# ---- the tar stream ------------------------------------------------------------------------

class _Writer:
    """Adds files to the tar stream, keeping the SHA-256 of each for the manifest."""

    def __init__(self, stream, now):
        self.tar = tarfile.open(fileobj=stream, mode="w|", format=tarfile.PAX_FORMAT)
        self.mtime = now.timestamp()
        self.files = {}

    def add_bytes(self, name, data):
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), self.mtime, 0o600
        self.tar.addfile(info, io.BytesIO(data))
        self.files[name] = hashlib.sha256(data).hexdigest()

    def add_stream(self, name, handle, size):
        digest = hashlib.sha256()

        class Hashing:
            def read(self, n=-1):
                block = handle.read(n)
                digest.update(block)
                return block

        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, self.mtime, 0o600
        self.tar.addfile(info, Hashing())
        self.files[name] = digest.hexdigest()

    def close(self):
        self.tar.close()


def write_data(writer, counts):
    """Every exported model's rows; the rows written must be the inventory's."""
    for label, model in exported_models().items():
        written = 0
        for number, (rows, data) in enumerate(row_parts(model), start=1):
            writer.add_bytes(f"data/{label}/part-{number:04d}.json", data)
            written += rows
        expected = counts[label.split(".")[0]][label]
        if written != expected:
            raise HandoverError(f"{label}: {written} rows written, {expected} counted")


def write_media(writer):
    names = media_names()
    for name in names:
        with default_storage.open(name, "rb") as handle:
            writer.add_stream(f"media/{name}", handle, default_storage.size(name))
    return len(names)


def write_html(writer):
    """Every live page rendered by the site itself (its templates, in Japanese), and an index."""
    client = Client(raise_request_exception=False, HTTP_USER_AGENT=f"{GENERATOR} (bot)", HTTP_ACCEPT_LANGUAGE="ja")
    index = []
    with override_settings(ALLOWED_HOSTS=["*"]):
        for page, root_url, path in live_pages():
            scheme, _sep, host = root_url.partition("://")
            response = client.get(path, HTTP_HOST=host, secure=scheme == "https")
            body = b"".join(response) if response.streaming else response.content
            name = f"html/{page.pk}.html"
            writer.add_bytes(name, body)
            index.append({"id": page.pk, "title": page.title, "path": path, "status": response.status_code,
                          "file": name})
    writer.add_bytes("html/index.json", _json(index))
    return len(index)


def readme_text(manifest):
    lines = [
        "新宿地域ポータル 引き継ぎデータ（資料等の返還）",
        "",
        "作成日時: {time}".format(time=manifest["created"]),
        "作成したプログラム: {generator} (形式 {version})".format(
            generator=manifest["generator"]["name"],
            version=manifest["generator"]["format"],
        ),
        "",
        "このファイルは区の age 公開鍵あてに暗号化された tar アーカイブです。復号するには、対応する秘密鍵で",
        "  age -d -i key.txt -o handover.tar FILE.age",
        "を実行し、tar xf handover.tar で展開します。特別なソフトウェアは要りません（テキストは UTF-8）。",
        "",
        "中身:",
        ("- data/<アプリ.モデル>/part-NNNN.json: 各表の行（項目名つき、他の表への参照は id）。"
          "会員の個人情報はこのアーカイブの中でだけ復号されています。パスワードのハッシュは含みません。"),
        "- html/<ページ id>.html: 公開中の各ページをサイト自身が表示した HTML。html/index.json が一覧です。",
        "- media/: 画像・文書・投稿の添付などのファイル（保存されている名前のまま）。",
        "- manifest.json: 種類ごとの件数と、各ファイルの SHA-256（sha256sum で照合できます）。",
        "",
        "個人情報を含みます。区の規程に従って保管し、不要になったら確実に消去してください。",
    ]
    return "\n".join(lines) + "\n"


def _consistent_snapshot():
    """PostgreSQL: one snapshot for the whole export, so rows and counts agree while the site runs."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def write_archive(stream, now):
    """The whole tar into ``stream``; the manifest (whose counts are ``inventory()``'s) is returned."""
    writer = _Writer(stream, now)
    try:
        return _write_all(writer, now)
    except BaseException:
        writer.tar.fileobj.closed = True  # abandoned: nothing more is flushed into the closed pipe
        raise


def _write_all(writer, now):
    with transaction.atomic():
        _consistent_snapshot()
        counts = inventory()
        write_data(writer, counts)
        if write_media(writer) != counts["media"]["files"]:
            raise HandoverError("media files changed during the export")
        if write_html(writer) != counts["html"]["live_pages"]:
            raise HandoverError("live pages changed during the export")
    manifest = {"generator": {"name": GENERATOR, "format": FORMAT_VERSION}, "created": now.isoformat(),
                "counts": counts, "files": dict(writer.files)}
    writer.add_bytes("manifest.json", _json(manifest))
    writer.add_bytes("README.txt", readme_text(manifest).encode("utf-8"))
    writer.close()
    return manifest


def export_archive(recipient_key, output, force=False, now=None):
    """
    Write the encrypted archive to ``output``. The recipient and the output path are checked
    before anything is created; on any failure the output file is removed.
    """
    recipient = parse_recipient(recipient_key)
    output = Path(output)
    if output.exists() and not force:
        raise HandoverError(f"{output} は既にあります。上書きするには --force を付けてください。")
    if not output.parent.is_dir():
        raise HandoverError(f"出力先のフォルダー {output.parent} がありません。")
    now = now or datetime.datetime.now(datetime.UTC)
    read_fd, write_fd = os.pipe()
    failure = []
    try:
        with open(output, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            worker = threading.Thread(target=_encrypt, args=(read_fd, out, recipient, failure), daemon=True)
            worker.start()
            try:
                with os.fdopen(write_fd, "wb") as stream:
                    manifest = write_archive(stream, now)
            finally:
                worker.join()
        if failure:
            raise HandoverError(f"encryption failed: {failure[0]}")
    except BaseException:
        output.unlink(missing_ok=True)
        raise
    return manifest


def _encrypt(read_fd, out, recipient, failure):
    try:
        with os.fdopen(read_fd, "rb") as source:
            pyrage.encrypt_io(source, out, [recipient])
    except Exception as exc:  # reported by export_archive, which removes the output
        failure.append(exc)
