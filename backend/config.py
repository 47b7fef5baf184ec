"""Configuration classes; every setting can be overridden from the environment."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LEASEKEEPER_VAR_DIR", PROJECT_ROOT / "var"))


def _env_bool(value: str) -> bool:
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected a boolean (true/false), got {value!r}")


class Config:
    """Embedded default: SQLite file and photos on local disk under ./var/."""

    LEASEKEEPER_ENV = "development"
    SECRET_KEY: str | None = None
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'leasekeeper.sqlite3'}"
    DATABASE_ECHO = False

    STORAGE_BACKEND = "local"
    STORAGE_LOCAL_ROOT = str(VAR_DIR / "files")
    S3_ENDPOINT_URL: str | None = None
    S3_BUCKET = "leasekeeper"
    S3_ACCESS_KEY_ID: str | None = None
    S3_SECRET_ACCESS_KEY: str | None = None
    S3_REGION = "us-east-1"
    # The S3 address browsers and phones reach, for presigned URLs (unset: S3_ENDPOINT_URL).
    S3_PUBLIC_ENDPOINT_URL: str | None = None
    # Photo uploads: largest body accepted, and largest image (width x height) decoded.
    PHOTO_MAX_BYTES = 15 * 1024 * 1024
    # Who changed an asset's or project's geofence or field policy does not confirm requests there for so
    # long: moving the fence to where one stands must not stand in for being on site.
    CONFIRM_COOLDOWN_AFTER_FENCE_CHANGE_HOURS = 72
    PHOTO_MAX_PIXELS = 24_000_000  # a 6000 × 4000 camera; the field app sends at most 1920 px a side

    # Notification channels. E-mail: the SMTP server and the sender every e-mail comes from.
    SMTP_HOST = "localhost"
    SMTP_PORT = 25
    MAIL_FROM = "leasekeeper@localhost"
    # How the SMTP connection is protected: "none", "starttls" (upgrade on the port) or "ssl" (TLS at once).
    SMTP_SECURITY = "none"
    # SMTP AUTH; unset: send without logging in.
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    # A PEM bundle the SMTP server's certificate must verify against (unset: the system's trust store).
    SMTP_CA_FILE: str | None = None
    # How long one SMTP conversation step may take.
    SMTP_TIMEOUT_SECONDS = 15
    # 企业微信 group robots' API (tests point it at a local server).
    WECOM_BASE_URL = "https://qyapi.weixin.qq.com"
    # 钉钉 group robots' API.
    DINGTALK_BASE_URL = "https://oapi.dingtalk.com"
    # Who sends text messages: "log" (development: written to the log) or "yunpian" (云片).
    SMS_PROVIDER = "log"
    # 云片's API and account key.
    SMS_YUNPIAN_BASE_URL = "https://sms.yunpian.com"
    SMS_YUNPIAN_API_KEY: str | None = None
    # The signature every text starts with, in 【】, as registered with the provider.
    SMS_SIGNATURE = "LeaseKeeper"
    # How long the HTTP channels (robots, webhooks, SMS) wait to connect and for an answer.
    CHANNEL_TIMEOUT_SECONDS = 10
    # Hosts webhooks may reach: names or "*.suffix" patterns, comma-separated; empty: none. A host resolving
    # to a private or loopback address is reached only when listed by name.
    OUTBOUND_ALLOWED_HOSTS = ""
    # The address phones and mail links reach the server at; QR labels encode it. Required in production.
    # Unset elsewhere, it is derived from the served host and port (`leasekeeper serve --host --port`, or
    # HOST and PORT).
    PUBLIC_BASE_URL: str | None = None
    # QR label keys "kid:secret,kid:secret": the first signs new labels, every listed one still verifies.
    LABEL_SIGNING_KEYS: str | None = None
    # A font file covering Chinese for label text; default: Debian's fonts-wqy-microhei or fonts-noto-cjk.
    LABEL_FONT_PATH: str | None = None

    # Web Push (VAPID): the private key as PEM or base64url (raw 32-byte or DER), the public key as the
    # base64url uncompressed P-256 point browsers get as applicationServerKey (derived when unset), and the
    # contact the push services see (mailto: or https:). The embedded default keeps a key under ./var/.
    VAPID_PRIVATE_KEY: str | None = None
    VAPID_PUBLIC_KEY: str | None = None
    VAPID_SUBJECT: str | None = None
    # How long a push service keeps an undelivered push, and how long we wait for it to answer.
    # The push services subscriptions may point at (the browsers' own: Chrome and Edge on Android through
    # FCM, Firefox, Safari, Windows): names or "*.suffix" patterns, comma-separated. Plain http, and a host
    # resolving to a private or loopback address, only for a host listed by name.
    PUSH_ALLOWED_HOSTS = (
        "fcm.googleapis.com,*.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com"
    )
    PUSH_TTL_SECONDS = 12 * 3600
    PUSH_TIMEOUT_SECONDS = 10
    # Threads a worker sends deliveries on (each channel's calls wait on the network).
    DELIVERY_THREADS = 8
    # The key robot keys, webhook addresses and signing secrets are encrypted with in the database
    # (unset: derived from SECRET_KEY; set it to rotate SECRET_KEY without entering them again).
    CHANNEL_SECRETS_KEY: str | None = None
    # The third-party credit information service (第三方征信): its lookup address (its host must be in
    # OUTBOUND_ALLOWED_HOSTS) and bearer token; unset: fetching external credit signals is not offered.
    CREDIT_SIGNALS_URL: str | None = None
    CREDIT_SIGNALS_TOKEN: str | None = None
    # The name signals from it are stored under.
    CREDIT_SIGNALS_PROVIDER = "credit"

    # Number of trusted reverse proxies in front of the app (0: use the socket's address).
    PROXY_FIX_X_FOR = 0

    LOG_LEVEL = "INFO"
    LOG_FORMAT = "text"

    # Cookie sessions for the web; phones use device tokens instead.
    SESSION_COOKIE_NAME = "lk_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # https requests get a Secure cookie anyway
    SESSION_LIFETIME_HOURS = 12
    HSTS_SECONDS = 31_536_000  # Strict-Transport-Security on https responses; 0 turns it off
    # The largest JSON body any endpoint reads (a sync push of 100 commands stays well under it; the
    # phone halves its batch on 413). Uploads are multipart and have their own limits.
    JSON_MAX_BYTES = 4 * 1024 * 1024
    WTF_CSRF_CHECK_DEFAULT = False  # checked only for cookie-authenticated requests
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]

    # A phone may stay offline for weeks; its token expires only after this long unused.
    DEVICE_TOKEN_IDLE_DAYS = 180

    # Sign-in throttling (exponential backoff, see backend/core/domain/login.py): failures within the window
    # count; past each allowance, every further failure doubles the wait, from the base up to the window.
    LOGIN_WINDOW_SECONDS = 900
    LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
    LOGIN_FREE_FAILURES_PER_ACCOUNT = 20
    LOGIN_FREE_FAILURES_PER_ADDRESS = 30
    LOGIN_BACKOFF_BASE_SECONDS = 2
    # A username that signed in from an address within these days is exempt from that address's count.
    LOGIN_TRUSTED_ADDRESS_DAYS = 30

    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    # Portfolio KPIs (docs/kpi-definitions.md): the zone whose day names the running month; whether units in
    # maintenance or renovation count as "vacant" or are "excluded" from the lettable stock; after how many
    # days without an on-site confirmation an asset's status counts as stale.
    PORTFOLIO_TIMEZONE = "Asia/Shanghai"
    PORTFOLIO_UNAVAILABLE_AS = "vacant"
    PORTFOLIO_STALE_AFTER_DAYS = 30
    # Who receives the monthly portfolio report by e-mail on the first working day (each for their scope).
    PORTFOLIO_REPORT_ROLES = "director,regional_manager,finance"

    API_TITLE = "LeaseKeeper API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    # /api/docs is Swagger UI from our own build (pwa/api-docs, served by backend/web.py): nothing from a CDN.
    API_SPEC_OPTIONS: dict[str, Any] = {
        "info": {
            "description": "Leases, receivables and assets for companies that rent out offices, "
            "shops, apartments, warehouse units and equipment.",
        },
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "lk_session"},
                "deviceToken": {"type": "http", "scheme": "bearer"},
                "gatewayToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An IoT gateway's own token (lkgw_…), for /api/iot/ingest only.",
                },
            }
        },
        "security": [{"session": []}, {"deviceToken": []}],
    }

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")
    SUPPORTED_LOCALES = ("en", "zh_CN")

    PWA_DIST_DIR = str(PROJECT_ROOT / "pwa" / "dist")


class ProductionConfig(Config):
    """Scale-out deployment: every secret must come from the environment."""

    LEASEKEEPER_ENV = "production"
    LOG_FORMAT = "json"
    SESSION_COOKIE_SECURE = True


class TestConfig(Config):
    """Fast password hashing and a fixed key; the database URL comes from the test harness."""

    LEASEKEEPER_ENV = "test"
    TESTING = True
    SECRET_KEY = "test-only-secret"  # noqa: S105 - tests only, never deployed
    LABEL_SIGNING_KEYS = "test:test-only-label-signing-key"
    VAPID_PRIVATE_KEY = "-Br5hgbgfOxTUXzysklMkhazcsdUVroYtiqPo2wBhnM"  # tests only, never deployed
    VAPID_SUBJECT = "mailto:engineering@leasekeeper.invalid"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    LOG_LEVEL = "WARNING"
    # Nothing leaves the machine from a test unless the test points a channel at its own local server.
    WECOM_BASE_URL = "http://127.0.0.1:9"
    DINGTALK_BASE_URL = "http://127.0.0.1:9"
    SMS_YUNPIAN_BASE_URL = "http://127.0.0.1:9"
    SMTP_PORT = 9
    # The tests' recording push service listens on loopback.
    PUSH_ALLOWED_HOSTS = Config.PUSH_ALLOWED_HOSTS + ",127.0.0.1"


_ENV_OVERRIDABLE_TYPES = (str, int, bool, type(None))


def load_config(base: type[Config] | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge a Config class, environment variables and explicit overrides (in that order)."""
    if base is None:
        base = ProductionConfig if os.environ.get("LEASEKEEPER_ENV") == "production" else Config
    settings = {key: copy.deepcopy(getattr(base, key)) for key in dir(base) if key.isupper()}
    for key, default in list(settings.items()):
        raw = os.environ.get(key)
        if raw is None or not isinstance(default, _ENV_OVERRIDABLE_TYPES):
            continue
        try:
            if isinstance(default, bool):
                settings[key] = _env_bool(raw)
            elif isinstance(default, int):
                settings[key] = int(raw)
            else:
                settings[key] = raw
        except ValueError as exc:
            raise RuntimeError(f"environment variable {key}: {exc}") from exc
    settings.update(overrides or {})
    if not settings.get("SECRET_KEY"):
        if settings["LEASEKEEPER_ENV"] == "production":
            raise RuntimeError("SECRET_KEY must be set in the environment in production")
        settings["SECRET_KEY"] = _local_secret_key()
    _check_label_keys(settings)
    _check_vapid(settings)
    _check_public_base_url(settings)
    return settings


