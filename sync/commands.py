"""The sync commands: each name's args schema, its versions, and the adapters from older args.

A command's schema is the one definition of its args. The push decodes with it, and the back office's
endpoint of the same use case loads its body with it (less what that endpoint's path names, plus what only
the web sends), so both accept and refuse the same input and the OpenAPI document shows it. Decoding gives
the values the services take (Decimal, aware datetime, enums, GpsReading) or raises ValidationFailed naming
each field by its dotted path (`gps.latitude`). Old versions keep working: `upgrades[v]` turns version v's
args into version v + 1's, applied until the newest version, which alone has a schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate
from marshmallow.exceptions import SCHEMA

from backend.core.domain.errors import ValidationFailed
from backend.field.domain.inspections import MAX_PHOTOS_PER_ANSWER
from backend.field.domain.requests import SCAN_SOURCES, WorkOrderState
from backend.field.services.status_requests import GpsReading
from backend.org.domain.org import AssetStatus
from sync.fields import ArgsSchema, ByKey, Flag, aware_time, decimal, ident, photo_hashes, sha256, text

Args = Mapping[str, Any]
MAX_NOTE = 4000
MAX_REASON = 1000
MAX_METER_VALUE = 10**10  # within the work order's meter column (14 digits, 3 of them decimals)


class UnknownCommand(Exception):
    """A command name, or a version of it, this server does not know."""


class TargetType(StrEnum):
    """What a photo can be attached to."""

    STATUS_REQUEST = "status_request"
    INSPECTION = "inspection"


class WorkOrderAction(StrEnum):
    """The moves a phone may make on a work order."""

    START = "start"
    COMPLETE = "complete"
    CANCEL = "cancel"


ACTION_TARGET = {
    WorkOrderAction.START: WorkOrderState.IN_PROGRESS,
    WorkOrderAction.COMPLETE: WorkOrderState.DONE,
    WorkOrderAction.CANCEL: WorkOrderState.CANCELLED,
}


def _optional_text(max_length: int, **kwargs: Any) -> fields.String:
    return text(max_length, load_default=None, allow_none=True, **kwargs)


# Parts of several commands --------------------------------------------------------------------------


class GpsPositionSchema(ArgsSchema):
    """Where the phone was, and how sure it was of it."""

    latitude = decimal(6, -90, 90, required=True)
    longitude = decimal(6, -180, 180, required=True)
    accuracy_m = decimal(1, 0, 100_000, required=True, metadata={"description": "Radius in metres."})


class GpsFixSchema(GpsPositionSchema):
    """A GPS fix as the phone took it."""

    captured_at = aware_time(required=True, metadata={"description": "The device clock."})

    @post_load
    def _reading(self, data: dict[str, Any], **kwargs: Any) -> GpsReading:
        return GpsReading(**data)


class ReadingSchema(ArgsSchema):
    """A meter reading: the value the meter shows, in its unit."""

    value = decimal(3, 0, MAX_METER_VALUE, required=True, attribute="meter_value")
    unit = _optional_text(16, attribute="meter_unit")


class AnswerArgsSchema(ArgsSchema):
    """An answer: `value` by the item's kind, and the SHA-256 of any photos (uploaded before or after)."""

    value = fields.Raw(
        allow_none=True,
        metadata={
            "description": "pass_fail: true or false; number: a number or a decimal string; "
            "text: a string; photo: omit (send photos)."
        },
    )
    photos = photo_hashes(MAX_PHOTOS_PER_ANSWER, metadata={"description": "A photo may be uploaded later."})


# One schema per command -----------------------------------------------------------------------------


class StatusRequestArgsSchema(ArgsSchema):
    """status_change.request: a field status change with its evidence."""

    asset_id = ident(required=True)
    to_status = fields.Enum(AssetStatus, by_value=True, required=True)
    base_version = ident(
        required=True, metadata={"description": "The asset's status version the applicant saw."}
    )
    reason = text(MAX_REASON, required=True)
    note = _optional_text(MAX_NOTE)
    gps = fields.Nested(GpsFixSchema, load_default=None, allow_none=True)
    remote_reason = _optional_text(
        MAX_REASON,
        metadata={
            "description": "Why the report is made away from the asset: accepted only where the project "
            "allows remote reports; without a fix that passes the fence the report is refused otherwise."
        },
    )
    photo_hashes = photo_hashes(load_default=list)


class StatusConfirmArgsSchema(ArgsSchema):
    """status_change.confirm: on site the label scanned and a GPS fix; or remote, with a reason."""

    request_id = ident(required=True)
    scan = _optional_text(500, metadata={"description": "The text of the scanned QR label."})
    scan_source = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(SCAN_SOURCES),
        metadata={
            "description": "How the label was read: `camera` (a picture taken in the field app) or `typed` "
            "(entered or pasted). Anything but a camera read is flagged on the confirmation."
        },
    )
    gps = fields.Nested(GpsFixSchema, load_default=None, allow_none=True)
    remote = Flag(load_default=False)
    remote_reason = _optional_text(MAX_REASON)
    note = _optional_text(1000)


