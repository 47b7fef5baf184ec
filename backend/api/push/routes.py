"""Web Push: the VAPID public key, your subscriptions, a test push."""

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, WRITE, WRITE_ONE, errors
from backend.api.context import actor, now, uow
from backend.api.push.schemas import (
    PublicKeySchema,
    PushSubscriptionCreateSchema,
    PushSubscriptionDeleteSchema,
    PushSubscriptionSchema,
    PushTestResultSchema,
)
from backend.notify.services import web_push

blp = Blueprint(
    "push",
    __name__,
    url_prefix="/api/push",
    description="Web Push: phones and browsers woken when a request waits for you.",
)


@blp.route("/public-key")
class PushPublicKeyViews(MethodView):
    """The server's VAPID key."""

    @blp.response(200, PublicKeySchema)
    @errors(blp, *READ)
    def get(self) -> Any:
        """Read the VAPID public key to subscribe with"""
        actor()
        return {"public_key": current_app.config["VAPID_PUBLIC_KEY"]}


@blp.route("/subscriptions")
class PushSubscriptionViews(MethodView):
    """Your subscriptions."""

    @blp.response(200, PushSubscriptionSchema(many=True))
    @errors(blp, *READ)
    def get(self) -> Any:
        """List your push subscriptions"""
        return web_push.list_mine(actor(), uow())

    @blp.arguments(PushSubscriptionCreateSchema)
    @blp.response(201, PushSubscriptionSchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Register this browser's or phone's push subscription"""
        return web_push.subscribe(values, actor(), uow(), now(), current_app.config["PUSH_ALLOWED_HOSTS"])

    @blp.arguments(PushSubscriptionDeleteSchema)
    @blp.response(204)
    @errors(blp, *WRITE_ONE)
    def delete(self, values: dict[str, Any]) -> None:
        """Remove one of your push subscriptions"""
        web_push.unsubscribe(values["endpoint"], actor(), uow())


@blp.route("/test")
class PushTestViews(MethodView):
    """A test push."""

    @blp.response(202, PushTestResultSchema)
    @errors(blp, *READ)
    def post(self) -> Any:
        """Queue a test notification to your own subscriptions (sent by the worker; their health shows
        in your list of subscriptions)"""
        return web_push.send_test(actor(), uow(), now())
