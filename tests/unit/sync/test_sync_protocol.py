"""The sync wire format: decoding names the offending field, encoding is JSON-ready, cursors round-trip."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from backend.core.domain.errors import ValidationFailed
from backend.org.domain.org import AssetStatus
from sync.commands import COMMANDS, CommandSpec, StatusCancelArgsSchema, UnknownCommand, decode_args
from sync.protocol import (
    MAX_COMMANDS,
    SUPPORTED_VERSIONS,
    CommandResult,
    Cursor,
    ProtocolError,
    PushResponse,
    Stop,
    decode_cursor,
    decode_push,
    encode_cursor,
    encode_push_response,
)


def command(seq: int = 1, **changes: Any) -> dict[str, Any]:
    return {
        "op_id": str(uuid.uuid4()),
        "device_seq": seq,
        "name": "status_change.cancel",
        "version": 1,
        "args": {"request_id": 5},
        "captured_at": "2026-11-23T10:00:00+08:00",
    } | changes


def refusal(body: Any) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        decode_push(body)
    return caught.value


def test_a_push_decodes_into_frozen_commands_with_aware_capture_times() -> None:
    push = decode_push(
        {"protocol_version": 1, "commands": [command(1), command(2)], "telemetry": {"pending": 3}}
    )
    assert [c.device_seq for c in push.commands] == [1, 2]
    assert push.commands[0].captured_at.utcoffset() is not None
    assert push.telemetry is not None
    assert push.telemetry.pending == 3


def test_an_unknown_protocol_version_is_a_400_naming_the_accepted_versions() -> None:
    error = refusal({"protocol_version": 2, "commands": []})
    assert (error.path, error.status) == ("protocol_version", 400)
    assert all(str(v) in error.message for v in SUPPORTED_VERSIONS)


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"device_seq": 0}, "commands.0.device_seq"),
        ({"device_seq": True}, "commands.0.device_seq"),
        ({"op_id": "not-a-uuid"}, "commands.0.op_id"),
        ({"captured_at": "2026-11-23T10:00:00"}, "commands.0.captured_at"),
        ({"args": []}, "commands.0.args"),
        ({"colour": "red"}, "commands.0.colour"),
    ],
)
def test_a_malformed_command_is_refused_naming_its_path(changes: dict[str, Any], path: str) -> None:
    assert refusal({"protocol_version": 1, "commands": [command(**changes)]}).path == path


def test_commands_must_come_in_ascending_device_order() -> None:
    assert (
        refusal({"protocol_version": 1, "commands": [command(2), command(2)]}).path == "commands.1.device_seq"
    )


def test_a_batch_over_the_command_limit_is_a_413() -> None:
    commands = [command(n) for n in range(1, MAX_COMMANDS + 2)]
    assert refusal({"protocol_version": 1, "commands": commands}).status == 413


def test_a_response_encodes_to_json_with_a_result_per_status() -> None:
    response = PushResponse(
        (
            CommandResult("a", 1, "applied", result={"id": 4}),
            CommandResult("b", 2, "duplicate"),
            CommandResult("c", 3, "rejected", code="conflict", message="No.", fields={"asset_id": ["Open."]}),
        ),
        3,
        Stop("gap", "Waiting.", waiting_for_seq=5),
        "cursor",
    )
    encoded = json.loads(json.dumps(encode_push_response(response)))
    assert [r["status"] for r in encoded["results"]] == ["applied", "duplicate", "rejected"]
    assert "result" not in encoded["results"][1]
    assert encoded["results"][2]["fields"] == {"asset_id": ["Open."]}
    assert encoded["stopped"] == {"reason": "gap", "message": "Waiting.", "waiting_for_seq": 5}


def test_a_cursor_round_trips_and_a_forged_one_is_refused() -> None:
    cursor = Cursor("snapshot", 41, 2, 900, "abc")
    assert decode_cursor(encode_cursor(cursor)) == cursor
    assert decode_cursor("") is None
    with pytest.raises(ProtocolError) as caught:
        decode_cursor("e30")
    assert caught.value.path == "cursor"


def test_command_args_become_the_services_values() -> None:
    values = decode_args(
        "status_change.request",
        1,
        {
            "asset_id": 3,
            "to_status": "maintenance",
            "base_version": 2,
            "reason": "漏水",
            "gps": {
                "latitude": "31.2",
                "longitude": 121.5,
                "accuracy_m": 8,
                "captured_at": "2026-11-23T10:00:00Z",
            },
        },
    )
    assert values["to_status"] is AssetStatus.MAINTENANCE
    assert values["gps"].latitude == Decimal("31.2")
    assert values["gps"].captured_at == datetime(2026, 11, 23, 10, tzinfo=UTC)


def test_bad_args_name_every_offending_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        decode_args("status_change.request", 1, {"asset_id": "x", "to_status": "flying", "extra": 1})
    assert set(caught.value.fields) == {"asset_id", "to_status", "base_version", "reason", "extra"}


def test_an_unknown_command_or_version_is_told_apart_from_bad_args() -> None:
    with pytest.raises(UnknownCommand):
        decode_args("status_change.teleport", 1, {})
    with pytest.raises(UnknownCommand):
        decode_args("status_change.cancel", 9, {"request_id": 1})


def test_an_old_command_version_is_adapted_to_the_newest_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    renamed = CommandSpec(2, StatusCancelArgsSchema, upgrades={1: lambda args: {"request_id": args["id"]}})
    monkeypatch.setitem(COMMANDS, "test.renamed", renamed)  # type: ignore[arg-type]
    assert renamed.versions() == {1, 2}
    assert decode_args("test.renamed", 1, {"id": 5}) == {"request_id": 5}
    assert decode_args("test.renamed", 2, {"request_id": 6}) == {"request_id": 6}
