"""The one error shape: domain and database errors become flask-smorest's JSON error payload."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request
from flask_babel import gettext
from flask_smorest import Api
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, UnprocessableEntity, default_exceptions

from backend.api.messages import translate_errors
from backend.core.db.uow import integrity_conflict
from backend.core.domain.errors import DomainError, RateLimited

log = logging.getLogger("leasekeeper.errors")


def _payload(api: Api, status: int, message: str, errors: Any = None, headers: Any = None) -> Any:
    exception: HTTPException = default_exceptions[status]()
    exception.data = {"message": message}  # type: ignore[attr-defined]
    if errors is not None:
        exception.data["errors"] = errors  # type: ignore[attr-defined]
    if headers:
        exception.data["headers"] = headers  # type: ignore[attr-defined]
    return api.handle_http_exception(exception)


def _location() -> str:
    return "json" if request.method in {"POST", "PUT", "PATCH"} else "query"


def register_error_handlers(app: Flask, api: Api) -> None:
    """Map every expected failure to a 4xx/5xx in the one JSON shape."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Any:
        message = gettext(error.message, **error.params) if error.params else gettext(error.message)
        errors = None
        headers: dict[str, str] = {}
        if error.fields:
            errors = {_location(): translate_errors(error.fields)}
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(error.retry_after)
        if error.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="leasekeeper"'
        return _payload(api, error.status, message, errors, headers)

    @app.errorhandler(UnprocessableEntity)
    def invalid_arguments(error: UnprocessableEntity) -> Any:
        # webargs puts marshmallow's English messages under data["messages"], by location and field.
        data = getattr(error, "data", None) or {}
        errors = translate_errors(data.get("errors", data.get("messages")))
        return _payload(api, 422, gettext("Invalid input."), errors, data.get("headers"))

    @app.errorhandler(MethodNotAllowed)
    def method_not_allowed(error: MethodNotAllowed) -> Any:
        allowed = ", ".join(sorted(error.valid_methods or ()))
        return _payload(api, 405, gettext("Method not allowed here."), headers={"Allow": allowed})

    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError) -> Any:
        conflict = integrity_conflict(error)
        return _payload(api, 409, gettext(conflict.message))

    @app.errorhandler(DataError)
    def data_error(error: DataError) -> Any:
        log.warning("value refused by the database: %s", error.orig)
        return _payload(api, 422, gettext("A value is out of the range the database accepts."))

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError) -> Any:
        log.error("database unavailable: %s", error.orig)
        return _payload(
            api, 503, gettext("The database is unavailable; try again shortly."), headers={"Retry-After": "5"}
        )
