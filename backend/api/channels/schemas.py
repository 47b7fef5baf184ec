"""Payloads of notification channels, preferences and deliveries; secrets are write-only."""

from marshmallow import Schema, fields, validate

from backend.api.common import MAX_ID, ChangesSchema, Flag, ident, sort_field, text
from backend.notify.domain.channels import SHARED_CHANNELS, ChannelKind
from backend.notify.domain.notifications import NotificationKind
from backend.notify.domain.outbox import DeliveryState

KIND_VALUES = [kind.value for kind in NotificationKind]
SHARED_VALUES = sorted(channel.value for channel in SHARED_CHANNELS)


class ChannelSchema(ChangesSchema):
    """A 企业微信 or 钉钉 group robot, or a webhook, serving a region, a project or the whole company."""

    id = fields.Integer(dump_only=True)
    channel = fields.String(required=True, validate=validate.OneOf(SHARED_VALUES))
    name = text(120, required=True)
    region_id = ident(allow_none=True)
    project_id = ident(allow_none=True)
    target = fields.String(
        load_only=True,
        validate=validate.Length(min=1, max=2000),
        metadata={
            "description": "The robot's key or access token (or its whole address), or the webhook URL."
        },
    )
    secret = fields.String(
        load_only=True,
        validate=validate.Length(max=200),
        metadata={"description": "钉钉's signing secret (SEC…) or the webhook's HMAC key. Never returned."},
    )
    clear_secret = Flag(load_only=True, metadata={"description": "Remove the signing secret."})
    target_hint = fields.String(
        dump_only=True, metadata={"description": "The webhook's host or the key's last 4."}
    )
    has_secret = fields.Method("_has_secret", dump_only=True, metadata={"type": "boolean"})
    kinds = fields.List(
        fields.String(validate=validate.OneOf(KIND_VALUES)),
        validate=validate.Length(max=len(KIND_VALUES)),
        metadata={
            "description": "Notification kinds posted here; empty: the alerts (failures, waiting requests)."
        },
    )
    locale = fields.String(validate=validate.OneOf(["zh_CN", "en"]))
    enabled = Flag()
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)

    def _has_secret(self, endpoint: object) -> bool:
        return bool(getattr(endpoint, "secret_encrypted", None))


class ChannelQueryArgsSchema(Schema):
    """Filters for the channel list."""

    channel = fields.String(validate=validate.OneOf(SHARED_VALUES))
    project_id = ident()
    sort = sort_field("name", "created_at")


class DeliverySchema(Schema):
    """One notification on one channel to one recipient, and how its delivery went."""

    id = fields.Integer()
    notification_id = fields.Integer(allow_none=True)
    channel = fields.Enum(ChannelKind, by_value=True)
    user_id = fields.Integer(allow_none=True)
    endpoint_id = fields.Integer(allow_none=True)
    kind = fields.Enum(NotificationKind, by_value=True)
    locale = fields.String()
    project_id = fields.Integer(allow_none=True)
    state = fields.Enum(DeliveryState, by_value=True)
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    provider_message_id = fields.String(allow_none=True)
    resend_of_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)


class DeliveryQueryArgsSchema(Schema):
    """Filters for the delivery log."""

    mine = fields.Boolean(
        load_default=False, metadata={"description": "Only deliveries to you (anyone may ask)."}
    )
    state = fields.Enum(DeliveryState, by_value=True)
    channel = fields.Enum(ChannelKind, by_value=True)
    kind = fields.Enum(NotificationKind, by_value=True)
    notification_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    project_id = ident()


class PreferencesSchema(Schema):
    """How you want to be reached: channels per kind beyond the inbox, quiet hours, a mobile number."""

    channels = fields.Dict(
        keys=fields.String(validate=validate.OneOf(KIND_VALUES)),
        values=fields.List(
            fields.String(validate=validate.OneOf(["web_push", "email", "sms"])),
            validate=validate.Length(max=3),
        ),
        required=True,
        metadata={
            "description": "Per kind, the channels beyond the inbox; kinds left out keep their defaults."
        },
    )
    timezone = fields.String(load_default="Asia/Shanghai", validate=validate.Length(min=1, max=64))
    quiet_start = fields.String(
        allow_none=True, validate=validate.Length(max=5), metadata={"example": "22:00"}
    )
    quiet_end = fields.String(allow_none=True, validate=validate.Length(max=5), metadata={"example": "07:30"})
    locale = fields.String(
        validate=validate.OneOf(["zh_CN", "en"]),
        metadata={"description": "The language of your notifications (and of the app)."},
    )
    mobile = fields.String(
        allow_none=True, validate=validate.Length(max=20), metadata={"example": "+8613800138000"}
    )


class PreferenceTestSchema(Schema):
    """The channel to send yourself a test message on."""

    channel = fields.Enum(ChannelKind, by_value=True, required=True)
