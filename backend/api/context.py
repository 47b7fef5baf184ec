"""Per-request plumbing: who is calling, their unit of work, locale, request id and access log."""

from __future__ import annotations

import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import CSRFError

from backend.api.guard import check_json_body
from backend.api.headers import security_headers
from backend.core.db.database import Database
from backend.core.db.uow import SqlAlchemyUnitOfWork
from backend.core.domain.audit import Origin
from backend.core.domain.errors import N_, AuthenticationRequired, Forbidden
from backend.core.domain.listing import ListQuery, parse_sort
from backend.core.domain.login import LoginPolicy
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.extensions import csrf
from backend.field.services.labels import LabelSettings
from backend.iot.services import gateways

log = logging.getLogger("leasekeeper.request")
_TRACE_TOKEN = re.compile(r"[A-Za-z0-9._:-]+")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def database() -> Database:
    """The application's database."""
    db: Database = current_app.extensions["leasekeeper.db"]
    return db


def uow() -> SqlAlchemyUnitOfWork:
    """This request's unit of work, opened on first use and closed when the request ends (for a POST, PUT,
    PATCH or DELETE, one that writes)."""
    if "uow" not in g:
        g.uow = database().unit_of_work(writes=request.method not in SAFE_METHODS).__enter__()
    unit: SqlAlchemyUnitOfWork = g.uow
    return unit


def now() -> datetime:
    """The current time in UTC, from the application's clock (the system clock unless one is configured)."""
    clock = current_app.extensions.get("leasekeeper.clock")
    return clock() if clock is not None else datetime.now(UTC)


def client_ip() -> str:
    """The caller's address (behind a proxy, configure ProxyFix in the WSGI server)."""
    return request.remote_addr or "unknown"


def anonymous_actor() -> Actor:
    """The actor for requests before sign-in (login itself)."""
    return Actor(None, Origin.WEB, client_ip(), None, g.request_id)


def actor() -> Actor:
    """The signed-in caller; 401 when there is none."""
    current: Actor | None = g.get("actor")
    if current is None:
        raise AuthenticationRequired(N_("Sign in first (session cookie or device bearer token)."))
    return current


def login_policy() -> LoginPolicy:
    """Sign-in throttling settings from configuration."""
    config = current_app.config
    return LoginPolicy(
        window_seconds=config["LOGIN_WINDOW_SECONDS"],
        free_failures_per_pair=config["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS"],
        free_failures_per_account=config["LOGIN_FREE_FAILURES_PER_ACCOUNT"],
        free_failures_per_ip=config["LOGIN_FREE_FAILURES_PER_ADDRESS"],
        base_delay_seconds=config["LOGIN_BACKOFF_BASE_SECONDS"],
        trust_days=config["LOGIN_TRUSTED_ADDRESS_DAYS"],
    )


def list_query(args: dict[str, Any], pagination: Any) -> ListQuery:
    """Filters, sort and page from a view's query arguments."""
    filters = {key: value for key, value in args.items() if key != "sort"}
    return ListQuery(filters, parse_sort(args.get("sort")), pagination.page, pagination.page_size)


def whole_list_query(args: dict[str, Any]) -> ListQuery:
    """Filters and sort from a view's query arguments, for a list read whole (an export): no page."""
    filters = {key: value for key, value in args.items() if key != "sort"}
    return ListQuery(filters, parse_sort(args.get("sort")))


def start_web_session(user: Any) -> None:
    """Bind the cookie session to the user (a fresh session, against fixation)."""
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["epoch"] = user.session_epoch


def select_locale() -> str | None:
    """The signed-in user's language, else the browser's preference, else English."""
    supported = current_app.config["SUPPORTED_LOCALES"]
    user_locale = g.get("user_locale")
    if user_locale in supported:
        return str(user_locale)
    match = request.accept_languages.best_match(["en", "zh_CN", "zh-CN", "zh"])
    if match is None:
        return None
    return "zh_CN" if match.startswith("zh") else match


def _authenticate() -> None:
    """Resolve the caller from a bearer token (phones) or the session cookie (web)."""
    g.actor = None
    header = request.headers.get("Authorization", "")
    unit = uow()
    if header.startswith(f"Bearer {gateways.TOKEN_PREFIX}"):
        # An IoT gateway: it may send its batch and nothing else (no user acts through it).
        g.gateway = gateways.authenticate(header.removeprefix("Bearer ").strip(), unit)
        return
    if header.startswith("Bearer "):
        user, device = auth.authenticate_device(
            header.removeprefix("Bearer ").strip(),
            current_app.config["DEVICE_TOKEN_IDLE_DAYS"],
            now(),
            unit,
            record_use=request.method not in SAFE_METHODS,
        )
        g.actor = Actor(auth.principal_of(user), Origin.DEVICE, client_ip(), device.id, g.request_id)
        g.user_locale = user.locale
        return
    if header:
        raise AuthenticationRequired(
            N_("Only Bearer device tokens are accepted in the Authorization header.")
        )
    if "uid" not in session:
        return
    user = auth.authenticate_session(session["uid"], session.get("epoch", -1), unit)
    if user is None:
        session.clear()
        return
    if request.method not in SAFE_METHODS:
        try:
            csrf.protect()
        except CSRFError:
            raise Forbidden(N_("CSRF token missing or invalid; send it in the X-CSRFToken header.")) from None
    g.actor = Actor(auth.principal_of(user), Origin.WEB, client_ip(), None, g.request_id)
    g.user_locale = user.locale


# The API docs page (Swagger UI from our own build, backend/web.py): a page, not an API call.
DOCS_PATH = "/api/docs"


def _before_request() -> None:
    g.request_started = time.perf_counter()
    # Our own id for every request; a caller's X-Request-ID is only logged beside it, never trusted.
    g.request_id = uuid.uuid4().hex
    g.client_request_id = _client_request_id()
    if request.path.startswith("/api/") and request.path != DOCS_PATH:
        check_json_body(request, current_app.config["JSON_MAX_BYTES"])
        _authenticate()


def _client_request_id() -> str | None:
    """The caller's X-Request-ID when it is a plain token (letters, digits, `-_.:`), for tracing only."""
    value = request.headers.get("X-Request-ID", "")[:64]
    return value if value and _TRACE_TOKEN.fullmatch(value) else None


def _after_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    security_headers(response, request.is_secure, current_app.config["HSTS_SECONDS"])
    if request.path.startswith("/api/") and request.path != DOCS_PATH:
        response.headers.setdefault("Cache-Control", "no-store")
    current: Actor | None = g.get("actor")
    log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "request_id": g.get("request_id"),
            "client_request_id": g.get("client_request_id"),
            "status": response.status_code,
            "duration_ms": round(
                (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1
            ),
            "user_id": current.user_id if current else None,
            "device_id": current.device_id if current else None,
        },
    )
    return response


def _teardown(_exc: BaseException | None) -> None:
    unit: SqlAlchemyUnitOfWork | None = g.pop("uow", None)
    if unit is not None:
        unit.__exit__(None, None, None)


def register_request_hooks(app: Flask) -> None:
    """Install the hooks on the application."""
    app.before_request(_before_request)
    app.after_request(_after_request)
    app.teardown_appcontext(_teardown)


def label_settings() -> LabelSettings:
    """Where labels point and the keys that sign them, from the configuration."""
    return LabelSettings.from_config(current_app.config)