class StatusRejectArgsSchema(ArgsSchema):
    """status_change.reject: why the change is rejected."""

    request_id = ident(required=True)
    reason = text(MAX_REASON, required=True)


class StatusCancelArgsSchema(ArgsSchema):
    """status_change.cancel: the applicant withdraws a pending request."""

    request_id = ident(required=True)


class InspectionArgsSchema(ArgsSchema):
    """inspection.submit: the answers to a checklist by item key, the device's GPS fix and a note."""

    asset_id = ident(required=True)
    checklist_id = ident(
        load_default=None,
        allow_none=True,
        metadata={"description": "The version filled in; the active one if omitted."},
    )
    answers = ByKey(
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        values=fields.Nested(AnswerArgsSchema),
        required=True,
        metadata={"description": "By item key."},
    )
    gps = fields.Nested(GpsPositionSchema, load_default=None, allow_none=True)
    remote_reason = _optional_text(
        MAX_REASON,
        metadata={
            "description": "Why the inspection is made away from the asset, where the project allows it."
        },
    )
    note = _optional_text(MAX_NOTE)
    flag_id = ident(
        load_default=None,
        allow_none=True,
        metadata={"description": "An open IoT flag of the asset this inspection answers."},
    )

    @post_load
    def _position(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """The service takes the fix's parts as the inspection's own fields."""
        position = data.pop("gps", None) or {}
        return data | {name: position.get(name) for name in ("latitude", "longitude", "accuracy_m")}


class WorkOrderMoveArgsSchema(ArgsSchema):
    """work_order.update: start, complete or cancel a work order; completing a meter reading gives it."""

    work_order_id = ident(required=True)
    action = fields.Enum(WorkOrderAction, by_value=True, required=True)
    note = _optional_text(MAX_NOTE)
    reading = fields.Nested(ReadingSchema, load_default=None, allow_none=True)

    @post_load
    def _reading(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """The service takes the reading's parts as the work order's own fields."""
        reading = data.pop("reading", None) or {}
        return data | {"meter_value": None, "meter_unit": None} | reading


class PhotoAttachArgsSchema(ArgsSchema):
    """photo.attach: a photo added to your status request, or to an answer of your inspection."""

    photo_hash = sha256(required=True)
    target_type = fields.Enum(TargetType, by_value=True, required=True)
    target_id = ident(required=True)
    item_key = _optional_text(64, metadata={"description": "An inspection's: the answer the photo is of."})


class MeterReadingArgsSchema(ReadingSchema):
    """meter_reading.record: a reading of an asset's meter, completing its meter reading work order."""

    asset_id = ident(required=True)
    work_order_id = ident(
        load_default=None,
        allow_none=True,
        metadata={"description": "The work order it completes; the asset's oldest open one if omitted."},
    )


# The registry -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandSpec:
    """One command name: its newest version, that version's args schema, the adapters from older ones."""

    latest: int
    args: type[ArgsSchema]
    upgrades: Mapping[int, Callable[[Args], Args]] = field(default_factory=dict)

    def versions(self) -> frozenset[int]:
        """Every version a phone may send."""
        return frozenset({self.latest, *self.upgrades})

    @cached_property
    def _schema(self) -> ArgsSchema:
        return self.args()

    def decode(self, args: Args) -> dict[str, Any]:
        """The newest version's args as the service takes them."""
        try:
            values: dict[str, Any] = self._schema.load(args)
        except ValidationError as error:
            raise ValidationFailed(dict(_by_path(error.messages))) from None
        return values


def _by_path(messages: Any, path: str = "") -> Iterator[tuple[str, list[str]]]:
    """marshmallow's nested messages by dotted path, as the wire names fields (`answers.leaks.photos.0`).

    A nested field's `_schema` messages (not an object at all) are the field's own.
    """
    if not isinstance(messages, Mapping):
        yield path, list(messages)
        return
    for key, inner in messages.items():
        if key == SCHEMA and path:
            yield from _by_path(inner, path)
        else:
            yield from _by_path(inner, f"{path}.{key}" if path else str(key))


COMMANDS: Mapping[str, CommandSpec] = {
    "status_change.request": CommandSpec(1, StatusRequestArgsSchema),
    "status_change.confirm": CommandSpec(1, StatusConfirmArgsSchema),
    "status_change.reject": CommandSpec(1, StatusRejectArgsSchema),
    "status_change.cancel": CommandSpec(1, StatusCancelArgsSchema),
    "inspection.submit": CommandSpec(1, InspectionArgsSchema),
    "work_order.update": CommandSpec(1, WorkOrderMoveArgsSchema),
    "photo.attach": CommandSpec(1, PhotoAttachArgsSchema),
    "meter_reading.record": CommandSpec(1, MeterReadingArgsSchema),
}


def decode_args(name: str, version: int, args: Args) -> dict[str, Any]:
    """A command's args as the service takes them, upgraded from an older version first."""
    spec = COMMANDS.get(name)
    if spec is None or version not in spec.versions():
        raise UnknownCommand(f"{name} v{version}")
    while version < spec.latest:
        args = spec.upgrades[version](args)
        version += 1
    return spec.decode(args)
