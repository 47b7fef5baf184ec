"""Flask extensions, created unbound and initialised by the application factory."""

from __future__ import annotations

from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask_babel import Babel
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect
from marshmallow import Schema


def schema_name(schema: type[Schema] | Schema) -> str:
    """OpenAPI component name: the class name without `Schema`, with `Patch` for partial schemas."""
    cls = resolve_schema_cls(schema)
    assert isinstance(cls, type), "schemas are resolved one at a time"
    name = cls.__name__.removesuffix("Schema")
    if isinstance(schema, Schema) and schema.partial:
        name += "Patch"
    return name


PAGINATION_METADATA = {
    "type": "object",
    "properties": {
        name: {"type": "integer", "description": description}
        for name, description in (
            ("total", "Total number of items."),
            ("total_pages", "Total number of pages."),
            ("first_page", "First available page number."),
            ("last_page", "Last available page number."),
            ("page", "Current page number."),
            ("previous_page", "Previous page number."),
            ("next_page", "Next page number."),
        )
    },
}


class LeaseKeeperApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, documenting the X-Pagination header as the JSON text it really is."""

    def _register_pagination_header(self) -> None:
        header = {
            "description": "Pagination metadata",
            "content": {"application/json": {"schema": PAGINATION_METADATA}},
        }
        self.spec.components.header("PAGINATION", header, lazy=True)


def make_api() -> Api:
    """A fresh Api per application, so several apps (tests) never share one spec."""
    return LeaseKeeperApi(
        spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name)}
    )


csrf = CSRFProtect()
babel = Babel()
