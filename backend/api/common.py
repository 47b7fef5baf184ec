"""Building blocks shared by the resource packages: fields, list arguments, documented errors."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import UTC
from http import HTTPStatus
from typing import Any, ClassVar

import flask
import marshmallow as ma
from flask_smorest import Blueprint
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from backend.core.domain.errors import N_, ValidationFailed
from backend.core.domain.listing import MAX_PAGE

# Request bodies are made of the same kinds of value as command args (some bodies are command args).
from sync.fields import MAX_ID, BoundedAwareDateTime, Flag, decimal, ident, text

__all__ = [
    "CODE_PATTERN",
    "MAX_ID",
    "READ",
    "READ_ONE",
    "WRITE",
    "WRITE_ONE",
    "ChangesSchema",
    "Flag",
    "TimestampsSchema",
    "UploadBlueprint",
    "aware_datetime",
    "code",
    "decimal",
    "errors",
    "ident",
    "paginate",
    "patch_body",
    "sort_field",
    "text",
]

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


def code(max_length: int, **kwargs: Any) -> fields.String:
    """A short identifier printed on labels and reports: letters, digits, dot, dash, underscore."""
    return fields.String(
        validate=[
            validate.Length(min=1, max=max_length),
            validate.Regexp(CODE_PATTERN, error="Use letters, digits, '.', '-' and '_' only."),
        ],
        **kwargs,
    )


def patch_body(schema: type[Schema]) -> Schema:
    """The schema as a PATCH body: top-level fields optional, nested items still complete."""
    return schema(partial=tuple(schema._declared_fields))


class WithheldFieldsSchema(Schema):
    """A body that refuses some fields by name, saying how they change instead (`WITHHELD`: name -> why)."""

    WITHHELD: ClassVar[Mapping[str, str]] = {}

    @pre_load
    def _refuse_withheld(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, Mapping):
            found = {name: [why] for name, why in self.WITHHELD.items() if name in data}
            if found:
                raise ValidationError(found)
        return data


def aware_datetime(**kwargs: Any) -> fields.AwareDateTime:
    """An ISO 8601 time between 1970 and 2099; without an offset it is taken as UTC."""
    return BoundedAwareDateTime(default_timezone=UTC, **kwargs)


def sort_field(*names: str) -> fields.String:
    """`sort=name,-created_at`: fields in order, '-' for descending."""
    pattern = r"^-?(%s)(,-?(%s))*$" % ("|".join(names), "|".join(names))  # noqa: UP031
    return fields.String(
        validate=validate.Regexp(pattern, error=f"Sort by comma-separated fields of: {', '.join(names)}."),
        metadata={"description": f"Comma-separated; '-' for descending. Fields: {', '.join(names)}."},
    )


class ChangesSchema(Schema):
    """A resource's fields; as a PATCH body, at least one field must be sent."""

    @validates_schema(pass_original=True)
    def _changes_given(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        if self.partial and not original_data:
            raise ValidationError("Send at least one field to change.")


class TimestampsSchema(ChangesSchema):
    """Creation and last-change times; as a PATCH body, at least one field must be sent."""

    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


def errors(blp: Blueprint, *codes: int) -> Callable[[Any], Any]:
    """Document the error responses a view can give, all in the one error shape."""

    def decorate(view: Any) -> Any:
        for status in codes:
            view = blp.alt_response(status, schema=ErrorSchema, description=HTTPStatus(status).phrase)(view)
        return view

    return decorate


def paginate(blp: Blueprint) -> Callable[[Any], Any]:
    """Page-numbered lists with the total in the X-Pagination header; pages run from 1 to MAX_PAGE."""
    smorest: Callable[[Any], Any] = blp.paginate(page=1, page_size=50, max_page_size=500)

    def decorate(view: Callable[..., Any]) -> Any:
        @functools.wraps(view)
        def bounded(*args: Any, pagination_parameters: Any, **kwargs: Any) -> Any:
            if pagination_parameters.page > MAX_PAGE:
                raise ValidationFailed.single("page", N_("Page numbers run from 1 to 1000000."))
            return view(*args, pagination_parameters=pagination_parameters, **kwargs)

        return smorest(bounded)

    return decorate


# Errors every signed-in endpoint may answer.
READ = (401, 403)
READ_ONE = (401, 403, 404)
WRITE = (400, 401, 403, 409, 422)
WRITE_ONE = (400, 401, 403, 404, 409, 422)


class _MultipartParser(FlaskParser):
    """Reads a multipart body's form fields and files together, as one set of arguments."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: flask.Request, schema: ma.Schema) -> Any:
        """Form values and files of the request."""
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class UploadBlueprint(Blueprint):  # type: ignore[misc]
    """A blueprint whose `multipart` arguments are documented as one multipart/form-data body."""

    ARGUMENTS_PARSER = _MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict[str, str]] = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }
