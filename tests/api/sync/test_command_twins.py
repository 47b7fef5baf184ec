"""Each sync command and its back-office twin accept and refuse the same args, naming the same fields."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from marshmallow import Schema

from backend.api.inspections.schemas import InspectionInputSchema
from backend.api.status_requests.schemas import (
    CancelSchema,
    ConfirmSchema,
    RejectSchema,
    StatusRequestCreateSchema,
)
from backend.api.work_orders.schemas import WorkOrderMoveSchema
from backend.core.domain.errors import ValidationFailed
from sync.commands import COMMANDS, decode_args

MISSING = 999_999  # no row has this id: args that decode reach the service, which finds nothing (404)
NOW = "2026-11-23T10:00:00+08:00"
HASH = "ab" * 32
GPS = {"latitude": "31.234100", "longitude": 121.5012, "accuracy_m": 8, "captured_at": NOW}
POSITION = {"latitude": "31.234100", "longitude": "121.501200", "accuracy_m": "8.0"}


def without(args: Mapping[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in args.items() if key != name}


@dataclass(frozen=True)
class Twin:
    """The back-office endpoint of a command's use case: its path names some args, the body holds the rest."""

    path: str
    body: type[Schema]
    in_path: tuple[str, ...] = ()
    web_only: Mapping[str, Any] = field(default_factory=dict)

    def request(self, args: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        body = {name: value for name, value in args.items() if name not in self.in_path}
        return self.path.format(**args), body | dict(self.web_only)


TWINS = {
    "status_change.request": Twin(
        "/api/status-requests", StatusRequestCreateSchema, web_only={"captured_at": NOW}
    ),
    "status_change.confirm": Twin(
        "/api/status-requests/{request_id}/confirm", ConfirmSchema, ("request_id",)
    ),
    "status_change.reject": Twin("/api/status-requests/{request_id}/reject", RejectSchema, ("request_id",)),
    "status_change.cancel": Twin("/api/status-requests/{request_id}/cancel", CancelSchema, ("request_id",)),
    "inspection.submit": Twin("/api/inspections", InspectionInputSchema, web_only={"captured_at": NOW}),
    "work_order.update": Twin(
        "/api/work-orders/{work_order_id}/{action}", WorkOrderMoveSchema, ("work_order_id", "action")
    ),
}
# No back-office endpoint files these; their rows still pin what the push accepts.
WITHOUT_TWIN = {"photo.attach", "meter_reading.record"}

REQUEST = {"asset_id": MISSING, "to_status": "maintenance", "base_version": 1, "reason": "水管漏水"}
CONFIRM = {"request_id": MISSING, "remote": True, "remote_reason": "业主电话确认"}
REJECT = {"request_id": MISSING, "reason": "不属实"}
INSPECTION = {"asset_id": MISSING, "answers": {"clean": {"value": True}}}
MOVE = {"work_order_id": MISSING, "action": "complete"}
ATTACH = {"photo_hash": HASH, "target_type": "inspection", "target_id": MISSING, "item_key": "clean"}
METER = {"asset_id": MISSING, "value": "1520.5"}

# Per command: (args, None) is accepted; (args, fields) is refused naming exactly those fields.
CASES: dict[str, list[tuple[dict[str, Any], set[str] | None]]] = {
    "status_change.request": [
        (REQUEST, None),
        (REQUEST | {"note": "x" * 4000, "gps": GPS, "photo_hashes": [HASH] * 50}, None),
        (REQUEST | {"note": None, "gps": None}, None),
        (REQUEST | {"note": "x" * 4001}, {"note"}),
        (without(REQUEST, "reason"), {"reason"}),
        (REQUEST | {"reason": ""}, {"reason"}),
        (REQUEST | {"reason": "漏\x00水"}, {"reason"}),
        (REQUEST | {"asset_id": "12"}, {"asset_id"}),
        (REQUEST | {"base_version": 2**31}, {"base_version"}),
        (REQUEST | {"to_status": "flying"}, {"to_status"}),
        (REQUEST | {"photo_hashes": [HASH] * 51}, {"photo_hashes"}),
        (REQUEST | {"photo_hashes": ["nope"]}, {"photo_hashes.0"}),
        (REQUEST | {"gps": GPS | {"latitude": "91"}}, {"gps.latitude"}),
        (REQUEST | {"gps": without(GPS, "captured_at")}, {"gps.captured_at"}),
        (REQUEST | {"gps": GPS | {"captured_at": "2026-11-23T10:00:00"}}, {"gps.captured_at"}),
        (REQUEST | {"gps": GPS | {"altitude": 4}}, {"gps.altitude"}),
        (REQUEST | {"urgent": True}, {"urgent"}),
    ],
    "status_change.confirm": [
        (CONFIRM, None),
        ({"request_id": MISSING, "scan": "x" * 500, "gps": GPS, "note": "x" * 1000}, None),
        (CONFIRM | {"note": "x" * 1001}, {"note"}),
        (CONFIRM | {"remote_reason": "x" * 1001}, {"remote_reason"}),
        (CONFIRM | {"remote": "yes"}, {"remote"}),
        (CONFIRM | {"scan": "x" * 501}, {"scan"}),
        (CONFIRM | {"gps": GPS | {"accuracy_m": -1}}, {"gps.accuracy_m"}),
        (CONFIRM | {"evidence": []}, {"evidence"}),
        (CONFIRM | {"request_id": "x"}, {"request_id"}),
        (CONFIRM | {"request_id": 0}, {"request_id"}),
    ],
    "status_change.reject": [
        (REJECT, None),
        (REJECT | {"reason": "x" * 1000}, None),
        (without(REJECT, "reason"), {"reason"}),
        (REJECT | {"reason": "x" * 1001}, {"reason"}),
        (REJECT | {"reason": 5}, {"reason"}),
        (REJECT | {"note": "x"}, {"note"}),
        (REJECT | {"request_id": 2**31}, {"request_id"}),
    ],
    "status_change.cancel": [
        ({"request_id": MISSING}, None),
        ({"request_id": MISSING, "reason": "x"}, {"reason"}),
        ({"request_id": -1}, {"request_id"}),
        ({"request_id": 1.5}, {"request_id"}),
    ],
    "inspection.submit": [
        (INSPECTION, None),
        (
            INSPECTION
            | {"checklist_id": MISSING, "gps": POSITION, "note": "x" * 4000}
            | {"answers": {"clean": {"value": True, "photos": [HASH] * 20}}},
            None,
        ),
        (INSPECTION | {"note": "x" * 4001}, {"note"}),
        (without(INSPECTION, "answers"), {"answers"}),
        (INSPECTION | {"answers": []}, {"answers"}),
        (
            INSPECTION | {"answers": {"clean": {"value": True, "photos": [HASH] * 21}}},
            {"answers.clean.photos"},
        ),
        (INSPECTION | {"answers": {"clean": {"photos": ["nope"]}}}, {"answers.clean.photos.0"}),
        (INSPECTION | {"answers": {"clean": {"value": True, "comment": "ok"}}}, {"answers.clean.comment"}),
        (INSPECTION | {"answers": {"k" * 65: {"value": True}}}, {"answers." + "k" * 65}),
        (INSPECTION | {"gps": POSITION | {"longitude": 181}}, {"gps.longitude"}),
        (INSPECTION | {"gps": without(POSITION, "accuracy_m")}, {"gps.accuracy_m"}),
        (INSPECTION | {"checklist_id": True}, {"checklist_id"}),
        (INSPECTION | {"latitude": "31.2"}, {"latitude"}),  # a fix is `gps`, as in a status request
    ],
    "work_order.update": [
        (MOVE, None),
        (MOVE | {"note": "x" * 4000, "reading": {"value": "9999999999.999", "unit": "kWh"}}, None),
        (MOVE | {"action": "start"}, None),
        (MOVE | {"action": "cancel", "note": "不需要了"}, None),
        (MOVE | {"note": "x" * 4001}, {"note"}),
        (MOVE | {"reading": {"value": "10000000000.001"}}, {"reading.value"}),
        (MOVE | {"reading": {"value": -1}}, {"reading.value"}),
        (MOVE | {"reading": {"unit": "kWh"}}, {"reading.value"}),
        (MOVE | {"reading": {"value": "1", "unit": "k" * 17}}, {"reading.unit"}),
        (MOVE | {"reading": "12"}, {"reading"}),
        (MOVE | {"meter_value": "12"}, {"meter_value"}),
        (MOVE | {"action": "finish"}, {"action"}),
        (MOVE | {"work_order_id": "x"}, {"work_order_id"}),
    ],
    "photo.attach": [
        (ATTACH, None),
        (without(ATTACH, "item_key") | {"target_type": "status_request"}, None),
        (ATTACH | {"photo_hash": HASH.upper()}, {"photo_hash"}),
        (without(ATTACH, "photo_hash"), {"photo_hash"}),
        (ATTACH | {"target_type": "lease"}, {"target_type"}),
        (ATTACH | {"target_id": 0}, {"target_id"}),
        (ATTACH | {"item_key": "k" * 65}, {"item_key"}),
        (ATTACH | {"photo_hashes": [HASH]}, {"photo_hashes"}),
    ],
    "meter_reading.record": [
        (METER, None),
        (METER | {"value": 1520.5, "unit": "kWh", "work_order_id": MISSING}, None),
        (METER | {"value": "10000000001"}, {"value"}),
        (METER | {"value": "lots"}, {"value"}),
        (without(METER, "value"), {"value"}),
        (METER | {"unit": "k" * 17}, {"unit"}),
        (METER | {"reading": {}}, {"reading"}),
    ],
}


def by_path(messages: Any, path: str = "") -> Iterator[str]:
    """The dotted names of the fields a nested error structure names."""
    if not isinstance(messages, Mapping):
        yield path
        return
    for key, inner in messages.items():
        if key == "_schema" and path:  # a nested field's input was not an object: the field's own message
            yield from by_path(inner, path)
        else:
            yield from by_path(inner, f"{path}.{key}" if path else key)


def sync_refusal(name: str, args: Mapping[str, Any]) -> set[str] | None:
    """The fields the push refuses in these args, or None when it decodes them."""
    try:
        decode_args(name, COMMANDS[name].latest, args)
    except ValidationFailed as error:
        return set(error.fields)
    return None


def test_every_command_has_a_table_and_its_twin_loads_the_commands_own_schema() -> None:
    assert set(CASES) == set(COMMANDS) == set(TWINS) | WITHOUT_TWIN
    for name, twin in TWINS.items():
        assert issubclass(twin.body, COMMANDS[name].args), name


@pytest.mark.parametrize("name", sorted(TWINS))
def test_a_command_and_its_twin_accept_and_refuse_the_same_args(
    name: str, make_user: Any, bearer_client: Any
) -> None:
    admin = bearer_client(make_user("admin"))
    twin = TWINS[name]
    disagreements = []
    for args, refused in CASES[name]:
        path, body = twin.request(args)
        response = admin.post(path, json=body)
        if response.status_code == 422:
            web: Any = set(by_path(response.json["errors"]["json"]))
        elif response.status_code == 404:
            # Nothing has id MISSING, so the service ran on accepted args; unless an arg the path carries
            # is bad: then there is no such path, which refuses that arg.
            web = (refused or set()) & set(twin.in_path) or None
        else:
            web = response.json
        sync = sync_refusal(name, args)
        if not sync == web == refused:
            disagreements.append({"args": args, "expected": refused, "push": sync, "web": web})
    assert disagreements == []


@pytest.mark.parametrize("name", sorted(WITHOUT_TWIN))
def test_a_command_without_a_twin_accepts_and_refuses_as_its_table_says(name: str) -> None:
    outcomes = [(args, sync_refusal(name, args)) for args, _refused in CASES[name]]
    assert outcomes == [(args, refused) for args, refused in CASES[name]]
