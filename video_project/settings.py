"""Settings for Video Share, read from the environment.

Three ways to run:
- local (nothing set): the site on this machine, as people will see it (no debug pages), with
  data under ./var and a secret key generated there;
- debugging (DJANGO_DEBUG=true): the same with Django's debug pages;
- production (DJANGO_DEBUG=false, or DJANGO_ALLOWED_HOSTS naming any other host): refuses to
  start without its secrets, and expects TLS at the proxy.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


DATA_DIR = Path(os.environ.get("VIDEO_SHARE_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", False)
LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
PRODUCTION = not DEBUG and (
    os.environ.get("DJANGO_DEBUG", "") != ""
    or any(host not in LOCAL_HOSTS for host in env_list("DJANGO_ALLOWED_HOSTS"))
)


def _secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
    # On this machine only: a random key kept with the data, so sessions survive restarts
    # without a key ever being committed.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or ([] if PRODUCTION else LOCAL_HOSTS)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "video_share",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_htmx",
    "django_eventstream",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "video_share.htmx.htmx_middleware",
    "video_share.shared_pages.SharedPageMiddleware",
    # Last, as django-axes asks: it turns a lockout into the login page with its message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "video_project.urls"
WSGI_APPLICATION = "video_project.wsgi.application"
ASGI_APPLICATION = "video_project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "video_share.context_processors.notifications",
                "video_share.context_processors.shared_page_csrf_token",
            ],
        },
    },
]

# SQLite under the data dir by default. WAL lets readers work while the worker writes;
# IMMEDIATE transactions take the write lock up front, so a transaction never fails half-way
# with "database is locked"; the timeout makes a writer wait for the lock instead of failing.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 300),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "video_share.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# django-axes first: it refuses a locked-out attempt before any password is checked, on every
# login form (the admin's included).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

REDIS_URL = os.environ.get("REDIS_URL", "")
# How long a Redis command may take before it counts as failed: Redis is on the local network.
REDIS_TIMEOUT_SECONDS = 1


def redis_cache(url: str) -> dict:
    """The cache on Redis at `url`. Redis down is not the site down: a failed read is a
    miss, a failed write is skipped (django-redis's IGNORE_EXCEPTIONS), and the limits
    counted in the cache let everything through meanwhile (video_share.throttle.allowed)."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
            "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
        },
    }


