"""Offline sync on PostgreSQL: push throughput and batch latency, initial pull, Kinto side by side.

Run from the repository root: `.venv/bin/python -m bench.sync`. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from base64 import b64encode
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

from backend.adapters import passwords
from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.domain.access import Role
from backend.core.domain.audit import Origin
from backend.core.domain.login import LoginPolicy
from backend.core.services import auth, users
from backend.core.services.context import Actor
from backend.field.services.inspections import seed_checklists
from backend.org.domain.org import ASSET_TYPE_KIND, AssetType, ProjectCategory
from backend.org.services import org
from bench._support import HOST, GunicornServer, free_port, percentile
from sync.client import HttpResponse, SyncClient, Transport, urllib_transport
from sync.sim.scenario import inspection_answers
from tests.support.postgres import PostgresServer, postgres_unavailable_reason

RESULTS_PATH = Path(__file__).resolve().parent / "results" / "sync.json"
KINTO_VERSION = "26.5.0"
KINTO_GUNICORN = "gunicorn==27.0.1"
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 1
SYSTEM = Actor.system(Origin.CLI, "bench")
PASSWORD = "bench device password"  # noqa: S105 - a throwaway database


def log(message: str) -> None:
    """Progress to stderr; stdout holds the results."""
    print(message, file=sys.stderr, flush=True)


@dataclass
class PushFigures:
    """Throughput and batch latency of one push run."""

    records: int
    seconds: float
    latencies: list[float]
    errors: int
    first_error: str = ""

    @property
    def per_second(self) -> float:
        """Records (commands) per second of wall time."""
        return self.records / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        """For the results file."""
        ordered = sorted(self.latencies)
        return {
            "records": self.records,
            "seconds": round(self.seconds, 3),
            "records_per_second": round(self.per_second, 1),
            "batches": len(ordered),
            "p50_ms": round(percentile(ordered, 0.5) * 1000, 1),
            "p95_ms": round(percentile(ordered, 0.95) * 1000, 1),
            "errors": self.errors,
            "first_error": self.first_error,
        }


class Timed:
    """A transport that records the latency of every push batch."""

    def __init__(self, inner: Transport = urllib_transport, strip_gzip: bool = False) -> None:
        """Wrap inner; strip_gzip leaves out Accept-Encoding (to measure uncompressed pulls)."""
        self.inner = inner
        self.strip_gzip = strip_gzip
        self.latencies: list[float] = []

    def __call__(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None, timeout: float
    ) -> HttpResponse:
        """Send and time."""
        if self.strip_gzip:
            headers = {key: value for key, value in headers.items() if key.lower() != "accept-encoding"}
        began = time.perf_counter()
        answer = self.inner(method, url, headers, body, timeout)
        self.latencies.append(time.perf_counter() - began)
        return answer


# Our side ----------------------------------------------------------------------------------------


def arrange(
    url: str, devices: int, commands: int, pull_assets: int
) -> tuple[list[tuple[str, list[int]]], str]:
    """Per pushing device (token, its assets); and the token of an inspector whose scope has pull_assets."""
    passwords.configure(1, 1024, 1)  # devices are registered here; hashing is not what is measured
    migrate.upgrade(url)
    db = Database(url)
    try:
        with db.unit_of_work() as uow:
            region = org.create_region({"code": "BENCH", "name": "基准区域"}, SYSTEM, uow)
        with db.unit_of_work() as uow:
            seed_checklists(SYSTEM, uow)
        push_project = _project(db, region.id, "PUSH")
        pull_project = _project(db, region.id, "PULL")
        # Each push device files one request per fresh unit and inspects: units enough for its requests.
        per_device = commands // 2 + 1
        push_units = _bulk_assets(db, push_project, devices * per_device, "U")
        _bulk_assets(db, pull_project, pull_assets, "P")
        pusher = _user(db, "bench.inspector", push_project)
        # A confirmer, so each request notifies someone (and looks up their push subscriptions).
        _user(db, "bench.manager", push_project, Role.PROJECT_MANAGER)
        puller = _user(db, "bench.puller", pull_project)
        tokens = [_register(db, pusher, f"push-{n}") for n in range(devices)]
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    finally:
        db.dispose()
    fleet = [(tokens[n], push_units[n * per_device : (n + 1) * per_device]) for n in range(devices)]
    return fleet, _register_url(url, puller)


def _project(db: Database, region_id: int, code: str) -> int:
    values: dict[str, Any] = {"region_id": region_id, "code": code, "name": f"基准 {code}", "city": "上海"}
    values |= {"category": ProjectCategory.OFFICE, "timezone": "Asia/Shanghai", "holiday_calendar": "CN"}
    with db.unit_of_work() as uow:
        project_id: int = org.create_project(values, SYSTEM, uow).id
    return project_id


def _bulk_assets(db: Database, project_id: int, count: int, prefix: str) -> list[int]:
    """Office units written in one transaction through the repository (setup, not measured)."""
    with db.unit_of_work() as uow:
        made = [
            uow.assets.create(
                project_id=project_id,
                code=f"{prefix}-{n:05d}",
                name=f"{n // 100 + 1}层 {n % 100 + 1:02d}室",
                asset_type=AssetType.OFFICE,
                kind=ASSET_TYPE_KIND[AssetType.OFFICE],
                floor=str(n // 100 + 1),
                area_m2=Decimal("96.50"),
            )
            for n in range(count)
        ]
        uow.flush()
        ids = [asset.id for asset in made]
        uow.commit()
    return ids


def _user(db: Database, username: str, project_id: int, role: Role = Role.INSPECTOR) -> str:
    body = {"username": username, "password": PASSWORD, "roles": [{"role": role.value}]}
    body["roles"][0]["project_id"] = project_id  # type: ignore[index]
    with db.unit_of_work() as uow:
        users.create_user(body, SYSTEM, uow)
    return username


def _register(db: Database, username: str, name: str) -> str:
    credentials = {"username": username, "password": PASSWORD, "device_name": name}
    with db.unit_of_work() as uow:
        token: str = auth.register_device(credentials, SYSTEM, LoginPolicy(), datetime.now(UTC), uow).token
    return token


def _register_url(url: str, username: str) -> str:
    db = Database(url)
    try:
        return _register(db, username, "pull")
    finally:
        db.dispose()


def device_commands(units: Sequence[int], count: int) -> list[tuple[str, dict[str, Any]]]:
    """Half status change requests (one per fresh unit), half inspections: full domain work each."""
    made: list[tuple[str, dict[str, Any]]] = []
    for n in range(count):
        if n % 2 == 0:
            args = {
                "asset_id": units[n // 2],
                "to_status": "maintenance",
                "base_version": 1,
                "reason": "漏水",
            }
            made.append(("status_change.request", args))
        else:
            made.append(
                ("inspection.submit", {"asset_id": units[n // 2], "answers": inspection_answers(True)})
            )
    return made


def device_batches(units: Sequence[int], commands: int, batch: int) -> list[bytes]:
    """One device's push envelopes, built before the clock starts (as Kinto's batch documents are)."""
    captured = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    made = [
        {
            "op_id": str(uuid.uuid4()),
            "device_seq": seq,
            "name": name,
            "version": 1,
            "args": args,
            "captured_at": captured,
        }
        for seq, (name, args) in enumerate(device_commands(units, commands), start=1)
    ]
    return [
        json.dumps({"protocol_version": 1, "commands": made[start : start + batch]}).encode()
        for start in range(0, len(made), batch)
    ]


def push_ours(
    base_url: str, fleet: Sequence[tuple[str, list[int]]], commands: int, batch: int
) -> PushFigures:
    """Every device has its envelopes ready, then all push at once, one thread per device, as Kinto's.

    The phone's side (its durable queue) is left out of the timing on both servers: what is compared is
    what a server does with a batch. Every command must come back applied.
    """
    envelopes = [device_batches(units, commands, batch) for _token, units in fleet]
    latencies: list[list[float]] = [[] for _ in fleet]
    errors: list[str] = []

    def run(device: int) -> None:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {fleet[device][0]}"}
        for body in envelopes[device]:
            began = time.perf_counter()
            try:
                answer = urllib_transport("POST", f"{base_url}/api/sync/push", headers, body, 120)
                latencies[device].append(time.perf_counter() - began)
                if answer.status != 200:
                    errors.append(f"HTTP {answer.status}: {answer.body[:200]!r}")
                    return
                document = json.loads(answer.body)
                refused = [r for r in document["results"] if r["status"] != "applied"]
                if refused or document["stopped"]:
                    errors.append(f"not applied: {(refused or [document['stopped']])[0]}")
                    return
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")
                return

    threads = [threading.Thread(target=run, args=(device,)) for device in range(len(fleet))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    flat = [value for device in latencies for value in device]
    return PushFigures(len(fleet) * commands, seconds, flat, len(errors), errors[0] if errors else "")


def pull_ours(base_url: str, token: str, workdir: Path) -> dict[str, Any]:
    """The initial pull of the whole scope, gzip-compressed and not."""
    figures: dict[str, Any] = {}
    for label, strip in (("gzip", False), ("identity", True)):
        client = SyncClient(
            base_url, token, workdir / f"pull-{label}.sqlite3", transport=Timed(strip_gzip=strip)
        )
        began = time.perf_counter()
        report = client.pull(limit=1000)
        seconds = time.perf_counter() - began
        figures[label] = {
            "seconds": round(seconds, 3),
            "bytes": report.wire_bytes,
            "pages": report.pages,
            "changes": report.changes,
            "assets": len(client.entities("asset")),
        }
        client.close()
    return figures


# Kinto ---------------------------------------------------------------------------------------------


KINTO_INI = """[app:main]
use = egg:kinto
kinto.storage_backend = kinto.core.storage.postgresql
kinto.storage_url = {url}
kinto.permission_backend = kinto.core.permission.postgresql
kinto.permission_url = {url}
kinto.cache_backend = kinto.core.cache.memory
kinto.userid_hmac_secret = {secret}
multiauth.policies = basicauth
kinto.bucket_create_principals = system.Authenticated
kinto.batch_max_requests = {batch}
kinto.includes =

