"""Django settings, read from the environment only.

RUSMIDDEL_DEBUG=1       development (an insecure key is then allowed)
RUSMIDDEL_DEMO=1        set by `rusmiddel demo`: DEBUG off, plain HTTP on this machine
RUSMIDDEL_SECRET_KEY    required unless debugging: a missing secret fails at start
RUSMIDDEL_AUDIT_KEY     required unless debugging: keys the audit log's hash chain
RUSMIDDEL_AUDIT_KEY_FALLBACKS comma-separated retired audit keys (still verified, never used)
RUSMIDDEL_AUDIT_ANCHOR_DIR where `audit anchor` writes the chains' checkpoints
DATABASE_URL            e.g. postgres://user@host:5432/rusmiddel; default an SQLite file
RUSMIDDEL_DATA_DIR      where the default SQLite file lives (default ./var)
RUSMIDDEL_ALLOWED_HOSTS comma-separated host names
RUSMIDDEL_BEHIND_PROXY  1 when a TLS-terminating proxy sets X-Forwarded-Proto (and only then)
RUSMIDDEL_CSRF_TRUSTED_ORIGINS comma-separated origins, e.g. https://rusmiddel.kommune.dk
RUSMIDDEL_LOGIN_FAILURE_LIMIT / RUSMIDDEL_LOGIN_COOLOFF_MINUTES  login lockout (5 / 15)
RUSMIDDEL_REQUIRE_OTP   1: every staff member logs in with a TOTP code
RUSMIDDEL_SESSION_HOURS / RUSMIDDEL_API_TOKEN_HOURS  how long a log-in / an API token lasts (8 / 8)
RUSMIDDEL_HSTS_SECONDS, RUSMIDDEL_SSL_REDIRECT  HTTPS outside debug (see docs/security.md)
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("RUSMIDDEL_DEBUG")
# `rusmiddel demo`: production settings (DEBUG off), but plain HTTP on this machine: no
# redirect to HTTPS, no HSTS, cookies without Secure (else not sent back over http://). Never
# in production: `check --deploy` warns of each.
DEMO = _flag("RUSMIDDEL_DEMO")
SECRET_KEY = os.environ.get("RUSMIDDEL_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "RUSMIDDEL_SECRET_KEY is not set (set it, or RUSMIDDEL_DEBUG=1 for development)"
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

DATA_DIR = Path(os.environ.get("RUSMIDDEL_DATA_DIR", "var")).resolve()

# The audit log's chain is keyed (HMAC-SHA256, audit/chain.py) with a key that lives here and
# never in the database, so that someone with the database alone cannot forge an entry. It
# must outlive every entry it signed: a separate key from SECRET_KEY, which may be rotated
# for sessions. A retired key goes to the fallbacks, where it still verifies what it signed.
RUSMIDDEL_AUDIT_KEY = os.environ.get("RUSMIDDEL_AUDIT_KEY", "")
if not RUSMIDDEL_AUDIT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "RUSMIDDEL_AUDIT_KEY is not set (set it, or RUSMIDDEL_DEBUG=1 for development)"
        )
    RUSMIDDEL_AUDIT_KEY = "insecure-development-audit-key-never-use-in-production"
if len(RUSMIDDEL_AUDIT_KEY) < 32 and not DEBUG:
    raise ImproperlyConfigured("RUSMIDDEL_AUDIT_KEY is too short (at least 32 characters)")
RUSMIDDEL_AUDIT_KEY_FALLBACKS = [
    k.strip() for k in os.environ.get("RUSMIDDEL_AUDIT_KEY_FALLBACKS", "").split(",") if k.strip()
]
# Signed checkpoints of each chain's end (`rusmiddel audit anchor`): outside the database, so
# that deleting the log or its tail there shows. Best on another machine or append-only.
RUSMIDDEL_AUDIT_ANCHOR_DIR = Path(
    os.environ.get("RUSMIDDEL_AUDIT_ANCHOR_DIR", DATA_DIR / "audit-anchors")
).resolve()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("RUSMIDDEL_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
    if h.strip()
]

CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("RUSMIDDEL_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
if _flag("RUSMIDDEL_BEHIND_PROXY"):
    # Trust the proxy's word that the request came over HTTPS; never set without a proxy that
    # overwrites the header, or any client could claim HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the OpenAPI page's own static files (no CDN)
    "rusmiddel.accounts",
    "rusmiddel.audit",
    "rusmiddel.cases",
    "rusmiddel.groups",
    "rusmiddel.letters",
    "rusmiddel.outcomes",
    "rusmiddel.reporting",
    "rusmiddel.capacity",
    "rusmiddel.web",
    "axes",  # login lockout (accounts/security.py)
    "django_otp",
    "django_otp.plugins.otp_totp",  # the optional TOTP second factor
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "rusmiddel.api.middleware.ApiBodyTooLargeMiddleware",  # the API's JSON error, not HTML 400
    "rusmiddel.web.null_characters.RejectNullCharactersMiddleware",  # NUL, lone surrogates
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rusmiddel.web.middleware.LanguageMiddleware",  # Danish unless chosen (not the browser's)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "rusmiddel.web.middleware.NoStoreWhenLoggedInMiddleware",  # no case pages in caches
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the Danish 429 answer
]

ROOT_URLCONF = "rusmiddel.config.urls"
# Form widgets render with Jinja2 (Django's own widget templates, same markup): rendering a
# form of many fields through the Django template engine cost tens of milliseconds a page.
FORM_RENDERER = "django.forms.renderers.Jinja2"
WSGI_APPLICATION = "rusmiddel.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'rusmiddel.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: our queries are short, and compiling them cost more (tens of ms) than it saved.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's database answers concurrent writers as PostgreSQL does: a transaction takes
    # the write lock when it begins (IMMEDIATE), so a second writer waits for the first (up
    # to `timeout` seconds) and then reads what it wrote: a stale version is a Conflict
    # (409), not "database is locked" (500) from a read lock that could not be upgraded. WAL
    # lets readers go on while one writes. The backend is Django's own but for `flush`
    # (config/sqlite/base.py), which sets the audit log's triggers aside like TRUNCATE does.
    DATABASES["default"]["ENGINE"] = "rusmiddel.config.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
# The web's catalog: Danish text is the msgid (Danish is the default), English the
# translation. Letters (letters/) are legal documents and stay Danish in every language.
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not (DEBUG or DEMO)
CSRF_COOKIE_SECURE = not (DEBUG or DEMO)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"  # not used by the log-in: it lands by role (web.login_pages.landing_url)
LOGOUT_REDIRECT_URL = "/"

# Where letters leave: file (default: PDFs under RUSMIDDEL_DATA_DIR/outbox), email (Django's
# EMAIL_* settings), or digital_post (the seam for the national Digital Post service).
RUSMIDDEL_OUTBOX = os.environ.get("RUSMIDDEL_OUTBOX", "file")
if RUSMIDDEL_OUTBOX not in {"file", "email", "digital_post"}:
    raise ImproperlyConfigured(
        f"RUSMIDDEL_OUTBOX={RUSMIDDEL_OUTBOX!r}: must be file, email or digital_post"
    )
# Send each new letter right after the transaction that made it commits (cron retries the rest).
RUSMIDDEL_OUTBOX_SEND_ON_COMMIT = os.environ.get("RUSMIDDEL_OUTBOX_SEND_ON_COMMIT", "1") == "1"
EMAIL_BACKEND = os.environ.get(
    "RUSMIDDEL_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("RUSMIDDEL_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("RUSMIDDEL_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("RUSMIDDEL_EMAIL_FROM", "rusmiddel@localhost")

# A cache shared by every worker (the self-service rate limits count in it): Redis in
# production (RUSMIDDEL_REDIS_URL, e.g. redis://127.0.0.1:6379/1), process memory otherwise.
if os.environ.get("RUSMIDDEL_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["RUSMIDDEL_REDIS_URL"],
        }
    }
else:
    # process memory is not shared between workers: fine for the demo and the tests only
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Behind a proxy every request comes from the proxy: read the client from its header instead.
RATELIMIT_IP_META_KEY = os.environ.get("RUSMIDDEL_CLIENT_IP_HEADER") or None
CSRF_FAILURE_VIEW = "rusmiddel.web.views.csrf_failure"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A strict Content-Security-Policy: every script and style is a file of our own (DKFDS, htmx,
# rusmiddel.js/css); no inline code, no eval, nothing from other hosts. SVG presentation
# attributes in the FIT chart are not styles, so they need no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Staff sessions last a working day at most and end when the browser closes (health data on
# shared PCs). Not renewed on every request: that would cost two queries on every page.
SESSION_COOKIE_AGE = int(os.environ.get("RUSMIDDEL_SESSION_HOURS", "8")) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# API bearer tokens last a working day too (a client logs in again each morning); revoked
# before that by POST /api/auth/logout, by deactivation and by a password change.
RUSMIDDEL_API_TOKEN_HOURS = int(os.environ.get("RUSMIDDEL_API_TOKEN_HOURS", "8"))

# Login throttling (django-axes): RUSMIDDEL_LOGIN_FAILURE_LIMIT failures for one username from
# one client address lock that pair out for RUSMIDDEL_LOGIN_COOLOFF_MINUTES, on the web log-in
# and POST /api/auth/token alike (both call authenticate()). Attempts are kept in the database,
# so every worker counts together. The address is read like the rate limits' (above).
AUTHENTICATION_BACKENDS = [
    "rusmiddel.accounts.security.LockoutBackend",  # axes' AxesStandaloneBackend
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("RUSMIDDEL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(
    minutes=int(os.environ.get("RUSMIDDEL_LOGIN_COOLOFF_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "rusmiddel.accounts.security.client_ip"
AXES_LOCKOUT_CALLABLE = "rusmiddel.accounts.security.lockout_response"
AXES_ENABLE_ADMIN = False  # no Django admin here
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp", "csrfmiddlewaretoken"]  # masked
# The optional TOTP second factor (django-otp): a staff member with a confirmed device gives a
# code after the password (web: /log-ind/kode/; API: the token request's `otp`). With
# RUSMIDDEL_REQUIRE_OTP=1 every staff member must enrol a device at the next log-in.
RUSMIDDEL_REQUIRE_OTP = _flag("RUSMIDDEL_REQUIRE_OTP")
OTP_TOTP_ISSUER = "Rusmiddel"

# HTTPS (manage.py check --deploy is clean outside debug). HSTS is only sent on HTTPS
# responses; RUSMIDDEL_HSTS_SECONDS=0 turns it off (e.g. while trying TLS out).
SECURE_HSTS_SECONDS = int(
    os.environ.get("RUSMIDDEL_HSTS_SECONDS", "0" if DEBUG or DEMO else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("RUSMIDDEL_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = _flag("RUSMIDDEL_HSTS_PRELOAD")
# Preloading commits the whole registrable domain (often the municipality's own) to HTTPS with
# its subdomains, in every browser, for months: the municipality's call, not ours.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Django itself redirects HTTP to HTTPS outside debug (RUSMIDDEL_SSL_REDIRECT=0 leaves it to the
# proxy). It needs the proxy's X-Forwarded-Proto to be trusted (gunicorn --forwarded-allow-ips
# or RUSMIDDEL_BEHIND_PROXY), else every request loops. The health check stays on plain HTTP.
SECURE_SSL_REDIRECT = os.environ.get("RUSMIDDEL_SSL_REDIRECT", "0" if DEBUG or DEMO else "1") == "1"
SECURE_REDIRECT_EXEMPT = [r"^sundhed/$"]