def _check_public_base_url(settings: dict[str, Any]) -> None:
    """Labels and links need the public address: given in production, else derived from HOST and PORT."""
    from urllib.parse import urlsplit

    base = settings.get("PUBLIC_BASE_URL")
    settings["PUBLIC_BASE_URL_DERIVED"] = not base
    if not base:
        if settings["LEASEKEEPER_ENV"] == "production":
            raise RuntimeError(
                "PUBLIC_BASE_URL must be set in the environment in production "
                "(e.g. https://lease.example.com): QR labels encode it"
            )
        host = os.environ.get("HOST", "127.0.0.1")
        settings["PUBLIC_BASE_URL"] = f"http://{host}:{os.environ.get('PORT', '8000')}"
        return
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise RuntimeError(
            f"PUBLIC_BASE_URL: give an http(s) address such as https://lease.example.com, not {base!r}"
        )
    settings["PUBLIC_BASE_URL"] = base.rstrip("/")


def _check_label_keys(settings: dict[str, Any]) -> None:
    """Label keys come from the environment in production; the embedded default makes one once."""
    from qr_tools.payload import parse_keyring

    if not settings.get("LABEL_SIGNING_KEYS"):
        if settings["LEASEKEEPER_ENV"] == "production":
            raise RuntimeError("LABEL_SIGNING_KEYS must be set in the environment in production")
        settings["LABEL_SIGNING_KEYS"] = _local_label_key()
    try:
        parse_keyring(settings["LABEL_SIGNING_KEYS"])
    except ValueError as exc:
        raise RuntimeError(f"LABEL_SIGNING_KEYS: {exc}") from exc


