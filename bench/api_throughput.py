"""API throughput: requests/s and latency of the real app under gunicorn, on SQLite and PostgreSQL.

Run from the repository root: `.venv/bin/python -m bench.api_throughput --seconds 10`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import random
import secrets
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from sqlalchemy import select, text

from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.domain.audit import Origin
from backend.core.domain.login import LoginPolicy
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.demo.generator import DEMO_PASSWORD
from backend.demo.seed import seed_demo
from backend.org.db.models import Asset
from bench._support import (
    CEILING_PATH,
    HOST,
    GunicornServer,
    Measurement,
    PythonLoad,
    WrkLoad,
    wrk_version,
)
from tests.support.postgres import PostgresServer, postgres_unavailable_reason

BACKENDS = ("sqlite", "postgresql")
RESULTS_PATH = Path(__file__).resolve().parent / "results" / "api_throughput.json"
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 1
PAGE_SIZE = 50
SEED = 20261122  # same data and same request mix on every run
LIST_PATHS = 80
READ_PATHS = 1000
# Users mostly look at the first pages; deep OFFSETs would measure paging, not the list.
MAX_PAGE_UNFILTERED = 10
MAX_PAGE_FILTERED = 5


class LoadGenerator(Protocol):
    """Drives closed-loop HTTP load at one server."""

    name: str

    def run(self, port: int, paths: Sequence[str], headers: Mapping[str, str], seconds: float) -> Measurement:
        """Request paths in rotation for seconds and measure."""
        ...


@dataclass(frozen=True)
class Scenario:
    """A named request mix: the paths are requested in rotation."""

    name: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Dataset:
    """A seeded database: the bearer token to use and the scenarios built from its rows."""

    token: str
    asset_count: int
    scenarios: tuple[Scenario, ...]


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    backend: str
    scenario: str
    asset_count: int | None
    measurement: Measurement

    def as_json(self) -> dict[str, Any]:
        """The row for the JSON results file."""
        m = self.measurement
        return {
            "backend": self.backend,
            "scenario": self.scenario,
            "asset_count": self.asset_count,
            "requests": m.requests,
            "seconds": round(m.seconds, 3),
            "requests_per_second": round(m.requests_per_second, 1),
            "p50_ms": round(m.p50_ms, 2),
            "p95_ms": round(m.p95_ms, 2),
            "p99_ms": round(m.p99_ms, 2),
            "errors": m.errors,
            "first_error": m.first_error,
        }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.api_throughput", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per scenario (10)")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured seconds before each (2)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument(
        "--backends",
        default=",".join(BACKENDS),
        help=f"comma-separated, from {', '.join(BACKENDS)} (default: both)",
    )
    parser.add_argument("--scale", type=int, default=10, help="×N demo data (10: ~20,000 assets)")
    parser.add_argument(
        "--load-generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="auto: wrk when installed, else the built-in Python generator",
    )
    args = parser.parse_args(argv)
    args.backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = sorted(set(args.backends) - set(BACKENDS))
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(unknown)}")
    if args.seconds <= 0 or args.warmup < 0 or args.connections < 1 or args.scale < 1:
        parser.error("--seconds and --scale must be positive, --warmup not negative, --connections ≥ 1")
    return args


def choose_load(name: str, connections: int, workdir: Path) -> tuple[LoadGenerator, str]:
    """The load generator and how to describe it."""
    version = wrk_version()
    if name == "wrk" and version is None:
        raise SystemExit("--load-generator wrk: wrk is not installed")
    if name != "python" and version is not None:
        return WrkLoad(connections, workdir), version
    return PythonLoad(connections), f"python http.client, {connections} threads"


def log(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the results."""
    print(message, file=sys.stderr, flush=True)


def prepare(url: str, scale: int) -> Dataset:
    """Migrate and seed an empty database, issue an admin device token and build the request mixes."""
    migrate.upgrade(url)
    database = Database(url)
    actor = Actor.system(Origin.CLI, "bench")
    try:
        with database.unit_of_work() as uow:
            if seed_demo(scale, actor, uow) is None:
                raise RuntimeError(f"{url}: database already holds data")
        with database.unit_of_work() as uow:
            issued = auth.register_device(
                {"username": "admin", "password": DEMO_PASSWORD, "device_name": "bench"},
                actor,
                LoginPolicy(),
                datetime.now(UTC),
                uow,
            )
        with database.engine.connect() as connection:
            if database.engine.dialect.name == "postgresql":
                # A long-running server has planner statistics from autovacuum; a freshly bulk-loaded
                # one may not have them yet, which would make the first minute's plans arbitrary.
                connection.execute(text("ANALYZE"))
                connection.commit()
            assets = connection.execute(select(Asset.id, Asset.project_id, Asset.status)).all()
    finally:
        database.dispose()
    rng = random.Random(SEED)
    rows = [(asset_id, project_id, str(status)) for asset_id, project_id, status in assets]
    scenarios = (
        Scenario("list assets", list_paths(rows, rng)),
        Scenario("read asset", read_paths([row[0] for row in rows], rng)),
    )
    return Dataset(issued.token, len(rows), scenarios)


