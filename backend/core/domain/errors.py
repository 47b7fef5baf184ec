"""Domain errors; each carries the HTTP status the API maps it to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for marking messages
    """Mark a message for the translation catalogue; it is translated where it is shown."""
    return message


class Message(str):
    """A field message with values in it: reads as English, translated from its template and values."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Message:
        message = super().__new__(cls, template % params if params else template)
        message.template = template
        message.params = params
        return message


class DomainError(Exception):
    """A refused business operation with a message meant for the user; `fields` names offending fields."""

    status = 400

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        self.fields: dict[str, list[str]] = {}


class ValidationFailed(DomainError):
    """Input that breaks a business rule; `fields` names each offending field."""

    status = 422

    def __init__(self, fields: Mapping[str, Sequence[str]], message: str = N_("Invalid input.")) -> None:
        super().__init__(message)
        self.fields = {name: list(messages) for name, messages in fields.items()}

    @classmethod
    def single(cls, field: str, message: str) -> ValidationFailed:
        """An error on one field."""
        return cls({field: [message]})


class NotFound(DomainError):
    """The object does not exist or lies outside the caller's scope (never says which)."""

    status = 404

    def __init__(self, entity: str) -> None:
        super().__init__(N_("%(entity)s not found."), entity=entity)


class Forbidden(DomainError):
    """The caller's roles do not allow the operation at all."""

    status = 403


class AuthenticationRequired(DomainError):
    """No valid session or device token."""

    status = 401


class Gone(DomainError):
    """What the caller refers to no longer exists here for good (e.g. a pruned sync position)."""

    status = 410


class Conflict(DomainError):
    """The operation clashes with the current state (duplicates, references, versions)."""

    status = 409

    @classmethod
    def on_fields(cls, fields: Mapping[str, Sequence[str]]) -> Conflict:
        """Values other records already hold, by field."""
        conflict = cls(N_("A record with the same unique value already exists."))
        conflict.fields = {name: list(messages) for name, messages in fields.items()}
        return conflict


class RateLimited(DomainError):
    """Too many attempts; `retry_after` says how many seconds to wait."""

    status = 429

    def __init__(self, message: str, retry_after: int, **params: Any) -> None:
        super().__init__(message, **params)
        self.retry_after = retry_after


class PayloadTooLarge(DomainError):
    """The request body is larger than the operation accepts."""

    status = 413


class UnsupportedMediaType(DomainError):
    """The request body is not of a type the operation accepts."""

    status = 415
