"""Credit notes: list, issue against a charge."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, WRITE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.api.credit_notes.schemas import CreditNoteQueryArgsSchema, CreditNoteSchema
from backend.receivables.services import ledger

blp = Blueprint(
    "credit_notes", __name__, url_prefix="/api/credit-notes", description="Credit notes against charges."
)


@blp.route("")
class CreditNoteViews(MethodView):
    """The credit note collection."""

    @blp.arguments(CreditNoteQueryArgsSchema, location="query")
    @blp.response(200, CreditNoteSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List credit notes of your projects"""
        items, pagination_parameters.item_count = ledger.list_credit_notes(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(CreditNoteSchema)
    @blp.response(201, CreditNoteSchema)
    @errors(blp, *WRITE, 404)
    def post(self, values: dict[str, Any]) -> Any:
        """Credit part or all of what is open of a charge"""
        return ledger.issue_credit_note(values, actor(), uow(), now())
