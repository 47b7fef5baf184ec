"""Readings in: batches from gateways, a file of readings taken by hand, and work-order meter readings.

Idempotent by (device, reading time): a replayed or reordered batch changes nothing. Late and out-of-order
readings are welcome; a cumulative reading is checked against the readings just before and after it. Each
item that is not stored says why, with a code and a sentence; the rest of its batch is stored. The assets
whose signals changed are marked for the flags job, which picks them up within minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from backend.adapters import spreadsheets
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Message, ValidationFailed
from backend.core.services import audit, events
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.field.domain.requests import WorkOrderClosed, WorkOrderKind, WorkOrderState
from backend.iot.domain.signals import (
    MAX_BATCH_ITEMS,
    REJECT_MESSAGES,
    UNIT_METERS,
    DeviceKind,
    DoorEventKind,
    ItemOutcome,
    MeterKind,
    MeterMode,
    Point,
    ReadingSource,
    RejectCode,
    cumulative_problem,
    time_problem,
)

IMPORT_COLUMNS = ("asset_code", "meter", "read_at", "value")
MAX_VALUE = Decimal("99999999999999")


@dataclass(frozen=True)
class ItemResult:
    """What became of one item that was not simply stored."""

    list: str
    index: int
    status: ItemOutcome
    code: RejectCode | None = None
    message: str | None = None


@dataclass
class IngestReport:
    """A batch's outcome: counts, and a line for every item not stored."""

    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    results: list[ItemResult] = field(default_factory=list)

    def note(self, result: ItemResult) -> None:
        """Count an item that was not stored."""
        if result.status is ItemOutcome.DUPLICATE:
            self.duplicates += 1
        else:
            self.rejected += 1
        self.results.append(result)


@dataclass(frozen=True)
class Candidate:
    """A reading that passed the checks needing no history: its device and where it came from."""

    index: int
    device: Any
    at: datetime
    value: Decimal


def _reject(listed: str, index: int, code: RejectCode) -> ItemResult:
    return ItemResult(listed, index, ItemOutcome.REJECTED, code, REJECT_MESSAGES[code])


def _device_problem(device: Any, wanted: DeviceKind) -> RejectCode | None:
    if device is None:
        return RejectCode.UNKNOWN_DEVICE
    if not device.active:
        return RejectCode.INACTIVE_DEVICE
    if device.kind is not wanted:
        return RejectCode.WRONG_KIND
    if device.asset_id is None:
        return RejectCode.ASSET_NOT_LINKED
    return None


def _settle(
    candidates: Sequence[Candidate], uow: UnitOfWork, report: IngestReport, listed: str
) -> list[Candidate]:
    """Readings to store, in time order per device; duplicates, conflicts and backward values noted."""
    by_device: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_device[candidate.device.id].append(candidate)
    late_keys = {
        (c.device.id, c.at) for c in candidates if c.device.last_at is not None and c.at <= c.device.last_at
    }
    stored = uow.iot_readings.stored_at(late_keys) if late_keys else {}
    accepted: list[Candidate] = []
    for items in by_device.values():
        items.sort(key=lambda c: (c.at, c.index))
        device = items[0].device
        cumulative = device.mode is MeterMode.CUMULATIVE
        kept: dict[datetime, Decimal] = {}
        previous: Point | None = (
            Point(device.last_at, device.last_value) if device.last_at is not None else None
        )
        for item in items:
            known = stored.get((device.id, item.at), kept.get(item.at))
            if known is not None:
                outcome = (
                    ItemResult(listed, item.index, ItemOutcome.DUPLICATE)
                    if known == item.value
                    else _reject(listed, item.index, RejectCode.CONFLICT)
                )
                report.note(outcome)
                continue
            if cumulative:
                if device.last_at is not None and item.at <= device.last_at:
                    before, after = uow.iot_readings.around(device.id, item.at)
                    earlier = [p for p in (before,) if p is not None]
                    earlier += [Point(at, v) for at, v in kept.items() if at < item.at]
                    before = max(earlier, key=lambda p: p.at) if earlier else None
                else:
                    before, after = previous, None
                problem = cumulative_problem(item.value, before, after)
                if problem is not None:
                    report.note(_reject(listed, item.index, problem))
                    continue
            elif item.value < 0:
                report.note(_reject(listed, item.index, RejectCode.NEGATIVE))
                continue
            kept[item.at] = item.value
            if previous is None or item.at > previous.at:
                previous = Point(item.at, item.value)
            accepted.append(item)
    return accepted


