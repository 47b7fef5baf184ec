"""Notification payloads; titles are rendered in the reader's language."""

from typing import Any

from flask_babel import gettext
from marshmallow import Schema, fields

from backend.notify.domain.notifications import TITLES, NotificationKind, rendered_params


class NotificationSchema(Schema):
    """One in-app notification."""

    id = fields.Integer()
    kind = fields.Enum(NotificationKind, by_value=True)
    title = fields.Method("_title", metadata={"type": "string"})
    params = fields.Dict()
    project_id = fields.Integer(allow_none=True)
    subject_type = fields.String(allow_none=True)
    subject_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    read_at = fields.AwareDateTime(allow_none=True)

    def _title(self, notification: Any) -> str:
        params = rendered_params(notification.params or {}, gettext)
        try:
            return str(gettext(TITLES[notification.kind], **params))
        except (KeyError, ValueError):
            return str(notification.kind.value)


class NotificationQueryArgsSchema(Schema):
    """Filters for one's notifications."""

    unread = fields.Boolean(load_default=False)


class ReadAllSchema(Schema):
    """How many notifications were marked read."""

    marked = fields.Integer()
