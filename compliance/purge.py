"""
The verified purge at the contract's end: every person's data erased, then proven gone.

1. **Collect** the identifying values first, decrypted in memory: e-mail addresses, full names
   and their kana, dates of birth, address lines, telephone numbers, contacts (every
   ``members.crypto`` char, e-mail and date field of every model, plus the members' composites),
   and the keyed hashes of the e-mail addresses. Nicknames are not scanned for: they are public
   pseudonyms and often ordinary words (「さくら」) found in the ward's own pages; they go with the
   accounts, which the counts prove. Free-text encrypted fields (mail bodies, answers, case
   details) are erased but not scanned for as wholes. Values shorter than ``MIN_LENGTH`` are not
   scanned for (a surname alone matches shop pages); their composites are.
2. **Erase** in one transaction: each app's own erasure (``members.personal_data``, as on
   withdrawal, posts not kept); rows of models whose encrypted field is required or that belong to
   a member (a foreign key to the user model) are deleted, optional encrypted fields elsewhere are
   emptied (an advertiser's contact person); every account, staff included; sessions, log-in
   attempts (axes), rate-limit counters, Wagtail form submissions. Media files no row refers to
   any more are deleted from the storage; the database is compacted (SQLite: ``VACUUM`` and a
   truncated WAL; PostgreSQL: ``VACUUM FULL``) so deleted rows leave no bytes behind.
3. **Verify**: the personal counts again (all must be zero) and the plaintext scan — every text,
   char and JSON column of every table, read by raw SQL (not the ORM's decrypted view), and every
   media file name, searched for every collected value (also as JSON escapes and NFKC).

The audit trail (``members.AuditEntry``) is kept: it records staff actions by account id, never
residents' values (the scan covers it too, so a value typed into a reason would be found), and it
is the record the ward may audit; its copy with the accounts it refers to is in the handover
archive. The certificate records only kinds, counts, tables and columns, never a value.
"""

import datetime
import json
import os
import re
import secrets
import unicodedata
from functools import reduce
from operator import or_
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction

from members import crypto, personal_data

from .handover import existing_tables, exported_models

MIN_LENGTH = 3
ALWAYS_CLEARED = ("sessions.Session", "axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog",
                  "members.RateCounter", "wagtailforms.FormSubmission")
IDENTIFYING = (crypto.EncryptedCharField, crypto.EncryptedDateField)  # EncryptedEmailField is a char field
# A member's fields shared by many people (「東京都」, 「新宿区」, a surname, a postal code): scanned for
# only inside the composites (full name, address line), never alone.
NOT_ALONE = {"prefecture", "municipality", "postal_code", "street", "building", "last_name", "first_name",
             "last_name_kana", "first_name_kana", "gender"}
BACKUP_PREFIX, BACKUP_STAMP = "portal-", "%Y%m%dT%H%M%SZ"  # portal.backups' folder names


class PurgeError(Exception):
    """A purge that must not start; the message says why."""


def user_model():
    return apps.get_model(settings.AUTH_USER_MODEL)


def encrypted_fields(model):
    return [f for f in model._meta.concrete_fields if isinstance(f, crypto.EncryptedTextField)]


def _owned_by_member(model):
    """A foreign key to the user model that deletes the row with the member: the row is theirs."""
    return any(isinstance(f, models.ForeignKey) and f.related_model is user_model()
               and f.remote_field.on_delete is models.CASCADE for f in model._meta.concrete_fields)


def _row_is_person(model):
    return any(not f.blank for f in encrypted_fields(model)) or any(
        isinstance(f, models.ForeignKey) and f.related_model is user_model() for f in model._meta.concrete_fields)


def personal_models():
    """Label -> model: the portal's models holding a member's rows or encrypted personal data."""
    found = {}
    for label, model in exported_models().items():
        if model._meta.auto_created:
            continue
        if model is user_model() or encrypted_fields(model) or _owned_by_member(model):
            found[label] = model
    return found


def _cleared_models():
    found, tables = {}, existing_tables()
    for label in ALWAYS_CLEARED:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue  # an app this installation does not have
        if model._meta.db_table in tables:
            found[label] = model
    return found


