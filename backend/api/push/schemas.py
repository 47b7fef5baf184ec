"""Web Push payloads: the browser's subscription as PushSubscription.toJSON() gives it."""

from marshmallow import Schema, fields

from backend.api.common import text


class PublicKeySchema(Schema):
    """The VAPID public key to pass to pushManager.subscribe() as applicationServerKey."""

    public_key = fields.String(metadata={"description": "base64url of the uncompressed P-256 point."})


class SubscriptionKeysSchema(Schema):
    """The subscription's encryption keys, base64url."""

    p256dh = text(200, required=True)
    auth = text(100, required=True)


class PushSubscriptionCreateSchema(Schema):
    """A subscription to register for the signed-in user."""

    endpoint = text(2000, required=True)
    keys = fields.Nested(SubscriptionKeysSchema, required=True)
    user_agent = text(300, min_length=0, load_default=None, allow_none=True)


class PushSubscriptionDeleteSchema(Schema):
    """Which of your subscriptions to remove."""

    endpoint = text(2000, required=True)


class PushSubscriptionSchema(Schema):
    """One of your push subscriptions (the auth secret is never shown)."""

    id = fields.Integer()
    endpoint = fields.String()
    p256dh = fields.String()
    device_id = fields.Integer(allow_none=True)
    user_agent = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    last_success_at = fields.AwareDateTime(allow_none=True)
    last_failure_at = fields.AwareDateTime(allow_none=True)
    failure_count = fields.Integer()
    disabled_at = fields.AwareDateTime(allow_none=True)
    active = fields.Method("_active", metadata={"type": "boolean"})

    def _active(self, subscription: object) -> bool:
        return getattr(subscription, "disabled_at", None) is None


class PushTestResultSchema(Schema):
    """How many test pushes were queued, one per active subscription."""

    queued = fields.Integer()
