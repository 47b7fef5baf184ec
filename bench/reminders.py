"""The reminder engine over the whole demo portfolio: seconds and leases/s of one run, beside a ceiling.

    .venv/bin/python -m bench.reminders [--scale 50] [--backends sqlite,postgresql] [--profile DIR]

For each backend, a migrated database seeded with ×`--scale` demo data (portfolio, leases and their schedules,
as of the demo's reference day; no bills or bank data), then, timed, `engine.run(uow, now)` over every
project:

1. **first run** at 02:00 Asia/Shanghai on the reference day: nothing was ever sent, so it catches up every
   tier already due (many sends, all late: the reference day is a Sunday);
2. **rerun** at the same instant: everything is sent already, so it sends nothing; the daily cost of reading
   and deciding alone;
3. **next day** at 02:00 the day after: a normal day's sends.

Beside them, the **ceiling**: the one statement that reads the live leases' columns the engine needs
(`uow.reminders.lease_terms`), and nothing else. No engine can be faster. `--profile DIR` repeats the three
runs under cProfile on a copy of the seeded database made before the timed runs, and prints where the time
goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import os
import platform
import pstats
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, text

from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.demo.generator import REFERENCE_DAY, TIMEZONE
from backend.demo.seed import seed_demo
from backend.reminders.services import engine
from tests.support.postgres import PostgresServer, postgres_unavailable_reason

BACKENDS = ("sqlite", "postgresql")
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SEEDED = "reminders_seeded"
PROFILED = "reminders_profiled"
TARGET_SECONDS = 10.0
CEILING_RUNS = 5
RUN_HOUR = 2  # the job's cron: 02:00 in each project


@dataclass(frozen=True)
class EngineRun:
    """One timed engine run and the figures of its report."""

    name: str
    instant: str
    seconds: float
    peak_mb: float | None
    statements: int
    projects: int
    leases: int
    due: int
    sent: int
    late: int
    escalated: int
    cancelled: int
    auto_renewals: int
    skipped: dict[str, int]
    errors: int

    @property
    def leases_per_second(self) -> float:
        """Leases looked at per second of wall time."""
        return self.leases / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class BackendResult:
    """One backend's data set, runs and ceiling."""

    backend: str
    scale: int
    seed_seconds: float
    counts: dict[str, int]
    runs: list[EngineRun]
    ceiling_rows: int
    ceiling_seconds: float
    ceiling_samples: list[float]

    def as_json(self) -> dict[str, Any]:
        """The backend's entry in the results file."""
        return {
            "backend": self.backend,
            "scale": self.scale,
            "seed_seconds": round(self.seed_seconds, 1),
            "counts": self.counts,
            "ceiling": {
                "rows": self.ceiling_rows,
                "seconds_median": round(self.ceiling_seconds, 4),
                "samples": [round(s, 4) for s in self.ceiling_samples],
                "rows_per_second": round(self.ceiling_rows / self.ceiling_seconds),
            },
            "runs": [
                asdict(run)
                | {
                    "seconds": round(run.seconds, 3),
                    "leases_per_second": round(run.leases_per_second),
                    "times_ceiling": round(run.seconds / self.ceiling_seconds, 1),
                }
                for run in self.runs
            ],
        }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50, help="×N demo data (50: the issue's portfolio)")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite,postgresql")
    parser.add_argument("--profile", type=Path, help="also profile the three runs, writing .prof files here")
    parser.add_argument("--top", type=int, default=25, help="profile entries printed per run (25)")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    args.backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = set(args.backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backend(s) {', '.join(sorted(unknown))}; use {', '.join(BACKENDS)}")
    return args


def log(message: str) -> None:
    """Progress on stderr, figures on stdout."""
    print(message, file=sys.stderr, flush=True)


def instants(day: date) -> list[tuple[str, datetime]]:
    """The three runs' instants: 02:00 in the demo's time zone on the day, again, and the next day."""
    zone = ZoneInfo(TIMEZONE)
    first = datetime(day.year, day.month, day.day, RUN_HOUR, tzinfo=zone).astimezone(UTC)
    return [("first run", first), ("rerun", first), ("next day", first + timedelta(days=1))]


# --- databases -------------------------------------------------------------------------------------------


class Backend:
    """Where one backend's databases live: SQLite files in a directory, or databases on one server."""

    def __init__(self, name: str, workdir: Path, server: PostgresServer | None) -> None:
        self.name = name
        self.workdir = workdir
        self.server = server

    def create(self, name: str) -> str:
        """An empty database called name; its URL."""
        if self.server is None:
            return f"sqlite:///{self.workdir / f'{name}.sqlite3'}"
        return self.server.create_database(name)

    def copy(self, source: str, name: str) -> str:
        """A copy of database source (nobody may be connected to it) called name; its URL."""
        if self.server is None:
            shutil.copyfile(self.workdir / f"{source}.sqlite3", self.workdir / f"{name}.sqlite3")
            return f"sqlite:///{self.workdir / f'{name}.sqlite3'}"
        return self.server.create_database(name, template=source)

    def analyze(self, database: Database) -> None:
        """Planner statistics on PostgreSQL, as a long-running server's autovacuum would have them."""
        if self.server is None:
            return
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))