[server:main]
use = egg:waitress#main
host = {host}
port = {port}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = WARNING
formatter = generic

[formatter_generic]
format = %(levelname)s %(name)s %(message)s
"""


def install_kinto(workdir: Path) -> tuple[Path | None, str]:
    """A virtualenv with Kinto (pinned) and gunicorn; (None, why) when it cannot be installed."""
    venv = workdir / "kinto-venv"
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [
            str(venv / "bin" / "pip"),
            "install",
            "--quiet",
            f"kinto[postgresql]=={KINTO_VERSION}",
            KINTO_GUNICORN,
        ],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, check=False, timeout=900)
        if result.returncode != 0:
            return None, f"{' '.join(step[:3])} failed: {(result.stderr or result.stdout)[-800:]}"
    return venv, f"kinto {KINTO_VERSION}"


def kinto_url(postgres: PostgresServer) -> str:
    """Kinto's own database on the same PostgreSQL server, as a URL its SQLAlchemy understands."""
    url = postgres.create_database("kinto_bench")
    return url.replace("postgresql+psycopg://", "postgresql://")


def push_kinto(
    venv: Path, database_url: str, fleet_size: int, commands: int, batch: int, workdir: Path
) -> PushFigures:
    """The same records through Kinto's /v1/batch, one collection per device, same concurrency."""
    ini = workdir / "kinto.ini"
    port = free_port()
    ini.write_text(
        KINTO_INI.format(url=database_url, secret=secrets.token_hex(16), batch=batch, host=HOST, port=port),
        encoding="utf-8",
    )
    migrated = subprocess.run(
        [str(venv / "bin" / "kinto"), "migrate", "--ini", str(ini)],
        capture_output=True,
        text=True,
        check=False,
    )
    if migrated.returncode != 0:
        raise RuntimeError(f"kinto migrate failed: {migrated.stderr[-1500:]}")
    env = {key: value for key, value in os.environ.items() if not key.startswith("VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    server = _kinto_server(venv, ini, port, env, workdir / "kinto.log")
    try:
        server.start("/v1/__heartbeat__", timeout=120)
        auth_header = "Basic " + b64encode(b"bench:bench-secret").decode()
        _kinto_request(port, "PUT", "/v1/buckets/bench", {"data": {}}, auth_header)
        warm_up(f"http://{HOST}:{port}", "", "/v1/buckets/bench", {"data": {}}, auth_header, "PATCH")
        for device in range(fleet_size):
            _kinto_request(
                port, "PUT", f"/v1/buckets/bench/collections/phone{device}", {"data": {}}, auth_header
            )
        bodies = [
            [
                {"data": {"name": name, "args": args}}
                for name, args in device_commands(list(range(commands)), commands)
            ]
            for _ in range(fleet_size)
        ]
        latencies: list[list[float]] = [[] for _ in range(fleet_size)]
        errors: list[str] = []

        def run(device: int) -> None:
            records = bodies[device]
            path = f"/buckets/bench/collections/phone{device}/records"
            for start in range(0, len(records), batch):
                document = {
                    "defaults": {"method": "POST", "path": path},
                    "requests": [{"body": record} for record in records[start : start + batch]],
                }
                began = time.perf_counter()
                try:
                    answer = _kinto_request(port, "POST", "/v1/batch", document, auth_header)
                    failed = [r for r in answer["responses"] if r["status"] >= 300]
                    if failed:
                        errors.append(
                            f"batch item HTTP {failed[0]['status']}: {str(failed[0]['body'])[:200]}"
                        )
                except Exception as error:
                    errors.append(f"{type(error).__name__}: {error}")
                latencies[device].append(time.perf_counter() - began)

        threads = [threading.Thread(target=run, args=(device,)) for device in range(fleet_size)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
    finally:
        server.stop()
    flat = [value for chunk in latencies for value in chunk]
    return PushFigures(fleet_size * commands, seconds, flat, len(errors), errors[0] if errors else "")


def _kinto_server(venv: Path, ini: Path, port: int, env: Mapping[str, str], log_path: Path) -> GunicornServer:
    """Kinto's Pyramid app under the Kinto virtualenv's gunicorn (paste config), same workers as ours,
    on the port written into its ini file."""
    return GunicornServer(
        f"--paste={ini}",
        env,
        log_path,
        GUNICORN_WORKERS,
        GUNICORN_THREADS,
        gunicorn=[str(venv / "bin" / "gunicorn")],
        port=port,
    )


def _kinto_request(port: int, method: str, path: str, document: Any, authorization: str) -> Any:
    request = urllib.request.Request(
        f"http://{HOST}:{port}{path}",
        data=json.dumps(document, ensure_ascii=False).encode(),
        method=method,
        headers={"Content-Type": "application/json", "Authorization": authorization},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback http
        return json.loads(response.read())


def warm_up(
    base_url: str, token: str, path: str, document: Any, authorization: str = "", method: str = "POST"
) -> None:
    """A few requests that change nothing, so every worker has imported its code before the clock starts."""
    headers = {"Content-Type": "application/json", "Authorization": authorization or f"Bearer {token}"}
    body = json.dumps(document).encode()
    for _ in range(4 * GUNICORN_WORKERS):
        answer = urllib_transport(method, base_url + path, headers, body, 60)
        if answer.status >= 300:
            raise RuntimeError(f"warm-up {method} {path}: HTTP {answer.status} {answer.body[:300]!r}")


# Run -------------------------------------------------------------------------------------------------


def server_env(workdir: Path, url: str) -> dict[str, str]:
    """A production-like environment for our gunicorn."""
    env = {key: value for key, value in os.environ.items() if key != "LEASEKEEPER_ENV"}
    env |= {"SECRET_KEY": secrets.token_urlsafe(32), "LOG_LEVEL": "WARNING", "DATABASE_URL": url}
    env["LEASEKEEPER_VAR_DIR"] = str(workdir / "var")
    return env


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__)
    parser.add_argument("--devices", type=int, default=50, help="concurrent pushing devices (50)")
    parser.add_argument("--commands", type=int, default=40, help="commands per device (40)")
    parser.add_argument("--batch", type=int, default=25, help="commands per push / Kinto batch (25)")
    parser.add_argument("--pull-assets", type=int, default=5000, help="assets in the pulled scope (5,000)")
    parser.add_argument("--skip-kinto", action="store_true", help="leave out the Kinto comparison")
    args = parser.parse_args(argv)
    if min(args.devices, args.commands, args.batch, args.pull_assets) < 1 or args.batch > 100:
        parser.error("--devices, --commands, --pull-assets ≥ 1; --batch 1..100")
    return args


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every part; exit status 1 when any request failed."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    reason = postgres_unavailable_reason()
    if reason is not None:
        print(f"bench.sync needs PostgreSQL: {reason}")
        return 1
    results: dict[str, Any] = {
        "benchmark": "sync",
        "machine": {
            "cores": os.cpu_count(),
            "arch": platform.machine(),
            "python": platform.python_version(),
            "load_average_before": round(os.getloadavg()[0], 2),
        },
        "settings": vars(args) | {"gunicorn_workers": GUNICORN_WORKERS, "gunicorn_threads": GUNICORN_THREADS},
    }
    with tempfile.TemporaryDirectory(prefix="lk-bench-sync-") as temp, PostgresServer() as postgres:
        workdir = Path(temp)
        url = postgres.create_database("leasekeeper_bench")
        log(f"arranging {args.devices} devices and a {args.pull_assets:,}-asset scope …")
        fleet, pull_token = arrange(url, args.devices, args.commands, args.pull_assets)
        server = GunicornServer(
            "backend:create_app()",
            server_env(workdir, url),
            workdir / "gunicorn.log",
            GUNICORN_WORKERS,
            GUNICORN_THREADS,
        )
        try:
            server.start("/readyz")
            base_url = f"http://{HOST}:{server.port}"
            warm_up(base_url, fleet[0][0], "/api/sync/push", {"protocol_version": 1, "commands": []})
            log("pushing …")
            ours = push_ours(base_url, fleet, args.commands, args.batch)
            log("pulling …")
            results["pull"] = pull_ours(base_url, pull_token, workdir)
        except BaseException:
            log(server.log_tail())
            raise
        finally:
            server.stop()
        results["push"] = {"leasekeeper": ours.as_json()}
        kinto: PushFigures | None = None
        if args.skip_kinto:
            results["kinto"] = "skipped (--skip-kinto)"
        else:
            log(f"installing kinto {KINTO_VERSION} into a separate virtualenv …")
            venv, note = install_kinto(workdir)
            if venv is None:
                results["kinto"] = f"not run: {note}"
            else:
                log("pushing the same records to Kinto …")
                kinto = push_kinto(
                    venv, kinto_url(postgres), args.devices, args.commands, args.batch, workdir
                )
                results["push"]["kinto"] = kinto.as_json()
                results["kinto"] = note
    report(results, ours, kinto)
    failed = ours.errors or (kinto is not None and kinto.errors)
    return 1 if failed else 0


def report(results: dict[str, Any], ours: PushFigures, kinto: PushFigures | None) -> None:
    """Print the tables and write the JSON results."""
    machine, settings = results["machine"], results["settings"]
    print(
        f"Machine: {machine['cores']} cores, Python {machine['python']}, "
        f"load before {machine['load_average_before']}; "
        f"gunicorn {GUNICORN_WORKERS} workers × {GUNICORN_THREADS} thread for both servers"
    )
    print(
        f"Push: {settings['devices']} concurrent devices × {settings['commands']} commands, "
        f"batches of {settings['batch']}, PostgreSQL"
    )
    line = "{:<12} {:>9} {:>10} {:>9} {:>9} {:>8} {:>7}"
    print(line.format("server", "records", "records/s", "p50 ms", "p95 ms", "batches", "errors"))
    for name, figures in (("leasekeeper", ours), ("kinto", kinto)):
        if figures is None:
            continue
        row = figures.as_json()
        print(
            line.format(
                name,
                row["records"],
                f"{row['records_per_second']:.1f}",
                row["p50_ms"],
                row["p95_ms"],
                row["batches"],
                row["errors"],
            )
        )
        if row["first_error"]:
            print(f"  first error: {row['first_error']}")
    if kinto is not None and kinto.per_second:
        ratio = ours.per_second / kinto.per_second
        results["ratio"] = round(ratio, 2)
        print(f"ratio leasekeeper / kinto: {ratio:.2f}× (target ≥ 1.0×, measured in the same run)")
    else:
        print(f"Kinto: {results['kinto']}")
    print(f"Initial pull of {settings['pull_assets']:,} assets (limit 1000 per page):")
    for label, row in results["pull"].items():
        print(
            f"  {label:<9} {row['seconds']:>7.2f} s {row['bytes']:>11,} bytes {row['pages']:>3} pages "
            f"{row['changes']:>6} changes"
        )
    RESULTS_PATH.parent.mkdir(exist_ok=True)
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS_PATH.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Written to {os.path.relpath(RESULTS_PATH)}")


if __name__ == "__main__":
    sys.exit(main())
