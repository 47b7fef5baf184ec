"""The audit log, read within scope."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.audit.schemas import AuditEntrySchema, AuditQueryArgsSchema
from backend.api.common import READ, errors, paginate
from backend.api.context import actor, list_query, uow
from backend.core.services import audit

blp = Blueprint("audit", __name__, url_prefix="/api/audit", description="The append-only audit log.")


@blp.route("")
class AuditViews(MethodView):
    """The audit log."""

    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List audit entries in your scope, newest first"""
        items, pagination_parameters.item_count = audit.list_entries(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items
