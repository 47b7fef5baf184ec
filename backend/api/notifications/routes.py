"""Your in-app notifications: list, mark read."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, errors, paginate
from backend.api.context import actor, now, uow
from backend.api.notifications.schemas import NotificationQueryArgsSchema, NotificationSchema, ReadAllSchema
from backend.notify.services import notifications

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/notifications",
    description="Your inbox: failed generations, approvals waiting for you, decisions on your requests.",
)


@blp.route("")
class NotificationViews(MethodView):
    """Your notifications."""

    @blp.arguments(NotificationQueryArgsSchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List your notifications, newest first"""
        items, pagination_parameters.item_count = notifications.list_mine(
            actor(), uow(), args["unread"], pagination_parameters.page, pagination_parameters.page_size
        )
        return items


@blp.route("/<id:notification_id>/read")
class NotificationReadViews(MethodView):
    """Reading one."""

    @blp.response(200, NotificationSchema)
    @errors(blp, *READ_ONE)
    def post(self, notification_id: int) -> Any:
        """Mark one of your notifications read"""
        return notifications.mark_read(notification_id, actor(), uow(), now())


@blp.route("/read-all")
class NotificationReadAllViews(MethodView):
    """Reading all."""

    @blp.response(200, ReadAllSchema)
    @errors(blp, *READ)
    def post(self) -> Any:
        """Mark all your notifications read"""
        return {"marked": notifications.mark_all_read(actor(), uow(), now())}
