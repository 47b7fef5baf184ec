"""The sync wire format, version 1: push and pull messages as frozen dataclasses, decoded and encoded here.

Pure data: no Flask, no SQLAlchemy. `docs/sync.md` is the reference of the format; `sync.commands` holds
the registry of command names, versions and their args.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from backend.core.domain.errors import N_, Message
from backend.core.domain.times import in_accepted_range

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS = frozenset({1})
MAX_COMMANDS = 100
MAX_BODY_BYTES = 512 * 1024
DEFAULT_PULL_LIMIT = 500
MAX_PULL_LIMIT = 1000
MAX_SEQ = 2**53
_TIME_EXAMPLE = "2026-11-23T10:00:00+08:00"

Status = Literal["applied", "duplicate", "rejected"]
Phase = Literal["snapshot", "changes"]


class ProtocolError(Exception):
    """A request that does not follow the wire format: `path` names the field, `message` what is accepted.

    The message is a translatable template (a `Message` when it carries values); the API translates it.
    """

    def __init__(self, path: str, message: str, status: int = 422) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
        self.status = status


class CursorExpired(ProtocolError):
    """The changes after this cursor were pruned from the log: the phone must download its scope again."""

    def __init__(self) -> None:
        super().__init__(
            "cursor",
            N_("This copy is too old to bring up to date: download it again (pull without a cursor)."),
            410,
        )


@dataclass(frozen=True)
class Command:
    """One queued action of a phone, as it was captured offline."""

    op_id: str
    device_seq: int
    name: str
    version: int
    args: Mapping[str, Any]
    # None when the device's clock gave a time outside 1970–2099: the command is then refused on its own
    # (a permanent rejection), so one phone with a broken clock never blocks its queue.
    captured_at: datetime | None


@dataclass(frozen=True)
class Telemetry:
    """What the phone says about itself with each push."""

    app_version: str | None = None
    pending: int | None = None


@dataclass(frozen=True)
class PushRequest:
    """A bounded batch of commands in device order."""

    protocol_version: int
    commands: tuple[Command, ...]
    telemetry: Telemetry | None = None


@dataclass(frozen=True)
class CommandResult:
    """What became of one command: applied (with its result), duplicate, or rejected (with a reason)."""

    op_id: str
    device_seq: int
    status: Status
    result: Mapping[str, Any] | None = None
    code: str | None = None
    message: str | None = None
    fields: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Stop:
    """Why a batch stopped early: a gap in the device sequence, or a transient failure."""

    reason: Literal["gap", "transient"]
    message: str
    waiting_for_seq: int | None = None
    retry_after: int | None = None


@dataclass(frozen=True)
class PushResponse:
    """Results in order, the device's last applied seq, why the batch stopped (if it did), the pull cursor."""

    results: tuple[CommandResult, ...]
    last_applied_seq: int
    stopped: Stop | None
    cursor: str


@dataclass(frozen=True)
class Change:
    """The latest state of one entity (`upsert` with data) or its disappearance from the scope (`delete`)."""

    entity: str
    id: int
    op: Literal["upsert", "delete"]
    data: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class PullPage:
    """One page of changes and the cursor to continue from."""

    changes: tuple[Change, ...]
    cursor: str
    has_more: bool


@dataclass(frozen=True)
class Cursor:
    """Where a pull stands: the phase, the snapshot position (entity, last id), the server seq, the scope."""

    phase: Phase
    seq: int
    entity: int = 0
    last_id: int = 0
    scope: str = ""


# Decoding -----------------------------------------------------------------------------------------