def personal_counts():
    """Rows of personal data per model label: what must be zero after the purge."""
    counts = {}
    for label, model in personal_models().items():
        rows = model._base_manager.all()
        fields = encrypted_fields(model)
        if fields and not (model is user_model() or _owned_by_member(model)):
            rows = rows.filter(reduce(or_, [~models.Q(**{f.name: ""}) & models.Q(**{f"{f.name}__isnull": False})
                                             for f in fields]))
        counts[label] = rows.count()
    for label, model in _cleared_models().items():
        counts[label] = model._base_manager.count()
    return dict(sorted(counts.items()))


# ---- 1. collect -----------------------------------------------------------------------------

def _member_composites(user):
    """Full names and address lines, each only when every one of its parts is there."""
    joined = [
        (user.last_name, user.first_name), (user.last_name_kana, user.first_name_kana),
        (user.municipality, user.street), (user.municipality, user.street, user.building),
        (user.street, user.building),
    ]
    values = set()
    for parts in joined:
        if all(parts):
            values.update({"".join(parts), " ".join(parts), "\u3000".join(parts)})
    return values


def _identifying(model, field):
    """An e-mail address, a date, or a short value (a name, a telephone number, an address) alone."""
    if isinstance(field, crypto.EncryptedEmailField):
        return True
    if not isinstance(field, IDENTIFYING) or field.choices or (model is user_model() and field.name in NOT_ALONE):
        return False
    return isinstance(field, crypto.EncryptedDateField) or 0 < (field.max_length or 0) <= 200


def collect_values():
    """Every identifying value held now, decrypted in memory (never written anywhere)."""
    values, emails = set(), set()
    for model in personal_models().values():
        fields = [f for f in encrypted_fields(model) if _identifying(model, f)]
        for obj in model._base_manager.only(*[f.name for f in fields] or ["pk"]).iterator(chunk_size=500):
            for field in fields:
                text = field.value_to_string(obj)
                if text:
                    values.add(text)
                    if isinstance(field, crypto.EncryptedEmailField):
                        emails.add(text)
            if model is user_model():
                values |= _member_composites(obj)
    values |= {crypto.email_digest(email) for email in emails}
    return {v for v in values if len(v.strip()) >= MIN_LENGTH}


