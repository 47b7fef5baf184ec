"""Receivables reports and the billing run by hand."""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, WRITE, errors
from backend.api.context import actor, now, uow
from backend.api.receivables.schemas import (
    AgingQueryArgsSchema,
    AgingSchema,
    BillingRunRequestSchema,
    BillingRunSchema,
    StatementOfAccountSchema,
    StatementQueryArgsSchema,
)
from backend.receivables.services import billing, reports

blp = Blueprint(
    "receivables",
    __name__,
    url_prefix="/api/receivables",
    description="Aging, statements of account, billing.",
)
HEAD_OFFICE_ZONE = ZoneInfo("Asia/Shanghai")


@blp.route("/aging")
class AgingViews(MethodView):
    """Aging of open charges."""

    @blp.arguments(AgingQueryArgsSchema, location="query")
    @blp.response(200, AgingSchema)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Age the open charges you may see, per customer, in the dunning tiers' buckets"""
        as_of = args.pop("as_of", None) or datetime.now(UTC).astimezone(HEAD_OFFICE_ZONE).date()
        return reports.aging_report(args, as_of, actor(), uow())


@blp.route("/statements/<id:customer_id>")
class StatementViews(MethodView):
    """A customer's statement of account."""

    @blp.arguments(StatementQueryArgsSchema, location="query")
    @blp.response(200, StatementOfAccountSchema)
    @errors(blp, *READ_ONE, 422)
    def get(self, args: dict[str, Any], customer_id: int) -> Any:
        """A customer's documents between two dates with opening and closing balances"""
        return reports.statement_of_account(customer_id, args["start"], args["end"], actor(), uow())


@blp.route("/billing-runs")
class BillingRunViews(MethodView):
    """Billing runs started by hand."""

    @blp.arguments(BillingRunRequestSchema)
    @blp.response(201, BillingRunSchema)
    @errors(blp, *WRITE, 404)
    def post(self, values: dict[str, Any]) -> Any:
        """Bill one project now (the nightly run does the same; running twice issues nothing twice)"""
        return billing.run_billing(values["project_id"], actor(), uow(), now())
