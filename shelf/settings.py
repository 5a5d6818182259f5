"""Shelf settings, read from the environment.

Every setting has a default that works on a fresh checkout: SQLite under the
data directory, a secret key generated once and kept there. Production sets
``SITE_ROOT`` to an https:// address, which turns on secure cookies, HSTS and
the HTTPS redirect.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.getenv("SHELF_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.getenv("SECRET_KEY"):
        return key
    # Generated once per data directory so sessions survive restarts
    # without anyone having to invent a key by hand.
    path = DATA_DIR / "secret.key"
    if not path.exists():
        # Written whole, then linked into place (which fails if another
        # process got there first): processes starting together, as the web
        # server and the task worker do, all read the same complete key.
        tmp = path.with_name(f".secret.key.{os.getpid()}")
        tmp.write_text(secrets.token_urlsafe(50))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", "False")
SITE_ROOT = os.getenv("SITE_ROOT", "http://127.0.0.1:8000").rstrip("/")
# The site's name in page titles, the header and e-mails (never the host name).
SHELF_SITE_NAME = os.getenv("SHELF_SITE_NAME") or os.getenv("SITE_NAME") or "Shelf"
SITE_NAME = SHELF_SITE_NAME
HTTPS = SITE_ROOT.startswith("https://")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [SITE_ROOT] if HTTPS else []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "csp",
    "shelf.catalogue",
    "shelf.ingest",
    "shelf.front",
    "shelf.api",
    "shelf.exports",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "shelf.accounts",
    "shelf.curation",
    "shelf.search",
    "shelf.i18n",
    "shelf.oai",
    "shelf.ops",
    "shelf.stats",
    "shelf.links",
    "shelf.alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a session or the database with the request's text.
    "shelf.ops.middleware.RefuseNulMiddleware",
    # Pages and JSON shrink about tenfold; pages with a CSRF token are left
    # alone (BREACH), see the class.
    "shelf.front.middleware.SecretFreeGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shelf.front.middleware.ShelfLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-factor sign-in: which device verified this session, and no staff
    # page before the code (shelf.accounts.twofactor).
    "django_otp.middleware.OTPMiddleware",
    "shelf.accounts.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Revisions record who made them.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shelf.urls"
WSGI_APPLICATION = "shelf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shelf" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "shelf.front.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{DATA_DIR / 'shelf.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while an import or an editor writes. SQLite
    # has one writer at a time: a write (a sign-in's session, an edit) waits
    # up to SQLITE_BUSY_TIMEOUT seconds for an import to commit instead of
    # failing after the default 5 s, and IMMEDIATE takes the write lock at
    # BEGIN, so a transaction never fails halfway when it starts writing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("SQLITE_BUSY_TIMEOUT", "30"),
    }
    # Sessions in files beside the database (SQLite is one machine anyway):
    # signing in writes no row, so it works while an import holds the write
    # lock. The other writes of a sign-in wait for it (shelf.ops.deferred).
    SESSION_ENGINE = "django.contrib.sessions.backends.file"
    SESSION_FILE_PATH = DATA_DIR / "sessions"
    SESSION_FILE_PATH.mkdir(mode=0o700, parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "shelf" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from the apps' folders when collectstatic has not run.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

# Per process: rate-limit counters and formatted citations (a few KB each).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# Security: a strict policy, no third-party hosts anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and envbool("SECURE_SSL_REDIRECT", "True")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000") if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if envbool("SECURE_PROXY_SSL_HEADER", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SHELF_PAGE_SIZE = envint("SHELF_PAGE_SIZE", "20")
# Requests per minute for each API token (the write API and reads with a token).
SHELF_API_RATE_LIMIT = envint("SHELF_API_RATE_LIMIT", "120")
# Entries in an Atom feed of a listing (the newest).
SHELF_FEED_SIZE = envint("SHELF_FEED_SIZE", "50")

# OAI-PMH at /oai: records per ListRecords/ListIdentifiers page, how long a
# resumption token stays valid, the repository's contact and the namespace of
# its identifiers (oai:<id>:<number>; a domain name, by default SITE_ROOT's).
SHELF_OAI_PAGE_SIZE = envint("SHELF_OAI_PAGE_SIZE", "100")
SHELF_OAI_TOKEN_HOURS = envint("SHELF_OAI_TOKEN_HOURS", "24")
SHELF_OAI_ADMIN_EMAIL = os.getenv("SHELF_OAI_ADMIN_EMAIL", "")
SHELF_OAI_REPOSITORY_ID = os.getenv("SHELF_OAI_REPOSITORY_ID", "")

# Reader statistics (shelf.stats): counted in memory per process, written
# every few seconds or every so many hits; zero-result search words are
# kept this many days (`shelf purge_stats` deletes older ones).
STATS_ENABLED = envbool("SHELF_STATS", "True")
STATS_FLUSH_SECONDS = envint("SHELF_STATS_FLUSH_SECONDS", "5")
STATS_FLUSH_HITS = envint("SHELF_STATS_FLUSH_HITS", "1000")
STATS_QUERY_DAYS = envint("SHELF_STATS_QUERY_DAYS", "30")
STATS_QUERY_MAX_LENGTH = 100
# The link checker (shelf check_links): links checked per run (the oldest
# checked first), seconds between two requests to one host, timeouts,
# redirects followed, hosts checked at once, what counts as slow, and how
# many failures in a row make a link dead (its items go for review).
SHELF_LINKS_PER_RUN = envint("SHELF_LINKS_PER_RUN", "500")
SHELF_LINKS_HOST_INTERVAL = float(os.getenv("SHELF_LINKS_HOST_INTERVAL", "2"))
SHELF_LINKS_CONNECT_TIMEOUT = float(os.getenv("SHELF_LINKS_CONNECT_TIMEOUT", "10"))
SHELF_LINKS_READ_TIMEOUT = float(os.getenv("SHELF_LINKS_READ_TIMEOUT", "20"))
SHELF_LINKS_MAX_REDIRECTS = envint("SHELF_LINKS_MAX_REDIRECTS", "10")
SHELF_LINKS_WORKERS = envint("SHELF_LINKS_WORKERS", "8")
SHELF_LINKS_SLOW_SECONDS = float(os.getenv("SHELF_LINKS_SLOW_SECONDS", "5"))
SHELF_LINKS_DEAD_AFTER = envint("SHELF_LINKS_DEAD_AFTER", "3")
# Addresses on loopback, private or link-local networks are not requested
# (partners' links must not probe the server's own network) unless this is on.
SHELF_LINKS_ALLOW_PRIVATE = envbool("SHELF_LINKS_ALLOW_PRIVATE", "False")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}

# Curation: sign-in, roles, revisions.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "front:resources"
LOGOUT_REDIRECT_URL = "front:resources"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account is refused before its password is checked.
    "shelf.curation.backends.SignInLockBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes counts failed sign-ins only (anonymous browsing records nothing)
# and locks the username, from the address it was tried from, after
# SIGNIN_FAILURE_LIMIT failures for SIGNIN_LOCKOUT_MINUTES. SIGNIN_LOCK_BY=username
# locks the account whatever the address (stronger against botnets, but lets
# anyone lock a known username out).
AXES_FAILURE_LIMIT = envint("SIGNIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("SIGNIN_LOCKOUT_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = (
    ["username"]
    if os.getenv("SIGNIN_LOCK_BY", "username,ip_address") == "username"
    else [["username", "ip_address"]]
)
AXES_RESET_ON_SUCCESS = True
# Editors, reviewers and admins must add a second factor (an authenticator
# app, with recovery codes) before the admin: on by default in production
# (an https:// SITE_ROOT), SHELF_STAFF_2FA=false to turn it off.
SHELF_STAFF_2FA = envbool("SHELF_STAFF_2FA", "True" if HTTPS else "False")
OTP_TOTP_ISSUER = SHELF_SITE_NAME
AXES_SENSITIVE_PARAMETERS = ["password", "csrfmiddlewaretoken"]
AXES_USERNAME_CALLABLE = "shelf.ops.signin.axes_username"
# Its bookkeeping of a sign-in waits, on SQLite, for an import to commit.
AXES_HANDLER = "shelf.ops.signin.DeferringAxesHandler"
# Successful sign-ins go to Shelf's own audit log, without an address.
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
# Behind SIGNIN_PROXY_COUNT reverse proxies the address is read from
# X-Forwarded-For, counting from the right (the entries our proxies added),
# so a client cannot choose it by sending the header itself.
_SIGNIN_PROXIES = envint(
    "SIGNIN_PROXY_COUNT", "1" if envbool("SECURE_PROXY_SSL_HEADER", "False") else "0"
)
if _SIGNIN_PROXIES:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    # ipware counts the proxies listed in the header, not the last one.
    AXES_IPWARE_PROXY_COUNT = _SIGNIN_PROXIES - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Files attached to resources (shelf.files): storage, upload limits, extraction.
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "shelf.files"]


def _file_storage() -> dict:
    # Files are only ever served through views that check permissions, so
    # neither storage has a public URL (no MEDIA_URL, private S3 objects).
    if os.getenv("SHELF_STORAGE", "local") == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": os.getenv("AWS_STORAGE_BUCKET_NAME", ""),
                "endpoint_url": os.getenv("AWS_S3_ENDPOINT_URL") or None,
                "region_name": os.getenv("AWS_S3_REGION_NAME") or None,
                "location": os.getenv("AWS_LOCATION", ""),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }


STORAGES = {
    "default": _file_storage(),
    # Hashed names (shelf.3f2a….css), so WhiteNoise serves them with a
    # far-future, immutable Cache-Control; gzip and Brotli copies made once
    # by collectstatic. Tests use the plain storage (conftest.py).
    # (Processes that serve pages without collectstatic, such as tests' own
    # workers, set STATICFILES_BACKEND to Django's plain storage.)
    "staticfiles": {
        "BACKEND": os.getenv(
            "STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
SHELF_MAX_UPLOAD_MB = envint("SHELF_MAX_UPLOAD_MB", "50")
# One imported file may create at most this many new terms (tags not in
# the taxonomy become topics): a page of 100k junk tags is refused whole.
SHELF_IMPORT_MAX_NEW_TERMS = envint("SHELF_IMPORT_MAX_NEW_TERMS", "1000")
# Uploads above 2.5 MB stream to a temporary file instead of memory; the
# rest of a request body (form fields) stays capped at Django's 2.5 MB.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# Reading runs in a child process with these limits (see shelf/lib/extract.py).
SHELF_EXTRACT_ISOLATED = envbool("SHELF_EXTRACT_ISOLATED", "True")
SHELF_EXTRACT_TIMEOUT = envint("SHELF_EXTRACT_TIMEOUT", "300")
SHELF_EXTRACT_MEMORY_MB = envint("SHELF_EXTRACT_MEMORY_MB", "2048")
TASKS = {
    "default": {
        "BACKEND": os.getenv("SHELF_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Offline packs (shelf.packs): the most items one pack may hold, how many
# days a pack is kept (then `shelf prune_packs` deletes it), and how many
# packs one visitor may ask for in an hour.
INSTALLED_APPS += ["shelf.packs"]
SHELF_PACK_MAX_ITEMS = envint("SHELF_PACK_MAX_ITEMS", "5000")
SHELF_PACK_DAYS = envint("SHELF_PACK_DAYS", "7")
SHELF_PACK_RATE_LIMIT = envint("SHELF_PACK_RATE_LIMIT", "20")
# Search: the index lives under the data directory, one copy per node.
SEARCH_INDEX_DIR = Path(os.getenv("SEARCH_INDEX_DIR", DATA_DIR / "search"))
# How often a worker looks at the change feed (seconds).
SEARCH_REFRESH_INTERVAL = float(os.getenv("SEARCH_REFRESH_INTERVAL", "0.25"))
# How often a worker checks its index against the database and repairs it
# (seconds; a few aggregate queries).
SEARCH_DRIFT_INTERVAL = float(os.getenv("SEARCH_DRIFT_INTERVAL", "180"))
# When more items than this changed since the index was built, a worker
# builds a new one in the background, so a worker that starts later replays
# few changes.
SEARCH_COMPACT_AFTER = envint("SEARCH_COMPACT_AFTER", "5000")
# Processes that analyse text during `shelf reindex` (default: cores, up to 4).
if os.getenv("SEARCH_BUILD_WORKERS"):
    SEARCH_BUILD_WORKERS = envint("SEARCH_BUILD_WORKERS", "1")
# E-mail: password resets and curators' notifications. The console backend
# (the default) prints messages to the log; production sets EMAIL_HOST etc.
EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "shelf@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_HOURS", "72") * 3600
# The switcher's choice, kept a year; unprefixed addresses follow it.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Search alerts (shelf.alerts): items listed in one digest (the rest are
# counted, with a link to the whole list), follow-form uses per visitor and
# hour, and days a confirmation link works (unconfirmed alerts are then deleted).
SHELF_ALERTS_MAX_ITEMS = envint("SHELF_ALERTS_MAX_ITEMS", "20")
SHELF_ALERTS_FOLLOW_LIMIT = envint("SHELF_ALERTS_FOLLOW_LIMIT", "10")
SHELF_ALERTS_CONFIRM_DAYS = envint("SHELF_ALERTS_CONFIRM_DAYS", "7")
# Suggestions from the public form (shelf.submissions): sends per hour from
# one address (counted by a keyed, expiring hash), the fastest a person
# fills in the form, how long an opened form and a confirmation link stay
# good, and when unconfirmed suggestions are purged.
INSTALLED_APPS += ["shelf.submissions"]
SHELF_SUGGEST_RATE_LIMIT = envint("SHELF_SUGGEST_RATE_LIMIT", "5")
SHELF_SUGGEST_MIN_SECONDS = envint("SHELF_SUGGEST_MIN_SECONDS", "5")
SHELF_SUGGEST_FORM_HOURS = envint("SHELF_SUGGEST_FORM_HOURS", "24")
SHELF_SUGGEST_CONFIRM_HOURS = envint("SHELF_SUGGEST_CONFIRM_HOURS", "72")
SHELF_SUGGEST_PURGE_DAYS = envint("SHELF_SUGGEST_PURGE_DAYS", "7")
