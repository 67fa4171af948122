"""Rapport settings: one file, driven by the environment.

The defaults are the embedded setup that `make run` uses: SQLite in a data
directory, local-memory cache, console email. Production
(`RAPPORT_ENV=production`) refuses to start without SECRET_KEY, ALLOWED_HOSTS
and DATABASE_URL.
"""

from __future__ import annotations

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


if PRODUCTION:
    SECRET_KEY = _require("SECRET_KEY")
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS") or [_require("ALLOWED_HOSTS")]
    _require("DATABASE_URL")
else:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret_key()
    ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")

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
    "rapport.core",
    "rapport.accounts",
    "rapport.taxonomy",
    "rapport.moderation",
    "rapport.directory",
    "rapport.matching",
    "rapport.shortlist",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rapport.core.middleware.privacy_headers",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that needs no round trip (see its docstring).
    DATABASES["default"]["ENGINE"] = "rapport.core.postgresql"
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
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rapport",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Rapport <noreply@localhost>")

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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

# Logs never carry query strings (they can hold health data); see core/middleware.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's request logger prints full paths with query strings on 4xx/5xx.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
