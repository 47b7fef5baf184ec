"""Bank lines: the difference list, a person's match, unmatch or setting aside; reconciliation runs."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.bank_lines.schemas import (
    BankLineDetailSchema,
    BankLineQueryArgsSchema,
    BankLineSchema,
    IgnoreSchema,
    MatchSchema,
    ReconciliationRunRequestSchema,
    ReconciliationRunSchema,
)
from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.banking.services import reconciliation

blp = Blueprint("bank_lines", __name__, url_prefix="/api", description="Reconciling bank lines with charges.")


@blp.route("/bank-lines")
class BankLineViews(MethodView):
    """The bank line collection."""

    @blp.arguments(BankLineQueryArgsSchema, location="query")
    @blp.response(200, BankLineSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List bank lines (by default the difference list) with the rules' decisions"""
        items, pagination_parameters.item_count = reconciliation.list_lines(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items


@blp.route("/bank-lines/<id:line_id>")
class BankLineByIdViews(MethodView):
    """One bank line."""

    @blp.response(200, BankLineDetailSchema)
    @errors(blp, *READ_ONE)
    def get(self, line_id: int) -> Any:
        """Read a line with its decision, payment and candidate charges"""
        return reconciliation.get_line(line_id, actor(), uow())


@blp.route("/bank-lines/<id:line_id>/match")
class BankLineMatchViews(MethodView):
    """Matching a line by hand."""

    @blp.arguments(MatchSchema)
    @blp.response(200, BankLineDetailSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], line_id: int) -> Any:
        """Record the line as a customer's payment settling the charges given; optionally learn the payer"""
        return reconciliation.match_line(line_id, values, actor(), uow(), now())


@blp.route("/bank-lines/<id:line_id>/unmatch")
class BankLineUnmatchViews(MethodView):
    """Undoing a line's match."""

    @blp.response(200, BankLineDetailSchema)
    @errors(blp, 401, 403, 404, 409)
    def post(self, line_id: int) -> Any:
        """Undo a match: the charges reopen, the line returns to the difference list for a person"""
        return reconciliation.unmatch_line(line_id, actor(), uow(), now())


@blp.route("/bank-lines/<id:line_id>/ignore")
class BankLineIgnoreViews(MethodView):
    """Setting a line aside."""

    @blp.arguments(IgnoreSchema)
    @blp.response(200, BankLineDetailSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], line_id: int) -> Any:
        """Set a line aside with a reason (not a customer's payment)"""
        return reconciliation.ignore_line(line_id, values["reason"], actor(), uow())


@blp.route("/reconciliation-runs")
class ReconciliationRunViews(MethodView):
    """Reconciliation runs started by hand."""

    @blp.arguments(ReconciliationRunRequestSchema, required=False)
    @blp.response(201, ReconciliationRunSchema)
    @errors(blp, *WRITE, 404)
    def post(self, values: dict[str, Any]) -> Any:
        """Reconcile the open lines now (the morning run does the same)"""
        return reconciliation.run(actor(), uow(), now(), bank_account_id=values.get("bank_account_id"))
