"""Deliveries per second through the outbox to a local HTTP sink, and the time from commit to delivery.

    .venv/bin/python -m bench.notifications [--notifications 10000] [--workers 2]

On a throwaway PostgreSQL server (the deployment that runs several workers): a project with one webhook
channel pointing at a local HTTP sink. Three figures:

1. **ceiling**: the sink's rate when posted to directly, with as many threads as the workers have together
   and the same signed JSON body: what the outbox could reach if the database cost nothing;
2. **throughput**: `--notifications` notifications committed first, then `--workers` worker processes
   drain the outbox (claim a batch, post each row, record the batch);
3. **latency**: with the workers idle and waiting, notifications committed one at a time at a steady pace;
   the time from each commit to the sink receiving it (p50, p95, max).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from backend import create_app
from backend.config import TestConfig
from backend.core.db import migrate
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.notify.db.models import Delivery
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services import channels, notifications
from backend.org.domain.org import ProjectCategory
from backend.org.services import org
from tests.support.postgres import PostgresServer, postgres_unavailable_reason

RESULTS = Path(__file__).resolve().parent / "results" / "notifications.json"
SYSTEM = Actor.system(Origin.CLI, "bench")
THREADS = 8  # DELIVERY_THREADS of each worker
OVERRIDES = {"OUTBOUND_ALLOWED_HOSTS": "127.0.0.1", "DELIVERY_THREADS": THREADS, "LOG_LEVEL": "ERROR"}


class Sink(ThreadingHTTPServer):
    """Answers 200 to every POST and notes when each delivery arrived."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SinkHandler)
        self.arrivals: dict[str, float] = {}
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class SinkHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        delivery = self.headers.get("X-LeaseKeeper-Delivery") or f"direct-{time.time_ns()}"
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.arrivals[delivery] = time.time()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        """Quiet."""


def arrange(url: str, sink: Sink) -> tuple[Any, int]:
    """The app on the database, a project, and a webhook channel of the project pointing at the sink."""
    app = create_app(TestConfig, DATABASE_URL=url, **OVERRIDES)
    database = app.extensions["leasekeeper.db"]
    with database.unit_of_work() as uow:
        region = org.create_region({"code": "EAST", "name": "华东"}, SYSTEM, uow)
    values = {"region_id": region.id, "code": "SH-01", "name": "陆家嘴中心", "city": "上海"}
    values |= {"category": ProjectCategory.OFFICE, "timezone": "Asia/Shanghai", "holiday_calendar": "CN"}
    with database.unit_of_work() as uow:
        project = org.create_project(values, SYSTEM, uow)
    body = {
        "channel": "webhook",
        "name": "ERP",
        "project_id": project.id,
        "target": sink.url,
        "secret": "k" * 32,
    }
    body["kinds"] = [NotificationKind.STATUS_REQUEST_WAITING.value]
    with database.unit_of_work() as uow:
        channels.create(
            body, SYSTEM, uow, app.extensions["leasekeeper.secrets"], "127.0.0.1", datetime.now(UTC)
        )
    return app, project.id


def notify(app: Any, project_id: int, count: int, per_commit: int) -> None:
    """Commit `count` notifications, `per_commit` to a transaction (each reaches the webhook once)."""
    database = app.extensions["leasekeeper.db"]
    params = {"applicant": "李工", "asset": "SH-01-1001", "from_status": "vacant", "to_status": "maintenance"}
    done = 0
    while done < count:
        with database.unit_of_work(writes=True) as uow:
            for _ in range(min(per_commit, count - done)):
                notifications.notify(
                    uow, [], NotificationKind.STATUS_REQUEST_WAITING, params, project_id=project_id
                )
                done += 1
            uow.commit()


def commit_times(app: Any) -> dict[str, float]:
    """Each delivery's creation (its commit) as a Unix time."""
    with app.extensions["leasekeeper.db"].unit_of_work() as uow:
        rows = uow.session.query(Delivery.id, Delivery.created_at).all()
    return {str(delivery_id): created.timestamp() for delivery_id, created in rows}


def start_workers(url: str, count: int) -> list[subprocess.Popen[str]]:
    command = [sys.executable, "-m", "bench.notifications", "--worker", url]
    workers = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    for process in workers:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    return workers


