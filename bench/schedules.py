"""Schedule materialisation: rows/s of the real service path against a plain bulk insert of the same rows.

Run from the repository root: `.venv/bin/python -m bench.schedules`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import delete, func, select

from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.leasing.db.models import ScheduleItem
from backend.leasing.domain.leases import ContractType, LeaseStatus
from backend.leasing.domain.schedule import ChargeType, EscalationKind, Frequency
from backend.leasing.services import schedules
from backend.org.domain.org import AssetStatus, AssetType, CustomerKind, ProjectCategory
from tests.support.postgres import PostgresServer, postgres_unavailable_reason

BACKENDS = ("sqlite", "postgresql")
RESULTS_PATH = Path(__file__).resolve().parent / "results" / "schedules.json"
TERM_START = date(2027, 1, 1)
TERM_END = date(2029, 12, 31)  # 36 monthly periods
SERVICE_FEE_EVERY = 5  # every fifth lease also bills a service fee (another 36 items)
ESCALATION_EVERY = 3  # every third lease's rent steps up 3 % a year (three line versions)
INSERT_COLUMNS = (
    "lease_id",
    "project_id",
    "lease_version",
    "line_key",
    "charge_type",
    "period_start",
    "period_end",
    "due_date",
    "months",
    "amount",
    "is_concession",
    "status",
)


@dataclass(frozen=True)
class Result:
    """One backend's figures."""

    backend: str
    leases: int
    items: int
    service_seconds: float
    ceiling_seconds: float

    @property
    def service_rate(self) -> float:
        """Rows per second through materialise_many."""
        return self.items / self.service_seconds

    @property
    def ceiling_rate(self) -> float:
        """Rows per second of the plain executemany."""
        return self.items / self.ceiling_seconds

    def as_json(self) -> dict[str, Any]:
        """The row for the JSON results file."""
        return {
            "backend": self.backend,
            "leases": self.leases,
            "items": self.items,
            "service_seconds": round(self.service_seconds, 3),
            "service_rows_per_second": round(self.service_rate),
            "ceiling_seconds": round(self.ceiling_seconds, 3),
            "ceiling_rows_per_second": round(self.ceiling_rate),
            "ratio": round(self.service_rate / self.ceiling_rate, 3),
        }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leases", type=int, default=10_000, help="signed leases to schedule (10,000)")
    parser.add_argument(
        "--chunk", type=int, default=schedules.MATERIALISE_CHUNK, help="leases per transaction (500)"
    )
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite,postgresql")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the service path here")
    args = parser.parse_args(argv)
    args.backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = set(args.backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backend(s) {', '.join(sorted(unknown))}; use {', '.join(BACKENDS)}")
    return args


def log(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the results."""
    print(message, file=sys.stderr, flush=True)


@contextmanager
def database_url(backend: str, workdir: Path) -> Iterator[str]:
    """An empty database for the backend, deleted afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'schedules.sqlite3'}"
        return
    with PostgresServer() as server:
        yield server.create_database("leasekeeper_bench")


def create_leases(database: Database, count: int) -> list[int]:
    """A project, one asset and one signed 36-month lease per asset, written in bulk; their ids."""
    template = TEMPLATES_BY_TYPE[ContractType.OFFICE]
    with database.unit_of_work() as uow:
        uow.regions.bulk_create([{"code": "BENCH", "name": "基准区域"}])
        region_id = uow.regions.ids_by("code", ["BENCH"])["BENCH"]
        uow.projects.bulk_create(
            [
                {
                    "region_id": region_id,
                    "code": "BENCH",
                    "name": "基准项目",
                    "city": "上海",
                    "category": ProjectCategory.OFFICE,
                    "timezone": "Asia/Shanghai",
                    "holiday_calendar": "CN",
                }
            ]
        )
        project_id = uow.projects.ids_by("code", ["BENCH"])["BENCH"]
        uow.customers.bulk_create(
            [{"region_id": region_id, "code": "CU-BENCH", "kind": CustomerKind.COMPANY, "name": "基准租户"}]
        )
        customer_id = uow.customers.ids_by("code", ["CU-BENCH"])["CU-BENCH"]
        uow.templates.bulk_create([template.values()])
        template_id = uow.templates.ids_by("code", [template.code])[template.code]
        codes = [f"BENCH-{n:05d}" for n in range(count)]
        uow.assets.bulk_create(
            [
                {
                    "project_id": project_id,
                    "code": code,
                    "name": code,
                    "kind": "space",
                    "asset_type": AssetType.OFFICE,
                    "area_m2": Decimal(100),
                    "status": AssetStatus.PENDING_DELIVERY,
                }
                for code in codes
            ]
        )
        asset_ids = uow.assets.ids_by("code", codes)
        terms = template.lease_terms() | {"frequency": Frequency.MONTHLY}
        uow.leases.bulk_create(
            [
                {
                    **terms,
                    "number": code,
                    "project_id": project_id,
                    "customer_id": customer_id,
                    "template_id": template_id,
                    "status": LeaseStatus.SIGNED,
                    "starts_on": TERM_START,
                    "ends_on": TERM_END,
                    "notice_period_days": template.notice_period_days,
                    "tags": [],
                    "version": 1,
                }
                for code in codes
            ]
        )
        lease_ids = uow.leases.ids_by("number", codes)
        uow.leases.bulk_create_assets([{"lease_id": lease_ids[c], "asset_id": asset_ids[c]} for c in codes])
        lines = []
        for n, code in enumerate(codes):
            rent = {
                "lease_id": lease_ids[code],
                "series": 1,
                "version": 1,
                "charge_type": ChargeType.RENT,
                "monthly_amount": Decimal(30_000 + n % 997),
                "escalation_kind": None,
                "escalation_every_months": None,
                "escalation_value": None,
            }
            if n % ESCALATION_EVERY == 0:
                rent |= {
                    "escalation_kind": EscalationKind.PERCENT,
                    "escalation_every_months": 12,
                    "escalation_value": Decimal(3),
                }
            lines.append(rent)
            if n % SERVICE_FEE_EVERY == 0:
                lines.append(
                    {
                        "lease_id": lease_ids[code],
                        "series": 2,
                        "version": 1,
                        "charge_type": ChargeType.SERVICE_FEE,
                        "monthly_amount": Decimal("3850.00"),
                        "escalation_kind": None,
                        "escalation_every_months": None,
                        "escalation_value": None,
                    }
                )
        uow.charge_lines.bulk_create(lines)
        uow.commit()
        return sorted(lease_ids.values())


def run_service(
    database: Database, lease_ids: list[int], chunk: int, profile: Path | None
) -> tuple[int, float]:
    """Time materialise_many over every lease; returns the items written and the seconds."""
    actor = Actor.system(Origin.CLI, "bench")
    profiler = cProfile.Profile() if profile is not None else None
    with database.unit_of_work() as uow:
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        result = schedules.materialise_many(
            lease_ids,
            actor,
            uow,
            datetime.now(UTC),
            chunk=chunk,
            progress=lambda done, total: log(f"  scheduled {done:,} / {total:,} leases"),
        )
        if profiler is not None:
            profiler.disable()
        seconds = time.perf_counter() - started
    if profiler is not None and profile is not None:
        profiler.dump_stats(str(profile))
        pstats.Stats(str(profile), stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    if result.failures:
        raise RuntimeError(f"{len(result.failures)} leases failed, first: {result.failures[0]}")
    return result.items, seconds


def run_ceiling(database: Database, lease_ids: list[int], chunk: int) -> tuple[int, float]:
    """Read the items back, delete them, and time inserting the same rows with plain executemany.

    The rows go in the same batches as the service writes them (one lease chunk's items per executemany,
    one commit per chunk), through the same SQLAlchemy Core insert the repository uses.
    """
    columns = [getattr(ScheduleItem, name) for name in INSERT_COLUMNS]
    with database.unit_of_work() as uow:
        session = uow.session
        assert session is not None
        batches = []
        for start in range(0, len(lease_ids), chunk):
            first, last = lease_ids[start], lease_ids[min(start + chunk, len(lease_ids)) - 1]
            statement = select(*columns).where(ScheduleItem.lease_id.between(first, last))
            batches.append(
                [dict(zip(INSERT_COLUMNS, row, strict=True)) for row in session.execute(statement)]
            )
        session.execute(delete(ScheduleItem))
        uow.commit()
    with database.unit_of_work() as uow:
        started = time.perf_counter()
        for rows in batches:
            uow.schedules.insert_rows(rows)
            uow.commit()
        seconds = time.perf_counter() - started
        session = uow.session
        assert session is not None
        written = session.scalar(select(func.count()).select_from(ScheduleItem)) or 0
    return written, seconds


def run_backend(backend: str, workdir: Path, args: argparse.Namespace) -> Result:
    """Prepare one database, then measure the service path and the ceiling on it."""
    with database_url(backend, workdir) as url:
        migrate.upgrade(url)
        database = Database(url)
        try:
            log(f"{backend}: creating {args.leases:,} signed leases")
            lease_ids = create_leases(database, args.leases)
            log(f"{backend}: materialise_many")
            items, service_seconds = run_service(database, lease_ids, args.chunk, args.profile)
            log(f"{backend}: ceiling (plain executemany of the same {items:,} rows)")
            written, ceiling_seconds = run_ceiling(database, lease_ids, args.chunk)
            if written != items:
                raise RuntimeError(f"ceiling wrote {written:,} rows, service {items:,}")
        finally:
            database.dispose()
    return Result(backend, len(lease_ids), items, service_seconds, ceiling_seconds)


def report(results: Sequence[Result], machine: dict[str, Any], args: argparse.Namespace) -> None:
    """Print the table and write the JSON results file."""
    print()
    print(
        f"Machine: {machine['cores']} cores ({machine['arch']}), Python {machine['python']}; "
        f"1-min load average before the run {machine['load_average_before']}"
    )
    print(
        f"Data: {args.leases:,} signed monthly leases × 36 periods; every {SERVICE_FEE_EVERY}th with a "
        f"service fee, every {ESCALATION_EVERY}rd rent stepping 3 % a year; "
        f"{args.chunk} leases per transaction"
    )
    print()
    line = "{:<11} {:>9} {:>10} {:>12} {:>10} {:>12} {:>7}"
    print(line.format("backend", "items", "service s", "service r/s", "ceiling s", "ceiling r/s", "ratio"))
    for r in results:
        print(
            line.format(
                r.backend,
                f"{r.items:,}",
                f"{r.service_seconds:.2f}",
                f"{r.service_rate:,.0f}",
                f"{r.ceiling_seconds:.2f}",
                f"{r.ceiling_rate:,.0f}",
                f"{r.service_rate / r.ceiling_rate:.2f}",
            )
        )
    RESULTS_PATH.parent.mkdir(exist_ok=True)
    document = {
        "benchmark": "schedules",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {"leases": args.leases, "chunk": args.chunk},
        "results": [r.as_json() for r in results],
    }
    RESULTS_PATH.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"\nWritten to {os.path.relpath(RESULTS_PATH)}")


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    # SystemExit unwinds through the finally blocks that stop PostgreSQL.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark on each backend."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    machine: dict[str, Any] = {
        "cores": os.cpu_count(),
        "arch": platform.machine(),
        "python": platform.python_version(),
        "load_average_before": round(os.getloadavg()[0], 2),
    }
    results = []
    with tempfile.TemporaryDirectory(prefix="lk-bench-") as temp:
        for backend in args.backends:
            reason = postgres_unavailable_reason() if backend == "postgresql" else None
            if reason is not None:
                log(f"postgresql: skipped ({reason})")
                continue
            results.append(run_backend(backend, Path(temp), args))
    report(results, machine, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
