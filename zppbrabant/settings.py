"""Settings for ZPP Brabant.

Everything comes from environment variables (see ``.env.example``). The defaults
are for development only: production sets ``DEBUG=0`` and then a real
``SECRET_KEY`` is required.
"""

import os
import sys
import warnings
from pathlib import Path

from celery.schedules import crontab
import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from zppbrabant.env import env_bool, env_int, env_list, env_str, redis_reachable, redis_with_db

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
TESTING = "pytest" in sys.modules or env_bool("TESTING", False)

_DEV_SECRET_KEY = "dev-only-insecure-key-zppbrabant-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (production)."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "members",
    "marketplace",
    "training",
    "invoicing",
    "matching",
    "insight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zppbrabant.middleware.RefreshSessionMiddleware",
    "zppbrabant.middleware.DutchByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "zppbrabant.middleware.RejectNullBytesMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "zppbrabant.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "zppbrabant.urls"
WSGI_APPLICATION = "zppbrabant.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "members.context_processors.roles",
                "members.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# A given DATABASE_URL always wins; without one we start a private PostgreSQL
# (the ``pgserver`` wheel) with its data under var/.
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    from zppbrabant.embedded_db import database_url

    DATABASE_URL = database_url()
    os.environ["DATABASE_URL"] = DATABASE_URL
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ---------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_AVAILABLE = redis_reachable(REDIS_URL)

_db_cache = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "django_cache",
}
# Tests flush the cache; give them a Redis database of their own so they never
# empty the broker queue or the cache of a running development server.
CACHE_REDIS_URL = env_str("CACHE_REDIS_URL", redis_with_db(REDIS_URL, 15) if TESTING else REDIS_URL)
CACHES = {
    "default": (
        {
            # Falls back to the database cache while Redis is down (zppbrabant/cache.py).
            "BACKEND": "zppbrabant.cache.FailoverRedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
            # A test run only ever touches (and clears) its own keys.
            "KEY_PREFIX": f"test{os.getpid()}" if "pytest" in sys.modules else "",
        }
        if REDIS_AVAILABLE
        else _db_cache
    ),
    # Always present, so its table exists and the app can fall back to it.
    "db": _db_cache,
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Without a reachable Redis, tasks run in-process (scripts/run.py says so once).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_AVAILABLE)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = False
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# Redelivery of a task whose worker died (acks_late tasks) waits this long:
# longer than the longest task (CELERY_TASK_TIME_LIMIT).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Publishing while Redis is down fails fast (about a second) so the request
# can store the work instead (zppbrabant/queue.py) rather than hang.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_BEAT_SCHEDULE = {
    "close-expired-assignments": {
        "task": "marketplace.tasks.close_expired_assignments",
        "schedule": 60 * 60,
    },
    # Work stored while Redis was down goes out once it is back (zppbrabant/queue.py).
    "flush-pending-tasks": {
        "task": "members.tasks.flush_pending_tasks",
        "schedule": 60,
    },
    # Mails two days before each session; the task picks the sessions.
    "training-session-reminders": {
        "task": "training.tasks.send_session_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Runs every weekday morning; the task itself acts only on the first
    # working day of the month (crontab cannot say "first working day").
    "monthly-invoice-run": {
        "task": "invoicing.tasks.scheduled_invoice_run",
        "schedule": crontab(hour=6, minute=0, day_of_week="mon-fri"),
    },
    "matching-nightly-recompute": {
        "task": "matching.tasks.recompute_all",
        "schedule": crontab(hour=2, minute=30),
    },
    # Daily digests every morning, weekly ones on Monday (the task decides).
    "matching-digests": {
        "task": "matching.tasks.send_digests",
        "schedule": crontab(hour=7, minute=30),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Accounts (django-allauth) --------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ZPP Brabant] "
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupExtraForm"
ACCOUNT_PREVENT_ENUMERATION = True
# Changing the e-mail address, the password or the second factor asks for
# the password (or code) again when the last login is older than 5 minutes.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300

# Multi-factor authentication: an authenticator app (TOTP) with recovery
# codes, open to everyone. People who decide on releases, work or money
# (HR, coordinators, training coordinators, the programme manager and
# admins) must set it up before they can use the site (RequireMfaMiddleware).
# MFA_REQUIRED defaults to on in production and off under DEBUG, so the demo
# logins of `make run` work without an authenticator app.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ZPP Brabant"
MFA_REQUIRED = env_bool("MFA_REQUIRED", not DEBUG)
# allauth's defaults limit logins per IP and per account; stated here so they
# are visible and tested (tests/members/test_accounts.py).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}

# --- E-mail ---------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL", "console://")
vars().update(dj_email_url.parse(EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ZPP Brabant <noreply@zppbrabant.nl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if DEBUG or TESTING:
    # Without collectstatic, WhiteNoise serves from the finders; no need to warn.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

# Uploads live outside the web root and are only served through views that
# check permissions.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "uploads")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------
# Sessions live in Redis when it answers (no SQL per request), else in the
# database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cache" if REDIS_AVAILABLE else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
# Inactivity expiry: zppbrabant.middleware.RefreshSessionMiddleware renews a
# session every five minutes of use (not a write on every request).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

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
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "zppbrabant.logformat.JsonFormatter"},
    },
    # LOG_FORMAT=json: one JSON object per line (the default in docker-compose).
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": env_str("LOG_FORMAT", "plain")},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # 403/404 are expected answers, not incidents; 5xx stay logged.
        "django.request": {"level": "ERROR"},
        "pgserver": {"level": "WARNING"},
        # WeasyPrint narrates every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Domain settings ------------------------------------------------------
# One released day stands for this many working hours.
HOURS_PER_RELEASED_DAY = 8
INVITATION_VALID_DAYS = 14

# --- E-invoicing -------------------------------------------------------------
# The EN 16931, Peppol BIS 3.0 and SI-UBL 2.0 validation rule sets (XSLT) that
# every generated UBL document is checked against in the tests.
EINVOICE_RULES_DIR = Path(env_str("EINVOICE_RULES_DIR", str(BASE_DIR.parent / "shared" / "einvoice-rules")))