def _store(accepted: Sequence[Candidate], source: ReadingSource, uow: UnitOfWork, report: IngestReport,
           listed: str, now: datetime) -> set[int]:  # fmt: skip
    """Write the accepted readings and move each device's newest reading; the assets they touched."""
    rows = [
        {"device_id": c.device.id, "asset_id": c.device.asset_id, "read_at": c.at, "value": c.value,
         "source": source, "received_at": now}
        for c in accepted
    ]  # fmt: skip
    new = uow.iot_readings.add_readings(rows)
    newest: dict[int, Candidate] = {}
    for candidate in accepted:
        if (candidate.device.id, candidate.at) not in new:
            # Another request stored the same reading a moment ago.
            report.note(ItemResult(listed, candidate.index, ItemOutcome.DUPLICATE))
            continue
        report.stored += 1
        current = newest.get(candidate.device.id)
        if current is None or candidate.at > current.at:
            newest[candidate.device.id] = candidate
    marks = [
        {"id": c.device.id, "at": c.at, "value": c.value}
        for c in newest.values()
        if c.device.last_at is None or c.at > c.device.last_at
    ]
    uow.iot_devices.advance(marks)
    return {c.device.asset_id for c in accepted if (c.device.id, c.at) in new}


def ingest(
    gateway: Any,
    readings: Sequence[Mapping[str, Any]],
    door_events: Sequence[Mapping[str, Any]],
    uow: UnitOfWork,
    now: datetime,
) -> IngestReport:
    """Store a gateway's batch (readings and door events of its own devices); one commit."""
    if len(readings) + len(door_events) > MAX_BATCH_ITEMS:
        raise ValidationFailed.single(
            "readings", Message(N_("At most %(max)s items in one batch."), max=MAX_BATCH_ITEMS)
        )
    codes = {item["device"] for item in readings} | {item["device"] for item in door_events}
    devices = uow.iot_devices.of_gateway(gateway.id, codes)
    report = IngestReport()
    candidates: list[Candidate] = []
    for index, item in enumerate(readings):
        device = devices.get(item["device"])
        problem = _device_problem(device, DeviceKind.METER) or time_problem(item["at"], now)
        if problem is not None:
            report.note(_reject("readings", index, problem))
            continue
        candidates.append(Candidate(index, device, item["at"].astimezone(UTC), item["value"]))
    touched = _store(_settle(candidates, uow, report, "readings"), ReadingSource.GATEWAY, uow, report,
                     "readings", now)  # fmt: skip
    touched |= _store_doors(door_events, devices, uow, report, now)
    uow.iot_readings.mark_dirty(touched, now)
    uow.iot_gateways.seen(gateway.id, now)
    report.results.sort(key=lambda r: (r.list, r.index))
    uow.commit()
    return report


def _store_doors(
    door_events: Sequence[Mapping[str, Any]],
    devices: Mapping[str, Any],
    uow: UnitOfWork,
    report: IngestReport,
    now: datetime,
) -> set[int]:
    rows: list[dict[str, Any]] = []
    indexes: dict[tuple[int, datetime, DoorEventKind], int] = {}
    asset_of: dict[int, int] = {}
    for index, item in enumerate(door_events):
        device = devices.get(item["device"])
        problem = _device_problem(device, DeviceKind.DOOR) or time_problem(item["at"], now)
        if problem is not None or device is None:
            report.note(_reject("door_events", index, problem or RejectCode.UNKNOWN_DEVICE))
            continue
        key = (device.id, item["at"].astimezone(UTC), DoorEventKind(item["event"]))
        if key in indexes:
            report.note(ItemResult("door_events", index, ItemOutcome.DUPLICATE))
            continue
        indexes[key] = index
        asset_of[device.id] = device.asset_id
        rows.append({"device_id": key[0], "asset_id": device.asset_id, "at": key[1], "event": key[2],
                     "received_at": now})  # fmt: skip
    new = uow.iot_readings.add_door_events(rows)
    touched: set[int] = set()
    newest: dict[int, datetime] = {}
    for key, index in indexes.items():
        if key in new:
            report.stored += 1
            touched.add(asset_of[key[0]])
            newest[key[0]] = max(newest.get(key[0], key[1]), key[1])
        else:
            report.note(ItemResult("door_events", index, ItemOutcome.DUPLICATE))
    # A door sensor's last report shows it is alive, as a meter's last reading does.
    uow.iot_devices.advance([{"id": device_id, "at": at, "value": None} for device_id, at in newest.items()])
    return touched


# --- readings taken by hand ---


def manual_device(asset: Any, meter: MeterKind, uow: UnitOfWork, now: datetime) -> Any:
    """The asset's register read by hand for a meter kind (made on first use)."""
    code = f"manual-{asset.code}-{meter.value}"
    device = uow.iot_devices.by_code(code)
    if device is None:
        device = uow.iot_devices.create(
            code=code, kind=DeviceKind.METER, meter=meter, mode=MeterMode.CUMULATIVE, interval_minutes=None,
            project_id=asset.project_id, asset_id=asset.id, gateway_id=None, active=True, created_at=now,
        )  # fmt: skip
        uow.flush()
    return device