@contextmanager
def backend_of(name: str, workdir: Path) -> Iterator[Backend]:
    """The backend's home, removed afterwards (the PostgreSQL server is stopped)."""
    if name == "sqlite":
        yield Backend(name, workdir, None)
        return
    with PostgresServer() as server:
        yield Backend(name, workdir, server)


def seed(url: str, scale: int, day: date) -> None:
    """Migrate and seed ×scale demo data as of day (in a child process: its memory goes when it exits)."""
    migrate.upgrade(url)
    database = Database(url)
    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        # Every tenth of a stage, so a long seed shows it is alive without flooding the log.
        step = max(1, total // 10)
        last = stages.get(stage, -1)
        if done >= total or done // step > last:
            stages[stage] = done // step
            log(f"    {stage:<10} {done:>9,} / {total:,}")

    with database.unit_of_work() as uow:
        summary = seed_demo(scale, Actor.system(Origin.CLI, "bench"), uow, progress=progress, today=day)
    database.dispose()
    if summary is None:
        raise RuntimeError("the new database already held data")
    log("  " + summary.describe().splitlines()[0])


def seed_in_child(url: str, scale: int, day: date) -> float:
    """Seed through a fresh interpreter; its seconds."""
    started = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(target=seed, args=(url, scale, day))
    child.start()
    try:
        child.join()
    finally:
        if child.is_alive():
            child.terminate()
            child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"seeding failed (exit {child.exitcode})")
    return time.perf_counter() - started


def counts_of(database: Database) -> dict[str, int]:
    """Rows the run works over."""
    with database.engine.connect() as connection:
        found = {
            name: int(connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())  # noqa: S608
            for name in ("projects", "assets", "leases", "users", "schedule_items", "reminder_tasks")
        }
        live = connection.execute(
            text("SELECT count(*) FROM leases WHERE status IN ('signed', 'active', 'expiring')")
        ).scalar_one()
    return found | {"live_leases": int(live)}


# --- measuring -------------------------------------------------------------------------------------------


class PeakMemory:
    """The process's peak resident memory during a block, in MB above what it held before.

    Linux resets the high-water mark (VmHWM) on writing 5 to /proc/self/clear_refs, so each block gets its
    own peak; elsewhere the growth of ru_maxrss is used, which stays 0 until the process passes an earlier
    peak.
    """

    def __init__(self) -> None:
        self.peak_mb: float | None = None
        self._before = 0.0
        self._resettable = False

    def __enter__(self) -> PeakMemory:
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self._resettable = True
            self._before = _status_mb("VmRSS")
        except OSError:
            self._before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._resettable:
            self.peak_mb = max(0.0, _status_mb("VmHWM") - self._before)
        else:
            self.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - self._before


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024  # kB
    raise OSError(f"{field} not in /proc/self/status")