def search_pattern(values):
    """One pattern for every value, also as the JSON escape SQLite stores and in NFKC form."""
    variants = set()
    for value in values:
        for form in (value, unicodedata.normalize("NFKC", value)):
            variants.update({form, json.dumps(form)[1:-1]})
    if not variants:
        return None
    return re.compile("|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)), re.IGNORECASE)


# ---- 2. erase -------------------------------------------------------------------------------

def referenced_files():
    """Storage names every file field of every installed model refers to (Wagtail's renditions too)."""
    names, tables = set(), existing_tables()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model._meta.db_table not in tables:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(n for n in model._base_manager.values_list(field.attname, flat=True) if n)
    return names


def _erase_rows():
    """The erasure itself, in the caller's transaction; rows deleted or emptied per model label."""
    done = {}
    for user in user_model()._base_manager.iterator(chunk_size=200):
        personal_data.erase_everywhere(user, keep_posts=False)
    for label, model in personal_models().items():
        if model is user_model() or _owned_by_member(model):
            continue  # deleted with the accounts below
        fields = encrypted_fields(model)
        if _row_is_person(model):
            done[label] = {"deleted": model._base_manager.all().delete()[0]}
        else:
            empty = {f.name: None if f.null else "" for f in fields}
            done[label] = {"emptied": model._base_manager.update(**empty)}
    _total, per_model = user_model()._base_manager.all().delete()
    for label, rows in per_model.items():
        entry = done.setdefault(label, {})
        entry["deleted"] = entry.get("deleted", 0) + rows
    for label, model in _cleared_models().items():
        done.setdefault(label, {})["deleted"] = model._base_manager.all().delete()[0]
    return dict(sorted(done.items()))


def compact_database():
    """Leave no deleted row's bytes in the database files; what was done, for the certificate."""
    if connection.in_atomic_block:
        return "skipped: called inside a transaction (VACUUM cannot run there)"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return "SQLite: VACUUM, PRAGMA wal_checkpoint(TRUNCATE)"
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (FULL, ANALYZE)")
            return "PostgreSQL: VACUUM (FULL, ANALYZE)"
    return f"{connection.vendor}: no compaction"


def erase_all():
    """Erase every person's data and the files only they referred to; what was done."""
    files_before = referenced_files()
    with transaction.atomic():
        rows = _erase_rows()
    orphaned = sorted(files_before - referenced_files())
    removed = 0
    for name in orphaned:
        if default_storage.exists(name):
            default_storage.delete(name)
            removed += 1
    return {"rows": rows, "media_deleted": removed, "media_orphaned": orphaned, "compaction": compact_database(),
            "mail_files_deleted": erase_mail_files()}


def erase_mail_files():
    """The development mail backend keeps every sent mail as a file (EMAIL_FILE_PATH): they go too."""
    backend = getattr(settings, "OUTBOX_EMAIL_BACKEND", settings.EMAIL_BACKEND)  # members.outbox sends through it
    if not backend.endswith("filebased.EmailBackend") or not getattr(settings, "EMAIL_FILE_PATH", None):
        return None
    files = [p for p in Path(settings.EMAIL_FILE_PATH).glob("*") if p.is_file()]
    for path in files:
        path.unlink()
    return len(files)


# ---- 3. verify ------------------------------------------------------------------------------

TEXT_TYPES = {"CharField", "TextField", "JSONField", "EmailField", "SlugField", "URLField", "FilePathField",
              "GenericIPAddressField", "FileField", "ImageField"}


def _textual_columns(cursor, table):
    columns = []
    for column in connection.introspection.get_table_description(cursor, table):
        try:
            kind = connection.introspection.get_field_type(column.type_code, column)
        except KeyError:
            kind = "TextField"  # a type Django does not map (tsvector, …): read as text too
        if kind in TEXT_TYPES:
            columns.append(column.name)
    return columns


def scan_database(pattern):
    """Every (table, column, rows) whose stored text holds a collected value, read by raw SQL."""
    hits = []
    if pattern is None:
        return hits
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            columns = _textual_columns(cursor, table)
            if not columns:
                continue
            # SQLite: the stored bytes, decoded here (a full-text index's shadow table holds non-UTF-8 bytes)
            cast = "BLOB" if connection.vendor == "sqlite" else "TEXT"
            select = ", ".join(f"CAST({quote(c)} AS {cast})" for c in columns)
            cursor.execute(f"SELECT {select} FROM {quote(table)}")  # noqa: S608 (introspected names)
            found = dict.fromkeys(columns, 0)
            while rows := cursor.fetchmany(2000):
                for row in rows:
                    for column, text in zip(columns, row, strict=True):
                        if isinstance(text, bytes | memoryview):
                            text = bytes(text).decode("utf-8", errors="replace")
                        if text and pattern.search(text):
                            found[column] += 1
            hits += [{"table": table, "column": c, "rows": n} for c, n in found.items() if n]
    return hits


def storage_names(folder=""):
    """Every file name in the media storage (local or S3), walked through default_storage."""
    try:
        dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{f}" if folder else f for f in files]
    for sub in dirs:
        names += storage_names(f"{folder}/{sub}" if folder else sub)
    return names


def scan_media(pattern, orphaned):
    names = storage_names()
    named = [n for n in names if pattern is not None and pattern.search(n)]
    left = sorted(set(orphaned) & set(names))
    return {"files": len(names), "names_with_values": len(named), "erased_files_still_present": len(left)}


# ---- backups, keys, the certificate ---------------------------------------------------------

def backups(now):
    """The backup folders in BACKUP_DIR with the date each expires (taken + BACKUP_KEEP_DAYS)."""
    folder = Path(settings.BACKUP_DIR)
    keep = int(getattr(settings, "BACKUP_KEEP_DAYS", 14))
    found = []
    for path in sorted(folder.glob(f"{BACKUP_PREFIX}*")) if folder.is_dir() else []:
        try:
            taken = datetime.datetime.strptime(path.name.removeprefix(BACKUP_PREFIX), BACKUP_STAMP)
        except ValueError:
            continue
        taken = taken.replace(tzinfo=datetime.UTC)
        found.append({"folder": str(path), "taken": taken.isoformat(),
                      "expires": (taken + datetime.timedelta(days=keep)).isoformat()})
    return {"dir": str(folder), "keep_days": keep, "folders": found,
            "last_expiry": max((b["expires"] for b in found), default=None), "now": now.isoformat()}


def destroy_key_file(path):
    """Overwrite a key file with random bytes, flush it to the disk and remove it."""
    path = Path(path)
    if not path.is_file():
        raise PurgeError(f"鍵のファイル {path} がありません。")
    size = max(path.stat().st_size, 64)
    with open(path, "r+b") as handle:
        handle.write(secrets.token_bytes(size))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    return str(path)


def certificate_paths(stem):
    stem = Path(stem)
    if stem.suffix in (".json", ".txt", ".pdf"):
        stem = stem.with_suffix("")
    return {kind: stem.with_name(f"{stem.name}.{kind}") for kind in ("json", "txt", "pdf")}


def check_certificate_target(stem):
    """Before anything is erased: the certificate's folder exists and no certificate is overwritten."""
    paths = certificate_paths(stem)
    folder = paths["json"].parent
    if not folder.is_dir():
        raise PurgeError(f"証明書の出力先フォルダー {folder} がありません。")
    taken = [str(p) for p in paths.values() if p.exists()]
    if taken:
        raise PurgeError(f"証明書のファイルが既にあります: {', '.join(taken)}")
    return paths


def run_purge(operator, certificate, destroy_key_file=None, now=None):
    """The whole purge: collect, erase, verify, certify. Returns the certificate (a dict)."""
    paths = check_certificate_target(certificate)
    if destroy_key_file and not Path(destroy_key_file).is_file():
        raise PurgeError(f"鍵のファイル {destroy_key_file} がありません。")
    started = now or datetime.datetime.now(datetime.UTC)
    before = personal_counts()
    pattern = search_pattern(collect_values())
    values_scanned = len(pattern.pattern.split("|")) if pattern else 0
    erased = erase_all()
    after, hits, media, problem = verify(pattern, erased.pop("media_orphaned"))
    destroyed = destroy_key_file_if(destroy_key_file) if not problem else None
    cert = {
        "title": "個人情報の消去証明書",
        "result": "未完了（要確認）" if problem else "完了",
        "problem": problem,
        "when": {"started": started.isoformat(), "finished": datetime.datetime.now(datetime.UTC).isoformat()},
        "by": operator, "database": connection.vendor, "storage": default_storage.__class__.__name__,
        "what": {"before": before, "after": after},
        "how": erasure_method(erased, destroyed),
        "verification": {"scan_patterns": values_scanned, "database_hits": hits, "media": media},
        "backups": backups(started),
    }
    write_certificate(cert, paths)
    return cert


def verify(pattern, orphaned):
    """The counts again and the plaintext scan; a failure of the check itself is recorded, not lost."""
    try:
        after, hits, media = personal_counts(), scan_database(pattern), scan_media(pattern, orphaned)
    except Exception as exc:  # the erasure is done: the certificate must still be written, saying so
        unknown = dict.fromkeys(("files", "names_with_values", "erased_files_still_present"), "?")
        return {}, [], unknown, f"確認が途中で失敗しました: {type(exc).__name__}: {exc}"
    left = [label for label, rows in after.items() if rows]
    problems = ([f"消去後も残っている件数: {', '.join(left)}"] if left else []) + (
        [f"平文検査で値が見つかった列: {len(hits)}"] if hits else []) + (
        ["名前に値を含むファイルか、消したはずのファイルが残っています"]
        if media["names_with_values"] or media["erased_files_still_present"] else [])
    return after, hits, media, "; ".join(problems) or None


def destroy_key_file_if(path):
    return destroy_key_file(path) if path else None


def erasure_method(erased, destroyed):
    keys = ("FIELD_ENCRYPTION_KEYS（環境変数。make run では .local/field_encryption_key、本番では site/.env "
            "または運用者の秘密情報の保管庫）と FIELD_HASH_KEY")
    return {
        "rows": erased["rows"], "media_deleted": erased["media_deleted"], "compaction": erased["compaction"],
        "mail_files_deleted": erased["mail_files_deleted"],
        "standard": "NIST SP 800-88 Rev. 1「Purge」: 行の削除と、暗号化された項目の暗号学的消去 (cryptographic erase)",
        "keys": keys,
        "key_file_destroyed": destroyed,
        "remaining_step": (
            "鍵ファイルを上書きして削除しました。環境変数や保管庫に残る写しも運用者が削除してください。" if destroyed else
            "暗号化された項目（バックアップ内の写しを含む）の消去は、運用者が上記の鍵を破棄した時点で完了します。"
            "このコマンドは環境変数を消せないため、鍵の破棄が残りの手順です。"),
        "audit_trail": "操作記録 (members.AuditEntry) は残します: スタッフの操作を会員 id で記録し、住民の値を含みません"
                       "（平文検査の対象）。区への引き継ぎアーカイブに写しがあります。",
    }


def certificate_text(cert):
    """The certificate in Japanese, as plain text (also drawn into the PDF)."""
    how, check, kept = cert["how"], cert["verification"], cert["backups"]
    lines = [cert["title"], "", f"結果: {cert['result']}"] + ([f"問題: {cert['problem']}"] if cert["problem"] else []) + [
             f"実施者: {cert['by']}",
             f"開始: {cert['when']['started']}", f"終了: {cert['when']['finished']}",
             f"データベース: {cert['database']}  ファイル保存先: {cert['storage']}", "", "■ 消去したもの（件数: 消去前 → 消去後）"]
    lines += [f"  {label}: {n} → {cert['what']['after'].get(label, '?')}" for label, n in cert["what"]["before"].items()]
    lines += ["", "■ 方法", f"  {how['standard']}", "  削除・空にした行:"]
    lines += [f"    {label}: {json.dumps(done, ensure_ascii=False)}" for label, done in how["rows"].items()]
    lines += [f"  削除したファイル: {how['media_deleted']}", f"  データベースの圧縮: {how['compaction']}",
              f"  削除したメールのファイル (EMAIL_FILE_PATH): {how['mail_files_deleted']}",
              f"  鍵: {how['keys']}", f"  {how['remaining_step']}", f"  {how['audit_trail']}",
              "", "■ 確認（平文検査）",
              f"  検索した値の形: {check['scan_patterns']}",
              f"  値が見つかった列: {len(check['database_hits'])}"]
    lines += [f"    {h['table']}.{h['column']}: {h['rows']} 行" for h in check["database_hits"]]
    lines += [f"  ファイル: {check['media']['files']}、名前に値を含むもの: {check['media']['names_with_values']}、"
              f"消したはずで残っているもの: {check['media']['erased_files_still_present']}",
              "", "■ バックアップ",
              f"  保存先: {kept['dir']}（保存期間 {kept['keep_days']} 日、期限後の次回バックアップ時に削除）"]
    lines += [f"  {b['folder']}: 作成 {b['taken']}、期限 {b['expires']}" for b in kept["folders"]]
    lines += [f"  最後の期限: {kept['last_expiry'] or 'バックアップなし'}",
              "  バックアップ内の暗号化された項目は鍵の破棄で消去されます。暗号化されていない項目（ニックネーム、"
              "投稿、ログイン試行の記録の接続元アドレスなど）は、フォルダーが期限で削除されるまで残ります。早めるには運用者がフォルダーを削除してください。"]
    return "\n".join(lines) + "\n"


def write_certificate(cert, paths):
    paths["json"].write_text(json.dumps(cert, ensure_ascii=False, indent=2), encoding="utf-8")
    text = certificate_text(cert)
    paths["txt"].write_text(text, encoding="utf-8")
    write_pdf(text, paths["pdf"])


def write_pdf(text, path):
    """The text certificate as a PDF, with the Japanese font the ads' reports embed (Noto Sans JP)."""
    import pylopdf_fonts_jp
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.add_font("jp", "", str(pylopdf_fonts_jp.sans_path()))
    pdf.set_font("jp", size=9)
    for line in text.splitlines():
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
