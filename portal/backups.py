"""
Backups that restore: the database, the uploaded files and a manifest, never the keys.

A backup is one folder ``BACKUP_DIR/portal-<UTC time>/`` (mode 0700) holding
- ``database.dump`` (PostgreSQL: ``pg_dump --format=custom``, taken in the same snapshot as the
  manifest's row counts) or ``database.sqlite3`` (the embedded default: SQLite's online backup);
- ``media.tar.gz``: ``MEDIA_ROOT`` (skipped when media is on an S3-compatible store, whose own
  versioning/replication is its backup);
- ``manifest.json``: time, versions, applied migrations, rows per model, SHA-256 of every file.

The key material (``FIELD_ENCRYPTION_KEYS``, ``FIELD_HASH_KEY``, ``SECRET_KEY``) is never in it:
members' personal data in the dump stays encrypted, so a stolen backup without the keys, kept in
the operator's secret store, is unreadable (and destroying the keys erases every copy at once).

A restore checks the files against the manifest, refuses a database (or media folder) that is
not empty unless forced, loads the dump, compares the row counts, decrypts one stored value of
every encrypted column with the configured keys (a clear error when they are not the backup's),
unpacks the media and runs ``migrate`` for code newer than the backup.
"""

import datetime
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from members import crypto

PREFIX = "portal-"
STAMP = "%Y%m%dT%H%M%SZ"
MANIFEST = "manifest.json"
MEDIA_FILE = "media.tar.gz"
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
KEY_SETTINGS = ("FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY", "SECRET_KEY")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# ---- shared helpers ------------------------------------------------------------------------

def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inside(path, folder):
    path, folder = Path(path).resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


def media_is_local():
    return getattr(settings, "MEDIA_STORAGE", "local") != "s3"


def pg_tool(name):
    """pg_dump / pg_restore: PG_BIN_DIR, else the PATH, else the newest /usr/lib/postgresql/*/bin."""
    candidates = [Path(os.environ["PG_BIN_DIR"]) / name] if os.environ.get("PG_BIN_DIR") else []
    if shutil.which(name):
        candidates.append(Path(shutil.which(name)))
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                         key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0, reverse=True)
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    raise BackupError(f"{name} が見つかりません (postgresql-client を入れるか PG_BIN_DIR を設定してください)。")


def pg_env():
    """The connection as libpq variables: the password never appears on a command line."""
    db = settings.DATABASES["default"]
    values = {"PGHOST": db.get("HOST"), "PGPORT": db.get("PORT"), "PGUSER": db.get("USER"),
              "PGPASSWORD": db.get("PASSWORD"), "PGDATABASE": db.get("NAME"),
              "PGSSLMODE": db.get("OPTIONS", {}).get("sslmode")}
    return {**os.environ, **{k: str(v) for k, v in values.items() if v not in (None, "")}}


def _run(args, env=None):
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return result.stdout