def ceiling(database: Database, day: date) -> tuple[int, list[float]]:
    """The live leases' terms in one statement, as the engine reads them: rows and seconds of each run."""
    closed_since = day - timedelta(days=engine.DEPOSIT_WINDOW_DAYS)
    samples = []
    rows = 0
    for attempt in range(CEILING_RUNS + 1):
        with database.unit_of_work() as uow:
            started = time.perf_counter()
            rows = len(uow.reminders.lease_terms(None, engine.LIVE, closed_since))
            if attempt:  # the first one warms the caches
                samples.append(time.perf_counter() - started)
    return rows, samples


def engine_run(
    database: Database, name: str, now: datetime, profiler: cProfile.Profile | None = None
) -> EngineRun:
    """One engine run over every project, timed with its unit of work; progress every tenth of the way."""
    marks: set[int] = set()

    def progress(done: int, total: int) -> None:
        tenth = done * 10 // total
        if tenth not in marks:
            marks.add(tenth)
            log(f"    {name}: {done:,} / {total:,} projects, {time.perf_counter() - started:.1f} s")

    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    memory = PeakMemory()
    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with memory:
            started = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            try:
                with database.unit_of_work() as uow:
                    report = engine.run(uow, now, progress=progress)
            finally:
                if profiler is not None:
                    profiler.disable()
            seconds = time.perf_counter() - started
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    return EngineRun(
        name=name,
        instant=now.isoformat(),
        seconds=seconds,
        peak_mb=None if memory.peak_mb is None else round(memory.peak_mb, 1),
        statements=statements,
        projects=report.projects,
        leases=report.leases,
        due=report.due,
        sent=report.sent,
        late=report.late,
        escalated=report.escalated,
        cancelled=report.cancelled,
        auto_renewals=report.auto_renewals,
        skipped=dict(report.skipped),
        errors=len(report.errors),
    )


def three_runs(
    backend: Backend,
    database: Database,
    day: date,
    wrap: Callable[[str], cProfile.Profile | None] = lambda _name: None,
) -> list[EngineRun]:
    """The first run, the rerun and the next day's run, with ANALYZE between them on PostgreSQL."""
    runs = []
    for name, now in instants(day):
        log(f"  {name} at {now.astimezone(ZoneInfo(TIMEZONE)).isoformat()} …")
        run = engine_run(database, name, now, wrap(name))
        log(
            f"    {run.seconds:.2f} s: {run.leases:,} leases, {run.due:,} due, {run.sent:,} sent, "
            f"{run.statements:,} SQL statements"
        )
        runs.append(run)
        # Daily runs are a day apart: autovacuum has analysed the new tasks by the next one.
        backend.analyze(database)
    return runs


def profile_runs(backend: Backend, url: str, day: date, directory: Path, top: int) -> list[EngineRun]:
    """The three runs again under cProfile, on the untouched copy; each profile saved and its top printed."""
    directory.mkdir(parents=True, exist_ok=True)
    profilers: dict[str, cProfile.Profile] = {}

    def wrap(name: str) -> cProfile.Profile:
        profilers[name] = cProfile.Profile()
        return profilers[name]

    database = Database(url)
    try:
        backend.analyze(database)
        runs = three_runs(backend, database, day, wrap)
    finally:
        database.dispose()
    for run in runs:
        path = directory / f"reminders-{backend.name}-{run.name.replace(' ', '-')}.prof"
        profilers[run.name].dump_stats(path)
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profilers[run.name], stream=out).strip_dirs().sort_stats(order).print_stats(top)
            print(f"\n--- {backend.name}, {run.name} under cProfile ({run.seconds:.1f} s), by {order} ---")
            print(out.getvalue().split("\n", 4)[-1].rstrip())
        print(f"(saved to {path})")
    return runs


