"""Lease import: seconds to preview and to commit an .xlsx file of N leases, beside a plain bulk insert.

    .venv/bin/python -m bench.lease_import --rows 5000 --signed 0.5 --backends sqlite

Every lease lets its own office unit for one year, monthly rent; `--signed` is the share of rows signed on
import (each gets its 12-item schedule). The file is built with openpyxl in memory; the timings are of the
service calls, not of HTTP: the preview as the API answers it, and the commit as the worker runs a large
import (check, stage in chunks, move in with one transaction, whose length is printed too). The ceiling is
the same rows (leases, their units, lines, schedule items) written with one plain bulk insert per table into
a fresh database of the same seed.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select

from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.db.repositories import insert_many
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.leasing.db.models import ChargeLine, Lease, ScheduleItem, lease_assets
from backend.leasing.services import lease_import, lease_import_jobs, leases
from backend.org.domain.org import AssetType, CustomerKind, ProjectCategory
from backend.org.services import customers, org
from tests.support.lease_files import EN, office_template
from tests.support.postgres import PostgresServer, postgres_unavailable_reason

SYSTEM = Actor.system(Origin.CLI, "bench")
NOW = datetime(2026, 1, 10, tzinfo=UTC)
RESULTS = Path(__file__).resolve().parent / "results"


def seed(database: Database, rows: int) -> None:
    """One project with `rows` office units, one customer, the office template."""
    with database.unit_of_work() as uow:
        region = org.create_region({"code": "EAST", "name": "华东区域"}, SYSTEM, uow)
        project = {
            "region_id": region.id, "code": "SH-01", "name": "陆家嘴中心", "city": "上海",
            "category": ProjectCategory.OFFICE, "timezone": "Asia/Shanghai", "holiday_calendar": "CN",
        }  # fmt: skip
        project_id = org.create_project(project, SYSTEM, uow).id
        customer = {"region_id": region.id, "code": "C0001", "kind": CustomerKind.COMPANY, "name": "星河科技"}
        customers.create_customer(customer, SYSTEM, uow)
        leases.create_template(office_template(), SYSTEM, uow)
        uow.assets.bulk_create(
            [
                {"project_id": project_id, "code": f"SH-01-{n:05d}", "name": None, "kind": "space",
                 "asset_type": AssetType.OFFICE, "status": "vacant", "area_m2": Decimal(80)}
                for n in range(rows)
            ]
        )  # fmt: skip
        uow.commit()


def workbook(rows: int, signed_share: float) -> bytes:
    """An .xlsx file of `rows` leases in the English layout."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(EN)
    signed_every = round(1 / signed_share) if signed_share else 0
    for n in range(rows):
        status = "signed" if signed_every and n % signed_every == 0 else "draft"
        sheet.append([f"L-{n:05d}", "SH-01", "C0001", f"SH-01-{n:05d}", "OFFICE", "2026-01-01", "2026-12-31",
                      "¥12,800.00", "monthly", status])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def measure(url: str, ceiling_url: str, rows: int, signed_share: float) -> dict[str, Any]:
    """Preview, then commit, the same file on a fresh database; then the ceiling on another one."""
    migrate.upgrade(url, "head")
    database = Database(url)
    try:
        seed(database, rows)
        data = workbook(rows, signed_share)
        timings: dict[str, Any] = {"rows": rows, "file_bytes": len(data)}
        with database.unit_of_work() as uow:
            started = time.perf_counter()
            report = lease_import.preview(data, "bench.xlsx", SYSTEM, uow, NOW)
            timings["preview_seconds"] = round(time.perf_counter() - started, 2)
        assert report.ok, report.problems[:5]
        phases: dict[str, float] = {}

        def progress(phase: str, _done: int, _total: int) -> None:
            phases.setdefault(phase, time.perf_counter())

        started = time.perf_counter()
        with database.unit_of_work() as uow:
            entry = lease_import_jobs.queue(data, "bench.xlsx", True, SYSTEM, uow, NOW, wake=False)
        report = lease_import_jobs.run_import(entry.id, database.unit_of_work, lambda: NOW, progress)
        finished = time.perf_counter()
        assert report.committed, report.problems[:5]
        timings["commit_seconds"] = round(finished - started, 2)
        timings["commit_final_transaction_seconds"] = round(finished - phases["moving"], 2)
        written = _written(database)
    finally:
        database.dispose()
    timings["ceiling_seconds"] = round(ceiling(ceiling_url, rows, written), 2)
    timings["schedule_items"] = len(written["schedule_items"])
    return timings


def _written(database: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row the commit wrote to the lease tables, as column values."""
    tables = {"leases": Lease.__table__, "lease_assets": lease_assets, "charge_lines": ChargeLine.__table__,
              "schedule_items": ScheduleItem.__table__}  # fmt: skip
    with database.unit_of_work() as uow:
        assert uow.session is not None
        return {
            name: [dict(row._mapping) for row in uow.session.execute(select(table))]  # type: ignore[arg-type]
            for name, table in tables.items()
        }


def ceiling(url: str, rows: int, written: dict[str, list[dict[str, Any]]]) -> float:
    """Seconds to write the same rows with one plain bulk insert per table, in one transaction."""
    migrate.upgrade(url, "head")
    database = Database(url)
    try:
        seed(database, rows)
        models = {"leases": Lease, "lease_assets": lease_assets, "charge_lines": ChargeLine,
                  "schedule_items": ScheduleItem}  # fmt: skip
        with database.unit_of_work() as uow:
            assert uow.session is not None
            started = time.perf_counter()
            for name, model in models.items():
                if name == "lease_assets":
                    uow.session.execute(lease_assets.insert(), written[name])
                else:
                    insert_many(uow.session, model, written[name])
            uow.commit()
            return time.perf_counter() - started
    finally:
        database.dispose()


def main() -> None:
    """Run the benchmark and print one JSON line per backend."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--signed", type=float, default=0.5, help="share of rows signed on import")
    parser.add_argument("--backends", default="sqlite")
    args = parser.parse_args()
    results = {}
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                results[backend] = measure(
                    f"sqlite:///{directory}/bench.sqlite3",
                    f"sqlite:///{directory}/ceiling.sqlite3",
                    args.rows,
                    args.signed,
                )
        elif (reason := postgres_unavailable_reason()) is not None:
            print(f"postgresql skipped: {reason}")
            continue
        else:
            with PostgresServer() as server:
                results[backend] = measure(
                    server.create_database("bench"), server.create_database("ceiling"), args.rows, args.signed
                )
        print(backend, json.dumps(results[backend]))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "lease_import.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