def counted_models():
    """Concrete tables of every installed model (m2m tables included), label -> table."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy:
            tables.setdefault(meta.label, meta.db_table)
    return dict(sorted(tables.items()))


def count_rows(cursor, existing, quote):
    counts = {}
    for label, table in counted_models().items():
        if table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (a model's table name)
            counts[label] = {"table": table, "rows": cursor.fetchone()[0]}
    return counts


def applied_migrations(cursor, existing):
    if "django_migrations" not in existing:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, id")
    applied = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def versions():
    found = {"python": platform.python_version()}
    for package in ("Django", "wagtail", "psycopg"):
        try:
            found[package.lower()] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return found


# ---- backup --------------------------------------------------------------------------------

def check_apart(backup_dir, keys_file=None):
    """The backups live apart from the media they copy, the keys apart from both."""
    if media_is_local() and _inside(backup_dir, settings.MEDIA_ROOT):
        raise BackupError(f"BACKUP_DIR ({backup_dir}) は MEDIA_ROOT の中にあります: 公開されるフォルダーに"
                          "バックアップを置けません。")
    if keys_file is None:
        return
    for folder, what in ((backup_dir, "BACKUP_DIR"), (settings.MEDIA_ROOT, "MEDIA_ROOT")):
        if _inside(keys_file, folder) or _inside(folder, Path(keys_file).parent):
            raise BackupError(
                f"鍵 ({', '.join(KEY_SETTINGS)}) をバックアップと同じ場所 ({what}: {folder}) には書きません。"
                "鍵はデータと別に、運用者の秘密情報の保管庫に置いてください (鍵のないバックアップは読めない)。")


def write_keys(keys_file):
    """The key material, for the operator's secret store: a file of its own, mode 0600."""
    lines = [f"FIELD_ENCRYPTION_KEYS={','.join(settings.FIELD_ENCRYPTION_KEYS)}",
             f"FIELD_HASH_KEY={settings.FIELD_HASH_KEY}", f"SECRET_KEY={settings.SECRET_KEY}"]
    descriptor = os.open(keys_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("\n".join(lines) + "\n")


def dump_postgresql(target):
    """pg_dump and the counts in one snapshot: the manifest describes exactly the dump."""
    path = target / DUMP_FILES["postgresql"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server = cursor.fetchone()
        existing = set(connection.introspection.table_names(cursor))
        counts = count_rows(cursor, existing, connection.ops.quote_name)
        migrations = applied_migrations(cursor, existing)
        _run([pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--no-owner",
              "--no-privileges", f"--file={path}"], env=pg_env())
    tool = _run([pg_tool("pg_dump"), "--version"]).strip()
    return path, counts, migrations, {"postgresql_server": server, "pg_dump": tool}


def dump_sqlite(target):
    """SQLite's online backup API: a consistent copy while the site keeps writing."""
    path = target / DUMP_FILES["sqlite"]
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        existing = {row[0] for row in cursor.fetchall()}
        counts = count_rows(cursor, existing, connection.ops.quote_name)
        migrations = applied_migrations(cursor, existing)
    finally:
        copy.close()
    return path, counts, migrations, {"sqlite": sqlite3.sqlite_version}


def archive_media(target):
    """MEDIA_ROOT as a tar.gz; the number of files it holds."""
    root = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    with tarfile.open(target / MEDIA_FILE, "w:gz") as archive:
        for path in files:
            archive.add(path, arcname=str(path.relative_to(root)), recursive=False)
    return len(files)


def _private(path):
    path.chmod(0o700 if path.is_dir() else 0o600)


def create_backup(backup_dir, now=None):
    """Write one backup folder and return its path."""
    now = now or datetime.datetime.now(datetime.UTC)
    backup_dir = Path(backup_dir)
    check_apart(backup_dir)
    final = backup_dir / f"{PREFIX}{now.strftime(STAMP)}"
    partial = final.with_name(final.name + ".partial")
    backup_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700)
    try:
        manifest = _fill(partial, now)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)  # a failed backup leaves nothing half-written
        raise
    (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    for item in partial.iterdir():
        _private(item)
    partial.rename(final)
    return final


def _fill(partial, now):
    """The dump and the media into the partial folder; the manifest describing them."""
    vendor = connection.vendor
    dump = dump_postgresql if vendor == "postgresql" else dump_sqlite
    path, counts, migrations, tools = dump(partial)
    media = {"storage": "local" if media_is_local() else "s3"}
    if media_is_local():
        media.update(file=MEDIA_FILE, files=archive_media(partial))
    else:
        media["note"] = "S3: the object store's versioning and replication are the media backup."
    manifest = {
        "format": 1, "created": now.isoformat(), "database": {"vendor": vendor, "file": path.name},
        "versions": {**versions(), **tools}, "migrations": migrations, "counts": counts, "media": media,
        "keys": f"not included: {', '.join(KEY_SETTINGS)} are kept in the operator's secret store",
        "files": {p.name: sha256(p) for p in sorted(partial.iterdir())},
    }
    return manifest


def prune(backup_dir, keep_days, now=None):
    """Remove backup folders (and abandoned partial ones) older than keep_days; the removed ones."""
    now = now or datetime.datetime.now(datetime.UTC)
    removed = []
    for folder in sorted(Path(backup_dir).glob(f"{PREFIX}*")):
        stamp = folder.name.removeprefix(PREFIX).removesuffix(".partial")
        try:
            taken = datetime.datetime.strptime(stamp, STAMP).replace(tzinfo=datetime.UTC)
        except ValueError:
            continue  # not one of ours
        if folder.is_dir() and now - taken > datetime.timedelta(days=keep_days):
            shutil.rmtree(folder)
            removed.append(folder)
    return removed


# ---- restore -------------------------------------------------------------------------------

def read_manifest(folder):
    """The manifest, once every file it lists matches its SHA-256."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} に読める {MANIFEST} がありません: {exc}") from exc
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.is_file() or sha256(path) != digest:
            raise BackupError(f"{name} がマニフェストの SHA-256 と一致しません (壊れたか書き換えられたバックアップ)。")
    return manifest


def existing_tables():
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def check_empty(manifest, force):
    """Refuse to overwrite anything unless forced: the database and the media folder."""
    if manifest["database"]["vendor"] != connection.vendor:
        raise BackupError(f"{manifest['database']['vendor']} のバックアップを {connection.vendor} には戻せません。")
    if force:
        return
    if existing_tables():
        raise BackupError("復元先のデータベースにテーブルがあります: 空のデータベースに戻すか、"
                          "上書きしてよければ --force を付けてください。")
    media = Path(settings.MEDIA_ROOT)
    if manifest["media"].get("file") and media.is_dir() and any(media.iterdir()):
        raise BackupError(f"MEDIA_ROOT ({media}) が空ではありません: 上書きしてよければ --force を付けてください。")


def load_database(folder, manifest, force):
    path = Path(folder) / manifest["database"]["file"]
    if connection.vendor == "postgresql":
        connection.close()
        args = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                f"--dbname={settings.DATABASES['default']['NAME']}"]
        _run([*args, *(["--clean", "--if-exists"] if force else []), str(path)], env=pg_env())
        return
    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def compare_counts(manifest):
    """Every table holds as many rows as the manifest says (before migrate changes anything)."""
    existing = existing_tables()
    wrong = []
    with connection.cursor() as cursor:
        for label, entry in manifest["counts"].items():
            if entry["table"] not in existing:
                wrong.append(f"{label}: table {entry['table']} missing")
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(entry['table'])}")  # noqa: S608
            rows = cursor.fetchone()[0]
            if rows != entry["rows"]:
                wrong.append(f"{label}: {rows} rows, the manifest says {entry['rows']}")
    if wrong:
        raise BackupError("復元した行数がマニフェストと違います: " + "; ".join(wrong))
    return sum(entry["rows"] for entry in manifest["counts"].values())


def encrypted_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, crypto.EncryptedTextField):
                yield model, field


def _first_stored(cursor, table, column):
    quote = connection.ops.quote_name
    cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} "  # noqa: S608 (model metadata)
                   f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> '' LIMIT 1")
    row = cursor.fetchone()
    return row[0] if row else None


def probe_keys():
    """Decrypt one stored value of every encrypted column; check the e-mail hash key. Columns probed."""
    existing, probed = existing_tables(), 0
    with connection.cursor() as cursor:
        for model, field in encrypted_columns():
            table = model._meta.db_table
            if table not in existing or field.column not in {
                    c.name for c in connection.introspection.get_table_description(cursor, table)}:
                continue
            stored = _first_stored(cursor, table, field.column)
            if stored is None:
                continue
            try:
                plain = crypto.decrypt(stored)
            except ImproperlyConfigured as exc:
                raise BackupError(
                    f"{model._meta.label}.{field.name} を FIELD_ENCRYPTION_KEYS で復号できません: "
                    "設定された鍵はこのバックアップの鍵ではありません (秘密情報の保管庫の鍵を設定してください)。") from exc
            probed += 1
            if model is apps.get_model(settings.AUTH_USER_MODEL) and field.name == "email":
                _probe_hash(cursor, table, stored, plain)
    return probed


def _probe_hash(cursor, table, stored, email):
    quote = connection.ops.quote_name
    cursor.execute(f"SELECT email_hash FROM {quote(table)} WHERE email = %s", [stored])  # noqa: S608
    row = cursor.fetchone()
    if row and row[0] != crypto.email_digest(email):
        raise BackupError("FIELD_HASH_KEY がこのバックアップの鍵ではありません: メールアドレスでログインできません。")


def restore_media(folder, manifest):
    if not manifest["media"].get("file"):
        return 0
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(Path(folder) / manifest["media"]["file"], "r:gz") as archive:
        members = archive.getmembers()
        archive.extractall(root, filter="data")  # no absolute paths, no "..", no links out
    return sum(1 for member in members if member.isfile())
