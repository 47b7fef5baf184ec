"""Many simulated phones push through the reference client with injected faults; the end state is checked.

Run: `python -m sync.sim.simulate --devices 200 --commands 50 --faults drop,duplicate,reorder,restart`
(`--seed N` to replay a run).
By default it starts its own server (gunicorn on a temporary SQLite database, or a throwaway PostgreSQL with
`--database postgresql`); `--server URL --database-url URL` drives a running one instead (a database it may
arrange data in). The exit status is 1 when the end state differs from applying every command exactly once.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from backend.core.db import migrate
from backend.core.db.database import Database
from backend.field.db.models import Inspection, StatusChangeRequest, WorkOrder
from backend.org.db.models import Asset
from sync.client import DeviceRevoked, SyncClient, SyncError
from sync.sim.faults import FAULTS, INJECTED, FaultRates, FaultyTransport, ServerProcess
from sync.sim.scenario import (
    Device,
    Planned,
    World,
    arrange,
    follow_up_commands,
    inspector_commands,
    manager_commands,
)

BATCH_SIZE = 5
FAULT_RATE = 0.08
DEVICE_DEADLINE_SECONDS = 300
MAX_CHUNK = 12
# Each must be 0: effects missing or doubled in the database, answers other than serial application gives.
CHECKS = ("lost", "duplicated effects", "never acknowledged", "wrong outcome", "wrong end state")


@dataclass
class Run:
    """Shared state of one simulation: clients, counters, the server and the restart trigger."""

    world: World
    clients: dict[int, SyncClient]
    server: ServerProcess | None
    faults: frozenset[str]
    counts: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    problems: list[str] = field(default_factory=list)
    restart_every: int = 0
    restarts_left: int = 0
    restarts_per_phase: int = 2
    abort: threading.Event = field(default_factory=threading.Event)

    def count(self, key: str, amount: int = 1) -> int:
        """Add to a counter; returns its new value."""
        with self.lock:
            self.counts[key] += amount
            return self.counts[key]


def drive(run: Run, device: Device, commands: Sequence[tuple[str, Any, str]], seed: int) -> None:
    """Queue a device's commands in chunks, as if captured offline; push each chunk until acknowledged."""
    client = run.clients[device.index]
    rng = random.Random(seed)  # noqa: S311 - reproducible simulation, not secrets
    captured = datetime.now(UTC) - timedelta(minutes=len(commands))
    position = 0
    while position < len(commands):
        chunk = commands[position : position + rng.randint(1, MAX_CHUNK)]
        for offset, (name, args, expect) in enumerate(chunk):
            op_id = client.enqueue(name, args, captured + timedelta(seconds=position + offset))
            with run.lock:
                run.world.planned.append(Planned(op_id, device.index, name, expect))
        position += len(chunk)
        if not push_until_empty(run, device, client):
            return


def push_until_empty(run: Run, device: Device, client: SyncClient) -> bool:
    """Push until the queue is empty, retrying after dropped connections, restarts and transient stops.

    False when the device cannot go on (revoked, refused, a gap or the deadline): a problem is recorded.
    """
    deadline = time.monotonic() + DEVICE_DEADLINE_SECONDS
    attempt = 0
    while client.pending() and time.monotonic() < deadline and not run.abort.is_set():
        attempt += 1
        run.count("push calls")
        try:
            report = client.push()
        except DeviceRevoked as error:
            run.problems.append(f"device {device.index}: revoked: {error}")
            return False
        except (OSError, SyncError) as error:
            run.count("push retried after an error")
            run.count(
                f"retried after {type(error).__name__}"
                + (f" {error.status}" if isinstance(error, SyncError) else "")
            )
            if isinstance(error, SyncError) and error.status is not None and error.status < 500:
                run.problems.append(f"device {device.index}: {error}")
                return False
            time.sleep(min(0.5, 0.02 * attempt))
            continue
        for kind in ("applied", "duplicate", "rejected"):
            run.count(f"answered {kind}", getattr(report, kind))
        answered = run.count("pushes answered")
        if run.restart_every and answered % run.restart_every == 0:
            with run.lock:
                if run.restarts_left > 0:
                    run.restarts_left -= 1
                    run.counts["restart due"] += 1
        if report.stopped is not None:
            run.count(f"stopped: {report.stopped.reason}")
            if report.stopped.reason == "gap":
                run.problems.append(
                    f"device {device.index}: server waits for seq {report.stopped.waiting_for_seq}"
                )
                return False
            time.sleep(min(0.2, report.stopped.retry_after or 0.2))
    if client.pending():
        run.problems.append(
            f"device {device.index}: {client.pending()} commands still queued at the deadline"
        )
        return False
    return True