def _pages(count: int) -> int:
    return max(1, math.ceil(count / PAGE_SIZE))


def list_paths(assets: Sequence[tuple[int, int, str]], rng: random.Random) -> tuple[str, ...]:
    """A rotation of asset lists: unfiltered, by project, by status, by both; always existing pages."""
    by_project = Counter(project for _, project, _ in assets)
    by_status = Counter(status for _, _, status in assets)
    by_both = Counter((project, status) for _, project, status in assets)
    base = f"/api/assets?page_size={PAGE_SIZE}"
    paths = []
    for index in range(LIST_PATHS):
        # Filters are drawn from a random asset, so common projects and statuses come up more often.
        _, project, status = rng.choice(assets)
        match index % 4:
            case 0:
                page = rng.randint(1, min(MAX_PAGE_UNFILTERED, _pages(len(assets))))
                paths.append(f"{base}&page={page}")
            case 1:
                page = rng.randint(1, min(MAX_PAGE_FILTERED, _pages(by_project[project])))
                paths.append(f"{base}&project_id={project}&page={page}")
            case 2:
                page = rng.randint(1, min(MAX_PAGE_FILTERED, _pages(by_status[status])))
                paths.append(f"{base}&status={status}&page={page}")
            case _:
                page = rng.randint(1, min(MAX_PAGE_FILTERED, _pages(by_both[project, status])))
                paths.append(f"{base}&project_id={project}&status={status}&page={page}")
    return tuple(paths)


def read_paths(asset_ids: Sequence[int], rng: random.Random) -> tuple[str, ...]:
    """Single assets drawn uniformly from the whole data set, in random order."""
    sample = rng.sample(asset_ids, min(READ_PATHS, len(asset_ids)))
    return tuple(f"/api/assets/{asset_id}" for asset_id in sample)


@contextmanager
def database_url(backend: str, workdir: Path) -> Iterator[str]:
    """An empty database for the backend, deleted afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'leasekeeper.sqlite3'}"
        return
    with PostgresServer() as server:
        yield server.create_database("leasekeeper_bench")


def server_env(workdir: Path, url: str | None) -> dict[str, str]:
    """The environment of a production-like gunicorn: explicit key and database, quiet logs."""
    env = {key: value for key, value in os.environ.items() if key != "LEASEKEEPER_ENV"}
    env["SECRET_KEY"] = secrets.token_urlsafe(32)
    env["LOG_LEVEL"] = "WARNING"
    # Anything the app would keep under ./var/ stays in the temp dir instead.
    env["LEASEKEEPER_VAR_DIR"] = str(workdir / "var")
    if url is not None:
        env["DATABASE_URL"] = url
    return env


def probe(port: int, path: str, headers: Mapping[str, str]) -> None:
    """Fail fast, with the answer, when a scenario's first path does not answer 200."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers=dict(headers))
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered HTTP {response.status}: {body[:500]!r}")


def measure(
    load: LoadGenerator,
    port: int,
    scenario: Scenario,
    headers: Mapping[str, str],
    args: argparse.Namespace,
) -> Measurement:
    """Warm up (gunicorn workers import lazily, caches fill), then measure."""
    probe(port, scenario.paths[0], headers)
    if args.warmup > 0:
        load.run(port, scenario.paths, headers, args.warmup)
    result = load.run(port, scenario.paths, headers, args.seconds)
    log(
        f"  {scenario.name:<12} {result.requests_per_second:8.1f} req/s  p50 {result.p50_ms:.1f} ms  "
        f"p99 {result.p99_ms:.1f} ms  errors {result.errors}"
    )
    return result


def run_ceiling(load: LoadGenerator, workdir: Path, args: argparse.Namespace) -> Row:
    """The bare Flask app under the same gunicorn: what no endpoint can beat on this machine."""
    log("ceiling: bare Flask app, no database")
    server = GunicornServer(
        "bench._support:ceiling_app",
        server_env(workdir, None),
        workdir / "gunicorn-ceiling.log",
        GUNICORN_WORKERS,
        GUNICORN_THREADS,
    )
    try:
        server.start(CEILING_PATH)
        result = measure(load, server.port, Scenario("ceiling", (CEILING_PATH,)), {}, args)
    finally:
        server.stop()
    return Row("-", "ceiling", None, result)


