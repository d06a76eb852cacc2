"""Configuration from the environment, with safe defaults for a local run.

Every setting can be given as an environment variable of the same name.

The same code runs from a git checkout and from the installed wheel. In a checkout the
templates, migrations and seeds sit at the top of the repository; the wheel carries them inside
the package (`registry/templates`, `registry/migrations`; `seeds` is a package of its own), and
its instance folder (SQLite file, uploads, generated key) is Flask's for an installed package,
`<prefix>/var/registry-instance`, unless INSTANCE_PATH says otherwise.
"""
import os
import secrets
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent  # the checkout, or site-packages when installed
INSTALLED = (PACKAGE_DIR / "templates").is_dir()  # only the wheel puts templates inside the package
RESOURCE_ROOT = PACKAGE_DIR if INSTALLED else PROJECT_ROOT  # where templates/ and migrations/ are
TEMPLATES_DIR = RESOURCE_ROOT / "templates"
MIGRATIONS_DIR = RESOURCE_ROOT / "migrations"
SEEDS_DIR = PROJECT_ROOT / "seeds"  # a package beside `registry` in both layouts
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH") or (
    Path(sys.prefix) / "var" / "registry-instance" if INSTALLED else PROJECT_ROOT / "instance"))


def _secret_key() -> str:
    """A fixed key in production (SECRET_KEY), a per-install random one locally."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
    return key_file.read_text().strip()


def database_url() -> str:
    """`DATABASE_URL`, or the embedded SQLite file under instance/."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return psycopg_url(url)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'registry.sqlite3'}"