def run_backend(name: str, workdir: Path, args: argparse.Namespace) -> BackendResult:
    """Seed, then measure the ceiling and the three runs (and profile them on a copy when asked)."""
    day = REFERENCE_DAY
    with backend_of(name, workdir) as backend:
        url = backend.create(SEEDED)
        log(f"{name}: seeding ×{args.scale} demo data as of {day} …")
        seed_seconds = seed_in_child(url, args.scale, day)
        log(f"{name}: seeded in {seed_seconds:.0f} s")
        profiled_url = backend.copy(SEEDED, PROFILED) if args.profile else None
        database = Database(url)
        try:
            backend.analyze(database)
            counts = counts_of(database)
            log(f"{name}: {counts}")
            log(f"{name}: ceiling (the live leases' terms in one statement) …")
            rows, samples = ceiling(database, day)
            runs = three_runs(backend, database, day)
        finally:
            database.dispose()
        if profiled_url is not None:
            log(f"{name}: the same three runs under cProfile …")
            profile_runs(backend, profiled_url, day, args.profile, args.top)
    return BackendResult(
        name, args.scale, seed_seconds, counts, runs, rows, statistics.median(samples), samples
    )


# --- output ----------------------------------------------------------------------------------------------


def print_result(result: BackendResult) -> None:
    """One backend's table."""
    c = result.counts
    print()
    print(
        f"{result.backend}, ×{result.scale} demo: {c['projects']:,} projects, {c['leases']:,} leases "
        f"({c['live_leases']:,} live), {c['users']:,} users; seeded in {result.seed_seconds:.0f} s"
    )
    ceiling_rate = result.ceiling_rows / result.ceiling_seconds
    print(
        f"ceiling: the live leases' terms in one statement: {result.ceiling_rows:,} rows in "
        f"{result.ceiling_seconds:.3f} s ({ceiling_rate:,.0f} rows/s; "
        f"median of {len(result.ceiling_samples)})"
    )
    line = "{:<10} {:>7} {:>9} {:>6} {:>7} {:>7} {:>7} {:>7} {:>9} {:>7} {:>8}"
    heads = ("run", "s", "leases/s", "×ceil", "leases", "due", "sent", "late", "escalated", "SQL", "peak MB")
    print(line.format(*heads))
    for run in result.runs:
        print(
            line.format(
                run.name,
                f"{run.seconds:.2f}",
                f"{run.leases_per_second:,.0f}",
                f"{run.seconds / result.ceiling_seconds:,.1f}",
                f"{run.leases:,}",
                f"{run.due:,}",
                f"{run.sent:,}",
                f"{run.late:,}",
                f"{run.escalated:,}",
                f"{run.statements:,}",
                "—" if run.peak_mb is None else f"{run.peak_mb:,.0f}",
            )
        )
    for run in result.runs:
        skipped = ", ".join(f"{k} {v:,}" for k, v in sorted(run.skipped.items())) or "none"
        verdict = "within" if run.seconds <= TARGET_SECONDS else "over"
        print(
            f"  {run.name}: {verdict} the {TARGET_SECONDS:.0f} s target; tiers skipped: {skipped}; "
            f"cancelled {run.cancelled:,}, auto-renewals {run.auto_renewals:,}, errors {run.errors}"
        )


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    # SystemExit unwinds through the finally blocks that stop PostgreSQL.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark on each backend."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    started_at = datetime.now(UTC)
    machine: dict[str, Any] = {
        "cores": os.cpu_count(),
        "arch": platform.machine(),
        "python": platform.python_version(),
        "load_average_before": round(os.getloadavg()[0], 2),
    }
    results = []
    with tempfile.TemporaryDirectory(prefix="lk-bench-") as temp:
        for name in args.backends:
            reason = postgres_unavailable_reason() if name == "postgresql" else None
            if reason is not None:
                log(f"postgresql: skipped ({reason})")
                continue
            results.append(run_backend(name, Path(temp), args))
    print(
        f"\nMachine: {machine['cores']} cores ({machine['arch']}), Python {machine['python']}; "
        f"1-min load average before the run {machine['load_average_before']}"
    )
    for result in results:
        print_result(result)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"reminders-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    document = {
        "benchmark": "reminders",
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {"scale": args.scale, "day": REFERENCE_DAY.isoformat(), "profiled": bool(args.profile)},
        "target_seconds": TARGET_SECONDS,
        "results": [r.as_json() for r in results],
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"\nWritten to {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
