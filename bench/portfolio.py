"""Portfolio dashboard and monthly report on PostgreSQL at scale, beside a plain SQL aggregate as the ceiling.

    .venv/bin/python -m bench.portfolio [--scale 10] [--ledger-rows 2000000] [--requests 30]

1. **Data**: a throwaway PostgreSQL server, migrated, ×`--scale` demo data (×10: about 20,000 assets and
   their leases), then a ledger history written in bulk: a monthly rent bill per signed lease for as many
   months back as it takes to reach `--ledger-rows` rows of charges, payments and allocations together
   (nine bills in ten paid, 0–40 days after their due date); `ANALYZE`.
2. **Snapshots**: the nightly job's first run (twelve closed months), timed.
3. **Dashboard**: `GET /api/portfolio/dashboard` for the current month grouped by project, as a director,
   through the application (test client, no HTTP server), after one warm-up: p50 / p95. Once before any
   snapshot exists (every month summed live, one request); once with the snapshots but the running month
   summed on the spot (no refresh in the last ten minutes); and in the steady state, after the worker's
   five-minute refresh of the running month (`--requests` requests).
4. **Ceiling**: one hand-written SQL statement summing the same point-in-time and monthly numbers per project
   (occupied and lettable units, billed and collected within 30 days, open and overdue amounts): p50 / p95
   over the same number of runs. It is what the dashboard's live month cannot beat.
5. **Monthly report**: the director's report (every region) built and rendered as workbook and PDF, timed.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from backend import create_app
from backend.adapters.reports.portfolio_pdf import render_pdf
from backend.adapters.reports.portfolio_xlsx import render_xlsx
from backend.analytics.domain.periods import month_of
from backend.analytics.domain.sums import Policy
from backend.analytics.services import portfolio, reports, snapshots
from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.domain.audit import Origin
from backend.core.domain.login import LoginPolicy
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.demo.generator import DEMO_PASSWORD
from backend.demo.seed import seed_demo
from backend.notify.delivery import Catalogue
from tests.support.postgres import PostgresServer, postgres_unavailable_reason

RESULTS = Path(__file__).resolve().parent / "results" / "portfolio.json"
SYSTEM = Actor.system(Origin.CLI, "bench")


def log(message: str) -> None:
    """Progress on stderr, figures on stdout."""
    print(message, file=sys.stderr, flush=True)


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(action: Callable[[], Any], runs: int, warm_up: bool = True) -> list[float]:
    """Seconds of each of `runs` runs, after one warm-up (unless told otherwise)."""
    if warm_up:
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def write_ledger(database: Database, target_rows: int, today: date) -> dict[str, int]:
    """Monthly rent bills of every signed lease going back from this month, 90 % paid, in bulk SQL."""
    with database.engine.begin() as connection:
        leases = connection.execute(
            text("SELECT count(*) FROM leases WHERE status <> 'draft' AND customer_id IS NOT NULL")
        ).scalar_one()
        months = max(1, math.ceil(target_rows / (leases * 2.8)))
        first_due = date(today.year, today.month, 5)
        connection.execute(
            text(
                """
                INSERT INTO charges (number, project_id, customer_id, lease_id, kind, description,
                                     issued_on, due_date, gross, concessions, amount, currency, created_at)
                SELECT 'BENCH-' || l.id || '-' || m, l.project_id, l.customer_id, l.id, 'rent', NULL,
                       (d - 15), d, r, 0, r, 'CNY', now()
                FROM leases l
                CROSS JOIN generate_series(0, :months - 1) AS m
                CROSS JOIN LATERAL (
                    SELECT (CAST(:first AS date) - make_interval(months => m))::date AS d
                ) AS due
                CROSS JOIN LATERAL (SELECT (2000 + (l.id % 40) * 250)::numeric(14, 2) AS r) AS rent
                WHERE l.status <> 'draft' AND l.customer_id IS NOT NULL
                """
            ),
            {"months": months, "first": first_due},
        )
        connection.execute(
            text(
                """
                INSERT INTO payments (region_id, project_id, customer_id, method, received_on, amount, fee,
                                      currency, reference, created_at)
                SELECT p.region_id, c.project_id, c.customer_id, 'bank',
                       c.due_date + (c.id % 41), c.amount, 0, 'CNY', 'BENCH:' || c.id, now()
                FROM charges c JOIN projects p ON p.id = c.project_id
                WHERE c.number LIKE 'BENCH-%' AND c.id % 10 <> 0 AND c.due_date + (c.id % 41) <= :today
                """
            ),
            {"today": today},
        )
        connection.execute(
            text(
                """
                INSERT INTO allocations (charge_id, payment_id, amount, source, created_at)
                SELECT CAST(substr(pay.reference, 7) AS integer), pay.id, pay.amount, 'manual', now()
                FROM payments pay WHERE pay.reference LIKE 'BENCH:%'
                """
            )
        )
        counts = {
            name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608 - fixed names
            for name in ("assets", "leases", "charges", "payments", "allocations")
        }
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    return counts | {"months": months}


CEILING = text(
    """
    WITH tenancy AS (
        SELECT DISTINCT la.asset_id FROM lease_assets la JOIN leases l ON l.id = la.lease_id
        WHERE l.status <> 'draft' AND l.starts_on <= :day AND (l.ends_on IS NULL OR l.ends_on >= :day)
          AND (l.closed_on IS NULL OR l.closed_on >= :day)
    ),
    stock AS (
        SELECT a.project_id, count(*) AS lettable, count(t.asset_id) AS occupied
        FROM assets a LEFT JOIN tenancy t ON t.asset_id = a.id
        WHERE a.status <> 'retired' GROUP BY a.project_id
    ),
    paid AS (
        SELECT al.charge_id, sum(al.amount) AS by_day,
               sum(CASE WHEN coalesce(p.received_on, al.created_at::date) <= c.due_date + 30
                        THEN al.amount ELSE 0 END) AS within_30
        FROM allocations al JOIN charges c ON c.id = al.charge_id LEFT JOIN payments p ON p.id = al.payment_id
        WHERE al.reversed_at IS NULL AND coalesce(p.received_on, al.created_at::date) <= :day
        GROUP BY al.charge_id
    ),
    ledger AS (
        SELECT c.project_id,
               sum(CASE WHEN c.due_date BETWEEN :start AND :end THEN c.amount ELSE 0 END) AS billed,
               sum(CASE WHEN c.due_date BETWEEN :start AND :end THEN coalesce(paid.within_30, 0) ELSE 0 END)
                   AS collected,
               sum(c.amount - coalesce(paid.by_day, 0)) AS open,
               sum(CASE WHEN c.due_date < :day THEN c.amount - coalesce(paid.by_day, 0) ELSE 0 END) AS overdue
        FROM charges c LEFT JOIN paid ON paid.charge_id = c.id
        WHERE c.issued_on <= :day GROUP BY c.project_id
    )
    SELECT s.project_id, s.lettable, s.occupied, l.billed, l.collected, l.open, l.overdue
    FROM stock s LEFT JOIN ledger l ON l.project_id = s.project_id
    """
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="×N demo data (10: about 20,000 assets)")
    parser.add_argument("--ledger-rows", type=int, default=2_000_000, help="charges + payments + allocations")
    parser.add_argument("--requests", type=int, default=30, help="measured requests per figure")
    args = parser.parse_args(argv)
    reason = postgres_unavailable_reason()
    if reason is not None:
        print(f"PostgreSQL is not available here: {reason}", file=sys.stderr)
        return 1
    with PostgresServer() as server:
        url = server.create_database("portfolio")
        return run(url, args)


def run(url: str, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()  # the day that names the running month
    migrate.upgrade(url)
    database = Database(url)
    started = time.perf_counter()
    log(f"seeding ×{args.scale} demo data …")
    with database.unit_of_work() as uow:
        seed_demo(args.scale, SYSTEM, uow)
    log(f"  {time.perf_counter() - started:.0f} s; writing ~{args.ledger_rows:,} ledger rows …")
    counts = write_ledger(database, args.ledger_rows, today)
    ledger_rows = counts["charges"] + counts["payments"] + counts["allocations"]
    log(f"  {counts}")
    with database.unit_of_work() as uow:
        token = auth.register_device(
            {"username": "director", "password": DEMO_PASSWORD, "device_name": "bench"},
            SYSTEM,
            LoginPolicy(),
            now,
            uow,
        ).token
    app = create_app(DATABASE_URL=url, LOG_LEVEL="WARNING")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/portfolio/dashboard?period={month_of(today)}&group_by=project"

    def dashboard() -> None:
        answer = client.get(path, headers=headers)
        if answer.status_code != 200:
            raise RuntimeError(f"dashboard answered {answer.status_code}: {answer.json}")

    log("dashboard before any snapshot …")
    cold = percentiles(timed(dashboard, 1, warm_up=False))
    log("nightly snapshots …")
    started = time.perf_counter()
    with database.unit_of_work() as uow:
        written = snapshots.write_snapshots(uow, today, Policy(), now)
    snapshot_seconds = time.perf_counter() - started
    log(f"  {snapshot_seconds:.1f} s, {sum(written.first.values())} project-months")
    log("dashboard with snapshots, the running month summed on the spot …")
    warm = percentiles(timed(dashboard, max(3, args.requests // 4)))
    log("the worker's refresh of the running month …")
    started = time.perf_counter()
    with database.unit_of_work() as uow:
        portfolio.refresh_running_month(uow, today, Policy(), datetime.now(UTC))
    refresh_seconds = time.perf_counter() - started
    log("dashboard with snapshots and the refresh …")
    served = percentiles(timed(dashboard, args.requests))

    window_start = date(today.year, today.month, 1)
    params = {"day": today, "start": window_start, "end": today}
    with database.engine.connect() as connection:
        ceiling = percentiles(timed(lambda: connection.execute(CEILING, params).all(), args.requests))

    built, rendered_xlsx, report_seconds, content, sizes = time_report(database, today, now)
    database.dispose()

    figures = {
        "assets": counts["assets"],
        "leases": counts["leases"],
        "ledger_rows": ledger_rows,
        "ledger": {k: counts[k] for k in ("charges", "payments", "allocations")},
        "months_of_history": counts["months"],
        "dashboard_ms_before_snapshots": {"p50": cold[0], "p95": cold[1]},
        "dashboard_ms": {"p50": served[0], "p95": served[1]},
        "dashboard_ms_summed_on_the_spot": {"p50": warm[0], "p95": warm[1]},
        "refresh_job_s": refresh_seconds,
        "ceiling_sql_ms": {"p50": ceiling[0], "p95": ceiling[1]},
        "snapshot_job_s": snapshot_seconds,
        "report_s": {"build": built, "xlsx": rendered_xlsx, "total": report_seconds},
        "report_bytes": sizes,
        "regions": len(content.regions),
    }
    print_figures(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2))
    return 0


def time_report(
    database: Database, today: date, now: datetime
) -> tuple[float, float, float, Any, dict[str, int]]:
    """The director's report of the running month: build, workbook and PDF times, and the sizes."""
    log("monthly report …")
    catalogue = Catalogue(str(Path(__file__).resolve().parents[1] / "backend" / "translations"))
    with database.unit_of_work() as uow:
        actor = Actor(auth.principal_of(uow.users.by_username("director")), Origin.CLI)
    started = time.perf_counter()
    translate = catalogue.translations("zh_CN").gettext
    with database.unit_of_work() as uow:
        content = reports.build_report(month_of(today), actor, uow, today, Policy(), translate, "zh_CN", now)
    built = time.perf_counter() - started
    workbook = render_xlsx(content, catalogue.translations)
    rendered_xlsx = time.perf_counter() - started - built
    pdf = render_pdf(content, catalogue.translations)
    total = time.perf_counter() - started
    return built, rendered_xlsx, total, content, {"xlsx": len(workbook), "pdf": len(pdf)}


