"""Dunning over the ×10 demo ledger: the time of one day's run of every project, SQLite and PostgreSQL.

    .venv/bin/python -m bench.dunning [--scale 10] [--backends sqlite,postgresql]

1. **Data**: a fresh database per backend (an SQLite file; a throwaway PostgreSQL server), migrated,
   ×`--scale` demo data as of the demo's reference day, then its year of bills, bank statements and
   reconciliation (`seed_receivables`, as `leasekeeper demo` does), in a child; `ANALYZE` on PostgreSQL.
2. **Run**: the dunning run of every project at 10:00 on the last day of the month before the reference
   month (the demo imports statements through that month's end, so yesterday is reconciled): late fees accrued
   over the whole year of bills for the first time, promises judged, every customer decided, messages and
   cases staged, one commit per project: the 10:00 job's work. Then the same afternoon's rerun (it changes
   nothing) and the next day's run (one more day of late fees on every open bill, follow-ups): both timed.
3. **Ceiling**, measured in the same run: the rules alone on the same overdue bills in memory (the
   per-customer decisions and the late-fee arithmetic), what the run could reach if the database cost
   nothing.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from backend.collections.db.models import DunningNotice, LateFeePosting
from backend.collections.domain.late_fees import Accrued, Settlement, accrue
from backend.collections.domain.plan import OverdueBill, Situation, Standing, decide
from backend.collections.domain.tiers import Thresholds
from backend.collections.services import dunning, late_fees
from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.demo.generator import REFERENCE_DAY
from backend.demo.receivables import seed_receivables
from backend.demo.seed import seed_demo
from tests.support.postgres import PostgresServer, postgres_unavailable_reason

JOB = Actor.system(Origin.JOB, "bench")
RESULTS = Path(__file__).parent / "results"


def log(message: str) -> None:
    print(message, flush=True)


def seed(url: str, scale: int, statements: str) -> None:
    """Migrate and seed the demo and its ledger year (in a child: its memory goes when it exits)."""
    migrate.upgrade(url)
    database = Database(url)
    actor = Actor.system(Origin.CLI, "bench")
    with database.unit_of_work() as uow:
        summary = seed_demo(scale, actor, uow, today=REFERENCE_DAY)
    if summary is None:
        raise RuntimeError("the new database already held data")
    ledger = seed_receivables(database.unit_of_work, actor, REFERENCE_DAY, Path(statements), 20261122)
    log("  " + summary.describe().splitlines()[0])
    log("  " + ledger.describe().splitlines()[0])
    database.dispose()


@contextmanager
def database_of(backend: str, workdir: Path) -> Iterator[str]:
    """An empty database's URL on a backend."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'dunning.sqlite3'}"
        return
    with PostgresServer() as server:
        yield server.create_database("dunning")


def timed_runs(database: Database, run_at: datetime) -> tuple[float, dict[str, Any]]:
    """One dunning run of every project; its seconds and what it did."""
    with database.unit_of_work() as uow:
        project_ids = sorted(uow.projects.time_zones())
    started = time.perf_counter()
    totals: dict[str, Any] = defaultdict(int)
    late = Decimal("0.00")
    for project_id in project_ids:
        with database.unit_of_work() as uow:
            report = dunning.run(project_id, JOB, uow, run_at)
        totals["customers"] += report.customers
        for action, count in report.by_action.items():
            totals[action] += count
        late += report.late_fees
    seconds = time.perf_counter() - started
    return seconds, {**totals, "projects": len(project_ids), "late_fees": str(late)}