def redis_events(url: str) -> dict:
    """How django-eventstream connects to Redis at `url` to publish (and video_share.bus to
    listen). Publishing never waits long for a Redis that is down, and never retries: the
    event is stored already, and open streams catch up once Redis is back."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0),
        **({"password": parts.password} if parts.password else {}),
        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
        "socket_timeout": REDIS_TIMEOUT_SECONDS,
        "retry": None,
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Internationalisation: English and Arabic (right-to-left).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "video_share" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")

# Static files: collected under the data dir and served by whitenoise.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media", "base_url": "/media/"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

# Uploads are spooled to disk, never held whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(exist_ok=True)
DATA_UPLOAD_MAX_NUMBER_FILES = 2
VIDEO_SHARE_MAX_AVATAR_MB = 10
# A caption file (WebVTT or SRT): hours of speech take a few hundred kilobytes.
VIDEO_SHARE_MAX_CAPTION_MB = 2

# Background tasks: django.tasks on the database backend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Live events (django-eventstream). Events are stored so that a reconnecting browser
# gets what it missed through Last-Event-ID.
EVENTSTREAM_STORAGE_CLASS = "video_share.event_storage.EventStorage"
EVENTSTREAM_CHANNELMANAGER_CLASS = "video_share.events.ChannelManager"
# Under uvicorn (video_project.asgi), pages and forms run on this many threads, and uploads
# on up to VIDEO_SHARE_UPLOADS_AT_ONCE more; the async views (event streams, media) do their
# database work on VIDEO_SHARE_DB_THREADS threads (video_share.db_pool). Each thread keeps
# one database connection: together they bound the process's connections.
VIDEO_SHARE_PAGE_THREADS = env_int("VIDEO_SHARE_PAGE_THREADS", 2)
# Proxies in front of a WSGI server (gunicorn) that append the client's address to
# X-Forwarded-For (video_project/wsgi.py); uvicorn has --forwarded-allow-ips (`serve` too).
VIDEO_SHARE_WSGI_PROXIES = env_int("VIDEO_SHARE_WSGI_PROXIES", 0)
# The web process runs the task worker in a thread of its own while it serves. Turn it off
# where workers run on their own (`manage.py worker`), as in the split deployment.
VIDEO_SHARE_IN_PROCESS_WORKER = env_bool("VIDEO_SHARE_IN_PROCESS_WORKER", True)
VIDEO_SHARE_DB_THREADS = env_int("VIDEO_SHARE_DB_THREADS", 2)
# Visitors who are not signed in share the browsing pages (home, search, channels, tags,
# watch), kept this many seconds in each process; 0 renders every request
# (video_share.shared_pages).
VIDEO_SHARE_SHARED_PAGE_SECONDS = env_int("VIDEO_SHARE_SHARED_PAGE_SECONDS", 5)
# Open event streams allowed per signed-in user and per client address, counted in each
# web process (not across processes); one more is answered 429. 0: no limit.
VIDEO_SHARE_STREAMS_PER_USER = env_int("VIDEO_SHARE_STREAMS_PER_USER", 20)
VIDEO_SHARE_STREAMS_PER_ADDRESS = env_int("VIDEO_SHARE_STREAMS_PER_ADDRESS", 50)
if REDIS_URL:
    EVENTSTREAM_REDIS = redis_events(REDIS_URL)

# Pushpin (GRIP) in front of the event streams, for audiences of many thousands (README,
# "Pushpin"): where every process publishes events to it, with the key Pushpin signs its
# requests with, e.g. http://127.0.0.1:5561/?iss=pushpin&key=<pushpin.conf's sig_key>.
# Unset: the site holds its streams itself.
if GRIP_URL := os.environ.get("GRIP_URL", ""):
    from gripcontrol import parse_grip_uri

    if PRODUCTION and parse_grip_uri(GRIP_URL).get("key") in (None, "", "changeme"):
        raise ImproperlyConfigured(
            "GRIP_URL must carry the key Pushpin signs its requests with (…&key=…), "
            "as set in its pushpin.conf (sig_key), in production."
        )
    # Stream requests that Pushpin signed become GRIP holds (video_share.grip); the async
    # path (video_project.asgi) calls this middleware's hooks itself.
    MIDDLEWARE.insert(1, "django_grip.GripMiddleware")
# Behind Pushpin, the one web process that counts who is watching each video, from Pushpin's
# statistics (its stats_spec: tcp://127.0.0.1:5564 in deploy/pushpin/), and announces it.
VIDEO_SHARE_PUSHPIN_STATS = os.environ.get("VIDEO_SHARE_PUSHPIN_STATS", "")

# Email: printed to the console in development; SMTP in production (a local mail
# server unless EMAIL_HOST names another).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost" if PRODUCTION else "")
if EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 25 if EMAIL_HOST == "localhost" else 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", EMAIL_HOST != "localhost"),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST
# Where the site is, for links in emails.
VIDEO_SHARE_SITE_URL = os.environ.get("VIDEO_SHARE_SITE_URL", "http://localhost:8000")
# Days between asking for one's account to be deleted and its deletion (time to change one's mind).
VIDEO_SHARE_ACCOUNT_DELETION_DAYS = env_int("VIDEO_SHARE_ACCOUNT_DELETION_DAYS", 14)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Video Share <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Failed log-ins allowed per account at one address, per address, and per account from any
# address, within the window (a lock lifts once the window has passed since the last failure
# counted). Counted by django-axes in the database (video_share.throttle.LoginAttempts).
VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT = env_int("VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT", 5)
VIDEO_SHARE_LOGIN_FAILURES_PER_IP = env_int("VIDEO_SHARE_LOGIN_FAILURES_PER_IP", 30)
VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT_ANY_IP = env_int(
    "VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT_ANY_IP", 100
)
VIDEO_SHARE_LOGIN_WINDOW_SECONDS = env_int("VIDEO_SHARE_LOGIN_WINDOW_SECONDS", 900)
AXES_HANDLER = "video_share.throttle.LoginAttempts"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "video_share.throttle.failures_per_account_and_address"
AXES_COOLOFF_TIME = "video_share.throttle.login_window"
AXES_USERNAME_CALLABLE = "video_share.throttle.login_username"
AXES_CLIENT_IP_CALLABLE = "video_share.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "video_share.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A refused attempt during a lockout does not prolong it (and is marked for the lockout page).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
VIDEO_SHARE_COMMENTS_PER_MINUTE = env_int("VIDEO_SHARE_COMMENTS_PER_MINUTE", 10)
# More limits, counted in the cache (video_share.throttle.allowed), each per hour.
# A class signing up together shares one school address: room for it, not for a script.
VIDEO_SHARE_SIGNUPS_PER_IP_PER_HOUR = env_int("VIDEO_SHARE_SIGNUPS_PER_IP_PER_HOUR", 100)
VIDEO_SHARE_PASSWORD_RESETS_PER_IP_PER_HOUR = env_int(
    "VIDEO_SHARE_PASSWORD_RESETS_PER_IP_PER_HOUR", 30
)
VIDEO_SHARE_PASSWORD_RESETS_PER_EMAIL_PER_HOUR = env_int(
    "VIDEO_SHARE_PASSWORD_RESETS_PER_EMAIL_PER_HOUR", 3
)
VIDEO_SHARE_REPORTS_PER_USER_PER_HOUR = env_int("VIDEO_SHARE_REPORTS_PER_USER_PER_HOUR", 20)
# Email-verification links sent per account (the one sent at sign-up counts).
VIDEO_SHARE_VERIFICATION_EMAILS_PER_HOUR = env_int("VIDEO_SHARE_VERIFICATION_EMAILS_PER_HOUR", 5)

# Security. Content-Security-Policy: scripts only from us (plus the per-request nonce),
# no inline styles, no framing except the embed page (which sets its own policy).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Media on S3-compatible object storage (django-storages, the "s3" extra) when a bucket is
# named; files on disk otherwise. Objects are stored under their names at the bucket's root.
VIDEO_SHARE_S3_BUCKET = os.environ.get("VIDEO_SHARE_S3_BUCKET", "")
# How long a presigned media URL (public and unlisted videos' files, avatars) stays valid.
VIDEO_SHARE_S3_URL_SECONDS = env_int("VIDEO_SHARE_S3_URL_SECONDS", 3600)


def s3_storage(
    bucket: str,
    *,
    endpoint: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    custom_domain: str = "",
) -> tuple[dict, str]:
    """The default storage for a bucket, and the origin browsers fetch its media from."""
    try:
        import boto3
        import storages  # noqa: F401
        from botocore import UNSIGNED
        from botocore.config import Config
    except ImportError:
        raise ImproperlyConfigured(
            "VIDEO_SHARE_S3_BUCKET needs the s3 extra: uv sync --extra s3."
        ) from None
    # Path-style URLs on an endpoint of one's own (MinIO, Garage, moto...), so that its origin
    # is the endpoint's; AWS's own virtual-hosted style otherwise.
    addressing = "path" if endpoint else "virtual"
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "custom_domain": custom_domain or None,
        "addressing_style": addressing,
        "signature_version": "s3v4",
        "querystring_auth": True,
        "querystring_expire": VIDEO_SHARE_S3_URL_SECONDS,
        # Like files on disk: a name already taken gets another, never overwritten.
        "file_overwrite": False,
        "default_acl": None,
    }
    if custom_domain:
        origin = f"https://{custom_domain}"
    else:
        # Where boto3 itself will point browsers (no network, no keys needed to know).
        client = boto3.client(
            "s3",
            endpoint_url=endpoint or None,
            region_name=region or None,
            config=Config(signature_version=UNSIGNED, s3={"addressing_style": addressing}),
        )
        url = urlsplit(client.generate_presigned_url("get_object", {"Bucket": bucket, "Key": "k"}))
        origin = f"{url.scheme}://{url.netloc}"
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, origin


if VIDEO_SHARE_S3_BUCKET:
    STORAGES["default"], _media_origin = s3_storage(
        VIDEO_SHARE_S3_BUCKET,
        endpoint=os.environ.get("VIDEO_SHARE_S3_ENDPOINT_URL", ""),
        region=os.environ.get("VIDEO_SHARE_S3_REGION", ""),
        access_key=os.environ.get("VIDEO_SHARE_S3_ACCESS_KEY_ID", ""),
        secret_key=os.environ.get("VIDEO_SHARE_S3_SECRET_ACCESS_KEY", ""),
        custom_domain=os.environ.get("VIDEO_SHARE_S3_CUSTOM_DOMAIN", ""),
    )
    # Media is answered with a redirect there: the browser's fetch must be allowed to follow.
    SECURE_CSP["img-src"].append(_media_origin)
    SECURE_CSP["media-src"].append(_media_origin)
    SECURE_CSP["connect-src"].append(_media_origin)  # HLS segments, fetched by hls.js
    del _media_origin
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

if PRODUCTION:
    # Behind a TLS-terminating proxy; each can be turned off for a plain-HTTP test install.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "video_share": {"level": os.environ.get("VIDEO_SHARE_LOG_LEVEL", "INFO")},
        "django_tasks_db": {"level": "WARNING"},
    },
}

# Video uploads and processing.
VIDEO_SHARE_MAX_UPLOAD_MB = env_int("VIDEO_SHARE_MAX_UPLOAD_MB", 4000)
# Only a signed-in user's upload may send a large body; any other request (the picture forms
# aside: VIDEO_SHARE_MAX_AVATAR_MB) at most this much, kept in memory rather than spooled
# (video_share.body_limits).
VIDEO_SHARE_MAX_REQUEST_MB = env_int("VIDEO_SHARE_MAX_REQUEST_MB", 2)
# Large uploads under way at once in one process: per user, and in all (each holds a thread
# and a database connection while it is received).
VIDEO_SHARE_UPLOADS_PER_USER = env_int("VIDEO_SHARE_UPLOADS_PER_USER", 2)
VIDEO_SHARE_UPLOADS_AT_ONCE = env_int("VIDEO_SHARE_UPLOADS_AT_ONCE", 8)
VIDEO_SHARE_USER_QUOTA_MB = env_int("VIDEO_SHARE_USER_QUOTA_MB", 0)  # 0: unlimited
# A resumable upload (video_share.resumable) left unfinished this long is removed; until then
# it counts against its owner's quota and their uploads at once.
VIDEO_SHARE_PARTIAL_UPLOAD_HOURS = env_int("VIDEO_SHARE_PARTIAL_UPLOAD_HOURS", 24)
# The upload page sends a file in requests of at most this much (each made durable before the
# next): proxies that cap a request's body (100 MB is common) let them through.
VIDEO_SHARE_UPLOAD_CHUNK_MB = env_int("VIDEO_SHARE_UPLOAD_CHUNK_MB", 50)
# Longer videos are refused at upload: processing time grows with length.
VIDEO_SHARE_MAX_DURATION_MINUTES = env_int("VIDEO_SHARE_MAX_DURATION_MINUTES", 180)
# Videos of one user that may wait for (or be in) processing at once; one more upload waits
# until one of them is done, so that nobody's uploads hold the worker for everyone.
VIDEO_SHARE_PROCESSING_PER_USER = env_int("VIDEO_SHARE_PROCESSING_PER_USER", 2)
# A job without a heartbeat for this long is taken as dead (its worker was killed) and runs
# again: a running job beats every fifth of it, whatever ffmpeg is doing; the watchdog looks
# every quarter of it.
VIDEO_SHARE_STALE_JOB_SECONDS = env_int("VIDEO_SHARE_STALE_JOB_SECONDS", 10)
VIDEO_SHARE_MAX_ATTEMPTS = env_int("VIDEO_SHARE_MAX_ATTEMPTS", 3)
# Serve media through nginx after the permission check: the internal location that maps to
# the media folder, e.g. "/protected-media/" (see README). Empty: the app streams the bytes.
VIDEO_SHARE_MEDIA_ACCEL_REDIRECT = os.environ.get("VIDEO_SHARE_MEDIA_ACCEL_REDIRECT", "")
