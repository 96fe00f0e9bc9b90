"""Homeward settings: one module, every value from the environment, failing loudly on bad values.

SQLite under var/ is the default so that a fresh clone runs with nothing else; DATABASE_URL switches to
PostgreSQL. Domain knobs (risk scale, review intervals, thresholds) live at the bottom as HOMEWARD_*.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HOMEWARD_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def envsecret(name: str, default: str | None = None) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (for container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envjson(name: str, default: Any) -> Any:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name} must be JSON: {exc}") from exc


DEBUG = envbool("HOMEWARD_DEBUG", False)
PRODUCTION = envbool("HOMEWARD_PRODUCTION", False)

_secret = envsecret("HOMEWARD_SECRET_KEY")
if _secret is None:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "HOMEWARD_SECRET_KEY (or HOMEWARD_SECRET_KEY_FILE) must be set in production"
        )
    # Development only: a per-checkout key kept under var/ so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(64))
    _secret = key_file.read_text().strip()
SECRET_KEY: str = _secret

ALLOWED_HOSTS = [h for h in os.environ.get("HOMEWARD_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("HOMEWARD_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "homeward.identity",
    "homeward.audit",
    "homeward.places",
    "homeward.people",
    "homeward.episodes",
    "homeward.notifications",
    "homeward.protocols",
    "homeward.returns",
    "homeward.prevention",
    "homeward.families",
    "homeward.chronology",
    "homeward.insights",
    "homeward.dataprotection",
    "homeward.demo",
    "homeward.idempotency",
    "homeward.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # CSP, Permissions-Policy, no-store on downloads (docs/security.md); before WhiteNoise so static
    # files carry them too.
    "homeward.security.middleware.SecurityHeadersMiddleware",
    "homeward.staticfiles.HomewardWhiteNoise",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "homeward.identity.middleware.RequestContextMiddleware",
    # Session limits and the second factor (docs/authentication.md); after the request context, so its
    # audit events carry the address and request id.
    "homeward.identity.middleware.SignInPolicyMiddleware",
    # PostgreSQL row-level security: the request acts for its user's organisation (ACC-5).
    "homeward.security.row_security.RowSecurityMiddleware",
]

ROOT_URLCONF = "homeward.urls"
WSGI_APPLICATION = "homeward.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "homeward" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "homeward.identity.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:// URL")
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("HOMEWARD_SQLITE_PATH", str(VAR_DIR / "homeward.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two writers queue on
                # busy_timeout instead of one failing half-way with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
                    " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
                ),
            },
            # Tests use a real file, not shared-cache memory, so that locking behaves as in production
            # (shared-cache SQLite fails at once with "table is locked" instead of waiting).
            "TEST": {
                "NAME": os.environ.get(
                    "HOMEWARD_TEST_SQLITE_PATH",
                    str(Path(tempfile.gettempdir()) / f"homeward-test-{os.getpid()}.sqlite3"),
                )
            },
        }
    }
if os.environ.get("HOMEWARD_TEST_DATABASE_URL") and os.environ.get("HOMEWARD_TEST_ON_POSTGRES") == "1":
    DATABASES = {"default": dj_database_url.parse(os.environ["HOMEWARD_TEST_DATABASE_URL"])}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles each large report query for ~80 ms, more than it saves on them; a random page cost of
    # 1.1 (SSD storage) lets the planner probe the interview tables by index for a period's episodes
    # instead of reading them whole. docs/operations.md "National scale" has the figures.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "HOMEWARD_PG_OPTIONS", "-c jit=off -c random_page_cost=1.1"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "identity.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    # Argon2id (security baseline P5). Django 5.2's parameters (t=2, m=100 MiB, p=8) exceed OWASP's
    # Argon2id minimum (m=19 MiB, t=2, p=1); identity/tests/test_passwords.py pins them.
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# P2-P3: length 12 to 128, no composition rules; common, numeric-only and name-like passwords refused.
HOMEWARD_PASSWORD_MIN_LENGTH = envint("HOMEWARD_PASSWORD_MIN_LENGTH", 12)
HOMEWARD_PASSWORD_MAX_LENGTH = envint("HOMEWARD_PASSWORD_MAX_LENGTH", 128)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": HOMEWARD_PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "homeward.identity.passwords.MaximumLengthValidator",
        "OPTIONS": {"max_length": HOMEWARD_PASSWORD_MAX_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # An offline breached-password list, one SHA-1 hash or password a line, when the force supplies one.
    {"NAME": "homeward.identity.passwords.BreachedPasswordValidator"},
]
HOMEWARD_BREACHED_PASSWORDS_FILE = os.environ.get("HOMEWARD_BREACHED_PASSWORDS_FILE", "")

# P4: no forced rotation. Forces whose policy demands one set a maximum age in days (0 = off); a
# person whose password is older is sent to change it after signing in.
HOMEWARD_PASSWORD_MAX_AGE_DAYS = envint("HOMEWARD_PASSWORD_MAX_AGE_DAYS", 0)

# --- Sign-in policy (security baseline P1, P6-P11; identity/checks.py holds each to its range) -------
# P6: this many failed sign-ins (password or second factor) for one username, or from one address,
# within the window lock that username or address for the lockout period.
HOMEWARD_LOCKOUT_FAILURES = envint("HOMEWARD_LOCKOUT_FAILURES", 5)
HOMEWARD_LOCKOUT_WINDOW_MINUTES = envint("HOMEWARD_LOCKOUT_WINDOW_MINUTES", 15)
HOMEWARD_LOCKOUT_MINUTES = envint("HOMEWARD_LOCKOUT_MINUTES", 10)
# P7, P8: idle and absolute session limits, enforced on the server (identity/middleware.py).
HOMEWARD_SESSION_IDLE_MINUTES = envint("HOMEWARD_SESSION_IDLE_MINUTES", 30)
HOMEWARD_SESSION_ABSOLUTE_HOURS = envint("HOMEWARD_SESSION_ABSOLUTE_HOURS", 12)
# P9: exports, disclosure, erasure and role changes need password and code again within this time.
HOMEWARD_STEP_UP_MINUTES = envint("HOMEWARD_STEP_UP_MINUTES", 15)
# P11: accounts with no sign-in for this many days are disabled by the clocks sweep.
HOMEWARD_INACTIVE_ACCOUNT_DAYS = envint("HOMEWARD_INACTIVE_ACCOUNT_DAYS", 90)
# P1: TOTP (RFC 6238): 30-second steps, 6 digits, one step of clock drift either way.
OTP_TOTP_ISSUER = os.environ.get("HOMEWARD_TOTP_ISSUER", "Homeward")
HOMEWARD_BACKUP_CODES = 10

# --- Sessions and security headers -----------------------------------------------------------------
# The cookie outlives nothing: the absolute limit is enforced from the sign-in time in middleware too.
SESSION_COOKIE_AGE = HOMEWARD_SESSION_ABSOLUTE_HOURS * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-homeward-session"
    CSRF_COOKIE_NAME = "__Host-homeward-csrf"
    SECURE_SSL_REDIRECT = envbool("HOMEWARD_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("HOMEWARD_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# P16: no inline script or style anywhere (homeward/security/tests/test_templates.py), so no nonces.
# img-src allows data: for GOV.UK Frontend's inline icons in CSS; nothing is loaded from elsewhere.
HOMEWARD_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
HOMEWARD_PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- Static and uploaded files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("HOMEWARD_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
_FRONTEND_PACKAGES = [
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("moj", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STATICFILES_DIRS = [BASE_DIR / "homeward" / "static"] + [
    (prefix, path) for prefix, path in _FRONTEND_PACKAGES if path.exists()
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Photos are personal data: kept outside the web root and served only through an access-checked view.
MEDIA_ROOT = Path(os.environ.get("HOMEWARD_MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
HOMEWARD_PHOTO_MAX_BYTES = envint("HOMEWARD_PHOTO_MAX_BYTES", 5 * 1024 * 1024)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]

# --- Background work -------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("HOMEWARD_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = os.environ.get("HOMEWARD_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("HOMEWARD_FROM_EMAIL", "homeward@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HOMEWARD_LOG_LEVEL", "WARNING")},
}

# --- Domain settings -------------------------------------------------------------------------------
# The risk scale, lowest first. Codes are stored; labels are shown.
# Audit log kept online at least this long before `homeward audit archive` may move it (P12; checked >= 365).
HOMEWARD_AUDIT_RETENTION_DAYS = envint("HOMEWARD_AUDIT_RETENTION_DAYS", 2557)
# An API Idempotency-Key is remembered this long (docs/decisions/0004-idempotency.md).
HOMEWARD_IDEMPOTENCY_TTL_HOURS = envint("HOMEWARD_IDEMPOTENCY_TTL_HOURS", 24)
# A request holding a key longer than this is taken to have died; the next may take the key over.
# Twice gunicorn's 60 s request timeout (`homeward serve`).
HOMEWARD_IDEMPOTENCY_CLAIM_SECONDS = envint("HOMEWARD_IDEMPOTENCY_CLAIM_SECONDS", 120)
HOMEWARD_RISK_LEVELS: list[list[str]] = envjson(
    "HOMEWARD_RISK_LEVELS",
    [["very_low", "Very low"], ["low", "Low"], ["medium", "Medium"], ["high", "High"]],
)
# Local rule (on by default, as in North Yorkshire): a child is never graded "very low".
HOMEWARD_CHILDREN_NEVER_VERY_LOW = envbool("HOMEWARD_CHILDREN_NEVER_VERY_LOW", True)
HOMEWARD_FORBIDDEN_CHILD_LEVELS = ["very_low"] if HOMEWARD_CHILDREN_NEVER_VERY_LOW else []
# Minutes from an assessment to its next review, by level.
HOMEWARD_REVIEW_MINUTES: dict[str, int] = envjson(
    "HOMEWARD_REVIEW_MINUTES", {"high": 120, "medium": 360, "low": 720, "very_low": 1440}
)
HOMEWARD_SIGN_OFF_MINUTES = envint("HOMEWARD_SIGN_OFF_MINUTES", 60)
# A background task running longer than this is taken to be abandoned by a stopped worker (homeward.worker).
HOMEWARD_TASK_LEASE_SECONDS = envint("HOMEWARD_TASK_LEASE_SECONDS", 600)
HOMEWARD_MPU_NOTIFY_HOURS = envint("HOMEWARD_MPU_NOTIFY_HOURS", 72)
HOMEWARD_LONG_TERM_DAYS = envint("HOMEWARD_LONG_TERM_DAYS", 28)
HOMEWARD_PREVENTION_INTERVIEW_HOURS = envint("HOMEWARD_PREVENTION_INTERVIEW_HOURS", 24)
HOMEWARD_PREVENTION_INTERVIEW_HIGH_RISK_HOURS = envint("HOMEWARD_PREVENTION_INTERVIEW_HIGH_RISK_HOURS", 1)
HOMEWARD_REPEAT_WINDOW_DAYS = envint("HOMEWARD_REPEAT_WINDOW_DAYS", 365)
# Persistent: this many episodes (including the current one) within the window (SPEC §6 default 3 in 90).
HOMEWARD_PERSISTENT_EPISODES = envint("HOMEWARD_PERSISTENT_EPISODES", 3)
HOMEWARD_PERSISTENT_WINDOW_DAYS = envint("HOMEWARD_PERSISTENT_WINDOW_DAYS", 90)
HOMEWARD_ADULT_AGE = envint("HOMEWARD_ADULT_AGE", 18)
# Philomena/Herbert profiles need updating when the photo or the last review is older than these.
HOMEWARD_PROFILE_PHOTO_STALE_DAYS = envint("HOMEWARD_PROFILE_PHOTO_STALE_DAYS", 180)
HOMEWARD_PROFILE_REVIEW_DAYS = envint("HOMEWARD_PROFILE_REVIEW_DAYS", 90)
HOMEWARD_DEMO_PASSWORD = os.environ.get("HOMEWARD_DEMO_PASSWORD", "homeward-demo-2026")
HOMEWARD_DASHBOARD_POLL_SECONDS = envint("HOMEWARD_DASHBOARD_POLL_SECONDS", 5)

for _level in (code for code, _label in HOMEWARD_RISK_LEVELS):
    if _level not in HOMEWARD_REVIEW_MINUTES:
        raise ImproperlyConfigured(f"HOMEWARD_REVIEW_MINUTES has no interval for risk level {_level!r}")
