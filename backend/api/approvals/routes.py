"""Four-eyes approvals: list, read, approve, reject, cancel."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.approvals.schemas import ApprovalQueryArgsSchema, ApprovalSchema, DecisionSchema
from backend.api.common import READ, READ_ONE, WRITE_ONE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.core.domain.approvals import Decision
from backend.core.services import approvals

blp = Blueprint(
    "approvals",
    __name__,
    url_prefix="/api/approvals",
    description="Four-eyes approvals: changes that take effect only when a second person agrees.",
)


@blp.route("")
class ApprovalViews(MethodView):
    """The approval collection."""

    @blp.arguments(ApprovalQueryArgsSchema, location="query")
    @blp.response(200, ApprovalSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List approvals of your projects"""
        items, pagination_parameters.item_count = approvals.list_approvals(
            list_query(args, pagination_parameters), actor(), uow(), now()
        )
        return items


@blp.route("/<id:approval_id>")
class ApprovalByIdViews(MethodView):
    """One approval."""

    @blp.response(200, ApprovalSchema)
    @errors(blp, *READ_ONE)
    def get(self, approval_id: int) -> Any:
        """Read an approval"""
        return approvals.get_approval(approval_id, actor(), uow(), now())


def _decide(approval_id: int, decision: Decision, values: dict[str, Any]) -> Any:
    return approvals.decide(approval_id, decision, values.get("note"), actor(), uow(), now())


@blp.route("/<id:approval_id>/approve")
class ApprovalApproveViews(MethodView):
    """Approving."""

    @blp.arguments(DecisionSchema)
    @blp.response(200, ApprovalSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], approval_id: int) -> Any:
        """Approve a change someone else asked for"""
        return _decide(approval_id, Decision.APPROVE, values)


@blp.route("/<id:approval_id>/reject")
class ApprovalRejectViews(MethodView):
    """Rejecting."""

    @blp.arguments(DecisionSchema)
    @blp.response(200, ApprovalSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], approval_id: int) -> Any:
        """Reject a change, saying why"""
        return _decide(approval_id, Decision.REJECT, values)


@blp.route("/<id:approval_id>/cancel")
class ApprovalCancelViews(MethodView):
    """Withdrawing."""

    @blp.arguments(DecisionSchema)
    @blp.response(200, ApprovalSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], approval_id: int) -> Any:
        """Withdraw a change you asked for"""
        return _decide(approval_id, Decision.CANCEL, values)
