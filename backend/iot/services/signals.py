"""What the asset page shows: daily use per meter, door openings, the lease periods, flags, viewings,
devices; and viewing appointments, entered and removed (audited)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.crud import for_change
from backend.core.services.unit_of_work import UnitOfWork
from backend.iot.domain.signals import UNITS, DeviceHistory, asset_series, opens_per_day, quantised
from backend.iot.services.flags import labelled

DEFAULT_DAYS = 365
MAX_DAYS = 800
MAX_VIEWING = timedelta(days=7)
NOTE_LENGTH = 500


@dataclass(frozen=True)
class AssetSignalsView:
    """An asset's signals over a period, ready for the chart."""

    asset: Any
    first: date
    last: date
    series: list[dict[str, Any]]
    doors: list[dict[str, Any]]
    leases: list[dict[str, Any]]
    flags: list[Any]
    viewings: list[Any]
    devices: list[Any]


def _start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def signals_of(
    asset_id: int, first: date | None, last: date | None, actor: Actor, uow: UnitOfWork, now: datetime
) -> AssetSignalsView:
    """An asset's daily use, door openings, leases, flags and viewings between two days (default: the year
    to yesterday, the last whole day: today's figure grows until midnight)."""
    asset = uow.assets.get(asset_id, actor.require(P.ASSET_READ))
    zone = ZoneInfo(asset.project.timezone)
    last = last or now.astimezone(zone).date() - timedelta(days=1)
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ValidationFailed.single("from", N_("The start of the period comes after its end."))
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed.single("to", N_("At most 800 days at once."))
    # A cumulative meter's first day needs the reading before it.
    since = _start(first, zone) - timedelta(days=2)
    devices = uow.iot_devices.of_assets([asset.id])
    histories = uow.iot_readings.histories([asset.id], since)
    meters = [
        DeviceHistory(d.meter, d.mode, d.interval_minutes, histories.get(d.id, ()))
        for d in devices
        if d.meter is not None
    ]
    series = []
    for meter, current in sorted(asset_series(meters, zone).items()):
        days = [
            {"day": day, "amount": quantised(current.used.get(day, Decimal(0)), meter)}
            for day in sorted(current.covered)
            if first <= day <= last
        ]
        series.append({"meter": meter.value, "unit": UNITS[meter], "days": days})
    opens = uow.iot_readings.door_opens([asset.id], _start(first, zone))
    doors = [
        {"day": day, "opens": count}
        for day, count in sorted(opens_per_day(opens.get(asset.id, ()), zone).items())
        if first <= day <= last
    ]
    lettings = uow.iot_facts.lettings([asset.id]).get(asset.id, [])
    leases = [
        {"id": lease_id, "number": number, "starts_on": starts, "ends_on": ends, "status": status}
        for starts, ends, lease_id, number, status in sorted(lettings)
        if starts <= last and ends >= first
    ]
    flags, _ = uow.iot_flags.page(
        actor.require(P.ASSET_READ), ListQuery({"asset_id": asset.id}, page_size=200)
    )
    viewings, _ = uow.iot_viewings.page(
        actor.require(P.ASSET_READ), ListQuery({"asset_id": asset.id}, page_size=200)
    )
    return AssetSignalsView(
        asset, first, last, series, doors, leases, list(labelled(list(flags), uow)), list(viewings), devices
    )


def list_viewings(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Any, int]:
    """Viewing appointments in the actor's scope."""
    return uow.iot_viewings.page(actor.require(P.ASSET_READ), query)


def add_viewing(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Book a viewing: doors opening in the unit then are expected."""
    asset = for_change(uow.assets, values["asset_id"], actor, P.ASSET_READ, P.ASSET_WRITE)
    starts, ends = values["starts_at"], values["ends_at"]
    if ends <= starts:
        raise ValidationFailed.single("ends_at", N_("A viewing ends after it starts."))
    if ends - starts > MAX_VIEWING:
        raise ValidationFailed.single("ends_at", N_("A viewing lasts at most 7 days."))
    note = (values.get("note") or "").strip() or None
    if note is not None and len(note) > NOTE_LENGTH:
        raise ValidationFailed.single("note", N_("At most 500 characters."))
    viewing = uow.iot_viewings.create(
        asset_id=asset.id, project_id=asset.project_id, starts_at=starts, ends_at=ends, note=note,
        created_by_id=actor.user_id, created_at=now,
    )  # fmt: skip
    uow.flush()
    audit.record(
        uow, actor, AuditAction.CREATE, "iot_viewing", viewing.id,
        after={"asset_id": asset.id, "starts_at": starts.isoformat(), "ends_at": ends.isoformat(),
               "note": note},
        project_id=asset.project_id, region_id=asset.project.region_id,
    )  # fmt: skip
    uow.iot_readings.mark_dirty([asset.id], now)
    uow.commit()
    return viewing


def delete_viewing(viewing_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """Remove a viewing appointment."""
    viewing = for_change(uow.iot_viewings, viewing_id, actor, P.ASSET_READ, P.ASSET_WRITE)
    audit.record(
        uow, actor, AuditAction.DELETE, "iot_viewing", viewing.id,
        before={"asset_id": viewing.asset_id, "starts_at": viewing.starts_at.isoformat()},
        project_id=viewing.project_id,
    )  # fmt: skip
    uow.iot_readings.mark_dirty([viewing.asset_id], now)
    uow.iot_viewings.delete(viewing)
    uow.commit()
