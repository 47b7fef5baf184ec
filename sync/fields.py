"""The kinds of value command args are made of; the back office's request bodies are made of the same.

Ids, bounded text, decimals sent as strings, strict booleans, times with an offset, SHA-256 hashes, and
`ArgsSchema`, which refuses a field it does not list by naming the ones it accepts. Plain marshmallow, no
Flask: the sync push and the endpoints of the back office load their input with these.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from backend.core.domain.errors import N_, Message
from backend.core.domain.times import OUT_OF_RANGE_TIME, in_accepted_range

MAX_ID = 2**31 - 1  # the largest id the database holds
MAX_PHOTOS = 50  # photos cited by one piece of evidence

# Control characters other than tab and newlines (PostgreSQL refuses NUL outright).
NO_CONTROL_CHARACTERS = validate.Regexp(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", error="Control characters are not accepted."
)
SHA256 = validate.Regexp(
    r"^[0-9a-f]{64}$", error=N_("Give the SHA-256 of the photo's bytes as 64 lower-case hex digits.")
)


def text(max_length: int, *, min_length: int = 1, **kwargs: Any) -> fields.String:
    """A string of bounded length without control characters (PostgreSQL refuses NUL)."""
    length = validate.Length(min=min_length, max=max_length)
    return fields.String(validate=[length, NO_CONTROL_CHARACTERS], **kwargs)


def ident(*, in_query: bool = False, **kwargs: Any) -> fields.Integer:
    """A database id: a JSON integer in bodies, digits in query strings."""
    return fields.Integer(strict=not in_query, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def decimal(places: int, minimum: int, maximum: int, **kwargs: Any) -> fields.Decimal:
    """A decimal sent and returned as a string, e.g. "120.50" (never a float), within bounds."""

    def within_bounds(value: Any) -> None:
        if not minimum <= value <= maximum:
            raise ValidationError(f"Must lie between {minimum} and {maximum}.")

    metadata = kwargs.pop("metadata", {})
    documented = {
        # apispec documents every Decimal as a JSON number; ours travel as strings (null added by apispec).
        "type": "string",
        "format": "decimal",
        "description": " ".join(
            filter(None, [metadata.get("description"), f"Between {minimum} and {maximum}."])
        ),
    }
    # A callable, not validate.Range, which apispec would print as string bounds of a number.
    return fields.Decimal(
        places=places, as_string=True, validate=within_bounds, metadata=metadata | documented, **kwargs
    )


class BoundedAwareDateTime(fields.AwareDateTime):
    """An ISO 8601 time with an offset, between 1970 and the end of 2099 in UTC."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE_TIME}

    def __init__(self, *, default_timezone: tzinfo | None = None, **kwargs: Any) -> None:
        metadata = kwargs.pop("metadata", {})
        bounds = "Between 1970-01-01T00:00:00Z and 2099-12-31T23:59:59Z."
        metadata = metadata | {"description": " ".join(filter(None, [metadata.get("description"), bounds]))}
        super().__init__(default_timezone=default_timezone, metadata=metadata, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not in_accepted_range(moment):
            raise self.make_error("out_of_range")
        return moment


def aware_time(**kwargs: Any) -> fields.AwareDateTime:
    """An ISO 8601 time with its offset; one without an offset is refused (whose clock was it?)."""
    return BoundedAwareDateTime(**kwargs)


def sha256(**kwargs: Any) -> fields.String:
    """The SHA-256 of a photo's bytes, as 64 lower-case hex digits."""
    return fields.String(validate=SHA256, **kwargs)


def photo_hashes(maximum: int = MAX_PHOTOS, **kwargs: Any) -> fields.List[Any]:
    """The photos a piece of evidence cites, each by its SHA-256 (uploaded before or after)."""
    return fields.List(sha256(), validate=validate.Length(max=maximum), **kwargs)


class Flag(fields.Boolean):
    """A JSON true or false; 0, 1 and "yes" are refused (Python would take 0 for False)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class ByKey(fields.Dict):
    """A mapping of keys to values whose errors name the key, as a field's do: `{"k": {"photos": …}}`.

    (marshmallow's own say whether the key or the value was wrong: `{"k": {"value": {"photos": …}}}`.)
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[Any, Any]:
        try:
            # marshmallow leaves Mapping._deserialize unannotated
            loaded: dict[Any, Any] = super()._deserialize(value, attr, data, **kwargs)  # type: ignore[no-untyped-call]
        except ValidationError as error:
            if not isinstance(error.messages, Mapping):
                raise
            by_key = {key: part.get("key", part.get("value")) for key, part in error.messages.items()}
            raise ValidationError(by_key, valid_data=error.valid_data) from None
        return loaded


class ArgsSchema(Schema):
    """Args of a command or a request body: a field it does not list is refused, naming those it accepts."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        accepted = ", ".join(field.data_key or name for name, field in self.load_fields.items())
        unknown = (
            Message(N_("Unknown field; accepted: %(accepted)s."), accepted=accepted)
            if accepted
            else N_("Unknown field; none is accepted here.")
        )
        self.error_messages = {**self.error_messages, "unknown": unknown}
