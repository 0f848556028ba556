"""Configuration: development defaults, overridden by instance/config.py and KATILIM_* env."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-not-secret"


def _env(name: str, default=None):
    return os.environ.get(f"KATILIM_{name}", default)


def _database_url() -> str:
    url = _env("DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///katilim.sqlite"  # relative: Flask-SQLAlchemy puts it in instance/
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3 spelled out.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class DefaultConfig:
    ENV_NAME = _env("ENV", "development")  # "production" turns on the safety checks
    SECRET_KEY = _env("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # While the database cannot be reached pages answer 503 with this Retry-After (seconds).
    DATABASE_RETRY_AFTER_SECONDS = int(_env("DATABASE_RETRY_AFTER_SECONDS", "30"))
    # PostgreSQL: give up connecting (or on a connection whose server stopped acknowledging)
    # after this many seconds (at least 2), well before gunicorn's 30 s kills the worker.
    DATABASE_CONNECT_TIMEOUT_SECONDS = int(_env("DATABASE_CONNECT_TIMEOUT_SECONDS", "5"))
    # /health: each check (database, Redis) gets this long; they run side by side.
    HEALTH_CHECK_TIMEOUT_SECONDS = float(_env("HEALTH_CHECK_TIMEOUT_SECONDS", "0.3"))

    COUNCIL_SLUG = _env("COUNCIL", "kocaeli")
    COUNCIL_DATA_FILE = _env("COUNCIL_DATA_FILE", str(ROOT / "katilim/data/kocaeli.yaml"))

    LANGUAGES = ("tr", "en", "ar", "ku")  # ku: Kurmanji Kurdish, Latin script
    BABEL_DEFAULT_LOCALE = "tr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Istanbul"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")

    # Mail: "log" writes each message (with its full links) to the server log, for development;
    # "smtp" sends it; "memory" keeps it in a list, for tests.
    MAIL_BACKEND = _env("MAIL_BACKEND", "log")
    MAIL_SERVER = _env("MAIL_SERVER", "localhost")
    MAIL_PORT = int(_env("MAIL_PORT", "587"))
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_USE_TLS = _env("MAIL_USE_TLS", "1") == "1"
    MAIL_SENDER = _env("MAIL_SENDER", "Katılım <no-reply@localhost>")
    # While the mail server fails, each message is retried after 2, 4 … minutes, at most this
    # many apart, so that a backlog goes out within minutes of the server's return.
    MAIL_RETRY_MAX_MINUTES = int(_env("MAIL_RETRY_MAX_MINUTES", "5"))
    # The public address (scheme, host, any path prefix): every absolute link in e-mails,
    # exports and the API is built from it, never from the request (katilim/core/urls.py).
    # Required in production (https); elsewhere it defaults to http://127.0.0.1:5000.
    SITE_URL = _env("SITE_URL")
    # Host names the site answers for (comma-separated; ".example.org" also allows its
    # subdomains; "*" any). Unset: SITE_URL's host in production, any host elsewhere. Other
    # hosts get the 400 page; /health answers whatever the host (katilim/serving.py).
    ALLOWED_HOSTS = _env("ALLOWED_HOSTS")

    # Rate limits live in Redis when several processes serve the site; memory is fine for one.
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    # Off only for load tests (bench/run.py sets KATILIM_RATELIMIT_ENABLED=0).
    RATELIMIT_ENABLED = _env("RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_HEADERS_ENABLED = True
    # While Redis is unreachable, each process counts in memory instead of failing the page.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Redis answers in a millisecond; a Redis that hangs costs a request at most this long
    # (seconds) before that process counts in memory (katilim/serving.py).
    REDIS_TIMEOUT_SECONDS = float(_env("REDIS_TIMEOUT_SECONDS", "0.5"))
    # Allowances by action (katilim/core/limits.py says whom each counts); each can be changed
    # with KATILIM_RATE_LIMIT_<NAME>, e.g. KATILIM_RATE_LIMIT_VOTE="30 per minute".
    RATE_LIMITS = {
        name: _env(f"RATE_LIMIT_{name.upper()}", default)
        for name, default in {
            "login_address": "10 per minute",  # per visitor address
            # per e-mail address typed, from any address (not counting its known browsers)
            "login_account": "5 per minute",
            "register": "10 per hour",
            "reset_address": "5 per hour",
            "reset_account": "3 per hour",  # no one's inbox is flooded with reset links
            "resend_verification": "5 per hour",
            "proposal": "20 per hour",
            "proposal_edit": "30 per hour",
            "comment": "10 per minute;100 per day",
            "vote": "60 per minute",
            "report": "20 per hour",
            "photo_upload": "20 per hour",  # forms that carry photos, per person
            # The account page: changes that send e-mails or check the password.
            "email_change": "5 per hour",
            "password_change": "10 per hour",
            "comment_edit": "20 per hour",
            # Taking and giving back places at meetings, and applying to bodies, per person.
            "meeting_registration": "20 per hour",
            "volunteer_application": "10 per hour",
        }.items()
    }
    # Sign-in lockout (katilim/auth/lockout.py): after LOGIN_LOCKOUT_AFTER failed sign-ins for
    # one e-mail address from one visitor address (or one known browser), or after
    # LOGIN_LOCKOUT_ACCOUNT_AFTER from everywhere, signing in from there is refused for 1, 2,
    # 4 … minutes, at most LOGIN_LOCKOUT_MAX_MINUTES. A browser that signed in to the address
    # before (a device cookie, kept LOGIN_DEVICE_DAYS) is judged only by its own failures.
    LOGIN_LOCKOUT_AFTER = int(_env("LOGIN_LOCKOUT_AFTER", "5"))
    LOGIN_LOCKOUT_ACCOUNT_AFTER = int(_env("LOGIN_LOCKOUT_ACCOUNT_AFTER", "20"))
    LOGIN_DEVICE_DAYS = int(_env("LOGIN_DEVICE_DAYS", "365"))
    LOGIN_LOCKOUT_BASE_MINUTES = int(_env("LOGIN_LOCKOUT_BASE_MINUTES", "1"))
    LOGIN_LOCKOUT_MAX_MINUTES = int(_env("LOGIN_LOCKOUT_MAX_MINUTES", "60"))
    LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS = 24

    # Behind a reverse proxy: how many proxies' X-Forwarded-For/-Proto to trust (0 = none).
    PROXY_COUNT = int(_env("PROXY_COUNT", "0"))
    # "json" (one object per line, the default in production) or "text"; see katilim/logs.py.
    LOG_FORMAT = _env("LOG_FORMAT")
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")

    # Everything is served from this host: no inline script, no outside fonts or CDNs.
    CONTENT_SECURITY_POLICY = {
        "default-src": "'self'",
        "img-src": "'self' data:",
        "style-src": "'self'",
        "script-src": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "object-src": "'none'",
    }
    # No page needs a camera, a microphone, the location or payments: no one (and no
    # injected frame) may ask for them.
    PERMISSIONS_POLICY = {
        feature: "()"
        for feature in (
            "accelerometer",
            "browsing-topics",
            "camera",
            "geolocation",
            "gyroscope",
            "magnetometer",
            "microphone",
            "payment",
            "usb",
        )
    }
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env("ENV", "development") == "production"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a long form must not die because its author took an hour

    # The longest form (a proposal of 20,000 characters) is far below this; larger bodies are refused
    # with the 413 page before anything reads them.
    MAX_CONTENT_LENGTH = 256 * 1024
    # Photos of proposals (katilim/photos): up to PHOTOS_PER_PROPOSAL, each at most
    # PHOTO_MAX_BYTES and PHOTO_MAX_PIXELS; the proposal form alone may send that much more
    # than MAX_CONTENT_LENGTH (katilim/photos/uploads.py). Files go to UPLOAD_DIR, a folder
    # that every app server must share (docs/deploy.md).
    PHOTOS_PER_PROPOSAL = 3
    PHOTO_MAX_BYTES = int(_env("PHOTO_MAX_BYTES", str(8 * 1024 * 1024)))
    PHOTO_MAX_PIXELS = int(_env("PHOTO_MAX_PIXELS", "40000000"))
    UPLOAD_DIR = _env("UPLOAD_DIR", str(ROOT / "instance/uploads"))
    # /stats, the body pages' figures and the list's counts read every proposal: they are kept
    # (katilim/core/cache.py) until a change to proposals, votes, comments or bodies, and at
    # most this long (seconds). 0 computes them on every request.
    STATS_CACHE_SECONDS = int(_env("STATS_CACHE_SECONDS", "60"))
    # Whole pages for anonymous visitors (katilim/core/pagecache.py): a page marked
    # @shared_with_visitors is kept this long (seconds) for visitors without a cookie, and
    # any committed change to what pages show makes every kept page stale. 0 keeps none.
    PAGE_CACHE_SECONDS = int(_env("PAGE_CACHE_SECONDS", "5"))
    # Where they are kept: this Redis, else the rate limits' Redis if they use one, else each
    # process's memory (at most 500 values). CACHE_TYPE set in instance/config.py overrides.
    CACHE_REDIS_URL = _env("CACHE_REDIS_URL")
    # Which open proposals look like a proposal (its page's "related" list) costs a search of
    # the council's proposals: the ids found are kept this long (seconds; 0 = searched on every
    # view). Those proposals are read afresh each time, so a hidden or decided one drops out
    # at once; a new look-alike shows up within this time. An edit to the title or summary
    # searches again at once.
    RELATED_CACHE_SECONDS = int(_env("RELATED_CACHE_SECONDS", "600"))
    PROPOSALS_PER_PAGE = 20
    COMMENTS_PER_PAGE = 50
    # An author may change a comment this long after posting, until someone replies.
    COMMENT_EDIT_MINUTES = int(_env("COMMENT_EDIT_MINUTES", "15"))
    VERIFY_TOKEN_MAX_AGE = 7 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 3600
    # The link that confirms a new e-mail address (/me/email).
    EMAIL_CHANGE_TOKEN_MAX_AGE = int(_env("EMAIL_CHANGE_TOKEN_MAX_AGE", str(24 * 3600)))
    PRIVACY_NOTICE_VERSION = "2026-11"

    # --- KVKK and Law 5651 (katilim/privacy) ---
    # The data controller (veri sorumlusu) is the council: its name, address, e-mail, phone and
    # KVKK address come from its data file (katilim/data/*.yaml). The hosting provider (yer
    # sağlayıcı) is whoever runs this installation; empty: the council hosts it itself.
    HOSTING_PROVIDER_NAME = _env("HOSTING_PROVIDER_NAME", "")
    HOSTING_PROVIDER_ADDRESS = _env("HOSTING_PROVIDER_ADDRESS", "")
    # Traffic records of state-changing requests (Law 5651 art. 5: at least 1, at most 2 years).
    TRAFFIC_RECORDS_ENABLED = _env("TRAFFIC_RECORDS", "1") == "1"
    TRAFFIC_RECORD_DAYS = int(_env("TRAFFIC_RECORD_DAYS", "730"))
    # The key of the daily seals over the traffic records (katilim/privacy/seals.py); empty:
    # derived from SECRET_KEY. Changing it (or SECRET_KEY without it) voids the older seals.
    TRAFFIC_SEAL_KEY = _env("TRAFFIC_SEAL_KEY", "")
    # Retention periods, in days, applied by `flask --app katilim retention`.
    RETENTION_UNVERIFIED_ACCOUNT_DAYS = int(_env("RETENTION_UNVERIFIED_ACCOUNT_DAYS", "30"))
    RETENTION_SENT_EMAIL_DAYS = int(_env("RETENTION_SENT_EMAIL_DAYS", "90"))
    RETENTION_READ_NOTIFICATION_DAYS = int(_env("RETENTION_READ_NOTIFICATION_DAYS", "365"))
    # A contact a volunteer wrote down for a person without internet: erased this many days
    # after the proposal's first public answer or final step (katilim/privacy/retention.py).
    RETENTION_ASSIST_CONTACT_DAYS = int(_env("RETENTION_ASSIST_CONTACT_DAYS", "30"))
    # Earlier versions of edited comments, kept for moderators (katilim/comments/services.py).
    RETENTION_COMMENT_REVISION_DAYS = int(_env("RETENTION_COMMENT_REVISION_DAYS", "365"))
    # A volunteer's declined application or ended membership of a body (katilim/volunteers):
    # it can reveal opinions, so it goes this many days after the decision or the leaving.
    RETENTION_ENDED_VOLUNTEER_DAYS = int(_env("RETENTION_ENDED_VOLUNTEER_DAYS", "365"))
    # Proof of a withdrawn consent: the general limitation period (Borçlar Kanunu art. 146).
    RETENTION_WITHDRAWN_CONSENT_DAYS = int(_env("RETENTION_WITHDRAWN_CONSENT_DAYS", "3650"))
