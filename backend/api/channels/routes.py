"""Notification channels (group robots, webhooks), your preferences, the delivery log: resend and test."""

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.channels.schemas import (
    ChannelQueryArgsSchema,
    ChannelSchema,
    DeliveryQueryArgsSchema,
    DeliverySchema,
    PreferencesSchema,
    PreferenceTestSchema,
)
from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate, patch_body
from backend.api.context import actor, list_query, now, uow
from backend.notify.services import channels, outbox

blp = Blueprint(
    "channels",
    __name__,
    url_prefix="/api",
    description="Notification channels: 企业微信 / 钉钉 robots, webhooks, your preferences, every delivery.",
)


def _sealer() -> Any:
    return current_app.extensions["leasekeeper.secrets"]


def _courier() -> Any:
    return current_app.extensions["leasekeeper.outbox"]


def _allowed() -> str:
    return str(current_app.config["OUTBOUND_ALLOWED_HOSTS"])


@blp.route("/notification-channels")
class ChannelViews(MethodView):
    """The shared channels you administer."""

    @blp.arguments(ChannelQueryArgsSchema, location="query")
    @blp.response(200, ChannelSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the notification channels of the regions and projects you administer"""
        items, pagination_parameters.item_count = channels.page(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(ChannelSchema)
    @blp.response(201, ChannelSchema)
    @errors(blp, *WRITE, 404)
    def post(self, values: dict[str, Any]) -> Any:
        """Set up a group robot or webhook for a region or project"""
        return channels.create(values, actor(), uow(), _sealer(), _allowed(), now())


@blp.route("/notification-channels/<id:endpoint_id>")
class ChannelByIdViews(MethodView):
    """One shared channel."""

    @blp.response(200, ChannelSchema)
    @errors(blp, *READ_ONE)
    def get(self, endpoint_id: int) -> Any:
        """Read a notification channel (never its secrets)"""
        return channels.get(endpoint_id, actor(), uow())

    @blp.arguments(patch_body(ChannelSchema))
    @blp.response(200, ChannelSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, changes: dict[str, Any], endpoint_id: int) -> Any:
        """Change a notification channel; secrets change only when new ones are sent"""
        return channels.update(endpoint_id, changes, actor(), uow(), _sealer(), _allowed(), now())

    @blp.response(204)
    @errors(blp, *READ_ONE)
    def delete(self, endpoint_id: int) -> None:
        """Remove a notification channel"""
        channels.delete(endpoint_id, actor(), uow())


@blp.route("/notification-channels/<id:endpoint_id>/test")
class ChannelTestViews(MethodView):
    """A test message."""

    @blp.response(200, DeliverySchema)
    @errors(blp, *WRITE_ONE)
    def post(self, endpoint_id: int) -> Any:
        """Post a test message on the channel now; the delivery tells whether it arrived, or why not"""
        return channels.send_test(endpoint_id, actor(), uow(), _courier(), now())


@blp.route("/notification-preferences")
class PreferenceViews(MethodView):
    """Your notification preferences."""

    @blp.response(200, PreferencesSchema)
    @errors(blp, *READ)
    def get(self) -> Any:
        """Read your notification preferences (the defaults until you save your own)"""
        return channels.preferences(actor(), uow())

    @blp.arguments(PreferencesSchema)
    @blp.response(200, PreferencesSchema)
    @errors(blp, *WRITE)
    def put(self, values: dict[str, Any]) -> Any:
        """Save your notification preferences"""
        return channels.save_preferences(values, actor(), uow(), now())


@blp.route("/notification-preferences/test")
class PreferenceTestViews(MethodView):
    """A test message to yourself."""

    @blp.arguments(PreferenceTestSchema)
    @blp.response(200, DeliverySchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Send yourself a test message by e-mail or SMS now"""
        return channels.send_test_to_me(values["channel"], actor(), uow(), _courier(), now())


@blp.route("/deliveries")
class DeliveryViews(MethodView):
    """The delivery log."""

    @blp.arguments(DeliveryQueryArgsSchema, location="query")
    @blp.response(200, DeliverySchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List deliveries, newest first: yours, or (notification admins) those of your scope"""
        mine = args.pop("mine")
        items, pagination_parameters.item_count = outbox.page(
            actor(), uow(), args, mine, pagination_parameters.page, pagination_parameters.page_size
        )
        return items


@blp.route("/deliveries/<id:delivery_id>")
class DeliveryByIdViews(MethodView):
    """One delivery."""

    @blp.response(200, DeliverySchema)
    @errors(blp, *READ_ONE)
    def get(self, delivery_id: int) -> Any:
        """Read a delivery"""
        return outbox.get(delivery_id, actor(), uow())


@blp.route("/deliveries/<id:delivery_id>/resend")
class DeliveryResendViews(MethodView):
    """Sending again."""

    @blp.response(201, DeliverySchema)
    @errors(blp, *WRITE_ONE)
    def post(self, delivery_id: int) -> Any:
        """Queue a delivery again (a new delivery; the workers send it within seconds)"""
        return outbox.resend(delivery_id, actor(), uow(), now())
