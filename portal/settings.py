"""
Settings for the Shinjuku regional portal: one module, driven by environment variables.

With no variable set the portal runs the *embedded default*: SQLite, Wagtail's database
search backend, local-memory cache, e-mail written to files, tasks run synchronously.
Every production setting comes from the environment; each variable is documented where
it is read and listed in README.md ("Configuration").
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# The embedded default after `make run`: with no SECRET_KEY in the environment and the keys `make run`
# generated in DATA_DIR (.local/), `.venv/bin/python manage.py <command>` works as `make run` does
# (DEBUG on, the same keys). Never in production: the image has no .local/ and sets SECRET_KEY.
_LOCAL_KEYS = Path(env("DATA_DIR", str(BASE_DIR / ".local")))
EMBEDDED_DEFAULT = (not env("SECRET_KEY") and not env_bool("PORTAL_TESTING")
                    and (_LOCAL_KEYS / "secret_key").is_file())


def local_key(name):
    """A key `make run` generated into DATA_DIR, on the embedded default only (else None)."""
    path = _LOCAL_KEYS / name
    return path.read_text().strip() if EMBEDDED_DEFAULT and path.is_file() else None


# DEBUG: on only when asked for, or on the embedded default after `make run` (which sets it itself).
DEBUG = env_bool("DEBUG", EMBEDDED_DEFAULT)

# SECRET_KEY: required unless DEBUG or tests. `make run` generates one into .local/secret_key.
SECRET_KEY = env("SECRET_KEY") or local_key("secret_key")
if not SECRET_KEY:
    if DEBUG or env_bool("PORTAL_TESTING"):
        SECRET_KEY = "insecure-development-key-not-for-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment (DEBUG is off).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Local state (SQLite database, uploaded media, mail files) for the embedded default.
DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / ".local")))

INSTALLED_APPS = [
    # Our apps first, so their templates override Wagtail's where they share a name.
    "members",
    "pages",
    "search",
    "wardinfo",
    "moderation",
    "ads",
    "newsletter",
    "surveys",
    "reports",
    "compliance",
    "portal",
    "fixtures",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.search_promotions",  # editors promote results for a query (search app)
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "members.apps.StaffUsersAppConfig",  # wagtail.users, limited to staff accounts
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v3",
    "wagtail",
    "wagtail_headless_preview",
    "ninja",  # serves Swagger UI's files for /api/v3/docs/ from here, not from a CDN
    "django_tasks",
    "django_tasks_db",
    "django_recaptcha",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "modelcluster",
    "taggit",
    "django.contrib.humanize",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "reports.logging.RequestIdMiddleware",  # X-Request-ID in every log line and in the response
    "reports.metrics.MetricsMiddleware",  # requests, latency and 5xx for /metrics and the daily 5xx count
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Counts page views (reports): OUTSIDE any page cache, so that pages served from a cache are counted too.
    "reports.counting.PageViewMiddleware",
    "portal.middleware.AnonymousPageCacheMiddleware",  # anonymous GETs from the page cache (portal.page_cache)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "members.middleware.MemberLanguageMiddleware",  # a member's language follows the site's language they use
    "portal.middleware.RequestLimitsMiddleware",  # bodies too large or unreadable: 413/411/422 before any view
    "django_otp.middleware.OTPMiddleware",
    "members.staff_2fa.RequireStaff2FAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into its response
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "pages.context_processors.navigation",
            ],
        },
    },
]

# DATABASE_URL: any URL dj-database-url understands (postgres://user:pass@host:5432/name).
# Unset: SQLite in DATA_DIR.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'portal.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer is given up on after DATABASE_CONNECT_TIMEOUT seconds (a request,
    # /readyz), not after the operating system's minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(env("DATABASE_CONNECT_TIMEOUT", "5")))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A few people at once on the embedded default (autosave, preview and submit together): WAL
    # lets readers go on while one writes, writers wait up to 20 s for the lock, and a transaction
    # takes the write lock when it starts (IMMEDIATE), so it never fails half-way with "database is
    # locked" when a read turns into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    })

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
# Accounts are found by the keyed hash of the e-mail (the e-mail itself is encrypted), so the
# e-mail column cannot carry a unique index: uniqueness lives on members.User.email_hash.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "members.backends.EmailHashBackend"]
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # reads hashes made before Argon2
]

# Lockout after repeated failed log-ins (django-axes): per account (keyed by the e-mail's hash)
# or per address, whichever reaches the limit; lifted after the cool-off.
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "members.lockout.username_for_axes"
AXES_LOCKOUT_CALLABLE = "members.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_COOLOFF_MESSAGE = "ログインの失敗が続いたため、一時的にログインできなくなっています。しばらく時間をおいてから再度お試しください。"
AXES_PERMALOCK_MESSAGE = "ログインの失敗が続いたため、ログインできなくなっています。運営者にお問い合わせください。"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# No log of successful log-ins and log-outs: axes would store the account's e-mail in clear
# (User.get_username()) in axes_accesslog, outside the encrypted fields and into every backup.
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "members.lockout.client_ip"
OTP_TOTP_ISSUER = "新宿地域ポータル"

# reCAPTCHA (django-recaptcha) on public forms. Unset keys mean Google's test keys, which always
# pass: allowed in DEBUG and tests (the package's system-check error is silenced for them on
# purpose), refused in production by that same check. With the test keys nothing is shown or sent
# to Google (members.captcha): the forms work offline, and in DEBUG they say the check is skipped.
RECAPTCHA_PUBLIC_KEY = env("RECAPTCHA_PUBLIC_KEY", "6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI")
RECAPTCHA_PRIVATE_KEY = env("RECAPTCHA_PRIVATE_KEY", "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe")
RECAPTCHA_TEST_KEYS_ALLOWED = DEBUG or env_bool("PORTAL_TESTING")

# Ward feeds (wardinfo): fetch limits, and whether private/loopback addresses may be fetched
# (only for tests and local trials: WARDINFO_ALLOW_PRIVATE_NETWORKS=true).
WARDINFO_ALLOW_PRIVATE_NETWORKS = env_bool("WARDINFO_ALLOW_PRIVATE_NETWORKS", False)
WARDINFO_TIMEOUT_SECONDS = int(env("WARDINFO_TIMEOUT_SECONDS", "15"))
WARDINFO_MAX_BYTES = int(env("WARDINFO_MAX_BYTES", str(5 * 1024 * 1024)))
WARDINFO_RETRIES = 3
WARDINFO_BACKOFF_SECONDS = float(env("WARDINFO_BACKOFF_SECONDS", "2"))

# Members: consent document versions (a change asks members to agree again), verification link
# lifetime, retention of unverified registrations and of the audit trail.
TERMS_VERSION = "2026-11"
PRIVACY_POLICY_VERSION = "2026-11"
MEMBER_VERIFICATION_MAX_AGE = int(env("MEMBER_VERIFICATION_HOURS", "48")) * 3600
UNVERIFIED_MEMBER_DAYS = int(env("UNVERIFIED_MEMBER_DAYS", "7"))
AUDIT_RETENTION_DAYS = int(env("AUDIT_RETENTION_DAYS", str(3 * 365)))
LOGIN_REDIRECT_URL = "members:profile"

# Personal-data requests (compliance): the portal's own target for answering one (calendar days from
# receipt; requests handled for the ward follow the ward's 30 + 30 days), and the operator the privacy
# page names (APPI: name, address, representative). The defaults are visibly dummies: set them.
COMPLIANCE_CASE_TARGET_DAYS = int(env("COMPLIANCE_CASE_TARGET_DAYS", "14"))
PORTAL_OPERATOR_NAME = env("PORTAL_OPERATOR_NAME", "（運営事業者名・未設定）株式会社サンプル運営")
PORTAL_OPERATOR_ADDRESS = env("PORTAL_OPERATOR_ADDRESS", "（所在地・未設定）東京都新宿区サンプル町0-0-0")
PORTAL_OPERATOR_REPRESENTATIVE = env("PORTAL_OPERATOR_REPRESENTATIVE", "（代表者・未設定）代表取締役 見本 太郎")
PORTAL_OPERATOR_CONTACT = env("PORTAL_OPERATOR_CONTACT", "（窓口・未設定）privacy@example.invalid／03-0000-0000")


def _rate(value):
    """「件数/秒数」 (e.g. "5/600": five contributions in ten minutes)."""
    count, seconds = value.split("/")
    return int(count), int(seconds)


# Moderation: refused, hidden and deleted contributions are kept for the record this many days
# (visible to their author and to moderators), then purged. Rate limits per member and per
# client address, as 「件数/秒数」. The policy itself (review of new members, flags, links)
# is set by the operator in the admin (設定 → 投稿の審査).
MODERATION_RETENTION_DAYS = int(env("MODERATION_RETENTION_DAYS", "180"))
MODERATION_RATE_LIMITS = {
    "member": _rate(env("MODERATION_RATE_MEMBER", "5/600")),
    "address": _rate(env("MODERATION_RATE_ADDRESS", "20/600")),
}

# FIELD_ENCRYPTION_KEYS: Fernet keys for members' personal data, comma-separated, newest first
# (generate one with `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).
# FIELD_HASH_KEY: the key of the e-mail look-up hash (a long random string; never rotated
# casually: changing it needs every hash recomputed). `make run` generates both into .local/.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS") or [key for key in [local_key("field_encryption_key")] if key]
FIELD_HASH_KEY = env("FIELD_HASH_KEY", "") or local_key("field_hash_key") or ""
# BACKUP_DIR: where `manage.py backup` writes its folders (never inside MEDIA_ROOT; the keys above are
# never written there); BACKUP_KEEP_DAYS: older backup folders are removed after each backup.
BACKUP_DIR = Path(env("BACKUP_DIR", str(DATA_DIR / "backups")))
BACKUP_KEEP_DAYS = int(env("BACKUP_KEEP_DAYS", "14"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "members:login"
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "members.forms.StaffPasswordResetForm"

# Languages: Japanese first. wagtail-localize translates content into the others.
LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LANGUAGES = [
    ("ja", "日本語"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("ko", "한국어"),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The site's own texts: Japanese msgids, catalogues for the other languages in locale/<lang>/
# (compiled .mo files are committed: nothing is compiled at start-up; README "Translations").
LOCALE_PATHS = [BASE_DIR / "locale"]

# Static and media files. STATIC_ROOT is filled by collectstatic (the Docker image does it);
# WhiteNoise serves it with far-future cache headers.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG or env_bool("PORTAL_TESTING")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or env_bool("PORTAL_TESTING")
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# MEDIA_STORAGE=s3 (or S3_BUCKET / AWS_STORAGE_BUCKET_NAME set): uploaded files go to an S3-compatible
# object store (MinIO in site/compose.yaml), so several web processes share them; unset: MEDIA_ROOT.
# Objects are private on the bucket (no ACL, the bucket's policy). Their URLs (S3_URLS): "app" (default)
# /media/<name>, served by the web processes from the bucket (portal.media, only images, as on disk);
# "signed" expiring signed URLs on S3_ENDPOINT_URL (browsers must reach it); "public" plain URLs on
# S3_CUSTOM_DOMAIN (a CDN or a bucket policy opening images/ and original_images/ only). Documents,
# board images and ad creatives are always streamed by the app after its access checks.
MEDIA_STORAGE = env("MEDIA_STORAGE", "s3" if env("S3_BUCKET") or env("AWS_STORAGE_BUCKET_NAME") else "local")
if MEDIA_STORAGE == "s3":
    S3_URLS = env("S3_URLS", "public" if env("S3_CUSTOM_DOMAIN") else "app")
    if S3_URLS not in ("app", "signed", "public"):
        raise ImproperlyConfigured(f"S3_URLS must be app, signed or public, not {S3_URLS!r}")
    STORAGES["default"] = {"BACKEND": "portal.media.S3MediaStorage", "OPTIONS": {
        "bucket_name": env("S3_BUCKET") or env("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env("S3_ENDPOINT_URL"),  # unset: Amazon S3 itself
        "region_name": env("S3_REGION"),
        "access_key": env("S3_ACCESS_KEY_ID") or env("AWS_ACCESS_KEY_ID"),
        "secret_key": env("S3_SECRET_ACCESS_KEY") or env("AWS_SECRET_ACCESS_KEY"),
        "addressing_style": env("S3_ADDRESSING_STYLE", "path"),  # MinIO and most S3-compatible stores
        "signature_version": "s3v4",
        "default_acl": None,  # never public-read: the bucket's own (private) policy applies
        "file_overwrite": False,  # two uploads named alike must not replace each other (Wagtail's originals)
        "querystring_auth": S3_URLS == "signed",
        "querystring_expire": int(env("S3_URL_EXPIRY", "3600")),
        "custom_domain": env("S3_CUSTOM_DOMAIN") if S3_URLS == "public" else None,
        "url_protocol": env("S3_URL_PROTOCOL", "https:"),
        "media_url": MEDIA_URL if S3_URLS == "app" else None,
        "timeout": float(env("S3_TIMEOUT", "5")),  # seconds per connect or read; then a few retries
    }}
    if not STORAGES["default"]["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET")
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, not {MEDIA_STORAGE!r}")
# Wagtail documents always through its serve view (collection privacy), never a redirect to the store.
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Request bodies (portal.middleware.RequestLimitsMiddleware; site/nginx.conf's client_max_body_size
# matches REQUEST_MAX_UPLOAD_BYTES): a multipart upload up to REQUEST_MAX_UPLOAD_BYTES (the board's
# four 8 MiB images and their text), every other body (JSON, forms, a text field of an upload) up to
# DATA_UPLOAD_MAX_BYTES; larger ones are refused with 413 before they are read.
REQUEST_MAX_UPLOAD_BYTES = int(env("REQUEST_MAX_UPLOAD_BYTES", str(34 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env("DATA_UPLOAD_MAX_BYTES", str(int(2.5 * 1024 * 1024))))

# REDIS_URL: the cache. Unset: local-memory cache. (Sessions stay in the database.) A failing Redis is
# bypassed (portal.cache: every operation a miss, CACHE_TIMEOUT seconds at most per connect or answer).
if env("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": env("REDIS_URL"),
                          "OPTIONS": {"CACHE_TIMEOUT": float(env("CACHE_TIMEOUT", "0.5"))}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}

# EMAIL_URL: smtp://user:pass@host:587/?tls=True (dj-email-url). Unset: mail written to files
# in DATA_DIR/mail, one file per message, so a developer can read what the portal sent.
if env("EMAIL_URL"):
    _email = dj_email_url.parse(env("EMAIL_URL"))
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
    EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
# Every mail goes through the outbox (members.outbox), Wagtail's and Django's own too: EMAIL_BACKEND
# stores it; the outbox's sender and the mail magazine use the real backend above.
OUTBOX_EMAIL_BACKEND, EMAIL_BACKEND = EMAIL_BACKEND, "members.outbox.OutboxBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "新宿地域ポータル <no-reply@portal.example.jp>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SEARCH_URL: the search engine (http://user:pass@search:9200). Unset: Wagtail's database backend.
# SEARCH_ENGINE: "opensearch" (OpenSearch 3, the engine the test suite runs; default) or
# "elasticsearch" (Elasticsearch 9). Both speak the Elasticsearch API; see README "Search".
# Japanese text is analysed with kuromoji (the analysis-kuromoji plugin must be installed).
# SEARCH_INDEX_PREFIX keeps several sites (or test runs) apart on one cluster.
# SEARCH_TIMEOUT / SEARCH_CONNECT_TIMEOUT: seconds a search may wait for the engine to answer / to
# accept the connection before the database answers instead; SEARCH_WRITE_TIMEOUT: for index
# changes and rebuilds (in the worker). SEARCH_BREAKER_FAILURES failures within
# SEARCH_BREAKER_WINDOW seconds open the circuit breaker: the engine is skipped for
# SEARCH_BREAKER_COOLDOWN seconds, then probed once (search.breaker, search.wagtail_backend).
SEARCH_ENGINE = env("SEARCH_ENGINE", "opensearch")
SEARCH_BACKENDS = {
    "opensearch": "search.wagtail_backend.OpenSearch3",
    "elasticsearch": "search.wagtail_backend.Elasticsearch9",
}
if env("SEARCH_URL"):
    if SEARCH_ENGINE not in SEARCH_BACKENDS:
        raise ImproperlyConfigured("SEARCH_ENGINE must be 'opensearch' or 'elasticsearch'.")
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": SEARCH_BACKENDS[SEARCH_ENGINE],
            "URLS": [env("SEARCH_URL")],
            "INDEX_PREFIX": env("SEARCH_INDEX_PREFIX", "portal_"),
            "TIMEOUT": float(env("SEARCH_TIMEOUT", "0.4")),
            "CONNECT_TIMEOUT": float(env("SEARCH_CONNECT_TIMEOUT", "0.2")),
            "WRITE_TIMEOUT": float(env("SEARCH_WRITE_TIMEOUT", "30")),
            "BREAKER": {"FAILURES": int(env("SEARCH_BREAKER_FAILURES", "3")),
                        "WINDOW": float(env("SEARCH_BREAKER_WINDOW", "30")),
                        "COOLDOWN": float(env("SEARCH_BREAKER_COOLDOWN", "15"))},
            "OPTIONS": {"max_retries": 0, "retry_on_timeout": False},
            "INDEX_SETTINGS": {
                "settings": {
                    "index": {"number_of_shards": 1, "number_of_replicas": int(env("SEARCH_REPLICAS", "0"))},
                    "analysis": {
                        "analyzer": {
                            # Every text field without an analyzer of its own: Japanese morphology,
                            # base forms (行きました -> 行く), full/half-width folded, lower case.
                            "default": {
                                "type": "custom",
                                "tokenizer": "kuromoji_tokenizer",
                                "filter": ["kuromoji_baseform", "cjk_width", "lowercase"],
                            },
                        },
                    },
                },
            },
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# TASKS_BACKEND=database: jobs (search indexing, scheduled publishing, ...) go to the database
# and a worker process (`manage.py run_worker`, which wraps django-tasks-db's `db_worker`) runs
# them. Unset: run at once, in the request.
TASKS_BACKEND = env("TASKS_BACKEND", "immediate")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'immediate' or 'database'.")

# Periodic jobs: the scheduler process (`manage.py run_scheduler`) enqueues each at its cron time.
SCHEDULED_TASKS = {
    "publish_scheduled_pages": {"task": "pages.tasks.publish_scheduled_pages", "cron": "* * * * *"},
    "prune_task_results": {"task": "portal.tasks.prune_task_results", "cron": "30 3 * * *"},
    "purge_expired_member_data": {"task": "members.tasks.purge_expired_member_data", "cron": "15 3 * * *"},
    "import_ward_feeds": {"task": "wardinfo.tasks.import_due_ward_feeds", "cron": "*/5 * * * *"},
    "purge_expired_contributions": {"task": "moderation.tasks.purge_expired_contributions", "cron": "40 3 * * *"},
    "moderation_digest": {"task": "moderation.tasks.send_moderation_digest", "cron": "0 8 * * *"},
    "replay_search_queue": {"task": "search.tasks.replay_search_queue", "cron": "* * * * *"},
    "rebuild_search_index": {"task": "search.tasks.rebuild_search_index", "cron": "45 3 * * *"},
    "flush_ad_counts": {"task": "ads.tasks.flush_ad_counts", "cron": "* * * * *"},
    "newsletter_send_due": {"task": "newsletter.tasks.send_due_mailings", "cron": "* * * * *"},
    "newsletter_weekly_digest": {"task": "newsletter.tasks.send_weekly_digest",
                                 "cron": env("NEWSLETTER_DIGEST_CRON", "0 7 * * fri")},
    "newsletter_purge_pending": {"task": "newsletter.tasks.purge_unconfirmed_subscribers", "cron": "50 3 * * *"},
    "surveys_delete_answers": {"task": "surveys.tasks.delete_expired_answers", "cron": "20 3 * * *"},
    "surveys_delete_applications": {"task": "surveys.tasks.delete_expired_applications", "cron": "25 3 * * *"},
    "send_due_mail": {"task": "members.outbox.send_due_mail", "cron": "* * * * *"},
    "prune_outbox": {"task": "members.outbox.prune_outbox", "cron": "20 3 * * *"},
    "compliance_watch": {"task": "compliance.signals_watch.watch_signals", "cron": "*/10 * * * *"},
    "reports_flush_counts": {"task": "reports.tasks.flush_page_views", "cron": "* * * * *"},
    "reports_monthly": {"task": "reports.tasks.send_monthly_usage_report", "cron": "0 6 1 * *"},
    "reports_monitor": {"task": "reports.monitor_tasks.run_checks", "cron": "* * * * *"},
    "reports_prune_monitoring": {"task": "reports.monitor_tasks.prune_monitoring", "cron": "35 3 * * *"},
}
TASK_RESULTS_KEEP_DAYS = int(env("TASK_RESULTS_KEEP_DAYS", "7"))
# The mail outbox (members.outbox): sent mail kept OUTBOX_KEEP_DAYS days (failed mail four times that).
OUTBOX_KEEP_DAYS = int(env("OUTBOX_KEEP_DAYS", "14"))
# Worker and scheduler (portal.heartbeats): a heartbeat row every HEARTBEAT_SECONDS; one older than
# HEARTBEAT_STALE_SECONDS means the process is gone (/readyz names it; the worker's running jobs are
# then retried once, or marked failed).
HEARTBEAT_SECONDS = int(env("HEARTBEAT_SECONDS", "10"))
HEARTBEAT_STALE_SECONDS = int(env("HEARTBEAT_STALE_SECONDS", "60"))

# Monitoring (reports.monitoring, reports.alerts; the 運用状況 admin page). Alerts are mailed to
# MONITORING_ALERT_EMAILS (comma-separated; empty: the active superusers), once when a problem opens
# and once when it clears. A job is silent MONITORING_JOB_GRACE_MINUTES after its cron's next time;
# the oldest queued job too old after MONITORING_QUEUE_MAX_MINUTES; a ward feed failing for
# MONITORING_FEED_FAILING_HOURS; the search engine down for MONITORING_SEARCH_DOWN_MINUTES; disk free
# below MONITORING_DISK_FREE_PERCENT; the database past MONITORING_DB_MAX_MB (0: not watched). The
# checks not running for MONITORING_GAP_MINUTES is recorded as downtime. Job runs are kept
# JOB_RUNS_KEEP_DAYS days, cleared alerts and daily 5xx counts MONITORING_ALERTS_KEEP_DAYS days.
MONITORING_ALERT_EMAILS = env_list("MONITORING_ALERT_EMAILS")
MONITORING_JOB_GRACE_MINUTES = int(env("MONITORING_JOB_GRACE_MINUTES", "15"))
MONITORING_QUEUE_MAX_MINUTES = int(env("MONITORING_QUEUE_MAX_MINUTES", "15"))
MONITORING_FEED_FAILING_HOURS = float(env("MONITORING_FEED_FAILING_HOURS", "3"))
MONITORING_SEARCH_DOWN_MINUTES = int(env("MONITORING_SEARCH_DOWN_MINUTES", "3"))
MONITORING_DISK_FREE_PERCENT = float(env("MONITORING_DISK_FREE_PERCENT", "10"))
MONITORING_DB_MAX_MB = int(env("MONITORING_DB_MAX_MB", "20000"))
MONITORING_GAP_MINUTES = int(env("MONITORING_GAP_MINUTES", "5"))
MONITORING_ALERTS_KEEP_DAYS = int(env("MONITORING_ALERTS_KEEP_DAYS", "400"))
JOB_RUNS_KEEP_DAYS = int(env("JOB_RUNS_KEEP_DAYS", "14"))
# METRICS_TOKEN: /metrics (Prometheus text format) answers only with "Authorization: Bearer <token>";
# unset, /metrics is 404. With several gunicorn processes set PROMETHEUS_MULTIPROC_DIR (an empty
# folder, emptied at each start) so the counters of every process are added up.
METRICS_TOKEN = env("METRICS_TOKEN", "")

# Ads (ads/): counts are added up in the cache and flushed into hourly rows every minute by the
# scheduler; ADS_FLUSH_IN_REQUEST lets the counting view flush them itself at most every
# ADS_FLUSH_SECONDS (needed when the cache is one per process: the local-memory default).
# ADS_COUNTER_HOURS: how long unflushed counters are kept and looked back at. The eligible set is
# rebuilt when ads change (checked every ADS_SNAPSHOT_CHECK_SECONDS) and at least every
# ADS_SNAPSHOT_SECONDS. ADS_REPORT_FONT: a TrueType/OpenType font file for the PDF reports
# (default: Noto Sans JP from the pylopdf-fonts-jp package).
ADS_FLUSH_SECONDS = int(env("ADS_FLUSH_SECONDS", "60"))
ADS_FLUSH_IN_REQUEST = env_bool("ADS_FLUSH_IN_REQUEST", not env("REDIS_URL"))
ADS_COUNTER_HOURS = int(env("ADS_COUNTER_HOURS", "48"))
ADS_SNAPSHOT_SECONDS = int(env("ADS_SNAPSHOT_SECONDS", "60"))
ADS_SNAPSHOT_CHECK_SECONDS = float(env("ADS_SNAPSHOT_CHECK_SECONDS", "1"))

# Incidents and staff training (compliance/, C2). The clocks from an incident's discovery: the
# ward's written report (hours), the commission's preliminary (days; its guidance: about 3-5) and
# final report (days; 60 by law for wrongful-purpose cases). COMPLIANCE_TRAINING_REQUIRED: staff
# without current training may not view personal data or moderate (superusers included). The
# signal watch (every 10 minutes) opens a draft incident on a lockout storm, one staff member
# viewing many members' data, or a burst of audit-log exports: N events in M minutes each.
COMPLIANCE_WARD_REPORT_HOURS = int(env("COMPLIANCE_WARD_REPORT_HOURS", "24"))
COMPLIANCE_PRELIMINARY_REPORT_DAYS = int(env("COMPLIANCE_PRELIMINARY_REPORT_DAYS", "5"))
COMPLIANCE_FINAL_REPORT_DAYS = int(env("COMPLIANCE_FINAL_REPORT_DAYS", "30"))
COMPLIANCE_TRAINING_REQUIRED = env_bool("COMPLIANCE_TRAINING_REQUIRED", True)
COMPLIANCE_WATCH_LOCKOUTS = int(env("COMPLIANCE_WATCH_LOCKOUTS", "20"))
COMPLIANCE_WATCH_LOCKOUT_MINUTES = int(env("COMPLIANCE_WATCH_LOCKOUT_MINUTES", "10"))
COMPLIANCE_WATCH_VIEWED_MEMBERS = int(env("COMPLIANCE_WATCH_VIEWED_MEMBERS", "30"))
COMPLIANCE_WATCH_VIEW_MINUTES = int(env("COMPLIANCE_WATCH_VIEW_MINUTES", "60"))
COMPLIANCE_WATCH_EXPORTS = int(env("COMPLIANCE_WATCH_EXPORTS", "5"))
COMPLIANCE_WATCH_EXPORT_MINUTES = int(env("COMPLIANCE_WATCH_EXPORT_MINUTES", "60"))
ADS_REPORT_FONT = env("ADS_REPORT_FONT", "")
# The counters' cache: the shared one (Redis) when REDIS_URL is set; otherwise a local-memory cache of
# its own, large enough that counters are never culled (the default one keeps 300 entries).
CACHES["ads"] = {**CACHES["default"], "KEY_PREFIX": "ads"} if env("REDIS_URL") else {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ads",
    "TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 1_000_000}}

# Anonymous page cache (portal.page_cache): public pages, feeds and read-only API listings for
# visitors without a session, kept PAGE_CACHE_SECONDS (600; 0: off) and retired at once by any change
# they show (portal.cache_invalidation: generation numbers in "page_versions"). Entries in Redis when
# REDIS_URL is set, else in each process's memory (PAGE_CACHE_ENTRIES at most); the generations must be
# shared by every process: Redis, else files in DATA_DIR/cache/page-versions. Off under PORTAL_TESTING
# (test transactions never commit, so nothing would retire entries): its own tests switch it on.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "0" if env_bool("PORTAL_TESTING") else "600"))
PAGE_CACHE_ALIAS, PAGE_CACHE_VERSIONS_ALIAS = "pages", "page_versions"
if env("REDIS_URL"):
    CACHES["pages"] = {**CACHES["default"], "KEY_PREFIX": "pages"}
    CACHES["page_versions"] = {**CACHES["default"], "KEY_PREFIX": "page-versions", "TIMEOUT": None}
else:
    CACHES["pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages",
                       "OPTIONS": {"MAX_ENTRIES": int(env("PAGE_CACHE_ENTRIES", "2000"))}}
    CACHES["page_versions"] = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                               "LOCATION": str(DATA_DIR / "cache" / "page-versions"), "TIMEOUT": None}

# Usage counting (reports/): page views and the day's visitor set are added up in the "reports" cache
# (the shared one with REDIS_URL; else this process's memory, never culled) and flushed into daily rows
# by the scheduler every minute; REPORTS_FLUSH_IN_PROCESS (default: on without REDIS_URL, where the
# scheduler cannot see a process's memory) has each process flush its own counts REPORTS_FLUSH_SECONDS
# after the first view counted since its last flush (a timer thread, never in the request).
REPORTS_FLUSH_IN_PROCESS = env_bool("REPORTS_FLUSH_IN_PROCESS", not env("REDIS_URL"))
REPORTS_FLUSH_SECONDS = float(env("REPORTS_FLUSH_SECONDS", "2"))
# REPORTS_PDF_FONT: a TrueType/OpenType font file for the monthly usage report's PDF (default: Noto Sans
# JP from the pylopdf-fonts-jp package).
REPORTS_PDF_FONT = env("REPORTS_PDF_FONT", "")
CACHES["reports"] = {**CACHES["default"], "KEY_PREFIX": "reports"} if env("REDIS_URL") else {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "reports",
    "TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 1_000_000}}

# Mail magazine (newsletter/). Sending: NEWSLETTER_RATE messages per second at most (0: no limit),
# NEWSLETTER_BATCH_SIZE deliveries per SMTP connection, a temporary failure retried after
# NEWSLETTER_RETRY_MINUTES up to NEWSLETTER_MAX_ATTEMPTS times; one worker per mailing at a time
# (a lease of NEWSLETTER_LEASE_SECONDS, renewed while it works). Double opt-in: the confirmation link
# lasts NEWSLETTER_CONFIRM_HOURS, is mailed again to the same address at most every
# NEWSLETTER_RESEND_MINUTES, and requests never confirmed are deleted after NEWSLETTER_PENDING_DAYS;
# NEWSLETTER_RATE_ADDRESS limits subscription requests per client address (「件数/秒数」).
# NEWSLETTER_HARD_BOUNCE_LIMIT hard bounces suspend an address (a complaint at once).
# The sender block every mail carries (特定電子メール法): NEWSLETTER_SENDER_NAME, _ADDRESS, _CONTACT.
# NEWSLETTER_UNSUBSCRIBE_MAILTO: the mailto: of List-Unsubscribe (read by `process_bounces`).
# NEWSLETTER_BLOCKED_DOMAINS: more disposable-address domains refused, comma-separated.
# NEWSLETTER_DIGEST_CRON: when the scheduler sends the weekly digest (crontab fields; name the day, as in
# `0 7 * * fri`: APScheduler counts numbered weekdays from Monday).
NEWSLETTER_FROM_EMAIL = env("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
NEWSLETTER_RATE = float(env("NEWSLETTER_RATE", "50"))
NEWSLETTER_BATCH_SIZE = int(env("NEWSLETTER_BATCH_SIZE", "500"))
NEWSLETTER_MAX_ATTEMPTS = int(env("NEWSLETTER_MAX_ATTEMPTS", "5"))
NEWSLETTER_RETRY_MINUTES = int(env("NEWSLETTER_RETRY_MINUTES", "15"))
NEWSLETTER_LEASE_SECONDS = int(env("NEWSLETTER_LEASE_SECONDS", "120"))
NEWSLETTER_CONFIRM_HOURS = int(env("NEWSLETTER_CONFIRM_HOURS", "48"))
NEWSLETTER_RESEND_MINUTES = int(env("NEWSLETTER_RESEND_MINUTES", "10"))
NEWSLETTER_PENDING_DAYS = int(env("NEWSLETTER_PENDING_DAYS", "7"))
NEWSLETTER_RATE_ADDRESS = _rate(env("NEWSLETTER_RATE_ADDRESS", "20/3600"))
NEWSLETTER_HARD_BOUNCE_LIMIT = int(env("NEWSLETTER_HARD_BOUNCE_LIMIT", "2"))
NEWSLETTER_CONSENT_VERSION = env("NEWSLETTER_CONSENT_VERSION", "2026-11")
NEWSLETTER_SENDER_NAME = env("NEWSLETTER_SENDER_NAME", "新宿地域ポータル運営事務局")
NEWSLETTER_SENDER_ADDRESS = env("NEWSLETTER_SENDER_ADDRESS", "〒160-0022 東京都新宿区新宿0-0-0（例）")
NEWSLETTER_SENDER_CONTACT = env("NEWSLETTER_SENDER_CONTACT", "info@portal.example.jp")
NEWSLETTER_UNSUBSCRIBE_MAILTO = env("NEWSLETTER_UNSUBSCRIBE_MAILTO", "unsubscribe@portal.example.jp")
NEWSLETTER_BLOCKED_DOMAINS = env_list("NEWSLETTER_BLOCKED_DOMAINS")

WAGTAIL_SITE_NAME = "新宿地域ポータル"
WAGTAILADMIN_BASE_URL = env("BASE_URL", "http://127.0.0.1:8000")
WAGTAILAPI_BASE_URL = WAGTAILADMIN_BASE_URL
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no avatars from a third party in the admin
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("ja", "日本語"), ("en", "English")]
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
# Documents editors may upload: office formats only, nothing a browser would run.
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "csv", "txt", "odt", "ods"]
TAGGIT_CASE_INSENSITIVE = True

# Headless preview: HEADLESS_PREVIEW_URL is the front end that renders drafts; the admin sends
# it ?content_type=…&token=… and it reads /api/v3/preview/. Unset: our own site previews itself.
HEADLESS_PREVIEW_URL = env("HEADLESS_PREVIEW_URL", "")
PREVIEW_TOKEN_MAX_AGE = int(env("PREVIEW_TOKEN_MAX_AGE", str(60 * 60)))  # seconds
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": HEADLESS_PREVIEW_URL or WAGTAILADMIN_BASE_URL},
    "SERVE_BASE_URL": None,
    "REDIRECT_ON_PREVIEW": False,
    "ENFORCE_TRAILING_SLASH": True,
}

# Security. Everything below is on in production; `manage.py check --deploy` stays quiet.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its own preview views SAMEORIGIN
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)  # behind a TLS-terminating proxy
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Trust X-Forwarded-Proto only behind a proxy that sets it (nginx in the compose stack); a client
# that reached gunicorn directly could otherwise claim HTTPS.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading is the domain owner's decision, made once the domain is submitted to the browsers'
# preload list; until then the preload directive is off and its deploy-check warning is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if RECAPTCHA_TEST_KEYS_ALLOWED:
    SILENCED_SYSTEM_CHECKS.append("django_recaptcha.recaptcha_test_key_error")

# LOG_FORMAT: "json" (one JSON object a line, with the request id: the default when DEBUG is off)
# or "text" (the default with DEBUG on).
LOG_FORMAT = env("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'text'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
                   "json": {"()": "reports.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": "json" if LOG_FORMAT == "json" else "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "elastic_transport": {"level": "WARNING"},
        "opensearch": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Pagination on district and theme pages.
PORTAL_PAGE_SIZE = int(env("PORTAL_PAGE_SIZE", "12"))