def _check_vapid(settings: dict[str, Any]) -> None:
    """VAPID keys and subject come from the environment in production; the default makes a key once."""
    from backend.notify.vapid import VapidError, load_private_key, public_key_of

    production = settings["LEASEKEEPER_ENV"] == "production"
    for key in ("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "VAPID_SUBJECT"):
        if production and not settings.get(key):
            raise RuntimeError(f"{key} must be set in the environment in production")
    if not settings.get("VAPID_PRIVATE_KEY"):
        settings["VAPID_PRIVATE_KEY"] = _local_vapid_key()
    if not settings.get("VAPID_SUBJECT"):
        settings["VAPID_SUBJECT"] = f"mailto:{settings['MAIL_FROM']}"
    if not str(settings["VAPID_SUBJECT"]).startswith(("mailto:", "https:")):
        raise RuntimeError("VAPID_SUBJECT: give a mailto: or https: address")
    try:
        derived = public_key_of(load_private_key(settings["VAPID_PRIVATE_KEY"]))
    except VapidError as exc:
        raise RuntimeError(f"VAPID_PRIVATE_KEY: {exc}") from exc
    if not settings.get("VAPID_PUBLIC_KEY"):
        settings["VAPID_PUBLIC_KEY"] = derived
    elif settings["VAPID_PUBLIC_KEY"].strip().rstrip("=") != derived:
        raise RuntimeError("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY")


def _local_vapid_key() -> str:
    """A VAPID private key (PEM) for the embedded default, generated once and kept under ./var/."""
    from backend.notify.vapid import new_private_key_pem

    return _kept_secret("vapid_private_key.pem", new_private_key_pem)


def _local_label_key() -> str:
    """A label signing key for the embedded default, generated once and kept under ./var/."""
    import secrets

    return _kept_secret("label_signing_keys", lambda: f"local1:{secrets.token_urlsafe(32)}")


def _local_secret_key() -> str:
    """A per-installation key for the embedded default, generated once and kept under ./var/."""
    import secrets

    return _kept_secret("secret_key", lambda: secrets.token_urlsafe(48))


def _kept_secret(name: str, make: Callable[[], str]) -> str:
    """The secret kept in ./var/<name>, made now if there is none.

    Server worker processes start at the same moment, so the file is written whole under a private name and
    then linked into place, which fails when another process got there first: every process uses the one
    secret that won, and none reads a half-written file.
    """
    key_file = VAR_DIR / name
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        draft = VAR_DIR / f".{name}.{os.getpid()}"
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(make())
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()