def psycopg_url(url: str) -> str:
    """Heroku-style and plain "postgresql://" URLs mean psycopg 3 here."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SQLALCHEMY_DATABASE_URI = None  # set in from_env(); evaluated per app, not at import
    SQLALCHEMY_ENGINE_OPTIONS = {}  # idle pooled connections are checked before use (database.py)
    DATABASE_REPLICA_URL = ""  # a streaming replica: reads of read-only requests go there (registry/database.py)
    REPLICA_STICKY_SECONDS = 10  # after a person's own POST, their pages read the primary this long
    SECRET_KEY = None
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(PACKAGE_DIR / "translations")
    LANGUAGES = ("zh", "en")
    DISTRICTS_GEOJSON = str(SEEDS_DIR / "districts.geojson")
    DISTRICTS_CSV = str(SEEDS_DIR / "districts.csv")
    DEMO_DATA_DIR = str(SEEDS_DIR / "demo")
    DEMO_SCOPES_DIR = str(SEEDS_DIR / "examples")  # example scopes + demo_facilities.csv (which facility each)
    IMPORT_CHUNK_ROWS = 2000
    MAP_TILES = "none"  # none | osm | tianditu | amap (GCJ-02: markers and boundaries are shifted)
    MAP_TIANDITU_KEY = ""
    MAP_POINTS_CACHE = 16  # marker sets kept per process, keyed on the query and the data's version
    MAP_DISTRICTS_GEOJSON = str(SEEDS_DIR / "districts_simplified.geojson")
    LOGIN_MAX_FAILURES = 5  # failed sign-ins in a row that lock an account ...
    LOGIN_LOCKOUT_MINUTES = 15  # ... for this long
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = None  # unset: on unless debugging or testing (registry/web/security.py); 0/1 force it
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # seconds a sign-in lasts without a request
    SESSION_ABSOLUTE_LIFETIME = 12 * 3600  # seconds a sign-in lasts however active it is
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"  # failed sign-ins per client address
    REGISTER_RATE_LIMIT = "5 per hour; 20 per day"  # sign-up attempts per client address
    PASSWORD_RESET_RATE_LIMIT = "5 per hour; 20 per day"  # requests for a password link per client address
    REGISTRATION_LINK_HOURS = 48  # a sign-up's confirmation link works this long
    PASSWORD_RESET_LINK_MINUTES = 60  # a link to set a new password works this long
    PUBLIC_URL = ""  # https://registry.example.cn: the site's address in mailed links (else the request's host)
    BOOKING_MAX_OPEN_PER_DAY = 2  # open bookings of one enterprise (USCC) at one facility on one day
    BOOKING_MAX_OPEN_PER_FACILITY = 10  # ... and at one facility over all days
    WTF_CSRF_TIME_LIMIT = None  # a form's token lives as long as the session
    RATELIMIT_KEY_PREFIX = "registry"  # namespace of the counters in a shared Redis
    RATELIMIT_STORAGE_URI = "memory://"  # redis://127.0.0.1:6379 when several workers serve the API
    RATELIMIT_STORAGE_TIMEOUT = 0.5  # seconds to wait for Redis before counting in this process instead
    API_RATE_LIMIT_ANONYMOUS = "60 per minute"  # per client address, without a key
    API_RATE_LIMIT_KEY = "1200 per minute"  # per API key
    API_RATE_LIMIT_LEASE = 0.01  # share of a limit a worker counts from Redis at once (0: every call in Redis)
    API_RESPONSE_CACHE = 256  # API answers kept per process until the data changes; 0 turns it off
    SEARCH_MEMORY_INDEX_ROWS = 5_000_000  # live capabilities up to which each worker counts searches in memory
    CACHE_REDIS_URL = ""  # redis://127.0.0.1:6379/1: the caches' answers shared by every worker (empty: off)
    CACHE_REDIS_PREFIX = "registry-cache"  # namespace of those answers in Redis
    CACHE_REDIS_TTL = 3600  # seconds a shared answer lives at most (Redis's maxmemory evicts before, LRU)
    CACHE_REDIS_TIMEOUT = 0.1  # seconds to wait for Redis before computing in this worker instead
    BOOKING_EXPIRY_DAYS = 7  # requests unanswered this long expire (flask bookings expire)
    UNMET_FAR_KM = 30  # km: a search whose nearest find lies farther counts as unmet demand (audit)
    SMTP_HOST = ""  # empty: e-mails are written to the log instead of sent
    SMTP_PORT = 25
    SMTP_USER = ""
    SMTP_PASSWORD = ""
    SMTP_STARTTLS = False
    MAIL_FROM = "registry@localhost"
    UPLOAD_DIR = str(INSTANCE_DIR / "uploads")  # uploaded files, one folder per upload job
    UPLOAD_MAX_MB = 100  # the largest upload accepted (413 beyond)
    SCOPE_UPLOAD_MAX_MB = 10  # the largest scope file accepted on the web (one facility's; 413 beyond)
    UPLOAD_BACKGROUND_BYTES = 1_000_000  # larger uploads are validated and applied in the background
    UPLOAD_WORKER = "thread"  # thread: the app runs them; command: `flask upload work` does
    PROXY_COUNT = 0  # reverse proxies in front that set X-Forwarded-*: trusted for the client's address
    LOG_JSON = True  # one JSON line per request and per domain event, on stderr
    ACCESS_LOG = "-"  # where the request lines go: "-" stderr, a file (reopened after logrotate), "" none
    # The printed audit report (/audit/report): who issues it, the date its data stands for (empty: the
    # latest change in the data) and the map-review number (审图号) its maps were approved under.
    TERMS_VERSION = "2026-12"  # of the terms of use and privacy policy (/terms); recorded with each consent
    REPORT_ISSUER = "杭州市市场监督管理局"
    REPORT_ISSUER_EN = "Hangzhou Administration for Market Regulation"
    REPORT_DATA_DATE = ""
    REPORT_MAP_REVIEW_NO = ""  # empty: the report prints a placeholder (审图号：待审核)

    @classmethod
    def from_env(cls) -> dict:
        """The settings for one app, read when the app is created."""
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        for key in settings:
            if key in os.environ and key not in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY"):
                settings[key] = os.environ[key]
        settings["SQLALCHEMY_DATABASE_URI"] = database_url()
        if settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):  # an unreachable host fails in seconds
            settings["SQLALCHEMY_ENGINE_OPTIONS"] = {**cls.SQLALCHEMY_ENGINE_OPTIONS,
                                                     "connect_args": {"connect_timeout": 5}}
        settings["DATABASE_REPLICA_URL"] = psycopg_url(settings["DATABASE_REPLICA_URL"])
        settings["SECRET_KEY"] = _secret_key()
        settings["SECRET_KEY_GENERATED"] = not os.environ.get("SECRET_KEY")  # `serve` refuses it in production
        for key in ("IMPORT_CHUNK_ROWS", "MAP_POINTS_CACHE", "LOGIN_MAX_FAILURES", "LOGIN_LOCKOUT_MINUTES",
                    "PERMANENT_SESSION_LIFETIME", "SESSION_ABSOLUTE_LIFETIME", "BOOKING_EXPIRY_DAYS",
                    "BOOKING_MAX_OPEN_PER_DAY", "BOOKING_MAX_OPEN_PER_FACILITY", "REGISTRATION_LINK_HOURS",
                    "PASSWORD_RESET_LINK_MINUTES", "SMTP_PORT", "API_RESPONSE_CACHE", "SEARCH_MEMORY_INDEX_ROWS",
                    "UPLOAD_MAX_MB", "SCOPE_UPLOAD_MAX_MB", "UPLOAD_BACKGROUND_BYTES", "PROXY_COUNT",
                    "REPLICA_STICKY_SECONDS", "CACHE_REDIS_TTL"):
            settings[key] = int(settings[key])
        settings["MAX_CONTENT_LENGTH"] = settings["UPLOAD_MAX_MB"] * 2**20  # checked before a body is read
        for key in ("SESSION_COOKIE_SECURE", "SMTP_STARTTLS", "LOG_JSON"):
            if settings[key] is not None:
                settings[key] = str(settings[key]).lower() in ("1", "true", "yes")
        for key in ("RATELIMIT_STORAGE_TIMEOUT", "CACHE_REDIS_TIMEOUT", "API_RATE_LIMIT_LEASE"):
            settings[key] = float(settings[key])
        return settings
