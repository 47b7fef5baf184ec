"""The editable alias table and the price index series used by CPI escalations."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.codes.schemas import (
    BuiltinAliasSchema,
    CodeAliasQueryArgsSchema,
    CodeAliasSchema,
    IndexQueryArgsSchema,
    IndexValueSchema,
    IndexValuesSchema,
)
from backend.api.common import READ, WRITE, WRITE_ONE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.leasing.services import codes

blp = Blueprint(
    "codes",
    __name__,
    url_prefix="/api",
    description="Code aliases (free text → canonical codes) and price index series.",
)


@blp.route("/code-aliases")
class CodeAliasViews(MethodView):
    """The editable aliases."""

    @blp.arguments(CodeAliasQueryArgsSchema, location="query")
    @blp.response(200, CodeAliasSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the aliases added by your organisation"""
        items, pagination_parameters.item_count = codes.list_aliases(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(CodeAliasSchema)
    @blp.response(201, CodeAliasSchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Add an alias"""
        return codes.create_alias(values, actor(), uow())


@blp.route("/code-aliases/builtin")
class BuiltinAliasViews(MethodView):
    """Aliases shipped with the product."""

    @blp.response(200, BuiltinAliasSchema(many=True))
    @errors(blp, *READ)
    def get(self) -> Any:
        """List the built-in aliases"""
        return codes.builtin_aliases(actor())


@blp.route("/code-aliases/<id:alias_id>")
class CodeAliasByIdViews(MethodView):
    """One alias."""

    @blp.response(204)
    @errors(blp, 401, 403, 404)
    def delete(self, alias_id: int) -> None:
        """Remove an alias"""
        codes.delete_alias(alias_id, actor(), uow())


@blp.route("/price-indexes")
class IndexViews(MethodView):
    """Stored index values."""

    @blp.arguments(IndexQueryArgsSchema, location="query")
    @blp.response(200, IndexValueSchema(many=True))
    @errors(blp, *READ)
    def get(self, args: dict[str, Any]) -> Any:
        """List stored price index values"""
        return codes.list_index_values(args.get("series"), actor(), uow())


@blp.route("/price-indexes/<string(minlength=1, maxlength=32):series>")
class IndexBySeriesViews(MethodView):
    """One series."""

    @blp.arguments(IndexValuesSchema)
    @blp.response(200, IndexValueSchema(many=True))
    @errors(blp, *WRITE_ONE)
    def put(self, values: dict[str, Any], series: str) -> Any:
        """Store or correct monthly values of a price index series"""
        return codes.set_index_values(series, values["values"], actor(), uow(), now())
