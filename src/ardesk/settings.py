"""One settings module, driven by environment variables (see README, "Configuration").

Defaults suit a developer's laptop: SQLite in ./var, DEBUG on, tasks in-process.
Production sets ARDESK_ENV=production, which turns on every secure default
that `ardesk check --deploy` asks for.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from ardesk.money import UnknownCurrency, check_currency

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("ARDESK_VAR_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("ARDESK_ENV", "development") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else "dev-only-insecure-key-change-me-" + "x" * 32)
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when ARDESK_ENV=production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "pgtrigger",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_celery_beat",
    "ninja",  # the API docs page uses its bundled Swagger UI static files (no CDN)
    "ardesk.identity",
    "ardesk.audit",
    "ardesk.customers",
    "ardesk.ledger",
    "ardesk.imports",
    "ardesk.apikit",
    "ardesk.insights",
    "ardesk.demo",
    "ardesk.disputes",
    "ardesk.comms",
    "ardesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ardesk.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ardesk.identity.middleware.SignInStepsMiddleware",  # second factor / new password before any page
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ardesk.urls"
WSGI_APPLICATION = "ardesk.wsgi.application"
AUTH_USER_MODEL = "identity.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

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
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'ardesk.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing on upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
    # SQLite (the demo) builds covering indexes without their INCLUDE columns; PostgreSQL gets them whole.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling: lock a username+address after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ardesk.identity.views.signin.locked_out"  # a page that says what happened (429)
# Behind reverse proxies REMOTE_ADDR is the proxy: say how many trusted proxies append to X-Forwarded-For.
ARDESK_TRUSTED_PROXY_COUNT = int(os.environ.get("ARDESK_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "ardesk.identity.client_ip.client_ip"
# Wrong TOTP codes slow down: 1, 2, 4, 8 … seconds between tries (django-otp's throttle).
OTP_TOTP_THROTTLE_FACTOR = 1

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: the clock restarts at every request
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at start-up when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media")))}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
                    if PRODUCTION else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Dispute documents and mail attachments: outside the web root, served only through a view that checks access.
ARDESK_FILES_DIR = Path(os.environ.get("ARDESK_FILES_DIR", VAR_DIR / "files"))
ARDESK_DOCUMENT_MAX_BYTES = int(os.environ.get("ARDESK_DOCUMENT_MAX_BYTES", str(25 * 1024 * 1024)))
# The types kept, judged by content (names in ardesk.disputes.filecheck.TYPES); bare ZIP archives are not.
ARDESK_DOCUMENT_TYPES = env_list("ARDESK_DOCUMENT_TYPES", "pdf,png,jpeg,gif,webp,tiff,heic,docx,xlsx,pptx,odt,ods,ole2,"
                                 "text,csv,xml,eml")
# Uploads over 1 MB spool to a temporary file instead of memory; form fields other than files stay small.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Mail
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ar@ardesk.localhost")
if not PRODUCTION and "EMAIL_HOST" not in os.environ:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Celery: a Redis broker when set, otherwise tasks run in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
# Escalation rules run daily at 06:00 (django_celery_beat's scheduler picks the entry up from here).
CELERY_BEAT_SCHEDULE = {"disputes-escalation-daily": {"task": "ardesk.disputes.tasks.run_escalation",
                                                      "schedule": crontab(hour=6, minute=0)}}

# ardesk's own settings
try:
    # Fail at start-up on a typo ("EURO"), not later in every report that converts money.
    ARDESK_COMPANY_CURRENCY = check_currency(os.environ.get("ARDESK_COMPANY_CURRENCY", "EUR"))
except UnknownCurrency as error:
    raise RuntimeError(f"ARDESK_COMPANY_CURRENCY: {error}") from None
ARDESK_COMPANY_NAME = os.environ.get("ARDESK_COMPANY_NAME", "ardesk demo company")
# A small team may let everybody see every customer instead of their portfolio.
ARDESK_SEE_ALL_CUSTOMERS = env_bool("ARDESK_SEE_ALL_CUSTOMERS", False)
# Where mail to colleagues links to (e.g. https://ar.example.com); without it links are paths.
ARDESK_BASE_URL = os.environ.get("ARDESK_BASE_URL", "")
# Where disputes escalated to legal are announced (there is no legal role in ardesk).
ARDESK_LEGAL_EMAIL = os.environ.get("ARDESK_LEGAL_EMAIL", "")
# Managers and administrators must pass a TOTP second factor.
ARDESK_REQUIRE_MFA = env_bool("ARDESK_REQUIRE_MFA", True)
ARDESK_AGING_BUCKETS = [int(x) for x in env_list("ARDESK_AGING_BUCKETS", "30,60,90,120")]
ARDESK_IMPORT_MAX_BYTES = int(os.environ.get("ARDESK_IMPORT_MAX_BYTES", str(512 * 1024 * 1024)))
# PostgreSQL memory for the set-based checks of one big import (only in the importing session).
# Invoice imports check the customer foreign key as one set instead of a trigger call per row, when the
# database role may set session_replication_role (see docs/imports.md); 0 keeps PostgreSQL's per-row check.
ARDESK_IMPORT_SET_BASED_FK_CHECK = env_bool("ARDESK_IMPORT_SET_BASED_FK_CHECK", True)
ARDESK_IMPORT_WORK_MEM = os.environ.get("ARDESK_IMPORT_WORK_MEM", "256MB")
ARDESK_IMPORT_TEMP_BUFFERS = os.environ.get("ARDESK_IMPORT_TEMP_BUFFERS", "256MB")
# Worker processes that read a big CSV file in parallel (PostgreSQL engine), and the size worth it.
ARDESK_IMPORT_WORKERS = int(os.environ.get("ARDESK_IMPORT_WORKERS", str(min(2 * (os.cpu_count() or 1), 4))))
ARDESK_IMPORT_PARALLEL_MIN_BYTES = int(os.environ.get("ARDESK_IMPORT_PARALLEL_MIN_BYTES", str(16 * 1024 * 1024)))
OTP_TOTP_ISSUER = "ardesk"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