def _parse_time(raw: object, zone: ZoneInfo) -> datetime | None:
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, date):
        moment = datetime.combine(raw, time(12))
    else:
        text = str(raw or "").strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)


def _parse_value(raw: object) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() and 0 <= value <= MAX_VALUE else None


def import_readings(  # noqa: PLR0915 - one check per column, in order
    data: bytes, filename: str, actor: Actor, uow: UnitOfWork, now: datetime
) -> IngestReport:
    """Readings taken by hand, from a CSV or XLSX file (asset_code, meter, read_at, value): all or nothing."""
    scope = actor.require(P.ASSET_WRITE)
    table = spreadsheets.read_table(data, filename)
    if not table:
        raise ValidationFailed.single("file", N_("The file is empty."))
    header = [str(cell or "").strip().lower() for cell in table[0]]
    missing = [name for name in IMPORT_COLUMNS if name not in header]
    if missing:
        raise ValidationFailed.single(
            "file", Message(N_("Columns missing: %(columns)s."), columns=", ".join(missing))
        )
    at = {name: header.index(name) for name in IMPORT_COLUMNS}
    rows = [
        row + [None] * (len(header) - len(row)) for row in table[1:] if any(c not in (None, "") for c in row)
    ]
    if not rows:
        raise ValidationFailed.single("file", N_("The file has no readings under its header."))
    assets = uow.assets.by_values("code", {str(row[at["asset_code"]] or "").strip() for row in rows}, scope)
    errors: dict[str, list[Any]] = {}
    parsed: list[tuple[int, Any, MeterKind, datetime, Decimal]] = []
    for number, row in enumerate(rows, start=2):
        asset = assets.get(str(row[at["asset_code"]] or "").strip())
        if asset is None:
            errors[f"rows.{number}.asset_code"] = [N_("No asset with this code in your scope.")]
            continue
        try:
            meter = MeterKind(str(row[at["meter"]] or "").strip().lower())
        except ValueError:
            kinds = ", ".join(m.value for m in MeterKind)
            errors[f"rows.{number}.meter"] = [Message(N_("Not a meter kind; accepted: %(accepted)s."),
                                                      accepted=kinds)]  # fmt: skip
            continue
        moment = _parse_time(row[at["read_at"]], ZoneInfo(asset.project.timezone))
        if moment is None:
            errors[f"rows.{number}.read_at"] = [N_("Not a date and time; write it as 2026-11-30 08:00.")]
            continue
        value = _parse_value(row[at["value"]])
        if value is None:
            errors[f"rows.{number}.value"] = [N_("Not a reading: a number of at least 0.")]
            continue
        problem = time_problem(moment, now)
        if problem is not None:
            errors[f"rows.{number}.read_at"] = [REJECT_MESSAGES[problem]]
            continue
        parsed.append((number, asset, meter, moment, value))
    if errors:
        raise ValidationFailed(errors, N_("Nothing was imported: correct the rows named and import again."))
    report = IngestReport()
    candidates = [Candidate(number, manual_device(asset, meter, uow, now), moment, value)
                  for number, asset, meter, moment, value in parsed]  # fmt: skip
    accepted = _settle(candidates, uow, report, "rows")
    refused = [r for r in report.results if r.status is ItemOutcome.REJECTED]
    if refused:
        raise ValidationFailed(
            {f"rows.{r.index}.value": [r.message or ""] for r in refused},
            N_("Nothing was imported: correct the rows named and import again."),
        )
    touched = _store(accepted, ReadingSource.IMPORT, uow, report, "rows", now)
    uow.iot_readings.mark_dirty(touched, now)
    counts = {"stored": report.stored, "duplicates": report.duplicates, "file": filename[:200]}
    audit.record(uow, actor, AuditAction.CREATE, "iot_readings", filename[:100], after=counts)
    uow.commit()
    return report


@events.subscribe(WorkOrderClosed.name)
def on_meter_reading_done(event: WorkOrderClosed, actor: Actor, uow: UnitOfWork) -> None:
    """A finished meter-reading work order is a reading of the asset's register (in its transaction)."""
    if event.kind is not WorkOrderKind.METER_READING or event.state is not WorkOrderState.DONE:
        return
    order = uow.work_orders.find(event.work_order_id)
    if order is None or order.meter_value is None or order.closed_at is None:
        return
    meter = UNIT_METERS.get((order.meter_unit or "kwh").strip().lower())
    if meter is None:
        return
    device = manual_device(order.asset, meter, uow, order.closed_at)
    report = IngestReport()
    candidate = Candidate(0, device, order.closed_at, Decimal(order.meter_value))
    # A reading that contradicts the register's history is kept on the work order only.
    touched = _store(_settle([candidate], uow, report, "work_order"), ReadingSource.WORK_ORDER, uow, report,
                     "work_order", order.closed_at)  # fmt: skip
    uow.iot_readings.mark_dirty(touched, order.closed_at)