def stop_workers(workers: list[subprocess.Popen[str]]) -> None:
    for process in workers:
        assert process.stdin is not None
        process.stdin.close()
    for process in workers:
        process.wait(timeout=60)
        if process.stdout is not None:
            process.stdout.close()


def run_worker(url: str) -> None:
    """A delivery loop as `leasekeeper worker` runs it, until stdin closes."""
    app = create_app(TestConfig, DATABASE_URL=url, **OVERRIDES)
    outbox = app.extensions["leasekeeper.outbox"]
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            if not outbox.deliver_due():
                stop.wait(0.2)  # the worker's idle poll

    thread = threading.Thread(target=loop)
    thread.start()
    print("ready", flush=True)
    sys.stdin.read()
    stop.set()
    thread.join()
    outbox.shutdown()


def wait_for(sink: Sink, count: int, timeout: float) -> float:
    """Seconds until the sink got `count` deliveries."""
    start = time.monotonic()
    while len(sink.arrivals) < count:
        if time.monotonic() - start > timeout:
            raise SystemExit(f"only {len(sink.arrivals)} of {count} deliveries arrived in {timeout} s")
        time.sleep(0.01)
    return time.monotonic() - start


def post_directly(url: str, count: int) -> None:
    """One process of the ceiling: `count` posts to the sink on the workers' threads, no database."""
    body = json.dumps({"title": "x" * 120, "params": {"a": 1}}).encode()
    local = threading.local()

    def post(_index: int) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        session.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=10)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(post, range(count)))


def ceiling(sink: Sink, count: int, processes: int) -> float:
    """Direct posts to the sink per second from as many processes and threads as the workers have."""
    command = [sys.executable, "-m", "bench.notifications", "--direct", sink.url, str(count // processes)]
    start = time.monotonic()
    for process in [subprocess.Popen(command) for _ in range(processes)]:
        process.wait(timeout=600)
    return (count // processes * processes) / (time.monotonic() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-samples", type=int, default=500)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--direct", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.direct:
        post_directly(args.direct[0], int(args.direct[1]))
        return
    if args.worker:
        run_worker(args.worker)
        return
    reason = postgres_unavailable_reason()
    if reason is not None:
        raise SystemExit(f"PostgreSQL is needed: {reason}")
    server = PostgresServer()
    server.start()
    sink = Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    try:
        url = server.create_database("bench_notifications")
        migrate.upgrade(url)
        app, project_id = arrange(url, sink)
        direct = ceiling(sink, min(args.notifications, 5000), args.workers)
        sink.arrivals.clear()

        print(f"committing {args.notifications:,} notifications …", file=sys.stderr)
        notify(app, project_id, args.notifications, per_commit=100)
        workers = start_workers(url, args.workers)
        drained = wait_for(sink, args.notifications, timeout=600)
        rate = args.notifications / drained

        print(f"latency: {args.latency_samples} notifications, one every 20 ms …", file=sys.stderr)
        before = len(sink.arrivals)
        for _ in range(args.latency_samples):
            notify(app, project_id, 1, per_commit=1)
            time.sleep(0.02)
        wait_for(sink, before + args.latency_samples, timeout=120)
        stop_workers(workers)
        committed = commit_times(app)
        recent = sorted(committed, key=lambda key: committed[key])[-args.latency_samples :]
        waits = sorted(sink.arrivals[key] - committed[key] for key in recent)
        p95 = waits[int(len(waits) * 0.95) - 1]
        figures = {
            "notifications": args.notifications,
            "workers": args.workers,
            "threads_per_worker": THREADS,
            "ceiling_direct_posts_per_s": round(direct),
            "deliveries_per_s": round(rate),
            "share_of_ceiling": round(rate / direct, 2),
            "latency_ms": {
                "p50": round(statistics.median(waits) * 1000),
                "p95": round(p95 * 1000),
                "max": round(waits[-1] * 1000),
            },
            "cores": os.cpu_count(),
        }
        print(json.dumps(figures, indent=2))
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(figures, indent=2))
        app.extensions["leasekeeper.db"].dispose()
    finally:
        sink.shutdown()
        server.stop()


if __name__ == "__main__":
    main()
