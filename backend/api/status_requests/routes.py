"""Field status change requests: file, list, read, confirm, reject, cancel."""

from datetime import timedelta
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate
from backend.api.context import actor, label_settings, list_query, now, uow
from backend.api.status_requests.schemas import (
    CancelSchema,
    ConfirmSchema,
    RejectSchema,
    StatusRequestCreateSchema,
    StatusRequestQueryArgsSchema,
    StatusRequestSchema,
)
from backend.field.services import status_requests

blp = Blueprint(
    "status_requests",
    __name__,
    url_prefix="/api/status-requests",
    description="Field status changes that take effect when a second person confirms them on site.",
)


@blp.route("")
class StatusRequestViews(MethodView):
    """The request collection."""

    @blp.arguments(StatusRequestQueryArgsSchema, location="query")
    @blp.response(200, StatusRequestSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List status change requests of your projects"""
        waiting = bool(args.pop("waiting_for_me", False))
        items, pagination_parameters.item_count = status_requests.list_requests(
            list_query(args, pagination_parameters), waiting, actor(), uow(), now()
        )
        return items

    @blp.arguments(StatusRequestCreateSchema)
    @blp.response(201, StatusRequestSchema)
    @errors(blp, *WRITE, 404)
    def post(self, values: dict[str, Any]) -> Any:
        """File a status change for an asset, with evidence"""
        return status_requests.submit_request(values, actor(), uow(), now())


@blp.route("/<id:request_id>")
class StatusRequestByIdViews(MethodView):
    """One request."""

    @blp.response(200, StatusRequestSchema)
    @errors(blp, *READ_ONE)
    def get(self, request_id: int) -> Any:
        """Read a request with its evidence"""
        return status_requests.get_request(request_id, actor(), uow(), now())


@blp.route("/<id:request_id>/confirm")
class StatusRequestConfirmViews(MethodView):
    """Confirming a request applies the change."""

    @blp.arguments(ConfirmSchema)
    @blp.response(200, StatusRequestSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any], request_id: int) -> Any:
        """Confirm a request on site (label scan and GPS fix) or remotely where allowed"""
        evidence = status_requests.Confirmation(**body)
        settings = label_settings()
        cooldown = timedelta(hours=current_app.config["CONFIRM_COOLDOWN_AFTER_FENCE_CHANGE_HOURS"])
        return status_requests.confirm_request(
            request_id, evidence, settings, actor(), uow(), now(), cooldown=cooldown
        )


@blp.route("/<id:request_id>/reject")
class StatusRequestRejectViews(MethodView):
    """Rejecting a request leaves the asset as it is."""

    @blp.arguments(RejectSchema)
    @blp.response(200, StatusRequestSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any], request_id: int) -> Any:
        """Reject a request with a reason"""
        return status_requests.reject_request(request_id, body["reason"], actor(), uow(), now())


@blp.route("/<id:request_id>/cancel")
class StatusRequestCancelViews(MethodView):
    """The applicant withdraws a request."""

    @blp.arguments(CancelSchema, required=False)
    @blp.response(200, StatusRequestSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, _body: dict[str, Any], request_id: int) -> Any:
        """Cancel your own pending request"""
        return status_requests.cancel_request(request_id, actor(), uow(), now())
