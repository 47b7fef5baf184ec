"""Demo IoT signals: a gateway per demo project that has them, its meters and door sensors, the last 90 days
of readings (with the simulator's planted anomalies), viewings, the flags they raise and a first audit.

Everything goes in through the IoT services, as a gateway and the worker would put it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from backend.core.domain.access import Scope
from backend.core.services.context import Actor
from backend.core.services.scheduler import UnitOfWorkFactory
from backend.demo.generator import DemoData
from backend.demo.iot import IotYear, simulate
from backend.iot.services import audit, flags, gateways, ingest

# An office tower and an equipment depot: sub-lets, dead meters, doors, machines working less.
SIGNAL_PROJECTS = ("SH-LJZ", "DG-SSH")
DAYS = 90
BATCH = 1000
# Higher than the simulator's default, so a demo of a few hundred assets shows each kind of flag.
ANOMALY_RATE = 0.08
Progress = Callable[[str, int, int], None]


@dataclass
class SignalsSummary:
    """What the demo's signals hold."""

    devices: int = 0
    readings: int = 0
    door_events: int = 0
    viewings: int = 0
    flags: int = 0
    findings: int = 0

    def describe(self) -> str:
        """One line for the command's output."""
        return (
            f"IoT signals: {self.devices} meters and door sensors, {self.readings} readings and "
            f"{self.door_events} door events of the last {DAYS} days, {self.viewings} viewings; "
            f"{self.flags} flags raised, {self.findings} assets disagreeing in the first consistency audit."
        )


def simulated(data: DemoData, today: date, seed: int) -> IotYear:
    """The last 90 days of the signal projects' assets."""
    codes = [asset.code for asset in data.assets() if asset.project_code in SIGNAL_PROJECTS]
    return simulate(data, start=today - timedelta(days=DAYS), end=today - timedelta(days=1), seed=seed,
                    asset_codes=codes, anomaly_rate=ANOMALY_RATE)  # fmt: skip


def _register(year: IotYear, unit_of_work: UnitOfWorkFactory, actor: Actor, now: datetime) -> dict[str, Any]:
    """A gateway per project and its devices; the gateways by project code."""
    everything = Scope(everything=True)
    with unit_of_work() as uow:
        projects = uow.projects.by_values("code", {d.project_code for d in year.devices}, everything)
        assets = uow.assets.by_values("code", {d.asset_code for d in year.devices}, everything)
        project_ids = {code: project.id for code, project in projects.items()}
        asset_ids = {code: asset.id for code, asset in assets.items()}
    found: dict[str, Any] = {}
    for code, project_id in sorted(project_ids.items()):
        with unit_of_work() as uow:
            gateway, _token = gateways.create_gateway(
                {"name": f"{code} 楼宇网关", "project_id": project_id}, actor, uow, now
            )
            found[code] = gateway
    for device in year.devices:
        values = {
            "code": device.code, "kind": device.kind.value,
            "meter": device.meter.value if device.meter else None,
            "mode": device.mode.value if device.mode else None, "interval_minutes": device.interval_minutes,
            "project_id": project_ids[device.project_code], "gateway_id": found[device.project_code].id,
            "asset_id": asset_ids[device.asset_code],
        }  # fmt: skip
        with unit_of_work() as uow:
            gateways.create_device(values, actor, uow, now)
    return found


def seed_signals(
    unit_of_work: UnitOfWorkFactory,
    actor: Actor,
    data: DemoData,
    today: date,
    seed: int,
    now: datetime,
    progress: Progress | None = None,
) -> SignalsSummary:
    """Register, ingest, book viewings, raise flags and audit once."""
    report = progress or (lambda _stage, _done, _total: None)
    year = simulated(data, today, seed)
    summary = SignalsSummary(devices=len(year.devices))
    if not year.devices:
        return summary
    found = _register(year, unit_of_work, actor, now)
    project_of = {device.code: device.project_code for device in year.devices}
    per_project: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for reading in year.readings:
        per_project[project_of[reading.device]].append(
            ("readings", {"device": reading.device, "at": reading.at, "value": reading.value})
        )
    for event in year.door_events:
        per_project[project_of[event.device]].append(
            ("door_events", {"device": event.device, "at": event.at, "event": event.event.value})
        )
    total, done = sum(len(items) for items in per_project.values()), 0
    for code, items in sorted(per_project.items()):
        for start in range(0, len(items), BATCH):
            chunk = items[start : start + BATCH]
            with unit_of_work() as uow:
                answer = ingest.ingest(
                    found[code],
                    [item for listed, item in chunk if listed == "readings"],
                    [item for listed, item in chunk if listed == "door_events"],
                    uow,
                    year.now,
                )
            summary.readings += sum(1 for listed, _ in chunk if listed == "readings")
            summary.door_events += sum(1 for listed, _ in chunk if listed == "door_events")
            summary.readings -= answer.rejected + answer.duplicates
            done += len(chunk)
            report("signals", done, total)
    with unit_of_work() as uow:
        assets = uow.assets.by_values("code", {v.asset_code for v in year.viewings}, Scope(everything=True))
        for viewing in year.viewings:
            asset = assets[viewing.asset_code]
            uow.iot_viewings.create(
                asset_id=asset.id, project_id=asset.project_id, starts_at=viewing.starts_at,
                ends_at=viewing.ends_at, note=None, created_by_id=None, created_at=now,
            )  # fmt: skip
        uow.commit()
    summary.viewings = len(year.viewings)
    with unit_of_work() as uow:
        raised = flags.recompute(uow, now)
    summary.flags = sum(raised.raised.values())
    with unit_of_work() as uow:
        audit.queue_monthly(uow, now)
    for run_id in audit.run_queued(unit_of_work, lambda: now):
        with unit_of_work() as uow:
            summary.findings = int(audit.get_run(run_id, actor, uow)["overall"]["disagreeing"])
    return summary
