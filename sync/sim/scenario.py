"""The simulator's world and commands: projects, devices, and what applying each command once must do."""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from backend.adapters import passwords
from backend.core.db.database import Database
from backend.core.domain.access import Role
from backend.core.domain.audit import Origin
from backend.core.domain.login import LoginPolicy
from backend.core.services import auth, users
from backend.core.services.context import Actor
from backend.field.domain.checklists import DEFAULT_CHECKLISTS
from backend.field.domain.inspections import ItemKind
from backend.field.domain.requests import RequestState, WorkOrderKind, WorkOrderState
from backend.field.services import work_orders
from backend.field.services.inspections import seed_checklists
from backend.org.domain.org import AssetStatus, AssetType, ProjectCategory
from backend.org.services import org

SYSTEM = Actor.system(Origin.CLI, "sync-simulator")
PAIRS_PER_PROJECT = 4
PASSWORD = "simulated device password"  # noqa: S105 - users of a throwaway database
# Share of an inspector's commands that file a status change request (each needs a fresh asset).
REQUEST_SHARE = 0.45
_OFFICE = next(checklist for checklist in DEFAULT_CHECKLISTS if checklist.asset_type is AssetType.OFFICE)
_PHOTO = hashlib.sha256(b"simulated overview photo").hexdigest()
EVIDENCE_PHOTO = hashlib.sha256(b"simulated evidence photo").hexdigest()
METER_VALUE = Decimal("1234.5")
# Work orders the back office opens for each inspector device: cleanings to start and finish, meter readings.
CLEANINGS_PER_DEVICE = 2
METERS_PER_DEVICE = 2
# Share of a manager's requests left undecided: their inspector cancels them in the last phase.
UNDECIDED_SHARE = 0.25


@dataclass
class Planned:
    """One command and the outcome serial application must give it (`applied` or `rejected`)."""

    op_id: str
    device: int
    name: str
    expect: str


@dataclass
class Device:
    """A simulated phone: its user's role, project, token and the assets it alone acts on."""

    index: int
    role: Role
    device_id: int
    token: str
    project_id: int
    assets: list[int] = field(default_factory=list)
    partner: int | None = None
    cleanings: list[int] = field(default_factory=list)
    meters: list[tuple[int, int]] = field(default_factory=list)  # (work order, asset)


@dataclass
class ExpectedRequest:
    """What must become of the one status change request filed for an asset."""

    to_status: AssetStatus
    state: RequestState = RequestState.PENDING
    request_id: int | None = None
    photos: tuple[str, ...] = ()


@dataclass
class ExpectedWorkOrder:
    """What must become of a work order the back office opened for a device."""

    state: WorkOrderState = WorkOrderState.OPEN
    meter_value: Decimal | None = None


@dataclass
class World:
    """Everything the simulator arranged, and the expected end state built while generating commands."""

    devices: list[Device]
    initial: dict[int, tuple[AssetStatus, int]]
    requests: dict[int, ExpectedRequest] = field(default_factory=dict)
    inspections: Counter[int] = field(default_factory=Counter)
    work_orders: dict[int, ExpectedWorkOrder] = field(default_factory=dict)
    planned: list[Planned] = field(default_factory=list)

    def expected_status(self, asset_id: int) -> tuple[AssetStatus, int]:
        """An asset's (status, status_version) after every command applied once, in order."""
        status, version = self.initial[asset_id]
        request = self.requests.get(asset_id)
        if request is not None and request.state is RequestState.CONFIRMED:
            return request.to_status, version + 1
        return status, version


