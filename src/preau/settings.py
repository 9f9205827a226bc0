"""Settings for Préau, read from the environment.

Embedded default (no variable set): SQLite, a local media folder and the local-memory cache,
all under ``var/``. Production: set ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY`` and
``ALLOWED_HOSTS``.
See docs/configuration.md for every variable.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = SRC_DIR.parent.parent
DATA_DIR = Path(os.environ.get("PREAU_DATA_DIR", BASE_DIR / "var"))
TESTING = "pytest" in sys.modules

DEBUG = env_bool("DEBUG")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development and tests: a key kept in the data folder, created on first use, never committed.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "ninja",
    "preau.core",
    "preau.accounts",
    "preau.directory",
    "preau.audit",
    "preau.portal",
    "preau.administration",
    "preau.api",
    "preau.notifications",
    "preau.messaging",
    "preau.news",
    "preau.bookmarks",
    "preau.groups",
    "preau.dropbox",
    "preau.drive",
    "preau.resources",
    "preau.calendar",
    "preau.dav",
    "preau.discipline",
    "preau.notebook",
    "preau.timetable",
    "preau.logbook",
    "preau.attendance",
    "preau.cas",
    "oauth2_provider",
    "preau.oidc",
    "preau.federation",
    "preau.lti",
    "preau.meetings",
    "preau.grades",
    "preau.skills",
    "preau.reportcards",
    "preau.privacy",
    "preau.rosters",
    "preau.feeds",
    "preau.retention",
    "preau.usage",
    "preau.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "preau.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "preau.core.proxy.TrustedProxyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "preau.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "preau.core.middleware.ActorMiddleware",
    "preau.accounts.middleware.AccountSecurityMiddleware",
    "preau.portal.middleware.ServiceSwitchMiddleware",
    "preau.directory.middleware.ClosedYearMiddleware",
    "preau.usage.recorder.UsageMiddleware",
]

ROOT_URLCONF = "preau.urls"
WSGI_APPLICATION = "preau.wsgi.application"

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
                "csp.context_processors.nonce",
                "preau.portal.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite in the data folder unless DATABASE_URL says otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the task worker writes; IMMEDIATE avoids
        # "database is locked" on read-then-write transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and sessions: Redis when REDIS_URL is set, otherwise in-process memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "preau.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test processes share one Redis: keep their keys apart.
            "KEY_PREFIX": "preau-" + os.environ.get("PYTEST_XDIST_WORKER", "main"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend"
    }
}

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["preau.accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "preau.accounts.hashers.PreauArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
if TESTING:
    # Hashing cost is measured in `make bench`; tests only need correctness.
    PASSWORD_HASHERS.insert(0, "preau.accounts.hashers.FastTestArgon2PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "preau.accounts.validators.CnilPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
ACTIVATION_CODE_VALIDITY_DAYS = int(os.environ.get("ACTIVATION_CODE_VALIDITY_DAYS", "30"))
# Failed logins tolerated per account and per network address within the window. A school's
# pupils share one public address, so the address limit is deliberately much higher.
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "100"))
LOGIN_THROTTLE_WINDOW = int(os.environ.get("LOGIN_THROTTLE_WINDOW", "900"))
# Pages behind the second factor for administrators (accounts.middleware, docs/security.md): the
# console, Django's admin, and every service's pages for an establishment (its settings).
SECOND_FACTOR_PATHS = [
    r"^/manage/",
    r"^/django-admin/",
    r"^/[a-z-]+/establishments/[0-9a-f-]{36}/",
    r"^/usage/",
]
# A device first seen for the account less than this many days ago asks for the second factor
# again before a mass action, unless the session passed it within STEP_UP_VALIDITY seconds.
STEP_UP_NEW_DEVICE_DAYS = int(os.environ.get("STEP_UP_NEW_DEVICE_DAYS", "30"))
STEP_UP_VALIDITY = 600
# The WebAuthn relying party of passkeys: the portal's host unless set (docs/security.md).
PASSKEY_RP_ID = os.environ.get("PASSKEY_RP_ID", "")

# Sessions and cookies
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SECURE = not DEBUG and not TESTING
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "preau.core.views.csrf_failure"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Security headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page uses are switched off for the portal and anything it embeds; passkeys
# (publickey-credentials-*) stay allowed for the portal itself.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
    "publickey-credentials-create=(self), publickey-credentials-get=(self)"
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
# Number of reverse proxies in front of the web nodes (see core/proxy.py).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Request size limits: a form never needs more; uploads have their own limits per service.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
LOGO_MAX_BYTES = 512 * 1024
# Drop boxes: the largest file a student hands in or a teacher returns (bytes).
DROPBOX_MAX_FILE_BYTES = int(os.environ.get("DROPBOX_MAX_FILE_BYTES", 20 * 1024 * 1024))
# The drive's files are sent by the front web server when set (nginx: an ``internal`` location
# with this prefix aliased to MEDIA_ROOT); otherwise streamed by Django. See docs/drive.md.
DRIVE_X_ACCEL_REDIRECT_PREFIX = os.environ.get("DRIVE_X_ACCEL_REDIRECT_PREFIX", "")

# Internationalisation: French first, English second, Paris time, UTC storage.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: printed on the console when embedded, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Préau <no-reply@preau.localhost>")
# The portal's public address, for links in e-mails sent by background tasks.
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")

# « Calcul mental », the demo LTI tool served by Préau itself under /lti-demo/ (docs/lti.md): on
# by default in development and tests, off in production unless asked for. Its private key is
# made on first use in this file (never in the repository).
LTI_DEMO_TOOL = env_bool("LTI_DEMO_TOOL", default=DEBUG or TESTING)
LTI_DEMO_TOOL_KEY_FILE = Path(
    os.environ.get("LTI_DEMO_TOOL_KEY_FILE", DATA_DIR / "lti_demo_tool_key.pem")
)

# CAS server (see docs/cas.md). A service or proxy ticket lives seconds (the CAS specification
# recommends no more than five minutes; the ticket is validated at once by the service's back end).
CAS_SERVICE_TICKET_SECONDS = int(os.environ.get("CAS_SERVICE_TICKET_SECONDS", "10"))
# A proxy-granting ticket lives as long as the login session it came from, at most.
CAS_PROXY_GRANTING_TICKET_SECONDS = int(
    os.environ.get("CAS_PROXY_GRANTING_TICKET_SECONDS", str(SESSION_COOKIE_AGE))
)
# Proxy callbacks (pgtUrl) are reached over HTTPS with the certificate verified against the
# system's authorities; this file adds authorities to trust (a test or private CA), never
# replacing the verification.
CAS_EXTRA_CA_FILE = os.environ.get("CAS_EXTRA_CA_FILE", "")
# Seconds a proxy callback or a single-logout request may take.
CAS_CALLBACK_TIMEOUT = float(os.environ.get("CAS_CALLBACK_TIMEOUT", "5"))


# OpenID Connect provider (see docs/oidc.md). The RSA key that signs the id_tokens comes from
# the environment (PEM text, or a file), never from the repository; development and tests create
# one in the data folder. Without a key in production the provider is off (its addresses are 404).
def _oidc_private_key() -> str:
    key = os.environ.get("OIDC_RSA_PRIVATE_KEY", "").strip()
    if key:
        return key
    key_file = os.environ.get("OIDC_RSA_PRIVATE_KEY_FILE", "")
    if key_file:
        return Path(key_file).read_text().strip()
    if not DEBUG and not TESTING:
        return ""
    path = DATA_DIR / "oidc_rsa_key.pem"
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
    return path.read_text().strip()


OIDC_RSA_PRIVATE_KEY = _oidc_private_key()
OIDC_PROVIDER_ENABLED = bool(OIDC_RSA_PRIVATE_KEY)
# django-oauth-toolkit's application model, named so that migrations depending on it resolve.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": OIDC_PROVIDER_ENABLED,
    "OIDC_RSA_PRIVATE_KEY": OIDC_RSA_PRIVATE_KEY,
    # Keys retired by a rotation, still published in the JWKS until the tokens they signed end.
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [
        Path(name).read_text().strip() for name in env_list("OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES")
    ],
    "OIDC_ISS_ENDPOINT": os.environ.get("OIDC_ISSUER", ""),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "OAUTH2_VALIDATOR_CLASS": "preau.oidc.validators.PreauValidator",
    "SCOPES": {
        "openid": _("Vous connecter avec votre compte Préau"),
        "profile": _("Connaître vos nom, prénom et identifiant"),
        "email": _("Connaître votre adresse e-mail"),
        "preau_roles": _(
            "Connaître vos profils, vos établissements (UAI) et vos classes de l'année"
        ),
        # The REST API's scopes (preau.api.models.Scope), for clients that call /api/v1.
        "read:profile": _("Lire votre profil, vos établissements et vos enfants (API)"),
        "read:directory": _("Lire les classes et les élèves que vous pouvez voir (API)"),
        "read:timetable": _("Lire votre emploi du temps ou celui de vos enfants (API)"),
        "read:homework": _("Lire le travail à faire (API)"),
        "read:marks": _("Lire les notes publiées et les moyennes (API)"),
        "read:attendance": _("Lire les absences et les retards (API)"),
        "read:messages": _("Lire la liste de vos conversations, sans leurs messages (API)"),
        "read:drive": _("Lire et télécharger vos fichiers et ceux partagés avec vous (API)"),
    },
    "DEFAULT_SCOPES": ["openid"],
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    # Tokens stored as hashes only. (The toolkit's RFC 9207 ``iss`` response parameter is left
    # off: it names the site's root, not the OpenID issuer <site>/o, and would mislead clients.)
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OIDC_ACCESS_TOKEN_SECONDS", "3600")),
    "ID_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OIDC_ID_TOKEN_SECONDS", "3600")),
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(
        os.environ.get("OIDC_REFRESH_TOKEN_SECONDS", str(30 * 24 * 3600))
    ),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
}

# REST API
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 200
# Requests allowed per token (personal or OAuth 2) and per signed-in person's session, in
# django-ninja's notation "<number>/<s|m|h|d>" (api/throttling.py).
API_RATE_TOKEN = os.environ.get("API_RATE_TOKEN", "600/m")
API_RATE_USER = os.environ.get("API_RATE_USER", "600/m")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The WebDAV protocol layer: its errors, not a line per request.
        "wsgidav": {"level": "WARNING"},
        # WeasyPrint tells each step of each PDF (report cards, letters): its warnings only.
        "weasyprint": {"level": "WARNING"},
    },
}
