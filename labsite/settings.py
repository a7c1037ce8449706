"""labsite settings. Everything that differs between machines comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for a development machine).")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "core",
    "inventory",
    "scheduler",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compress pages and API answers (the week grid is ~600 KiB of HTML, ~40 KiB gzipped). Placed
    # before every middleware that reads or changes the body; after WhiteNoise, which serves its
    # own pre-compressed static files. Django's gzip pads the output against BREACH, and CSRF
    # tokens are masked per response. Bodies under 1 KiB are sent as they are (core.middleware).
    "core.middleware.GZipMiddleware",
    # A NUL in a query parameter or form field is a 400 before anything queries with it.
    "core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last: turns a locked-out sign-in (any door) into the 429 answer of core.lockout.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "labsite.urls"

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

WSGI_APPLICATION = "labsite.wsgi.application"

# Database: SQLite file by default, PostgreSQL in production (DATABASE_URL=postgres://...).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue
    # (up to the busy timeout) instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Connections: 0 closes each at the end of its request. The container serves ASGI (uvicorn workers), which
# runs each request's view in its own thread, so a kept connection would never be reused (Django's advice
# for ASGI). Under a threaded WSGI server, CONN_MAX_AGE=60 keeps one per thread and on SQLite spares every
# request the connect, the PRAGMAs and the WAL checkpoint SQLite runs when the last connection closes.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password guessing (django-axes, see core/lockout.py): AXES_FAILURE_LIMIT failed sign-ins in a row for
# one account from one client address lock that pair for AXES_COOLOFF_TIME. The first backend only
# refuses locked pairs; ModelBackend checks the password.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # "in a row": a successful sign-in clears the count
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends when the page says it does
AXES_DISABLE_ACCESS_LOG = True  # no row per successful sign-in
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_address"
AXES_USERNAME_CALLABLE = "core.lockout.attempt_username"
AXES_HTTP_RESPONSE_CODE = 429

CSRF_FAILURE_VIEW = "core.error_views.csrf_failure"  # JSON under /api/

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-ie"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Dublin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Attachments: limits a lab manager can tune without a code change.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
ATTACHMENT_EXTENSIONS = env.list(
    "ATTACHMENT_EXTENSIONS",
    default=["pdf", "png", "jpg", "jpeg", "gif", "txt", "csv", "json", "yaml", "yml", "zip", "xlsx", "docx", "md", "log", "cfg", "conf"],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# Accounts and API tokens.
REGISTRATION_OPEN = env.bool("REGISTRATION_OPEN", default=True)
API_TOKEN_LAST_USED_INTERVAL = timedelta(minutes=1)

# Discord webhooks; an empty URL records events but delivers nothing.
DISCORD_BOOKING_WEBHOOK_URL = env.str("DISCORD_BOOKING_WEBHOOK_URL", default="")
DISCORD_ADMIN_WEBHOOK_URL = env.str("DISCORD_ADMIN_WEBHOOK_URL", default="")
# The permissions behind core.roles: a lab manager runs the lab (is_lab_manager), an approver decides
# requests (can_decide_requests); the scheduler defines both.
LAB_MANAGER_PERMISSION = "scheduler.manage_lab"
REQUEST_DECIDER_PERMISSION = "scheduler.decide_booking"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # List filters apply to `list` only, not to single-item actions (core/api/filtering.py).
    "DEFAULT_FILTER_BACKENDS": ["core.api.filtering.ListFilterBackend"],
    # The API reads JSON (uploads declare multipart themselves); JSON that nests too deep or carries
    # NUL characters is a 400 (core/api/parsers.py). Form bodies, which cannot say null or nest, are 415.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.SafeJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    # An unknown `?format=` is a 406 naming the formats offered (core/api/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.FormatNegotiation",
    "EXCEPTION_HANDLER": "core.api.exception_handler.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("AUTH_THROTTLE_RATE", default="10/min")},
    "DATETIME_FORMAT": "iso-8601",
    # Proxies in front of the app, so throttling sees the client address (X-Forwarded-For).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "labsite API",
    "DESCRIPTION": "Booking scheduler and hardware inventory of the optical-networking lab.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.error_responses_postprocess",
        "scheduler.schema.scheduler_constraints_postprocess",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PowerActionEnum": "inventory.choices.PowerAction",
        "PowerStateEnum": "inventory.choices.PowerState",
        "OutletModeEnum": "inventory.choices.OutletMode",
    },
}

# Throttle counters must be shared by every app process: Redis (CACHE_URL=redis://host:6379/0) when
# several processes or containers serve, else the database cache table (created by a migration).
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://labsite_cache")}

# Content Security Policy (django-csp): this origin only, no inline script or style, no eval, no
# frames, no plugins. Every page, the admin and the API docs keep their JavaScript and CSS in static
# files; colours chosen at run time (tags, status bars) are classes or set through the CSSOM by
# static JS. No page needs a nonce today; a template that truly needs one uses {{ request.csp_nonce }}
# after adding NONCE to the directive here. `data:` images are the admin's and Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Security: production values unless DEBUG.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Notification worker (manage.py run_worker): Discord delivery, retries and backoff.
DISCORD_TIMEOUT = env.float("DISCORD_TIMEOUT", default=10.0)  # total deadline of one webhook POST, in seconds
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=10)  # then the notification is "failed"
NOTIFY_BACKOFF_SECONDS = env.float("NOTIFY_BACKOFF_SECONDS", default=30.0)  # first retry; doubles each time
NOTIFY_BACKOFF_MAX_SECONDS = env.float("NOTIFY_BACKOFF_MAX_SECONDS", default=3600.0)
# The longest wait a Discord 429 (`retry_after`) can impose on a notification.
NOTIFY_RETRY_AFTER_MAX_SECONDS = env.float("NOTIFY_RETRY_AFTER_MAX_SECONDS", default=3600.0)
NOTIFY_BATCH_SIZE = env.int("NOTIFY_BATCH_SIZE", default=20)  # rows one worker claims at a time
NOTIFY_WORKER_INTERVAL = env.float("NOTIFY_WORKER_INTERVAL", default=5.0)  # seconds between passes

# Power control (Raritan PDUs): see README "Power control".
PDU_TIMEOUT = env.float("PDU_TIMEOUT", default=5.0)  # seconds per JSON-RPC call to a PDU
POWER_LEAD_MINUTES = env.int("POWER_LEAD_MINUTES", default=10)  # booking-mode outlets go on this long before a start
POWER_POLL_SECONDS = env.int("POWER_POLL_SECONDS", default=60)  # the worker reads every PDU this often
PDU_BACKOFF_SECONDS = env.float("PDU_BACKOFF_SECONDS", default=60.0)  # first wait after a PDU fails; doubles
PDU_BACKOFF_MAX_SECONDS = env.float("PDU_BACKOFF_MAX_SECONDS", default=3600.0)