def _integer(value: object, path: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_SEQ:
        raise ProtocolError(
            path, Message(N_("Give an integer from %(min)s to %(max)s."), min=minimum, max=MAX_SEQ)
        )
    return value


def _string(value: object, path: str, max_length: int) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= max_length:
        raise ProtocolError(
            path, Message(N_("Give a non-empty string of at most %(max)s characters."), max=max_length)
        )
    return value


def _aware_time(value: object, path: str) -> datetime:
    message = Message(N_("Give an ISO 8601 time with a UTC offset, e.g. %(example)s."), example=_TIME_EXAMPLE)
    if not isinstance(value, str):
        raise ProtocolError(path, message)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ProtocolError(path, message) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ProtocolError(path, message)
    return parsed


def _only(body: Mapping[str, Any], accepted: Sequence[str], path: str) -> None:
    unknown = sorted(set(body) - set(accepted))
    if unknown:
        where = f"{path}.{unknown[0]}" if path else unknown[0]
        raise ProtocolError(
            where, Message(N_("Unknown field; accepted: %(accepted)s."), accepted=", ".join(accepted))
        )


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProtocolError(path, N_("Give a JSON object."))
    return value


def decode_command(value: object, path: str) -> Command:
    """One command of a push; the args are checked later, by the command's own decoder."""
    body = _object(value, path)
    _only(body, ("op_id", "device_seq", "name", "version", "args", "captured_at"), path)
    for name in ("op_id", "device_seq", "name", "version", "args", "captured_at"):
        if name not in body:
            raise ProtocolError(f"{path}.{name}", N_("Missing data for required field."))
    op_id = _string(body["op_id"], f"{path}.op_id", 36)
    try:
        uuid.UUID(op_id)
    except ValueError:
        raise ProtocolError(f"{path}.op_id", N_("Give a UUID made by the device.")) from None
    return Command(
        op_id=op_id,
        device_seq=_integer(body["device_seq"], f"{path}.device_seq", 1),
        name=_string(body["name"], f"{path}.name", 64),
        version=_integer(body["version"], f"{path}.version", 1),
        args=_object(body["args"], f"{path}.args"),
        captured_at=_accepted_time(_aware_time(body["captured_at"], f"{path}.captured_at")),
    )


def _accepted_time(moment: datetime) -> datetime | None:
    return moment if in_accepted_range(moment) else None


def _telemetry(value: object) -> Telemetry | None:
    if value is None:
        return None
    body = _object(value, "telemetry")
    _only(body, ("app_version", "pending"), "telemetry")
    app_version = body.get("app_version")
    pending = body.get("pending")
    return Telemetry(
        app_version=None if app_version is None else _string(app_version, "telemetry.app_version", 50),
        pending=None if pending is None else _integer(pending, "telemetry.pending"),
    )


def check_protocol_version(value: object) -> int:
    """The protocol version, if the server speaks it; 400 naming the accepted versions otherwise."""
    accepted = ", ".join(str(v) for v in sorted(SUPPORTED_VERSIONS))
    if isinstance(value, bool) or not isinstance(value, int) or value not in SUPPORTED_VERSIONS:
        raise ProtocolError(
            "protocol_version",
            Message(N_("Unsupported protocol version; accepted: %(accepted)s."), accepted=accepted),
            400,
        )
    return value


def decode_push(body: object) -> PushRequest:
    """A push request from its JSON; ProtocolError names the first offending field."""
    envelope = _object(body, "body")
    if "protocol_version" not in envelope:
        raise ProtocolError("protocol_version", N_("Missing data for required field."), 400)
    version = check_protocol_version(envelope["protocol_version"])
    _only(envelope, ("protocol_version", "commands", "telemetry"), "")
    raw = envelope.get("commands")
    if not isinstance(raw, list):
        raise ProtocolError("commands", N_("Give a list of commands."))
    if len(raw) > MAX_COMMANDS:
        raise ProtocolError(
            "commands", Message(N_("At most %(max)s commands per push."), max=MAX_COMMANDS), 413
        )
    commands = tuple(decode_command(item, f"commands.{index}") for index, item in enumerate(raw))
    for index in range(1, len(commands)):
        if commands[index].device_seq <= commands[index - 1].device_seq:
            raise ProtocolError(
                f"commands.{index}.device_seq", N_("Give the commands in ascending device_seq.")
            )
    return PushRequest(version, commands, _telemetry(envelope.get("telemetry")))


# Encoding -----------------------------------------------------------------------------------------


def encode_result(result: CommandResult) -> dict[str, Any]:
    """One command's result as JSON-ready data."""
    out: dict[str, Any] = {"op_id": result.op_id, "device_seq": result.device_seq, "status": result.status}
    if result.status == "applied":
        out["result"] = dict(result.result or {})
    if result.status == "rejected":
        out["code"] = result.code
        out["message"] = result.message
        out["fields"] = {name: list(messages) for name, messages in result.fields.items()}
    return out


def encode_stop(stop: Stop | None) -> dict[str, Any] | None:
    """Why the batch stopped, as JSON-ready data."""
    if stop is None:
        return None
    out: dict[str, Any] = {"reason": stop.reason, "message": stop.message}
    if stop.waiting_for_seq is not None:
        out["waiting_for_seq"] = stop.waiting_for_seq
    if stop.retry_after is not None:
        out["retry_after"] = stop.retry_after
    return out


def encode_push_response(response: PushResponse) -> dict[str, Any]:
    """A push response as JSON-ready data."""
    return {
        "protocol_version": PROTOCOL_VERSION,
        "results": [encode_result(result) for result in response.results],
        "last_applied_seq": response.last_applied_seq,
        "stopped": encode_stop(response.stopped),
        "cursor": response.cursor,
    }


def encode_change(change: Change) -> dict[str, Any]:
    """One change as JSON-ready data."""
    out: dict[str, Any] = {"entity": change.entity, "id": change.id, "op": change.op}
    if change.op == "upsert":
        out["data"] = dict(change.data or {})
    return out


def encode_pull_page(page: PullPage) -> dict[str, Any]:
    """A pull page as JSON-ready data."""
    return {
        "protocol_version": PROTOCOL_VERSION,
        "changes": [encode_change(change) for change in page.changes],
        "cursor": page.cursor,
        "has_more": page.has_more,
    }


# Cursors ------------------------------------------------------------------------------------------


def encode_cursor(cursor: Cursor) -> str:
    """The opaque cursor string handed to the phone."""
    raw = json.dumps(
        {
            "v": 1,
            "p": cursor.phase,
            "s": cursor.seq,
            "e": cursor.entity,
            "i": cursor.last_id,
            "f": cursor.scope,
        },
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str | None) -> Cursor | None:
    """The cursor from its string; None for a fresh start; ProtocolError on `cursor` when unreadable."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        body = json.loads(raw)
        phase = body["p"]
        if body["v"] != 1 or phase not in ("snapshot", "changes"):
            raise ValueError(phase)
        values = [body[key] for key in ("s", "e", "i")]
        if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in values):
            raise ValueError(values)
        if not isinstance(body["f"], str):
            raise ValueError(body["f"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ProtocolError(
            "cursor", N_("Not a cursor this server issued; pull again without one.")
        ) from None
    return Cursor(phase, values[0], values[1], values[2], body["f"])