def print_figures(f: dict[str, Any]) -> None:
    """The figures as a reader wants them."""
    ledger = f["ledger"]
    print(f"PostgreSQL, {f['assets']:,} assets, {f['leases']:,} leases, {f['ledger_rows']:,} ledger rows")
    print(
        f"  ({ledger['charges']:,} charges over {f['months_of_history']} months, "
        f"{ledger['payments']:,} payments, {ledger['allocations']:,} allocations)"
    )
    print("dashboard (the running month, by project):")
    for label, key, note in (
        ("steady state    ", "dashboard_ms", "after the five-minute refresh; target p95 ≤ 500 ms"),
        ("month summed now", "dashboard_ms_summed_on_the_spot", "no refresh in the last 10 minutes"),
        ("before snapshots", "dashboard_ms_before_snapshots", "every month summed live; one request"),
        ("ceiling: one SQL", "ceiling_sql_ms", "the same numbers in one hand-written statement"),
    ):
        print(f"  {label}  p50 {f[key]['p50']:7.0f} ms   p95 {f[key]['p95']:7.0f} ms   ({note})")
    print(
        f"snapshot job (12 closed months): {f['snapshot_job_s']:.1f} s; "
        f"refresh job: {f['refresh_job_s']:.1f} s"
    )
    report = f["report_s"]
    print(
        f"monthly report ({f['regions']} regions): {report['total']:.1f} s (build {report['build']:.1f} s, "
        f"workbook {report['xlsx']:.1f} s, PDF {report['total'] - report['build'] - report['xlsx']:.1f} s; "
        "target ≤ 30 s)"
    )


if __name__ == "__main__":
    sys.exit(main())