def run_backend(backend: str, load: LoadGenerator, workdir: Path, args: argparse.Namespace) -> list[Row]:
    """Seed one backend, serve it with gunicorn and run every scenario against it."""
    directory = workdir / backend
    directory.mkdir()
    with database_url(backend, directory) as url:
        log(f"{backend}: migrating and seeding ×{args.scale} demo data …")
        began = time.perf_counter()
        dataset = prepare(url, args.scale)
        log(f"{backend}: {dataset.asset_count:,} assets ready in {time.perf_counter() - began:.0f} s")
        server = GunicornServer(
            "backend:create_app()",
            server_env(directory, url),
            directory / "gunicorn.log",
            GUNICORN_WORKERS,
            GUNICORN_THREADS,
        )
        headers = {"Authorization": f"Bearer {dataset.token}"}
        rows = []
        try:
            server.start("/readyz")
            for scenario in dataset.scenarios:
                result = measure(load, server.port, scenario, headers, args)
                rows.append(Row(backend, scenario.name, dataset.asset_count, result))
        except BaseException:
            log(server.log_tail())
            raise
        finally:
            server.stop()
    return rows


def table(rows: Sequence[Row]) -> list[str]:
    """The results as aligned text lines."""
    line = "{:<11} {:<12} {:>8} {:>8} {:>8} {:>8} {:>7}"
    lines = [line.format("backend", "scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")]
    for row in rows:
        m = row.measurement
        figures = (m.requests_per_second, m.p50_ms, m.p95_ms, m.p99_ms)
        lines.append(line.format(row.backend, row.scenario, *(f"{value:.1f}" for value in figures), m.errors))
    return lines


def report(rows: Sequence[Row], settings: dict[str, Any], machine: dict[str, Any]) -> None:
    """Print the table and write the JSON results file."""
    sizes = sorted({row.asset_count for row in rows if row.asset_count is not None})
    data = ", ".join(f"{size:,}" for size in sizes) or "none (no backend ran)"
    print()
    print(
        f"Machine: {machine['cores']} cores ({machine['arch']}), Python {machine['python']}; "
        f"gunicorn {settings['gunicorn_workers']} workers × {settings['gunicorn_threads']} thread; "
        f"1-min load average before the run {machine['load_average_before']}"
    )
    print(
        f"Load: {settings['load_generator']}, {settings['connections']} connections, "
        f"{settings['seconds']:g} s per scenario after {settings['warmup_seconds']:g} s warm-up"
    )
    print(f"Data: ×{settings['scale']} demo data, {data} assets; admin bearer token")
    print()
    for line in table(rows):
        print(line)
    RESULTS_PATH.parent.mkdir(exist_ok=True)
    document = {
        "benchmark": "api_throughput",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": settings,
        "results": [row.as_json() for row in rows],
        "ok": all(row.measurement.errors == 0 for row in rows),
    }
    RESULTS_PATH.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"\nWritten to {os.path.relpath(RESULTS_PATH)}")


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    # SystemExit unwinds through the finally blocks that stop gunicorn and PostgreSQL.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when any request failed."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    machine: dict[str, Any] = {
        "cores": os.cpu_count(),
        "arch": platform.machine(),
        "python": platform.python_version(),
        # Other work on a small machine skews every figure; this tells a reader it was busy. (Taken
        # before we start: during the run our own server and load generator dominate it.)
        "load_average_before": round(os.getloadavg()[0], 2),
    }
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="lk-bench-") as temp:
        workdir = Path(temp)
        load, load_name = choose_load(args.load_generator, args.connections, workdir)
        rows.append(run_ceiling(load, workdir, args))
        for backend in args.backends:
            reason = postgres_unavailable_reason() if backend == "postgresql" else None
            if reason is not None:
                log(f"postgresql: skipped ({reason})")
                continue
            rows += run_backend(backend, load, workdir, args)
    settings = {
        "seconds": args.seconds,
        "warmup_seconds": args.warmup,
        "connections": args.connections,
        "scale": args.scale,
        "load_generator": load_name,
        "gunicorn_workers": GUNICORN_WORKERS,
        "gunicorn_threads": GUNICORN_THREADS,
    }
    report(rows, settings, machine)
    failed = [row for row in rows if row.measurement.errors]
    if failed:
        for row in failed:
            m = row.measurement
            log(f"FAILED {row.backend} {row.scenario}: {m.errors} of {m.requests} requests; {m.first_error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
