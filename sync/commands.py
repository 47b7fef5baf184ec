"""The registry of sync commands: each name's versions, the adapters from old args, and the args decoder.

A decoder turns a command's JSON args into the values the service takes (Decimal, aware datetime, enums)
or raises ValidationFailed naming the field. Old versions keep working: `upgrades[v]` turns version v's args
into version v + 1's, applied until the newest version, which alone has a decoder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from backend.core.domain.errors import N_, Message, ValidationFailed
from backend.field.domain.requests import WorkOrderState
from backend.org.domain.org import AssetStatus

Args = Mapping[str, Any]
Decoder = Callable[[Args], dict[str, Any]]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MAX_ID = 2**31 - 1  # the largest id the database holds
E = TypeVar("E", bound=StrEnum)


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


@dataclass(frozen=True)
class CommandSpec:
    """One command name: its newest version, the adapters from older ones, and the newest args decoder."""

    latest: int
    decode: Decoder
    upgrades: Mapping[int, Callable[[Args], Args]] = field(default_factory=dict)

    def versions(self) -> frozenset[int]:
        """Every version a phone may send."""
        return frozenset({self.latest, *self.upgrades})


# Field readers: each returns the value or adds a message to `errors` under the field's name ---------------


class _Reader:
    def __init__(self, args: Args, accepted: tuple[str, ...]) -> None:
        self.args = args
        self.errors: dict[str, list[str]] = {}
        for name in sorted(set(args) - set(accepted)):
            self.errors[name] = [
                Message(
                    N_("Unknown field(s) %(unknown)s; accepted: %(accepted)s."),
                    unknown=name,
                    accepted=", ".join(accepted),
                )
            ]

    def _fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def _get(self, name: str, required: bool) -> Any:
        value = self.args.get(name)
        if value is None and required:
            self._fail(name, N_("Missing data for required field."))
        return value

    def ident(self, name: str, required: bool = True) -> int | None:
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_ID:
            self._fail(name, N_("Not a valid integer."))
            return None
        return value

    def text(self, name: str, max_length: int, required: bool = True) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self._fail(name, N_("Not a valid string."))
            return None
        if len(value) > max_length:
            self._fail(name, Message(N_("Longer than maximum length %(max)s."), max=max_length))
            return None
        return value

    def flag(self, name: str) -> bool:
        value = self._get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self._fail(name, N_("Not a valid boolean."))
            return False
        return value

    def choice(self, name: str, enum: type[E], required: bool = True) -> E | None:
        value = self._get(name, required)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            choices = ", ".join(member.value for member in enum)
            self._fail(name, Message(N_("Must be one of: %(choices)s."), choices=choices))
            return None

    def decimal(
        self, name: str, low: Decimal, high: Decimal, value: Any = None, required: bool = True
    ) -> Any:
        value = self._get(name, required) if value is None else value
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self._fail(name, N_("Not a valid number."))
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self._fail(name, N_("Not a valid number."))
            return None
        if not number.is_finite() or not low <= number <= high:
            self._fail(name, Message(N_("Must lie between %(min)s and %(max)s."), min=low, max=high))
            return None
        return number

    def time(self, name: str, value: Any) -> datetime | None:
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.utcoffset() is not None:
                return parsed
        self._fail(name, N_("Not a valid aware datetime."))
        return None

    def gps(self, name: str, with_time: bool) -> dict[str, Any] | None:
        value = self._get(name, False)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self._fail(name, N_("Not a valid mapping type."))
            return None
        keys = ("latitude", "longitude", "accuracy_m", *(("captured_at",) if with_time else ()))
        fix: dict[str, Any] = {}
        for key in keys:
            if value.get(key) is None:
                self._fail(f"{name}.{key}", N_("Missing data for required field."))
        for key in sorted(set(value) - set(keys)):
            self._fail(f"{name}.{key}", N_("Unknown field."))
        bounds = {"latitude": 90, "longitude": 180, "accuracy_m": 100_000}
        for key, bound in bounds.items():
            if value.get(key) is not None:
                low = Decimal(0) if key == "accuracy_m" else Decimal(-bound)
                fix[key] = self.decimal(f"{name}.{key}", low, Decimal(bound), value[key])
        if with_time and value.get("captured_at") is not None:
            fix["captured_at"] = self.time(f"{name}.captured_at", value["captured_at"])
        return fix

    def hashes(self, name: str) -> list[str]:
        value = self._get(name, False)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(h, str) and _SHA256.match(h) for h in value):
            self._fail(name, N_("Give the SHA-256 of the photo's bytes as 64 lower-case hex digits."))
            return []
        return list(value)

    def done(self, values: dict[str, Any]) -> dict[str, Any]:
        if self.errors:
            raise ValidationFailed(self.errors)
        return values


# Decoders of version 1 --------------------------------------------------------------------------


def _status_request(args: Args) -> dict[str, Any]:
    read = _Reader(args, ("asset_id", "to_status", "base_version", "reason", "note", "gps", "photo_hashes"))
    values = {
        "asset_id": read.ident("asset_id"),
        "to_status": read.choice("to_status", AssetStatus),
        "base_version": read.ident("base_version"),
        "reason": read.text("reason", 1000),
        "note": read.text("note", 2000, required=False),
        "gps": read.gps("gps", with_time=True),
        "photo_hashes": read.hashes("photo_hashes"),
    }
    return read.done(values)


def _status_confirm(args: Args) -> dict[str, Any]:
    read = _Reader(args, ("request_id", "scan", "gps", "remote", "remote_reason", "note"))
    values = {
        "request_id": read.ident("request_id"),
        "scan": read.text("scan", 500, required=False),
        "gps": read.gps("gps", with_time=True),
        "remote": read.flag("remote"),
        "remote_reason": read.text("remote_reason", 1000, required=False),
        "note": read.text("note", 1000, required=False),
    }
    return read.done(values)


def _status_reject(args: Args) -> dict[str, Any]:
    read = _Reader(args, ("request_id", "reason"))
    return read.done({"request_id": read.ident("request_id"), "reason": read.text("reason", 1000)})


def _status_cancel(args: Args) -> dict[str, Any]:
    read = _Reader(args, ("request_id",))
    return read.done({"request_id": read.ident("request_id")})


def _answers(read: _Reader) -> dict[str, Any]:
    value = read._get("answers", True)
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(key, str) and 0 < len(key) <= 64 and isinstance(answer, Mapping)
        for key, answer in value.items()
    ):
        read._fail("answers", N_("Not a valid mapping type."))
        return {}
    answers: dict[str, Any] = {}
    for key, answer in value.items():
        for name in sorted(set(answer) - {"value", "photos"}):
            read._fail(f"answers.{key}.{name}", N_("Unknown field."))
        photos = answer.get("photos")
        if photos is not None and not (
            isinstance(photos, list) and all(isinstance(h, str) and _SHA256.match(h) for h in photos)
        ):
            read._fail(
                f"answers.{key}.photos",
                N_("Give the SHA-256 of the photo's bytes as 64 lower-case hex digits."),
            )
        answers[key] = {name: part for name, part in answer.items() if name in {"value", "photos"}}
    return answers


def _inspection(args: Args) -> dict[str, Any]:
    read = _Reader(args, ("asset_id", "checklist_id", "answers", "gps", "note"))
    gps = read.gps("gps", with_time=False) or {}
    values = {
        "asset_id": read.ident("asset_id"),
        "checklist_id": read.ident("checklist_id", required=False),
        "answers": _answers(read),
        "note": read.text("note", 2000, required=False),
        **gps,
    }
    return read.done(values)


def _work_order(args: Args) -> dict[str, Any]:
    read = _Reader(args, ("work_order_id", "action", "note", "reading"))
    values: dict[str, Any] = {
        "work_order_id": read.ident("work_order_id"),
        "action": read.choice("action", WorkOrderAction),
        "note": read.text("note", 2000, required=False),
    }
    reading = args.get("reading")
    if reading is not None:
        if not isinstance(reading, Mapping):
            read._fail("reading", N_("Not a valid mapping type."))
        else:
            values["meter_value"] = read.decimal(
                "reading.value", Decimal(0), Decimal(10**12), reading.get("value")
            )
            if reading.get("value") is None:
                read._fail("reading.value", N_("Missing data for required field."))
            unit = reading.get("unit")
            if unit is not None and not (isinstance(unit, str) and len(unit) <= 16):
                read._fail("reading.unit", N_("Not a valid string."))
            values["meter_unit"] = unit
    return read.done(values)


def _photo_attach(args: Args) -> dict[str, Any]:
    read = _Reader(args, ("photo_hash", "target_type", "target_id", "item_key"))
    photo_hash = read.text("photo_hash", 64)
    if photo_hash is not None and not _SHA256.match(photo_hash):
        read._fail("photo_hash", N_("Give the SHA-256 of the photo's bytes as 64 lower-case hex digits."))
    values = {
        "photo_hash": photo_hash,
        "target_type": read.choice("target_type", TargetType),
        "target_id": read.ident("target_id"),
        "item_key": read.text("item_key", 64, required=False),
    }
    return read.done(values)


def _meter_reading(args: Args) -> dict[str, Any]:
    read = _Reader(args, ("asset_id", "value", "unit", "work_order_id"))
    values = {
        "asset_id": read.ident("asset_id"),
        "meter_value": read.decimal("value", Decimal(0), Decimal(10**12)),
        "meter_unit": read.text("unit", 16, required=False),
        "work_order_id": read.ident("work_order_id", required=False),
    }
    return read.done(values)


COMMANDS: Mapping[str, CommandSpec] = {
    "status_change.request": CommandSpec(1, _status_request),
    "status_change.confirm": CommandSpec(1, _status_confirm),
    "status_change.reject": CommandSpec(1, _status_reject),
    "status_change.cancel": CommandSpec(1, _status_cancel),
    "inspection.submit": CommandSpec(1, _inspection),
    "work_order.update": CommandSpec(1, _work_order),
    "photo.attach": CommandSpec(1, _photo_attach),
    "meter_reading.record": CommandSpec(1, _meter_reading),
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
