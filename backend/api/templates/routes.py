"""Contract templates: list, create, read, change."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate, patch_body
from backend.api.context import actor, list_query, uow
from backend.api.templates.schemas import TemplateQueryArgsSchema, TemplateSchema
from backend.leasing.services import leases

blp = Blueprint(
    "templates",
    __name__,
    url_prefix="/api/contract-templates",
    description="Contract templates: required fields and default terms per contract type.",
)


@blp.route("")
class TemplateViews(MethodView):
    """The template collection."""

    @blp.arguments(TemplateQueryArgsSchema, location="query")
    @blp.response(200, TemplateSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List contract templates"""
        items, pagination_parameters.item_count = leases.list_templates(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(TemplateSchema)
    @blp.response(201, TemplateSchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Add a contract template"""
        return leases.create_template(values, actor(), uow())


@blp.route("/<id:template_id>")
class TemplateByIdViews(MethodView):
    """One template."""

    @blp.response(200, TemplateSchema)
    @errors(blp, *READ_ONE)
    def get(self, template_id: int) -> Any:
        """Read a contract template"""
        return leases.get_template(template_id, actor(), uow())

    @blp.arguments(patch_body(TemplateSchema))
    @blp.response(200, TemplateSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, changes: dict[str, Any], template_id: int) -> Any:
        """Change a contract template (existing leases keep their terms)"""
        return leases.update_template(template_id, changes, actor(), uow())