def arrange(db: Database, devices: int, commands: int) -> World:
    """Projects allowing remote confirmation, office units, an inspector and a manager each, their devices."""
    passwords.configure(1, 1024, 1)  # the simulator registers devices itself; hashing is not under test
    pairs = max(1, devices // 2)
    assets_per_device = (
        math.ceil(commands * REQUEST_SHARE * 1.5) + 2 + CLEANINGS_PER_DEVICE + METERS_PER_DEVICE
    )
    with db.unit_of_work() as uow:
        region = org.create_region({"code": "SIM", "name": "模拟区域"}, SYSTEM, uow)
    with db.unit_of_work() as uow:
        seed_checklists(SYSTEM, uow)
    world = World([], {})
    project_users: dict[int, dict[Role, Any]] = {}
    for pair in range(pairs):
        slot = pair % PAIRS_PER_PROJECT
        if slot == 0:
            project_id = _project(db, region.id, pair // PAIRS_PER_PROJECT)
            project_users[project_id] = _users(db, project_id)
        units = [_asset(db, project_id, pair, n) for n in range(assets_per_device)]
        for unit in units:
            world.initial[unit.id] = (unit.status, unit.status_version)
        for role in (Role.INSPECTOR, Role.PROJECT_MANAGER):
            user = project_users[project_id][role]
            index = len(world.devices)
            issued = _register(db, user.username, f"sim-{index}")
            device = Device(index, role, issued.device.id, issued.token, project_id)
            world.devices.append(device)
        inspector, manager = world.devices[-2], world.devices[-1]
        inspector.assets = [unit.id for unit in units]
        inspector.partner, manager.partner = manager.index, inspector.index
        _open_work(db, world, inspector, project_users[project_id][Role.INSPECTOR].id)
    return world


def _work_assets(device: Device) -> list[int]:
    """The device's last units: kept for its work orders, never asked to change status."""
    return device.assets[-(CLEANINGS_PER_DEVICE + METERS_PER_DEVICE) :]


def _open_work(db: Database, world: World, device: Device, assignee_id: int) -> None:
    """Cleanings and meter readings on the device's last units, assigned to its inspector."""
    for n, asset_id in enumerate(_work_assets(device)):
        kind = WorkOrderKind.CLEANING if n < CLEANINGS_PER_DEVICE else WorkOrderKind.METER_READING
        values = {"asset_id": asset_id, "kind": kind, "title": f"模拟工单 {n}", "assignee_id": assignee_id}
        if kind is WorkOrderKind.METER_READING:
            values["meter_unit"] = "kWh"
        with db.unit_of_work() as uow:
            order_id = work_orders.open_work_order(values, SYSTEM, uow, datetime.now(UTC)).id
        world.work_orders[order_id] = ExpectedWorkOrder()
        if kind is WorkOrderKind.CLEANING:
            device.cleanings.append(order_id)
        else:
            device.meters.append((order_id, asset_id))


def _project(db: Database, region_id: int, number: int) -> int:
    values: dict[str, Any] = {
        "region_id": region_id,
        "code": f"SIM-{number:03d}",
        "name": f"模拟项目 {number}",
    }
    values |= {"city": "上海", "category": ProjectCategory.OFFICE, "timezone": "Asia/Shanghai"}
    values |= {"holiday_calendar": "CN", "remote_confirmation_allowed": True}
    with db.unit_of_work() as uow:
        project_id: int = org.create_project(values, SYSTEM, uow).id
    return project_id


def _users(db: Database, project_id: int) -> dict[Role, Any]:
    made = {}
    for role in (Role.INSPECTOR, Role.PROJECT_MANAGER):
        body: dict[str, Any] = {"username": f"sim.{role.value}.{project_id}", "password": PASSWORD}
        body["roles"] = [{"role": role.value, "project_id": project_id}]
        with db.unit_of_work() as uow:
            made[role] = users.create_user(body, SYSTEM, uow)
    return made


def _asset(db: Database, project_id: int, pair: int, number: int) -> Any:
    values = {
        "project_id": project_id,
        "code": f"SIM-{pair:03d}-{number:03d}",
        "asset_type": AssetType.OFFICE,
    }
    values["area_m2"] = Decimal("88.00")
    with db.unit_of_work() as uow:
        return org.create_asset(values, SYSTEM, uow)


def _register(db: Database, username: str, name: str) -> Any:
    credentials = {"username": username, "password": PASSWORD, "device_name": name, "platform": "simulator"}
    with db.unit_of_work() as uow:
        return auth.register_device(credentials, SYSTEM, LoginPolicy(), datetime.now(UTC), uow)


def inspection_answers(valid: bool) -> dict[str, Any]:
    """Answers to the office checklist; without a required one when not valid."""
    answers: dict[str, Any] = {}
    for item in _OFFICE.items:
        if item.kind is ItemKind.PASS_FAIL:
            answers[item.key] = {"value": True}
        elif item.kind is ItemKind.NUMBER:
            answers[item.key] = {"value": str(item.number_min or 1)}
        elif item.kind is ItemKind.TEXT:
            answers[item.key] = {"value": "巡检正常"}
        else:
            answers[item.key] = {"photos": [_PHOTO]}
    if not valid:
        required = next(item.key for item in _OFFICE.items if item.required)
        del answers[required]
    return answers


def work_commands(device: Device) -> list[tuple[str, Any, str]]:
    """The device's work, each kind early on: cleanings started and finished, meters read, refused moves."""
    made: list[tuple[str, Any, str]] = []
    refused: list[tuple[str, Any, str]] = []
    for n, order_id in enumerate(device.cleanings):
        made.append(("work_order.update", {"work_order_id": order_id, "action": "start"}, "applied"))
        if n < len(device.meters):
            _order, asset_id = device.meters[n]
            reading = {"asset_id": asset_id, "value": str(METER_VALUE), "unit": "kWh"}
            made.append(("meter_reading.record", reading, "applied"))
            # No meter reading left open on it, and an inspector may not open one.
            refused.append(("meter_reading.record", {"asset_id": asset_id, "value": "1"}, "rejected"))
        finish = {"work_order_id": order_id, "action": "complete", "note": "已打扫"}
        made.append(("work_order.update", finish, "applied"))
        # A finished cleaning cannot start again.
        refused.append(("work_order.update", {"work_order_id": order_id, "action": "start"}, "rejected"))
        made.extend(refused)
        refused = []
    return made


def _expect_work(world: World, device: Device, name: str, args: Any) -> None:
    """Record the end state an applied work command leads to."""
    if name == "work_order.update":
        expected = world.work_orders[args["work_order_id"]]
        expected.state = WorkOrderState.IN_PROGRESS if args["action"] == "start" else WorkOrderState.DONE
    else:
        order_id = next(order for order, asset in device.meters if asset == args["asset_id"])
        world.work_orders[order_id] = ExpectedWorkOrder(WorkOrderState.DONE, Decimal(args["value"]))


def inspector_commands(
    world: World, device: Device, count: int, rng: random.Random
) -> list[tuple[str, Any, str]]:
    """An inspector's commands as (name, args, expected outcome), in serial order, recording the end state.

    About a third is the device's work orders (in their own order, spread among the rest).
    """
    work = work_commands(device)[: count // 3]
    for name, args, expect in work:
        if expect == "applied":
            _expect_work(world, device, name, args)
    others = _field_commands(world, device, count - len(work), rng)
    slots = set(rng.sample(range(count), len(work)))
    work_left, others_left = iter(work), iter(others)
    return [next(work_left) if n in slots else next(others_left) for n in range(count)]


def _field_commands(
    world: World, device: Device, count: int, rng: random.Random
) -> list[tuple[str, Any, str]]:
    """Requests and inspections, some of them refused."""
    work_assets = set(_work_assets(device))
    fresh = [asset for asset in device.assets if asset not in work_assets]
    open_assets: list[int] = []
    made: list[tuple[str, Any, str]] = []
    for _ in range(count):
        draw = rng.random()
        args: dict[str, Any]
        if draw < REQUEST_SHARE and fresh:
            asset_id = fresh.pop(0)
            target = rng.choice((AssetStatus.MAINTENANCE, AssetStatus.RENOVATION, AssetStatus.RESERVED))
            version = world.initial[asset_id][1]
            args = {
                "asset_id": asset_id,
                "to_status": target.value,
                "base_version": version,
                "reason": "现场发现",
            }
            made.append(("status_change.request", args, "applied"))
            world.requests[asset_id] = ExpectedRequest(target)
            open_assets.append(asset_id)
        elif draw < 0.75:
            args = {
                "asset_id": rng.choice(device.assets),
                "answers": inspection_answers(True),
            }
            made.append(("inspection.submit", args, "applied"))
            world.inspections[device.device_id] += 1
        elif draw < 0.83 and open_assets:
            # The asset already has this device's open request: a second one is refused.
            asset_id = rng.choice(open_assets)
            args = {"asset_id": asset_id, "to_status": "retired", "base_version": world.initial[asset_id][1]}
            made.append(("status_change.request", args | {"reason": "重复申请"}, "rejected"))
        elif draw < 0.91 and fresh:
            # Filed against a status version the asset never had: stale, never last-write-wins.
            asset_id = fresh[-1]
            args = {
                "asset_id": asset_id,
                "to_status": "maintenance",
                "base_version": world.initial[asset_id][1] + 7,
            }
            made.append(("status_change.request", args | {"reason": "旧数据"}, "rejected"))
        else:
            args = {"asset_id": rng.choice(device.assets), "answers": inspection_answers(False)}
            made.append(("inspection.submit", args, "rejected"))
    return made


def manager_commands(
    world: World, device: Device, count: int, request_ids: dict[int, int], rng: random.Random
) -> list[tuple[str, Any, str]]:
    """A manager's decisions on the partner's requests (request_ids: asset → request), then refusals."""
    made: list[tuple[str, Any, str]] = []
    decided: list[int] = []
    for asset_id, request_id in sorted(request_ids.items()):
        if len(made) >= count:
            break
        expected = world.requests[asset_id]
        expected.request_id = request_id
        if rng.random() < UNDECIDED_SHARE:
            continue  # left to its inspector, who cancels it later
        if rng.random() < 0.6:
            args: dict[str, Any] = {"request_id": request_id, "remote": True, "remote_reason": "业主电话确认"}
            made.append(("status_change.confirm", args, "applied"))
            expected.state = RequestState.CONFIRMED
        else:
            made.append(("status_change.reject", {"request_id": request_id, "reason": "不属实"}, "applied"))
            expected.state = RequestState.REJECTED
        decided.append(request_id)
        if len(made) < count and rng.random() < 0.15:
            # Deciding a request that is already closed is refused.
            made.append(
                ("status_change.reject", {"request_id": request_id, "reason": "再次驳回"}, "rejected")
            )
    while len(made) < count:
        if decided and rng.random() < 0.5:
            args = {"request_id": rng.choice(decided), "remote": True, "remote_reason": "再次确认"}
            made.append(("status_change.confirm", args, "rejected"))
        else:
            made.append(("status_change.reject", {"request_id": 10**9, "reason": "不存在"}, "rejected"))
    return made


def follow_up_commands(
    world: World, device: Device, filed: dict[int, int], rng: random.Random
) -> list[tuple[str, Any, str]]:
    """The inspector's last round: evidence for and cancellation of undecided requests; late moves refused.

    filed: asset → id of the device's requests, as its phone pulled them.
    """
    made: list[tuple[str, Any, str]] = []
    for asset_id, request_id in sorted(filed.items()):
        expected = world.requests.get(asset_id)
        if expected is None:
            continue
        if expected.state is RequestState.PENDING:
            attach = {"photo_hash": EVIDENCE_PHOTO, "target_type": "status_request", "target_id": request_id}
            made.append(("photo.attach", attach, "applied"))
            expected.photos = (EVIDENCE_PHOTO,)
            made.append(("status_change.cancel", {"request_id": request_id}, "applied"))
            expected.state = RequestState.CANCELLED
        elif rng.random() < 0.5:
            # Decided already: too late to cancel.
            made.append(("status_change.cancel", {"request_id": request_id}, "rejected"))
    return made
