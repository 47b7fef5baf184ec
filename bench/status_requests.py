"""Request -> confirm round trips per second through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from backend.adapters import passwords
from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.domain.access import Assignment, Role, principal_from
from backend.core.domain.audit import Origin
from backend.core.services import users
from backend.core.services.context import Actor
from backend.field.services import automations, status_requests
from backend.field.services.labels import LabelSettings
from backend.org.domain.org import AssetStatus, AssetType, ProjectCategory
from backend.org.services import org
from qr_tools.payload import build, parse_keyring
from tests.support.postgres import PostgresServer, postgres_unavailable_reason

RESULTS = Path(__file__).resolve().parent / "results" / "status_requests.json"
BASE_URL = "https://leases.example.com"
SETTINGS = LabelSettings(BASE_URL, parse_keyring("bench:benchmark-only-label-key"))
SYSTEM = Actor.system(Origin.CLI, "bench")
FENCE = {"type": "Point", "coordinates": [121.5, 31.23]}
assert automations.AUTOMATION  # subscribers registered, as in the app


def arrange(db: Database, assets: int) -> tuple[Actor, Actor, list[Any]]:
    """A fenced project with `assets` units, an inspector who files and a manager who confirms."""
    with db.unit_of_work() as uow:
        region = org.create_region({"code": "EAST", "name": "华东"}, SYSTEM, uow)
    values = {"region_id": region.id, "code": "SH-01", "name": "陆家嘴中心", "city": "上海"}
    values |= {"category": ProjectCategory.OFFICE, "timezone": "Asia/Shanghai", "holiday_calendar": "CN"}
    values |= {"geofence": FENCE, "geofence_radius_m": Decimal(50)}
    with db.unit_of_work() as uow:
        project = org.create_project(values, SYSTEM, uow)
    units = []
    for index in range(assets):
        unit = {"project_id": project.id, "code": f"SH-01-{index:04d}", "asset_type": AssetType.OFFICE}
        unit["area_m2"] = Decimal("120.50")
        with db.unit_of_work() as uow:
            units.append(org.create_asset(unit, SYSTEM, uow))
    actors = []
    for role, name in ((Role.INSPECTOR, "inspector"), (Role.PROJECT_MANAGER, "manager")):
        body = {"username": name, "password": "benchmark password", "roles": []}
        body["roles"] = [{"role": role.value, "project_id": project.id}]
        with db.unit_of_work() as uow:
            user = users.create_user(body, SYSTEM, uow)
        principal = principal_from(user.id, user.username, [Assignment(role, project_id=project.id)])
        actors.append(Actor(principal, Origin.DEVICE))
    return actors[0], actors[1], units


def round_trips(db: Database, seconds: float, assets: int) -> dict[str, float]:
    """File and confirm on site, one asset after another, until `seconds` have passed."""
    applicant, manager, units = arrange(db, assets)
    scans = {unit.id: build(BASE_URL, unit.code, SETTINGS.keyring) for unit in units}
    versions = {unit.id: 1 for unit in units}
    statuses = {unit.id: AssetStatus.VACANT for unit in units}
    done, latencies = 0, []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        unit = units[done % len(units)]
        target = AssetStatus.MAINTENANCE if statuses[unit.id] is AssetStatus.VACANT else AssetStatus.VACANT
        now = datetime.now(UTC)
        gps = status_requests.GpsReading(Decimal("31.230000"), Decimal("121.500000"), Decimal(5), now)
        body = {
            "asset_id": unit.id,
            "to_status": target,
            "base_version": versions[unit.id],
            "reason": "bench",
        }
        body["gps"] = gps
        one = time.perf_counter()
        with db.unit_of_work() as uow:
            request_id = status_requests.submit_request(body, applicant, uow, now).id
        evidence = status_requests.Confirmation(scans[unit.id], gps)
        with db.unit_of_work() as uow:
            status_requests.confirm_request(request_id, evidence, SETTINGS, manager, uow, now)
        latencies.append(time.perf_counter() - one)
        versions[unit.id] += 1
        statuses[unit.id] = target
        done += 1
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "round_trips": done,
        "per_second": round(done / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
    }


def measure(url: str, seconds: float, assets: int) -> dict[str, float]:
    """Migrate a fresh database at `url` and time round trips on it."""
    migrate.upgrade(url)
    db = Database(url, echo=False)
    try:
        return round_trips(db, seconds, assets)
    finally:
        db.dispose()


def main() -> None:
    """Run both backends, print a table and save the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--assets", type=int, default=50)
    args = parser.parse_args()
    passwords.configure(1, 1024, 1)  # only the arranged users sign in; their hashing is not measured
    results: dict[str, Any] = {"cores": os.cpu_count(), "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = measure(f"sqlite:///{folder}/bench.sqlite3", args.seconds, args.assets)
    reason = postgres_unavailable_reason()
    if reason is None:
        with PostgresServer() as server:
            results["postgresql"] = measure(server.create_database("bench"), args.seconds, args.assets)
    else:
        print(f"PostgreSQL skipped: {reason}")
    print(f"cores {results['cores']}, load before {results['load_before']:.2f}")
    print(f"{'backend':<12}{'round trips/s':>15}{'p50 ms':>10}{'p95 ms':>10}{'count':>8}")
    for name in ("sqlite", "postgresql"):
        if name in results:
            row = results[name]
            print(
                f"{name:<12}{row['per_second']:>15}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['round_trips']:>8}"
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