def server_gone(run: Run) -> bool:
    """Whether the simulator's server exited by itself; the first to see it stops every phone and says so.

    A restart of the `restart` fault never shows here: it drops the old process before killing it.
    """
    code = run.server.exit_code() if run.server is not None else None
    if code is None:
        return False
    with run.lock:
        if not run.abort.is_set():
            assert run.server is not None
            log = run.server.log_tail()
            run.problems.insert(0, f"the server exited by itself with status {code}; its log ends:\n{log}")
            run.abort.set()
    return True


def restarter(run: Run, stop: threading.Event) -> None:
    """Kill and restart the server when a restart is due (the `restart` fault), mid-push."""
    done = run.counts["restart due"]
    while not stop.wait(0.05):
        if server_gone(run):
            return
        due = run.counts["restart due"]
        if run.server is not None and due > done:
            done = due
            try:
                run.server.restart()
            except RuntimeError as error:
                run.problems.insert(0, f"the server did not come back after a restart: {error}")
                run.abort.set()
                return


def phase(
    run: Run, jobs: Sequence[tuple[Device, list[tuple[str, Any, str]]]], concurrency: int, seed: int
) -> None:
    """Drive devices concurrently; restarts the server mid-phase when that fault is on."""
    total_pushes = sum(len(commands) for _, commands in jobs) // BATCH_SIZE + len(jobs)
    # Triggered by answered pushes only: pushes failing while the server is down must not trigger more.
    run.restart_every = max(2, total_pushes // (run.restarts_per_phase + 1)) if "restart" in run.faults else 0
    run.restarts_left = run.restarts_per_phase
    stop = threading.Event()
    watcher = threading.Thread(target=restarter, args=(run, stop), daemon=True)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            futures = [
                pool.submit(drive, run, device, commands, seed + device.index) for device, commands in jobs
            ]
            for future in futures:
                future.result()
    finally:
        stop.set()
        watcher.join()


def pulled_requests(run: Run, device: Device, assets: Collection[int]) -> dict[int, int]:
    """asset → id of the status change requests on these assets, as the device's phone pulls them.

    Pulls through the same faulty connection as the pushes, retrying until a pull completes.
    """
    client = run.clients[device.index]
    deadline = time.monotonic() + DEVICE_DEADLINE_SECONDS
    while True:
        run.count("pull calls")
        try:
            client.pull()
            break
        except (OSError, SyncError) as error:
            run.count("pulls retried after an error")
            if time.monotonic() > deadline or run.abort.is_set() or server_gone(run):
                run.problems.append(f"device {device.index}: no pull completed: {error}")
                return {}
            time.sleep(0.05)
    wanted = set(assets)
    return {
        int(data["asset_id"]): request_id
        for request_id, data in client.entities("status_request").items()
        if data["asset_id"] in wanted
    }


def _check_acknowledgements(run: Run, tally: Counter[str]) -> None:
    """Every command acknowledged, each as serial application answers it (or as a duplicate)."""
    for planned in run.world.planned:
        tally["commands sent"] += 1
        client = run.clients[planned.device]
        answer = client.acknowledgement(planned.op_id)
        if answer is None:
            tally["never acknowledged"] += 1
            run.problems.append(f"{planned.name} {planned.op_id}: never acknowledged")
            continue
        status = answer[0]
        tally[f"expected {planned.expect}"] += 1
        tally[f"acknowledged {status}"] += 1
        if status not in ("duplicate", planned.expect):
            tally["wrong outcome"] += 1
            why = next(
                (
                    f" ({r.code}: {r.message} {r.fields or ''})"
                    for r in client.rejected()
                    if r.op_id == planned.op_id
                ),
                "",
            )
            run.problems.append(f"{planned.name} {planned.op_id}: {status}, expected {planned.expect}{why}")


@dataclass
class _Found:
    """The server's state of everything the simulation touched."""

    requests: list[Any]
    statuses: dict[int, tuple[Any, int]]
    inspected: dict[int, int]
    orders: dict[int, tuple[Any, Any]]


def _read_state(db: Database, world: World, assets: list[int]) -> _Found:
    with db.engine.connect() as connection:
        requests = connection.execute(
            select(
                StatusChangeRequest.asset_id, StatusChangeRequest.state, StatusChangeRequest.photo_hashes
            ).where(StatusChangeRequest.asset_id.in_(assets))
        ).all()
        statuses = {
            row.id: (row.status, row.status_version)
            for row in connection.execute(
                select(Asset.id, Asset.status, Asset.status_version).where(Asset.id.in_(assets))
            )
        }
        inspected = {
            int(device_id): int(count)
            for device_id, count in connection.execute(
                select(Inspection.device_id, func.count()).group_by(Inspection.device_id)
            )
            if device_id is not None
        }
        orders = {
            row.id: (row.state, row.meter_value)
            for row in connection.execute(
                select(WorkOrder.id, WorkOrder.state, WorkOrder.meter_value).where(
                    WorkOrder.id.in_(list(world.work_orders))
                )
            )
        }
    return _Found(list(requests), statuses, inspected, orders)


def _check_requests(run: Run, found: _Found, tally: Counter[str]) -> None:
    """One request per planned asset, none elsewhere, each in its expected state with its photos."""
    world = run.world
    filed = Counter(int(row.asset_id) for row in found.requests)
    for asset_id, expected in world.requests.items():
        count = filed.get(asset_id, 0)
        tally["lost"] += count == 0
        tally["duplicated effects"] += max(0, count - 1)
        rows = [row for row in found.requests if row.asset_id == asset_id]
        if count == 1 and (rows[0].state, tuple(rows[0].photo_hashes or ())) != (
            expected.state,
            expected.photos,
        ):
            tally["wrong end state"] += 1
            run.problems.append(
                f"asset {asset_id}: request {rows[0].state} {rows[0].photo_hashes}, "
                f"expected {expected.state} {expected.photos}"
            )
    tally["duplicated effects"] += sum(
        count for asset_id, count in filed.items() if asset_id not in world.requests
    )


def verify(db: Database, run: Run) -> Counter[str]:
    """Compare the server's state and every acknowledgement with serial, exactly-once application."""
    world, tally = run.world, Counter[str]()
    _check_acknowledgements(run, tally)
    assets = [asset_id for device in world.devices for asset_id in device.assets]
    found = _read_state(db, world, assets)
    _check_requests(run, found, tally)
    for asset_id in assets:
        if found.statuses[asset_id] != world.expected_status(asset_id):
            tally["wrong end state"] += 1
            run.problems.append(
                f"asset {asset_id}: {found.statuses[asset_id]}, expected {world.expected_status(asset_id)}"
            )
    for device in world.devices:
        expected_count = world.inspections[device.device_id]
        found_count = found.inspected.get(device.device_id, 0)
        tally["lost"] += max(0, expected_count - found_count)
        tally["duplicated effects"] += max(0, found_count - expected_count)
    for order_id, expected_order in world.work_orders.items():
        if found.orders.get(order_id) != (expected_order.state, expected_order.meter_value):
            tally["wrong end state"] += 1
            run.problems.append(
                f"work order {order_id}: {found.orders.get(order_id)}, expected {expected_order}"
            )
    for key in CHECKS:
        tally[key] += 0
    return tally


@contextmanager
def own_server(backend: str, workdir: Path) -> Iterator[tuple[str, ServerProcess]]:
    """A fresh database for backend and gunicorn serving it (stopped afterwards)."""
    with ExitStack() as stack:
        if backend == "postgresql":
            from tests.support.postgres import PostgresServer

            postgres = stack.enter_context(PostgresServer())
            url = postgres.create_database("leasekeeper_sync_sim")
        else:
            url = f"sqlite:///{workdir / 'server.sqlite3'}"
        migrate.upgrade(url)
        env = {key: value for key, value in os.environ.items() if key != "LEASEKEEPER_ENV"}
        env |= {"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32), "LOG_LEVEL": "WARNING"}
        env["LEASEKEEPER_VAR_DIR"] = str(workdir / "var")
        server = ServerProcess(env, workdir / "server.log")
        stack.callback(server.stop)
        yield url, server


def simulate(args: argparse.Namespace, database_url: str, server: ServerProcess | None, workdir: Path) -> int:
    """Arrange, run both phases, verify and print the summary; returns the exit status."""
    began = time.perf_counter()
    db = Database(database_url)
    try:
        world = arrange(db, args.devices, args.commands)
        if server is not None:
            server.start()
        base_url = server.url if server is not None else args.server
        run = Run(world, {}, server, args.faults, restarts_per_phase=args.restarts)
        rates = FaultRates.for_faults(args.faults, args.fault_rate)
        for device in world.devices:
            transport = FaultyTransport(
                rates,
                random.Random(args.seed * 7919 + device.index),  # noqa: S311 - reproducible faults
                run.counts,
                run.lock,
            )
            path = workdir / f"device-{device.index}.sqlite3"
            run.clients[device.index] = SyncClient(
                base_url, device.token, path, transport=transport, batch_size=BATCH_SIZE, timeout=20
            )
        rng = random.Random(args.seed)  # noqa: S311 - reproducible commands
        inspectors = [device for device in world.devices if device.partner is not None and device.assets]
        jobs = [(device, inspector_commands(world, device, args.commands, rng)) for device in inspectors]
        phase(run, jobs, args.concurrency, args.seed)
        manager_jobs = []
        for inspector in inspectors:
            assert inspector.partner is not None
            manager = world.devices[inspector.partner]
            filed = pulled_requests(run, manager, inspector.assets)
            manager_jobs.append((manager, manager_commands(world, manager, args.commands, filed, rng)))
        phase(run, manager_jobs, args.concurrency, args.seed + 1)
        follow_ups = []
        for inspector in inspectors:
            filed = pulled_requests(run, inspector, inspector.assets)
            follow_ups.append((inspector, follow_up_commands(world, inspector, filed, rng)))
        phase(run, [job for job in follow_ups if job[1]], args.concurrency, args.seed + 2)
        tally = verify(db, run)
    finally:
        for client in run.clients.values() if "run" in locals() else ():
            client.close()
        db.dispose()
    print_summary(args, run, tally, time.perf_counter() - began)
    failed = (
        tally["lost"] or tally["duplicated effects"] or tally["wrong outcome"] or tally["wrong end state"]
    )
    return 1 if failed or run.problems else 0


def print_summary(args: argparse.Namespace, run: Run, tally: Counter[str], seconds: float) -> None:
    """The summary table, then the injected faults and any problem found."""
    restarts = run.server.restarts if run.server is not None else 0
    print(
        f"sync simulation: {len(run.world.devices)} devices, {args.commands} commands each, seed {args.seed}"
    )
    print(f"faults: {', '.join(sorted(args.faults)) or 'none'} (rate {args.fault_rate:g}); {seconds:.1f} s")
    rows = [
        ("commands sent", tally["commands sent"]),
        ("applied (expected)", tally["expected applied"]),
        ("rejected (expected)", tally["expected rejected"]),
        # The phone's first answer for each command; `duplicate` when the original answer was lost.
        ("acknowledged applied", tally["acknowledged applied"]),
        ("acknowledged rejected", tally["acknowledged rejected"]),
        ("acknowledged duplicate", tally["acknowledged duplicate"]),
        # Every answer the phones read, replays included (answers of a push that failed later are not seen).
        ("duplicates answered", run.counts["answered duplicate"]),
        ("push calls", run.counts["push calls"]),
        ("pushes retried after an error", run.counts["push retried after an error"]),
        ("server restarts", restarts),
    ]
    rows += [
        (f"  {name}", value) for name, value in sorted(run.counts.items()) if name.startswith("retried after")
    ]
    rows += [("pulls retried after an error", run.counts["pulls retried after an error"])]
    by_name = Counter(planned.name for planned in run.world.planned)
    rows += [(f"sent {name}", count) for name, count in sorted(by_name.items())]
    rows += [(f"fault: {name}", run.counts[name]) for name in INJECTED]
    rows += [("stopped: transient", run.counts["stopped: transient"])]
    rows += [(key, tally[key]) for key in CHECKS]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value:>8,}")
    for problem in run.problems[:20]:
        print(f"PROBLEM: {problem}")
    print("DISCREPANCY" if run.problems or any(tally[key] for key in CHECKS) else "OK")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m sync.sim.simulate", description=__doc__)
    parser.add_argument("--devices", type=int, default=200, help="phones, half inspectors, half managers")
    parser.add_argument("--commands", type=int, default=50, help="commands per device")
    parser.add_argument(
        "--faults", default=",".join(FAULTS), help=f"comma-separated from {', '.join(FAULTS)}"
    )
    parser.add_argument("--fault-rate", type=float, default=FAULT_RATE, help="chance of each fault per push")
    parser.add_argument("--restarts", type=int, default=2, help="server restarts per phase (restart fault)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8, help="devices pushing at the same time")
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql"), default="sqlite", help="for its own server"
    )
    parser.add_argument("--server", help="drive this running server instead of starting one")
    parser.add_argument("--database-url", help="with --server: its database, to arrange data in and check")
    args = parser.parse_args(argv)
    args.faults = frozenset(name.strip() for name in args.faults.split(",") if name.strip())
    if unknown := sorted(args.faults - set(FAULTS)):
        parser.error(f"unknown fault(s): {', '.join(unknown)}; choose from {', '.join(FAULTS)}")
    if (
        min(args.devices - 1, args.commands, args.concurrency, args.restarts + 1) < 1
        or not 0 <= args.fault_rate < 1
    ):
        parser.error("--devices ≥ 2, --commands ≥ 1, --concurrency ≥ 1, --restarts ≥ 0, 0 ≤ --fault-rate < 1")
    if bool(args.server) != bool(args.database_url):
        parser.error("--server and --database-url go together")
    if args.server and "restart" in args.faults:
        parser.error("the restart fault needs the simulator's own server (leave out --server)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulation; exit status 0 only when the end state equals exactly-once application."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lk-sync-sim-") as temp:
        workdir = Path(temp)
        if args.server:
            return simulate(args, args.database_url, None, workdir)
        with own_server(args.database, workdir) as (url, server):
            try:
                return simulate(args, url, server, workdir)
            except BaseException:
                print(server.log_tail(), file=sys.stderr)
                raise


if __name__ == "__main__":
    sys.exit(main())