def ceiling(database: Database, run_at: datetime) -> float:
    """The rules alone, on the same bills in memory: decisions and late-fee days for every customer."""
    inputs = []
    with database.unit_of_work() as uow:
        for project_id, zone in sorted(uow.projects.time_zones().items()):
            today = run_at.astimezone(ZoneInfo(zone)).date()
            rows = uow.dunning.late_fee_candidates(project_id, today - timedelta(days=1))
            leases = uow.dunning.leases({row.lease_id for row in rows})
            settled = uow.dunning.settlements([row.id for row in rows])
            inputs.append((today, rows, leases, settled))
    rules = Thresholds()
    started = time.perf_counter()
    for today, rows, leases, settled in inputs:
        by_customer: dict[int, list[OverdueBill]] = defaultdict(list)
        for row in rows:
            clause = late_fees.clause_of(leases.get(row.lease_id))
            if clause is not None:
                paid = [Settlement(on, Decimal(amount)) for on, amount in settled.get(row.id, [])]
                accrue(clause, row.due_date, Decimal(row.amount), paid, Accrued(), today - timedelta(days=1))
            if row.open > 0:
                bill = OverdueBill(
                    row.id, row.number, row.lease_id, row.due_date, Decimal(row.open), row.currency
                )
                by_customer[row.customer_id].append(bill)
        for customer_id, bills in by_customer.items():
            decide(Situation(customer_id, bills, Standing()), today, rules)
    return time.perf_counter() - started


def counts(database: Database) -> dict[str, int]:
    with database.unit_of_work() as uow:
        session = uow.session
        return {
            "notices": session.scalar(select(func.count()).select_from(DunningNotice)) or 0,
            "late_fee_postings": session.scalar(select(func.count()).select_from(LateFeePosting)) or 0,
        }


def bench(backend: str, scale: int) -> dict[str, Any] | None:
    if backend == "postgresql" and (reason := postgres_unavailable_reason()):
        log(f"postgresql: skipped ({reason})")
        return None
    with tempfile.TemporaryDirectory() as workdir, database_of(backend, Path(workdir)) as url:
        log(f"{backend}: seeding ×{scale} demo data and its ledger year …")
        started = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(target=seed, args=(url, scale, workdir))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"seeding failed (exit {child.exitcode})")
        log(f"  seeded in {time.perf_counter() - started:,.0f} s")
        database = Database(url)
        if backend == "postgresql":
            with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
        # The last day of the month before the reference month, then the next day: yesterday is reconciled
        # on both (the demo imports statements through the end of the previous month).
        first = REFERENCE_DAY.replace(day=1) - timedelta(days=1)
        run_at = datetime(
            first.year, first.month, first.day, 10, tzinfo=ZoneInfo("Asia/Shanghai")
        ).astimezone(UTC)
        floor = ceiling(database, run_at)  # before the run: afterwards nothing is left to accrue that day
        seconds, did = timed_runs(database, run_at)
        written = counts(database)
        rerun, again = timed_runs(database, run_at + timedelta(hours=4))
        following, next_day = timed_runs(database, run_at + timedelta(days=1))
        database.dispose()
    result = {
        "backend": backend,
        "scale": scale,
        "run_on": first.isoformat(),
        "seconds": round(seconds, 2),
        "rerun_seconds": round(rerun, 2),
        "next_day_seconds": round(following, 2),
        "next_day_did": next_day,
        "rules_only_seconds": round(floor, 2),
        "did": did,
        "rerun_did": again,
        "written": written,
    }
    actions = ", ".join(
        f"{k} {v:,}" for k, v in sorted(did.items()) if k not in {"customers", "projects", "late_fees"}
    )
    log(
        f"  run of {did['projects']} projects on {first}: {seconds:,.1f} s for {did['customers']:,} customers"
    )
    log(f"    {actions}; late fees {did['late_fees']}")
    log(f"    {written['notices']:,} notices, {written['late_fee_postings']:,} late-fee postings written")
    log(f"  the same afternoon's rerun: {rerun:,.1f} s, {again['customers']:,} customers decided again")
    log(f"  the next day's run: {following:,.1f} s, {next_day['customers']:,} customers decided")
    log(f"  ceiling, the rules alone in memory: {floor:,.2f} s")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    results = [r for b in args.backends.split(",") if (r := bench(b.strip(), args.scale)) is not None]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dunning.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
