"""Rapport settings: one file, driven by the environment.

The defaults are the embedded setup that `make run` uses: SQLite in a data
directory, local-memory cache, console email. Production
(`RAPPORT_ENV=production`) refuses to start without SECRET_KEY, ALLOWED_HOSTS
and DATABASE_URL, with a weak SECRET_KEY, a '*' host or DEBUG on, and turns on
HTTPS-only cookies, HSTS and the HTTPS redirect (docs/deploy.md).
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
ENV = os.environ.get("RAPPORT_ENV", "development")
PRODUCTION = ENV == "production"
DATA_DIR = Path(os.environ.get("RAPPORT_DATA_DIR", BASE_DIR.parent / "data")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _require(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when RAPPORT_ENV=production")
    return value


def _embedded_secret_key() -> str:
    # Generated once and kept beside the embedded database, so sessions survive
    # restarts without a secret ever being committed.
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _production_secret_key() -> str:
    key = _require("SECRET_KEY")
    # Django's own deploy check (security.W009) asks for this much: a short or
    # repetitive key makes sessions, password resets and signed tokens forgeable.
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak for RAPPORT_ENV=production: use at least 50 random "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    return key


def _production_allowed_hosts() -> list[str]:
    hosts = _env_list("ALLOWED_HOSTS")
    if not hosts:
        # Blank, or only commas and spaces: nothing usable was given.
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when RAPPORT_ENV=production")
    if any(host == "*" or " " in host for host in hosts):
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must name this site's hosts when RAPPORT_ENV=production, not '*'"
        )
    return hosts


def _embedded_message_key() -> str:
    # Like the secret key: generated once beside the embedded database, never committed.
    path = DATA_DIR / "message_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    path.write_text(key)
    path.chmod(0o600)
    return key


def _message_keys(keys: list[str]) -> list[str]:
    # A Fernet key is 32 bytes in URL-safe base64; a wrong one should stop the start, not
    # the first person who writes to a therapist.
    for key in keys:
        try:
            valid = len(base64.urlsafe_b64decode(key.encode())) == 32
        except ValueError:
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                "RAPPORT_MESSAGE_KEYS must be comma-separated Fernet keys (python -c "
                "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
            )
    return keys


if PRODUCTION:
    SECRET_KEY = _production_secret_key()
    ALLOWED_HOSTS = _production_allowed_hosts()
    _require("DATABASE_URL")
    # Contact requests are sealed with these (rapport/messaging/crypto.py), newest first.
    RAPPORT_MESSAGE_KEYS = _message_keys(_env_list("RAPPORT_MESSAGE_KEYS"))
    if not RAPPORT_MESSAGE_KEYS:
        _require("RAPPORT_MESSAGE_KEYS")
    if _env_bool("DEBUG", False):
        # Debug pages show settings, SQL and tracebacks to anyone: never on the public site.
        raise ImproperlyConfigured("DEBUG must be off when RAPPORT_ENV=production")
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret_key()
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
    RAPPORT_MESSAGE_KEYS = _message_keys(
        _env_list("RAPPORT_MESSAGE_KEYS") or [_embedded_message_key()]
    )

DEBUG = _env_bool("DEBUG", False)
SITE_NAME = os.environ.get("RAPPORT_SITE_NAME", "Rapport")
# Absolute base for canonical URLs, sitemaps and JSON-LD; empty means "this request's host".
SITE_URL = os.environ.get("RAPPORT_SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_htmx",
    # Accounts: sign-up, login, reset, email verification, two-factor (docs/decisions.md).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Background work: django-tasks and its database backend (rapport/core/tasks.py).
    "django_tasks",
    "django_tasks_db",
    "rapport.core",
    "rapport.accounts",
    "rapport.taxonomy",
    "rapport.moderation",
    "rapport.directory",
    "rapport.matching",
    "rapport.shortlist",
    "rapport.messaging",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rapport.core.middleware.privacy_headers",
    # Above everything that may touch the database (sessions, auth, views): an outage is a 503.
    "rapport.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Reads of unsafe requests and of a session that just wrote go to the primary (replica.py).
    "rapport.core.replica.ReadYourWritesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff without a second factor are sent to set one up instead of reaching /admin/.
    "rapport.accounts.middleware.StaffTwoFactorMiddleware",
    # Before the view runs: login and saved-list POSTs over their limit are a 429.
    "rapport.core.ratelimits.RateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "rapport.urls"
WSGI_APPLICATION = "rapport.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rapport.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite is the embedded default: WAL so readers never wait for the writer,
# IMMEDIATE transactions so two writers queue on the busy timeout instead of
# failing with "database is locked" half-way through. Connections persist
# (60 s) on both backends: opening SQLite per request re-ran the PRAGMAs below
# and threw away its page cache, ~2.5 ms of a ~7 ms search page at 10k profiles.
_default_sqlite = f"sqlite:///{DATA_DIR / 'rapport.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60, conn_health_checks=True
    )
}
if os.environ.get("DATABASE_REPLICA_URL"):
    # A streaming replica of the primary: reads go there except where they must see the
    # newest writes (core/replica.py). Tests point it at the test database (MIRROR).
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
for _alias in DATABASES.values():
    if _alias["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with a health check that needs no round trip (see its docstring).
        _alias["ENGINE"] = "rapport.core.postgresql"
# Sends reads to the replica when there is one; without it, everything to `default`.
DATABASE_ROUTERS = ["rapport.core.replica.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA temp_store=MEMORY;"
            "PRAGMA mmap_size=268435456;"
            "PRAGMA cache_size=-65536;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache only saves work: with Redis away a read is a miss and a write is dropped, so
# pages are served without it (never a 500). Short timeouts keep an unreachable Redis
# from holding each request for long.
REDIS_CACHE_OPTIONS = {
    "IGNORE_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": 0.5,
    "SOCKET_TIMEOUT": 0.5,
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rapport",
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each ignored error goes to this logger, where a filter keeps one line per outage
# (rapport.core.logs.OncePerOutage) instead of a traceback per cache call.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "rapport.cache"

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id for every new or changed password; the others only read hashes made before it
# (Django rehashes those with Argon2 at the next successful login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Everyone signs in through allauth at /accounts/ (the admin's own login form redirects
# there, so staff pass the two-factor step too). /account/ is the therapist's own area.
LOGIN_URL = "account_login"
# Where a login goes when its `next` is missing or points off the site: the therapist's
# dashboard (rapport/accounts/adapter.py sends staff to the admin instead).
LOGIN_REDIRECT_URL = "/account/"

# --- allauth (docs/decisions.md "Accounts") ----------------------------------
ACCOUNT_ADAPTER = "rapport.accounts.adapter.AccountAdapter"
# The User model has no username: the email address is the login.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Sign-up, login and reset answer the same whether or not an address has an account (an
# existing address gets an email saying so instead of a second account).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a link preview or mail scanner must not confirm
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # Django keeps this session; others end
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
# The owner hears of a changed password or email address (someone else may have done it).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Request throttles (login, sign-up, reset, two-factor code) are the project's table in
# core/ratelimits.py: one 429 page, one client-address rule, fail-open without the cache.
# allauth keeps only what that table cannot express: how often one address may be sent a
# verification email, and per-user limits on pages behind the login.
ACCOUNT_RATE_LIMITS = {
    "login": None,
    "login_failed": None,
    "signup": None,
    "reset_password": None,
    "reset_password_from_key": None,
    "request_login_code": None,
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Passkeys (WebAuthn, through fido2): a second factor like TOTP, and a way to sign in on
# their own. allauth's scripts are static files, so they run under our CSP.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_FORMS = {
    "add_webauthn": "rapport.accounts.forms.AddPasskeyForm",
    "authenticate": "rapport.accounts.forms.SecondStepForm",
}
# Passkey sign-in is throttled with password sign-in, by our table (core/ratelimits.py).
MFA_RATE_LIMITS = {"webauthn_login": None}
MFA_TOTP_ISSUER = SITE_NAME
MFA_RECOVERY_CODE_COUNT = 10

# --- Rate limits (core/ratelimits.py) -----------------------------------------
# Counted in the default cache. A cache that cannot be reached limits nothing: a Redis
# outage must not lock people out. django_ratelimit is not in INSTALLED_APPS: its only
# use there is a system check that calls the local-memory cache an error, and that cache
# is the supported one-machine setup (each worker then counts on its own).
RATELIMIT_FAIL_OPEN = True
# Behind nginx every request comes from 127.0.0.1; the visitor's address is in the header
# nginx sets (and overwrites) for it: deploy/nginx.conf.
RAPPORT_CLIENT_IP_HEADER = os.environ.get(
    "RAPPORT_CLIENT_IP_HEADER", "HTTP_X_REAL_IP" if PRODUCTION else ""
)

# --- Email ------------------------------------------------------------------
# Every email goes through the task queue (core/tasks.py: send_mail_later). Development
# without EMAIL_HOST writes each message as a file under data/mail/ (readable, nothing
# leaves the machine); EMAIL_HOST (or EMAIL_BACKEND) in the environment sends by SMTP
# (docs/deploy.md). Production without EMAIL_HOST hands mail to a local MTA on port 25.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_FILE_PATH = DATA_DIR / "mail"
if os.environ.get("EMAIL_BACKEND"):
    EMAIL_BACKEND = os.environ["EMAIL_BACKEND"]
elif EMAIL_HOST or PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Rapport <noreply@localhost>")

# --- Background tasks (core/tasks.py) -------------------------------------------
# django-tasks with its database backend: a task is a row written in the caller's
# transaction; `rapport worker` runs them (docs/deploy.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# How often a failed email is tried in all, and the first wait (doubled each time).
RAPPORT_TASK_MAX_ATTEMPTS = int(os.environ.get("RAPPORT_TASK_MAX_ATTEMPTS", "5"))
RAPPORT_TASK_RETRY_SECONDS = int(os.environ.get("RAPPORT_TASK_RETRY_SECONDS", "60"))
# A task RUNNING longer than this was left by a dead worker and is queued again
# (core/management/commands/requeue_stale_tasks.py).
RAPPORT_TASK_STALE_SECONDS = int(os.environ.get("RAPPORT_TASK_STALE_SECONDS", "300"))
# Contact request emails (messaging/tasks.py) keep retrying through a long mail outage:
# the wait doubles from RAPPORT_TASK_RETRY_SECONDS up to this cap, until this many hours.
RAPPORT_MESSAGE_RETRY_CAP_SECONDS = int(os.environ.get("RAPPORT_MESSAGE_RETRY_CAP_SECONDS", "300"))
RAPPORT_MESSAGE_GIVE_UP_HOURS = int(os.environ.get("RAPPORT_MESSAGE_GIVE_UP_HOURS", "24"))
# A worker's claim on sending one email (messaging/tasks.py) lapses after this long: longer
# than a send can take (EMAIL_TIMEOUT per step), shorter than RAPPORT_TASK_STALE_SECONDS, so
# the task a dead worker left is given back after its claim has lapsed.
RAPPORT_DELIVERY_CLAIM_SECONDS = int(os.environ.get("RAPPORT_DELIVERY_CLAIM_SECONDS", "120"))
# Contact requests are deleted this many days after they were sent (purge_contact_requests).
RAPPORT_CONTACT_RETENTION_DAYS = int(os.environ.get("RAPPORT_CONTACT_RETENTION_DAYS", "180"))

# --- I18N -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# Every user-facing string is marked for translation, but there is no catalogue
# yet, and the machinery cost ~1.4 ms of a ~3.3 ms search page render with
# nothing to translate (each gettext looks up the active language). It turns
# itself on with the first compiled catalogue under rapport/locale/.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = _env_bool(
    "RAPPORT_I18N", any(any(path.glob("*/LC_MESSAGES/*.mo")) for path in LOCALE_PATHS)
)
USE_TZ = True

# --- Search ------------------------------------------------------------------
# Facet counts kept per index segment for the part of a search that does not
# depend on its centre (a state's online therapists, a whole-country page): 0
# turns the cache off (the benchmarks measure both). An entry is a few KB.
RAPPORT_FACET_CACHE_ENTRIES = int(os.environ.get("RAPPORT_FACET_CACHE_ENTRIES", "256"))

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise

# --- Uploaded files (therapists' photos: directory/photos.py) ---------------
# On the file system under data/ by default, served by Django at /media/ (directory/urls_photo.py)
# or, in production, by nginx (deploy/nginx.conf). RAPPORT_S3_BUCKET moves them to any
# S3-compatible store through django-storages (the optional `s3` extra; docs/deploy.md, "Photos").
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Originals wait here for the worker, private: never under MEDIA_ROOT, never served.
PHOTO_ORIGINALS_ROOT = DATA_DIR / "photo-originals"
RAPPORT_S3_BUCKET = os.environ.get("RAPPORT_S3_BUCKET", "")


def _s3_storage(*, location: str, public: bool) -> dict:
    # Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a
    # profile, an instance role): never from this file.
    prefix = os.environ.get("RAPPORT_S3_PREFIX", "").strip("/")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RAPPORT_S3_BUCKET,
            "endpoint_url": os.environ.get("RAPPORT_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("RAPPORT_S3_REGION") or None,
            "location": "/".join(part for part in (prefix, location) if part),
            # Photos are public and their names change with every upload, so plain URLs
            # (optionally on a CDN's domain) that browsers may keep for a year.
            "custom_domain": (os.environ.get("RAPPORT_S3_CUSTOM_DOMAIN") or None)
            if public
            else None,
            "querystring_auth": not public,
            "default_acl": (os.environ.get("RAPPORT_S3_ACL") or None) if public else "private",
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"}
            if public
            else {},
        },
    }


STORAGES = {
    "default": (
        _s3_storage(location="media", public=True)
        if RAPPORT_S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "photo_originals": (
        _s3_storage(location="photo-originals", public=False)
        if RAPPORT_S3_BUCKET
        else {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PHOTO_ORIGINALS_ROOT},
        }
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Security -----------------------------------------------------------------
# Search URLs and referrers can reveal health conditions: never leak them.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
if PRODUCTION:
    # The __Host- prefix makes browsers refuse the cookie unless it is Secure, has no
    # Domain and covers the whole site, so no subdomain (or plain-HTTP page) can plant
    # or read it.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Production sits behind a TLS-terminating proxy (docs/deploy.md: nginx) that sets
# X-Forwarded-Proto and strips any value the client sent; only then is trusting
# the header safe. Plain-HTTP requests are redirected to HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Health probes come from the proxy or the orchestrator over plain HTTP on the host.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# One year, subdomains included: browsers then never try plain HTTP for this site.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is hard to undo (browser releases carry the list for months), so it is the
# operator's decision: SECURE_HSTS_PRELOAD=1 once the domain is submitted to hstspreload.org.
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

# Logs never carry query strings (they can hold health data) or a saved list's token: see
# core/logs.py. Production writes one JSON object per line (LOG_FORMAT=json|plain).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "rapport.core.logs.JsonFormatter"},
        "plain": {"()": "rapport.core.logs.PlainFormatter"},
    },
    "filters": {"once_per_outage": {"()": "rapport.core.logs.OncePerOutage"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's request logger prints paths on 4xx/5xx: errors only (cleaned by the formatter).
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        # One line per job run and per start/stop.
        "rapport.worker": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "rapport.cache": {
            "handlers": ["console"],
            "level": "WARNING",
            "filters": ["once_per_outage"],
            "propagate": False,
        },
    },
}
