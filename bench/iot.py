"""IoT: how well the flags find planted anomalies, readings/s through the ingest API, and the audit at scale.

    .venv/bin/python -m bench.iot [--backends sqlite,postgresql] [--quality-backends sqlite]
        [--days 365] [--seed 1] [--anomaly-rate 0.05] [--http-days 30] [--clients 4] [--audit-scale 10]
        [--skip quality,http,audit]

Per backend, ×1 demo data is seeded (`seed_demo`, as of the demo's reference day) with one gateway per project
and every simulated device registered through the services (`create_gateway`, `create_device`), then:

1. **Flag quality** (`--quality-backends`, SQLite by default). `backend.demo.iot.simulate` makes `--days` of
   signals ending on the eve of the reference day, so the year's `now` is the reference day's first instant
   and the flags run on the day the demo's statuses are true. Each project's gateway sends its share of the
   wire (`batches`, regrouped per gateway, at most 1,000 items a body, in wire order: late devices, resent
   duplicates and all) through `ingest.ingest(…, now=year.now)`; the viewings are stored as rows. Then
   `flags.recompute(uow, year.now)` runs once, and its open flags are compared with the planted anomalies:

   - **planted**: anomalies of the kind still running on the year's last day (`last_day == year.end`);
   - **flagged**: open flags of the kind;
   - **true positives**: flags on an asset with an anomaly of that kind still running, or one that ended
     within the flag's window (`window_from <= last_day <= window_to`): its evidence is still in the window;
   - **precision** = true positives / flagged; **recall** = planted anomalies with a flag of their kind on
     their asset / planted.

   Every miss and every false flag is printed with its evidence (what the detector saw: window, amounts,
   baseline, threshold; the asset's status and the simulator's occupancy), `--misses` of each per kind. The
   planted data faults are checked against what the ingest answered: a reading from a skewed clock must be
   refused as `future`, a resent item reported `duplicate`, a register going down refused as `backwards`.
   Items refused or reported that are no planted fault are counted by outcome.
2. **Ingest throughput** (`--backends`). `--http-days` of signals ending yesterday (the server's clock is
   the real one) are sent to `POST /api/iot/ingest` under `gunicorn --workers 2 --threads 1`, each gateway
   with its own token, by `--clients` concurrent clients. A client takes the next gateway that has no batch
   in flight, so each gateway's batches arrive in order, one at a time, as a real gateway sends them. The
   first batch of each gateway is a warm-up, not measured. Printed: readings/s and items/s (readings and door
   events) over the wall time, p50/p95 latency per batch on the client, and the bare ceiling app's
   requests/s under the same gunicorn in the same run (`bench/_support.py`).
3. **Audit at scale** (PostgreSQL; `--audit-scale`). ×10 demo data, `ANALYZE`, then the flags recompute over
   every asset (no devices at this scale: what reading the assets and their leases costs) and one monthly
   audit, queued with `audit.queue_monthly` and carried out by `audit.run_queued` as the worker does, with a
   clock starting at 10:00 on the reference day: seconds and findings.

Progress goes to stderr, figures to stdout and to `bench/results/iot-<UTC timestamp>.json`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from backend.core.db.database import Database
from backend.core.db.uow import SqlAlchemyUnitOfWork
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.demo.generator import REFERENCE_DAY, TIMEZONE, DemoData, generate
from backend.demo.iot import (
    ANOMALY_RATE,
    BACKWARDS,
    DUPLICATE,
    FUTURE,
    IotYear,
    batches,
    describe,
    simulate,
)
from backend.iot.db.models import AuditFinding, IotFlag, Viewing
from backend.iot.domain import flags as flag_rules
from backend.iot.domain.flags import DEFAULT_POLICY, OPEN_STATES, AssetSignals, FlagKind
from backend.iot.domain.signals import MeterKind
from backend.iot.services import audit, flags, gateways, ingest
from backend.org.db.models import Asset, Project
from bench._support import (
    CEILING_PATH,
    HOST,
    REQUEST_TIMEOUT_SECONDS,
    GunicornServer,
    PythonLoad,
    WrkLoad,
    percentile,
    wrk_version,
)
from bench.reminders import Backend, backend_of, seed_in_child
from tests.support.postgres import postgres_unavailable_reason

BACKENDS = ("sqlite", "postgresql")
PARTS = ("quality", "http", "audit")
RESULTS_DIR = Path(__file__).resolve().parent / "results"
BASE, QUALITY, HTTP, AUDIT = "iot_base", "iot_quality", "iot_http", "iot_audit"
BATCH_SIZE = 1000
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 1
SEED = 1
TARGET_RECALL = TARGET_PRECISION = 0.90
TARGETED = (FlagKind.VACANT_CONSUMPTION, FlagKind.NO_CONSUMPTION)
TARGET_READINGS_PER_SECOND = 5000
TARGET_AUDIT_SECONDS = 30.0
SYSTEM = Actor.system(Origin.CLI, "bench")
EXPECTED = {
    FUTURE: ("rejected", "future"),
    DUPLICATE: ("duplicate", None),
    BACKWARDS: ("rejected", "backwards"),
}
Body = dict[str, list[dict[str, str]]]
# What the ingest answered the items it did not simply store: (list, device, time) → {(status, code)}.
Outcomes = dict[tuple[str, str, str], set[tuple[str, str | None]]]


def log(message: str) -> None:
    """Progress on stderr, figures on stdout."""
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS), help="ingest throughput on (both)")
    parser.add_argument("--quality-backends", default="sqlite", help="flag quality on (sqlite)")
    parser.add_argument("--skip", default="", help=f"parts to leave out: {','.join(PARTS)}")
    parser.add_argument("--seed", type=int, default=SEED, help="the simulator's seed (1)")
    parser.add_argument("--days", type=int, default=365, help="days simulated for the flag quality (365)")
    parser.add_argument("--cadence-hours", type=int, default=24, help="hours between meter readings (24)")
    parser.add_argument(
        "--anomaly-rate", type=float, default=ANOMALY_RATE, help=f"share of assets planted ({ANOMALY_RATE})"
    )
    parser.add_argument("--misses", type=int, default=10, help="misses and false flags printed per kind (10)")
    parser.add_argument("--http-days", type=int, default=30, help="days of signals sent over HTTP (30)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients (4)")
    parser.add_argument("--ceiling-seconds", type=float, default=5, help="ceiling app measured for (5 s)")
    parser.add_argument("--audit-scale", type=int, default=10, help="×N demo data for the audit (10)")
    args = parser.parse_args(argv)

    def names(value: str, allowed: Sequence[str], option: str) -> list[str]:
        found = [name.strip() for name in value.split(",") if name.strip()]
        unknown = set(found) - set(allowed)
        if unknown:
            parser.error(f"{option}: unknown {', '.join(sorted(unknown))}; use {', '.join(allowed)}")
        return found

    args.backends = names(args.backends, BACKENDS, "--backends")
    args.quality_backends = names(args.quality_backends, BACKENDS, "--quality-backends")
    args.skip = set(names(args.skip, PARTS, "--skip"))
    if args.days < 30 or args.http_days < 1 or args.clients < 1 or args.audit_scale < 1:
        parser.error("--days must be at least 30; --http-days, --clients and --audit-scale at least 1")
    return args


# --- the simulated signals on the wire -------------------------------------------------------------------


def quality_year(data: DemoData, args: argparse.Namespace) -> IotYear:
    """`--days` ending on the eve of the reference day: `now` is the reference day's first instant."""
    end = REFERENCE_DAY - timedelta(days=1)
    start = end - timedelta(days=args.days - 1)
    return simulate(
        data, start=start, end=end, seed=args.seed, cadence_hours=args.cadence_hours,
        anomaly_rate=args.anomaly_rate,
    )  # fmt: skip


def http_year(data: DemoData, args: argparse.Namespace) -> IotYear:
    """`--http-days` ending yesterday in the demo's time zone, so the server's own clock accepts them."""
    end = datetime.now(UTC).astimezone(ZoneInfo(TIMEZONE)).date() - timedelta(days=1)
    start = end - timedelta(days=args.http_days - 1)
    return simulate(data, start=start, end=end, seed=args.seed, cadence_hours=args.cadence_hours)


def gateway_bodies(year: IotYear, size: int = BATCH_SIZE) -> Iterator[tuple[str, Body]]:
    """The year's wire, `batches(year)`, regrouped per project (one gateway each): (project code, body) with
    at most `size` items, in wire order, never the same item twice in one body."""
    project_of = {device.code: device.project_code for device in year.devices}
    bodies: dict[str, tuple[Body, set[tuple[str, ...]]]] = {}
    for wire in batches(year, size):
        for listed, last in (("readings", "value"), ("door_events", "event")):
            for item in wire[listed]:
                project = project_of[item["device"]]
                key = (listed, item["device"], item["at"]) + (
                    (item[last],) if listed == "door_events" else ()
                )
                body, keys = bodies.get(project) or ({"readings": [], "door_events": []}, set())
                if len(keys) >= size or key in keys:
                    yield project, body
                    body, keys = {"readings": [], "door_events": []}, set()
                body[listed].append(item)
                keys.add(key)
                bodies[project] = (body, keys)
    for project, (body, keys) in bodies.items():
        if keys:
            yield project, body


def parsed(body: Body) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A wire body as the API's schema hands it to the service: aware times, decimal values."""
    readings = [
        {"device": i["device"], "at": datetime.fromisoformat(i["at"]), "value": Decimal(i["value"])}
        for i in body["readings"]
    ]
    doors = [
        {"device": i["device"], "at": datetime.fromisoformat(i["at"]), "event": i["event"]}
        for i in body["door_events"]
    ]
    return readings, doors


# --- setting up ------------------------------------------------------------------------------------------


def session(uow: SqlAlchemyUnitOfWork) -> Session:
    """The unit of work's open session, for the bench's own statements."""
    if uow.session is None:
        raise RuntimeError("the unit of work is not open")
    return uow.session


def register(url: str, year: IotYear) -> dict[str, str]:
    """A gateway per project and the year's devices on it, through the services; each project's token."""
    database = Database(url)
    tokens: dict[str, str] = {}
    try:
        with database.unit_of_work() as uow:
            projects = dict(session(uow).execute(select(Project.code, Project.id)).all())
            assets = dict(session(uow).execute(select(Asset.code, Asset.id)).all())
        gateway_ids: dict[str, int] = {}
        for code in sorted({device.project_code for device in year.devices}):
            with database.unit_of_work(writes=True) as uow:
                values = {"project_id": projects[code], "name": f"{code} 网关"}
                gateway, tokens[code] = gateways.create_gateway(values, SYSTEM, uow, year.now)
                gateway_ids[code] = gateway.id
        for number, device in enumerate(year.devices, start=1):
            values = {
                "code": device.code, "kind": device.kind.value,
                "meter": device.meter.value if device.meter else None,
                "mode": device.mode.value if device.mode else None,
                "interval_minutes": device.interval_minutes,
                "project_id": projects[device.project_code], "asset_id": assets[device.asset_code],
                "gateway_id": gateway_ids[device.project_code],
            }  # fmt: skip
            with database.unit_of_work(writes=True) as uow:
                gateways.create_device(values, SYSTEM, uow, year.now)
            if number % 1000 == 0:
                log(f"    {number:,} / {len(year.devices):,} devices")
    finally:
        database.dispose()
    return tokens


def store_viewings(database: Database, year: IotYear) -> None:
    """The year's viewing appointments as rows (one executemany)."""
    with database.unit_of_work(writes=True) as uow:
        assets = {
            code: (aid, pid)
            for code, aid, pid in session(uow).execute(select(Asset.code, Asset.id, Asset.project_id))
        }
        rows = [
            {"asset_id": assets[v.asset_code][0], "project_id": assets[v.asset_code][1],
             "starts_at": v.starts_at, "ends_at": v.ends_at, "note": None, "created_at": year.now}
            for v in year.viewings
        ]  # fmt: skip
        if rows:
            session(uow).execute(insert(Viewing), rows)
        uow.commit()


# --- 1. flag quality -------------------------------------------------------------------------------------


@dataclass
class KindScore:
    """How one flag kind did against its planted anomalies."""

    kind: str
    planted: int
    flagged: int
    true_positives: int
    ended_in_window: int
    found: int

    @property
    def precision(self) -> float | None:
        """True positives among the flags."""
        return self.true_positives / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        """Planted anomalies still running that got a flag of their kind."""
        return self.found / self.planted if self.planted else None


@dataclass
class FaultScore:
    """What the ingest answered the planted faults of one kind."""

    expected: str
    planted: int
    as_expected: int
    otherwise: dict[str, int] = field(default_factory=dict)


@dataclass
class QualityResult:
    """One backend's flag quality run."""

    backend: str
    counts: dict[str, Any]
    ingest_seconds: float
    items: int
    recompute_seconds: float
    recompute: dict[str, Any]
    kinds: list[KindScore]
    faults: list[FaultScore]
    unplanted: dict[str, int]
    misses: list[str]
    false_flags: list[str]


def ingest_year(database: Database, year: IotYear, tokens: Mapping[str, str]) -> tuple[Outcomes, int]:
    """Every gateway's bodies through the ingest service; the outcomes of items not simply stored."""
    outcomes: Outcomes = {}
    total = len(year.readings) + len(year.door_events)
    items = 0
    mark = 0
    started = time.perf_counter()
    for project, body in gateway_bodies(year):
        readings, doors = parsed(body)
        with database.unit_of_work(writes=True) as uow:
            gateway = gateways.authenticate(tokens[project], uow)
            report = ingest.ingest(gateway, readings, doors, uow, year.now)
        for result in report.results:
            item = body[result.list][result.index]
            key = (result.list, item["device"], item["at"])
            outcomes.setdefault(key, set()).add(
                (result.status.value, result.code.value if result.code else None)
            )
        items += len(readings) + len(doors)
        if items * 10 // total > mark:
            mark = items * 10 // total
            rate = items / (time.perf_counter() - started)
            log(f"    {items:,} / ~{total:,} items ingested, {rate:,.0f} items/s")
    return outcomes, items


def score_faults(year: IotYear, outcomes: Outcomes) -> tuple[list[FaultScore], dict[str, int]]:
    """Planted faults against what the ingest answered, and the other items it did not simply store."""
    doors = {device.code for device in year.devices if device.meter is None}
    scores = {code: FaultScore(code, 0, 0) for code in EXPECTED}
    planted: set[tuple[str, str, str]] = set()
    for fault in year.faults:
        key = ("door_events" if fault.device in doors else "readings", fault.device, _iso(fault.at))
        planted.add(key)
        score = scores[fault.expected_code]
        score.planted += 1
        seen = outcomes.get(key, set())
        if EXPECTED[fault.expected_code] in seen:
            score.as_expected += 1
        else:
            label = ", ".join(sorted(f"{s} {c or ''}".strip() for s, c in seen)) or "stored"
            score.otherwise[label] = score.otherwise.get(label, 0) + 1
    unplanted: Counter[str] = Counter()
    for key, seen in outcomes.items():
        if key not in planted:
            for status, code in seen:
                unplanted[f"{status} {code or ''}".strip()] += 1
    return list(scores.values()), dict(unplanted)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").removesuffix("+00:00") + "Z"


def open_flags(database: Database) -> list[Any]:
    """The open flags with their asset's code and status."""
    with database.unit_of_work() as uow:
        statement = (
            select(
                IotFlag.id, IotFlag.kind, Asset.code, Asset.status, IotFlag.window_from, IotFlag.window_to,
                IotFlag.confidence, IotFlag.evidence,
            )
            .join(Asset, Asset.id == IotFlag.asset_id)
            .where(IotFlag.state.in_(OPEN_STATES))
            .order_by(Asset.code, IotFlag.kind)
        )  # fmt: skip
        return list(session(uow).execute(statement).all())


def score_flags(year: IotYear, flagged: Sequence[Any]) -> tuple[list[KindScore], list[Any], list[Any]]:
    """Each kind's figures; the planted anomalies missed and the false flags."""
    anomalies: dict[tuple[str, str], list[Any]] = {}
    for anomaly in year.anomalies:
        anomalies.setdefault((anomaly.kind.value, anomaly.asset_code), []).append(anomaly)
    flags_by_key = {(row.kind, row.code): row for row in flagged}
    scores = []
    misses: list[Any] = []
    false_flags: list[Any] = []
    for kind in FlagKind:
        running = [a for a in year.anomalies if a.kind.value == kind.value and a.last_day == year.end]
        found = [a for a in running if (kind.value, a.asset_code) in flags_by_key]
        misses += [a for a in running if (kind.value, a.asset_code) not in flags_by_key]
        true_positives = ended = 0
        of_kind = [row for row in flagged if row.kind == kind.value]
        for row in of_kind:
            planted = anomalies.get((kind.value, row.code), [])
            if any(a.last_day == year.end for a in planted):
                true_positives += 1
            elif any(row.window_from <= a.last_day <= row.window_to for a in planted):
                true_positives += 1
                ended += 1
            else:
                false_flags.append(row)
        scores.append(KindScore(kind.value, len(running), len(of_kind), true_positives, ended, len(found)))
    return scores, misses, false_flags


def _asset_rows(database: Database, codes: Sequence[str]) -> dict[str, Any]:
    with database.unit_of_work() as uow:
        wanted = set(codes)
        ids = {
            code: aid for aid, code in session(uow).execute(select(Asset.id, Asset.code)) if code in wanted
        }
        rows = uow.iot_facts.assets(None, list(ids.values()))
    return {row.code: row for row in rows}


def _amounts(series: Any, days: Sequence[date]) -> str:
    shown = []
    for day in days:
        amount = series.on(day)
        shown.append("·" if amount is None else f"{amount:.2f}")
    return " ".join(shown)


def explain(kind: str, signals: AssetSignals) -> str:
    """What the detector of a kind saw on an asset, in one or two lines."""
    policy = DEFAULT_POLICY
    today = signals.today
    head = f"status {signals.status.value}, let today: {signals.occupancy.occupied(today)}"
    if kind in (FlagKind.VACANT_CONSUMPTION, FlagKind.VACANT_DOOR):
        window = flag_rules._vacant_window(signals, policy, FlagKind(kind))
        if window is None:
            return f"{head}; no vacant window (status not vacant/reserved, or let)"
        days = [window[0] + timedelta(days=n) for n in range((window[1] - window[0]).days + 1)]
        parts = [f"{head}; window {window[0]}…{window[1]}"]
        if kind == FlagKind.VACANT_DOOR:
            inside = [at for at in signals.door_opens if window[0] <= signals.zone_day(at) <= window[1]]
            unexpected = [a for a in inside if not any(s <= a <= e for s, e in signals.expected_visits)]
            parts.append(f"opens {len(inside)}, unexpected {len(unexpected)}")
            return "; ".join(parts)
        for meter in flag_rules.SPACE_METERS:
            series = signals.series.get(meter)
            if series is None:
                continue
            baseline, source = flag_rules.standby(series, signals, policy, window)
            threshold = max(baseline * policy.standby_factor, baseline + policy.standby_margin[meter])
            parts.append(
                f"{meter.value}: baseline {baseline:.3f} ({source}), threshold {threshold:.3f}, "
                f"window [{_amounts(series, days)}]"
            )
        return "; ".join(parts)
    if kind == FlagKind.NO_CONSUMPTION:
        parts = [head, f"let since {signals.occupancy.span_start(today)}"]
        for meter in flag_rules.SPACE_METERS:
            series = signals.series.get(meter)
            if series is None:
                continue
            used = [d for d, a in series.used.items() if a > Decimal("0.0005") and d < today]
            parts.append(f"{meter.value}: last use {max(used) if used else None}")
        return "; ".join(parts)
    return f"{head}; {_drop_evidence(signals)}"


def _drop_evidence(signals: AssetSignals) -> str:
    """The working-day hours the utilisation drop compares: the recent window against the weeks before."""
    policy = DEFAULT_POLICY
    series = signals.series.get(MeterKind.RUNTIME)
    if series is None:
        return "no hours meter"
    last = signals.today - timedelta(days=1)
    first = last - timedelta(days=policy.drop_window_days - 1)

    def hours(begin: date, end: date) -> list[Decimal]:
        days = [begin + timedelta(days=n) for n in range((end - begin).days + 1)]
        found = [series.on(d) for d in days if signals.working_day(d) and signals.occupancy.occupied(d)]
        return [amount for amount in found if amount is not None]

    recent = hours(first, last)
    reference = hours(first - timedelta(days=policy.drop_reference_days), first - timedelta(days=1))
    if not recent or not reference:
        return f"working days: {len(recent)} recent, {len(reference)} before"
    recent_avg = sum(recent, Decimal(0)) / len(recent)
    reference_avg = sum(reference, Decimal(0)) / len(reference)
    return (
        f"{recent_avg:.2f} h a working day over {len(recent)} recent days against {reference_avg:.2f} h over "
        f"{len(reference)} before ({1 - recent_avg / reference_avg:.0%} down); the {len(reference)} before, "
        f"in order: [{' '.join(f'{h:.1f}' for h in reference)}]"
    )


def evidence_lines(
    database: Database, year: IotYear, misses: Sequence[Any], false_flags: Sequence[Any], limit: int
) -> tuple[list[str], list[str]]:
    """Each miss and false flag (up to `limit` per kind) with what the detector saw."""
    chosen_misses = _first_per_kind(misses, lambda a: a.kind.value, limit)
    chosen_false = _first_per_kind(false_flags, lambda row: row.kind, limit)
    codes = sorted({a.asset_code for a in chosen_misses} | {row.code for row in chosen_false})
    rows = _asset_rows(database, codes)
    with database.unit_of_work() as uow:
        signals = flags.asset_signals(list(rows.values()), uow, year.now)
    planted: dict[str, list[str]] = {}
    for anomaly in year.anomalies:
        planted.setdefault(anomaly.asset_code, []).append(
            f"{anomaly.kind.value} {anomaly.first_day}…{anomaly.last_day}"
        )
    miss_lines = [
        f"  {a.kind.value} {a.asset_code} ({a.device}, {a.first_day}…{a.last_day}, "
        f"simulator let today: {year.occupied(a.asset_code, year.end)}): "
        f"{explain(a.kind.value, signals[rows[a.asset_code].id])}"
        for a in chosen_misses
    ]
    false_lines = [
        f"  {row.kind} {row.code} ({row.window_from}…{row.window_to}, confidence {row.confidence}; planted: "
        f"{'; '.join(planted.get(row.code, [])) or 'nothing'}): {json.dumps(_evidence(row.evidence))}; "
        f"{explain(row.kind, signals[rows[row.code].id])}"
        for row in chosen_false
    ]
    return miss_lines, false_lines


def _evidence(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _first_per_kind(items: Sequence[Any], kind_of: Callable[[Any], str], limit: int) -> list[Any]:
    seen: Counter[str] = Counter()
    chosen = []
    for item in items:
        seen[kind_of(item)] += 1
        if seen[kind_of(item)] <= limit:
            chosen.append(item)
    return chosen


def run_quality(
    backend: Backend, year: IotYear, tokens: Mapping[str, str], args: argparse.Namespace
) -> QualityResult:
    """Ingest the year, recompute the flags once, score them and the faults."""
    url = backend.copy(BASE, QUALITY)
    database = Database(url)
    try:
        store_viewings(database, year)
        log(f"{backend.name}: ingesting {args.days} days through the service …")
        started = time.perf_counter()
        outcomes, items = ingest_year(database, year, tokens)
        ingest_seconds = time.perf_counter() - started
        log(f"{backend.name}: {items:,} items in {ingest_seconds:.0f} s; recomputing the flags …")
        backend.analyze(database)
        started = time.perf_counter()
        with database.unit_of_work(writes=True) as uow:
            report = flags.recompute(uow, year.now)
        recompute_seconds = time.perf_counter() - started
        log(f"{backend.name}: flags recomputed in {recompute_seconds:.1f} s: {report.as_details()}")
        flagged = open_flags(database)
        kinds, misses, false_flags = score_flags(year, flagged)
        faults, unplanted = score_faults(year, outcomes)
        miss_lines, false_lines = evidence_lines(database, year, misses, false_flags, args.misses)
    finally:
        database.dispose()
    return QualityResult(
        backend.name, describe(year), ingest_seconds, items, recompute_seconds, report.as_details(), kinds,
        faults, unplanted, miss_lines, false_lines,
    )  # fmt: skip


def print_quality(result: QualityResult) -> None:
    """The flag quality table, the faults, the misses and false flags."""
    c = result.counts
    print()
    print(
        f"Flag quality, {result.backend}: {c['devices']:,} devices, {c['readings']:,} readings, "
        f"{c['door_events']:,} door events, {c['viewings']:,} viewings; ingested {result.items:,} items in "
        f"{result.ingest_seconds:.0f} s ({result.items / result.ingest_seconds:,.0f} items/s, in process); "
        f"flags recomputed over {result.recompute['assets']:,} assets in {result.recompute_seconds:.1f} s"
    )
    line = "{:<20} {:>8} {:>8} {:>9} {:>13} {:>10} {:>8}"
    print(line.format("kind", "planted", "flagged", "true pos.", "of which ended", "precision", "recall"))
    for k in result.kinds:
        print(
            line.format(
                k.kind, k.planted, k.flagged, k.true_positives, k.ended_in_window, _percent(k.precision),
                _percent(k.recall),
            )
        )  # fmt: skip
    for k in result.kinds:
        if k.kind in TARGETED:
            met = all(v is not None and v >= TARGET_RECALL for v in (k.precision, k.recall))
            print(f"  {k.kind}: {'meets' if met else 'misses'} the target of 90 % precision and 90 % recall")
    print("Planted faults, by the ingest's answer:")
    for f in result.faults:
        otherwise = ", ".join(f"{label} {n}" for label, n in sorted(f.otherwise.items())) or "none"
        print(f"  {f.expected:<10} {f.as_expected:>4} of {f.planted:<4} as expected; otherwise: {otherwise}")
    unplanted = ", ".join(f"{label} {n:,}" for label, n in sorted(result.unplanted.items())) or "none"
    print(f"  items not simply stored that are no planted fault: {unplanted}")
    if result.misses:
        print("Missed (planted, still running, no flag of its kind):")
        print("\n".join(result.misses))
    if result.false_flags:
        print("False flags (no planted anomaly of the kind in the flag's window):")
        print("\n".join(result.false_flags))


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


# --- 2. ingest throughput --------------------------------------------------------------------------------


@dataclass
class HttpResult:
    """One backend's ingest throughput."""

    backend: str
    clients: int
    batches: int
    readings: int
    items: int
    stored: int
    duplicates: int
    rejected: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int
    first_error: str

    @property
    def readings_per_second(self) -> float:
        """Readings sent per second of wall time."""
        return self.readings / self.seconds if self.seconds else 0.0

    @property
    def items_per_second(self) -> float:
        """Readings and door events sent per second of wall time."""
        return self.items / self.seconds if self.seconds else 0.0


def server_env(workdir: Path, url: str | None) -> dict[str, str]:
    """A production-like gunicorn's environment (as `api_throughput`)."""
    env = {key: value for key, value in os.environ.items() if key != "LEASEKEEPER_ENV"}
    env["SECRET_KEY"] = secrets.token_urlsafe(32)
    env["LOG_LEVEL"] = "WARNING"
    env["LEASEKEEPER_VAR_DIR"] = str(workdir / "var")
    if url is not None:
        env["DATABASE_URL"] = url
    return env


def encoded_bodies(year: IotYear) -> dict[str, deque[tuple[bytes, int, int]]]:
    """Each project's bodies as JSON bytes, in order, with their readings and door events counted."""
    found: dict[str, deque[tuple[bytes, int, int]]] = {}
    for project, body in gateway_bodies(year):
        payload = json.dumps(body, separators=(",", ":")).encode()
        found.setdefault(project, deque()).append((payload, len(body["readings"]), len(body["door_events"])))
    return found


class Sender:
    """Clients sending each gateway's bodies in order, one in flight per gateway, gateways side by side."""

    def __init__(
        self, port: int, bodies: Mapping[str, deque[tuple[bytes, int, int]]], tokens: Mapping[str, str]
    ):
        self.port = port
        self.bodies = {project: deque(queue) for project, queue in bodies.items()}
        self.tokens = tokens
        self.ready = deque(sorted(self.bodies, key=lambda p: -len(self.bodies[p])))
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.answers = Counter[str]()
        self.errors: list[str] = []
        self.readings = self.items = self.batches = 0

    def take(self) -> tuple[str, tuple[bytes, int, int]] | None:
        with self.lock:
            if not self.ready:
                return None
            project = self.ready.popleft()
            return project, self.bodies[project].popleft()

    def put_back(self, project: str) -> None:
        with self.lock:
            if self.bodies[project]:
                self.ready.append(project)

    def client(self, idle: threading.Event) -> None:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT_SECONDS)
        try:
            while True:
                taken = self.take()
                if taken is None:
                    # Another client's gateway may come back with more; wait for it unless all are done.
                    if idle.wait(0.01):
                        return
                    continue
                project, (payload, readings, doors) = taken
                headers = {
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {self.tokens[project]}",
                }
                began = time.perf_counter()
                try:
                    connection.request("POST", "/api/iot/ingest", body=payload, headers=headers)
                    response = connection.getresponse()
                    answer = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    connection.close()
                    with self.lock:
                        self.errors.append(f"{type(exc).__name__}: {exc}")
                    self.put_back(project)
                    continue
                elapsed = time.perf_counter() - began
                with self.lock:
                    self.latencies.append(elapsed)
                    self.batches += 1
                    self.readings += readings
                    self.items += readings + doors
                    if response.status == 200:
                        figures = json.loads(answer)
                        self.answers.update({k: figures[k] for k in ("stored", "duplicates", "rejected")})
                    else:
                        self.errors.append(f"HTTP {response.status} {answer[:300]!r}")
                self.put_back(project)
        finally:
            connection.close()

    def run(self, clients: int) -> float:
        """Send everything with `clients` threads; the wall time."""
        idle = threading.Event()
        threads = [threading.Thread(target=self.client, args=(idle,), daemon=True) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        while True:
            with self.lock:
                done = not self.ready and all(not queue for queue in self.bodies.values())
            if done:
                break
            time.sleep(0.01)
        idle.set()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started


def ceiling(workdir: Path, connections: int, seconds: float) -> tuple[float, str]:
    """The bare ceiling app's requests/s under the same gunicorn: what no endpoint can beat here."""
    version = wrk_version()
    load = WrkLoad(connections, workdir) if version else PythonLoad(connections)
    server = GunicornServer(
        "bench._support:ceiling_app", server_env(workdir, None), workdir / "gunicorn-ceiling.log",
        GUNICORN_WORKERS, GUNICORN_THREADS,
    )  # fmt: skip
    try:
        server.start(CEILING_PATH)
        load.run(server.port, (CEILING_PATH,), {}, 1)
        result = load.run(server.port, (CEILING_PATH,), {}, seconds)
    finally:
        server.stop()
    return result.requests_per_second, version or f"python http.client, {connections} threads"


def run_http(
    backend: Backend, workdir: Path, year: IotYear, tokens: Mapping[str, str], args: argparse.Namespace
) -> HttpResult:
    """The year's bodies over HTTP to gunicorn on a copy of the registered database."""
    url = backend.copy(BASE, HTTP)
    bodies = encoded_bodies(year)
    warmup = {project: deque([queue.popleft()]) for project, queue in bodies.items() if queue}
    directory = workdir / f"http-{backend.name}"
    directory.mkdir()
    server = GunicornServer(
        "backend:create_app()", server_env(directory, url), directory / "gunicorn.log", GUNICORN_WORKERS,
        GUNICORN_THREADS,
    )  # fmt: skip
    try:
        server.start("/readyz")
        log(f"{backend.name}: warm-up, one batch per gateway …")
        Sender(server.port, warmup, tokens).run(args.clients)
        total = sum(len(queue) for queue in bodies.values())
        log(f"{backend.name}: sending {total:,} batches with {args.clients} clients …")
        sender = Sender(server.port, bodies, tokens)
        seconds = sender.run(args.clients)
    except BaseException:
        log(server.log_tail())
        raise
    finally:
        server.stop()
    latencies = sorted(sender.latencies)
    result = HttpResult(
        backend.name, args.clients, sender.batches, sender.readings, sender.items, sender.answers["stored"],
        sender.answers["duplicates"], sender.answers["rejected"], seconds, percentile(latencies, 0.5) * 1000,
        percentile(latencies, 0.95) * 1000, len(sender.errors), sender.errors[0] if sender.errors else "",
    )  # fmt: skip
    log(
        f"{backend.name}: {result.readings_per_second:,.0f} readings/s, p50 {result.p50_ms:.0f} ms, "
        f"p95 {result.p95_ms:.0f} ms, errors {result.errors}"
    )
    return result


def print_http(results: Sequence[HttpResult], ceiling_rps: float | None, load_name: str) -> None:
    """The throughput table."""
    if not results:
        return
    print()
    first = results[0]
    print(
        f"Ingest throughput: POST /api/iot/ingest, gunicorn {GUNICORN_WORKERS} workers × {GUNICORN_THREADS} "
        f"thread, {first.clients} clients, batches of at most {BATCH_SIZE:,} items (one gateway per project)"
    )
    line = "{:<11} {:>8} {:>10} {:>11} {:>9} {:>8} {:>8} {:>9} {:>7} {:>7}"
    print(line.format("backend", "batches", "readings", "readings/s", "items/s", "p50 ms", "p95 ms",
                      "stored", "dupl.", "errors"))  # fmt: skip
    for r in results:
        print(
            line.format(
                r.backend, f"{r.batches:,}", f"{r.readings:,}", f"{r.readings_per_second:,.0f}",
                f"{r.items_per_second:,.0f}", f"{r.p50_ms:.0f}", f"{r.p95_ms:.0f}", f"{r.stored:,}",
                f"{r.duplicates:,}", r.errors,
            )
        )  # fmt: skip
    if ceiling_rps is not None:
        print(f"ceiling: the bare Flask app under the same gunicorn, {ceiling_rps:,.0f} req/s ({load_name})")
    for r in results:
        if r.backend == "postgresql":
            verdict = "meets" if r.readings_per_second >= TARGET_READINGS_PER_SECOND else "misses"
            print(f"  postgresql: {verdict} the target of {TARGET_READINGS_PER_SECOND:,} readings/s")
        if r.errors:
            print(f"  {r.backend}: first error: {r.first_error}")


# --- 3. the audit at scale -------------------------------------------------------------------------------


@dataclass
class AuditResult:
    """The audit and the flags recompute over ×N."""

    scale: int
    assets: int
    seed_seconds: float
    recompute_seconds: float
    audit_seconds: float
    findings: int
    kinds: dict[str, int]


def run_audit(backend: Backend, args: argparse.Namespace) -> AuditResult:
    """Seed ×N, then time a flags recompute over every asset and one monthly audit run."""
    url = backend.create(AUDIT)
    log(f"{backend.name}: seeding ×{args.audit_scale} demo data for the audit …")
    seed_seconds = seed_in_child(url, args.audit_scale, REFERENCE_DAY)
    database = Database(url)
    zone = ZoneInfo(TIMEZONE)
    start = datetime(REFERENCE_DAY.year, REFERENCE_DAY.month, REFERENCE_DAY.day, 10, tzinfo=zone).astimezone(
        UTC
    )
    origin = time.monotonic()

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - origin)

    try:
        backend.analyze(database)
        log(f"{backend.name}: flags recompute over every asset …")
        began = time.perf_counter()
        with database.unit_of_work(writes=True) as uow:
            report = flags.recompute(uow, clock())
        recompute_seconds = time.perf_counter() - began
        log(f"{backend.name}: {report.assets:,} assets in {recompute_seconds:.1f} s; the monthly audit …")
        with database.unit_of_work(writes=True) as uow:
            run_id = audit.queue_monthly(uow, clock())
        if run_id is None:
            raise RuntimeError("a monthly audit was queued already")
        began = time.perf_counter()
        done = audit.run_queued(lambda: database.unit_of_work(writes=True), clock)
        audit_seconds = time.perf_counter() - began
        with database.unit_of_work() as uow:
            rows = (
                session(uow)
                .execute(
                    select(AuditFinding.kind, func.count())
                    .where(AuditFinding.run_id == run_id)
                    .group_by(AuditFinding.kind)
                )
                .all()
            )
            state = uow.iot_audit.run(run_id)
            if done != [run_id] or state is None or state.state != "done":
                raise RuntimeError(f"the audit run did not finish: {done}, {state and state.error}")
    finally:
        database.dispose()
    kinds = {kind.value: int(count) for kind, count in rows}
    log(f"{backend.name}: audit in {audit_seconds:.1f} s, {sum(kinds.values()):,} findings")
    return AuditResult(
        args.audit_scale,
        report.assets,
        seed_seconds,
        recompute_seconds,
        audit_seconds,
        sum(kinds.values()),
        kinds,
    )


def print_audit(result: AuditResult | None) -> None:
    """The audit's figures."""
    if result is None:
        return
    print()
    verdict = "within" if result.audit_seconds <= TARGET_AUDIT_SECONDS else "over"
    kinds = ", ".join(f"{k} {n:,}" for k, n in sorted(result.kinds.items()))
    print(
        f"Audit, postgresql, ×{result.scale} demo ({result.assets:,} assets, seeded in "
        f"{result.seed_seconds:.0f} s): one monthly run in {result.audit_seconds:.1f} s ({verdict} the "
        f"{TARGET_AUDIT_SECONDS:.0f} s target), {result.findings:,} findings ({kinds})"
    )
    print(
        f"flags recompute over the same assets, before the audit: {result.recompute_seconds:.1f} s (no "
        "devices at this scale, so no readings and no open flags: the cost of reading assets, leases, visits)"
    )


# --- running ---------------------------------------------------------------------------------------------


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@dataclass
class Results:
    """Everything measured in one run."""

    quality: list[QualityResult] = field(default_factory=list)
    http: list[HttpResult] = field(default_factory=list)
    audit: AuditResult | None = None
    ceiling_rps: float | None = None
    load_name: str = ""

    def as_json(self) -> dict[str, Any]:
        """The results file's figures."""
        return {
            "quality": [
                asdict(r) | {"kinds": [asdict(k) | {"precision": k.precision, "recall": k.recall}
                                       for k in r.kinds]}
                for r in self.quality
            ],
            "http": [
                asdict(r) | {"readings_per_second": r.readings_per_second,
                             "items_per_second": r.items_per_second}
                for r in self.http
            ],
            "ceiling_requests_per_second": self.ceiling_rps,
            "ceiling_load_generator": self.load_name,
            "audit": asdict(self.audit) if self.audit else None,
        }  # fmt: skip


def run_backend(
    backend: Backend,
    parts: Mapping[str, bool],
    years: tuple[IotYear | None, IotYear | None],
    results: Results,
    workdir: Path,
    args: argparse.Namespace,
) -> None:
    """The parts asked for on one backend."""
    year_q, year_h = years
    registered = year_q or year_h
    tokens: dict[str, str] = {}
    if (parts["quality"] or parts["http"]) and registered is not None:
        url = backend.create(BASE)
        log(f"{backend.name}: seeding ×1 demo data as of {REFERENCE_DAY} …")
        seed_in_child(url, 1, REFERENCE_DAY)
        log(f"{backend.name}: registering {len(registered.devices):,} devices …")
        tokens = register(url, registered)
    if parts["quality"] and year_q is not None:
        results.quality.append(run_quality(backend, year_q, tokens, args))
    if parts["http"] and year_h is not None:
        if results.ceiling_rps is None:
            log("ceiling: bare Flask app, no database …")
            results.ceiling_rps, results.load_name = ceiling(workdir, args.clients, args.ceiling_seconds)
        results.http.append(run_http(backend, workdir, year_h, tokens, args))
    if parts["audit"]:
        results.audit = run_audit(backend, args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the parts asked for on each backend."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    started_at = datetime.now(UTC)
    machine = {
        "cores": os.cpu_count(), "arch": platform.machine(), "python": platform.python_version(),
        "load_average_before": round(os.getloadavg()[0], 2),
    }  # fmt: skip
    wanted = {
        name: {
            "quality": "quality" not in args.skip and name in args.quality_backends,
            "http": "http" not in args.skip and name in args.backends,
            "audit": "audit" not in args.skip and name == "postgresql",
        }
        for name in BACKENDS
    }
    data = generate(1)
    year_q = year_h = None
    if any(w["quality"] for w in wanted.values()):
        log(f"simulating {args.days} days for the flag quality …")
        year_q = quality_year(data, args)
    if any(w["http"] for w in wanted.values()):
        log(f"simulating {args.http_days} days for the ingest …")
        year_h = http_year(data, args)
    if year_q is not None and year_h is not None and year_q.devices != year_h.devices:
        raise RuntimeError("the two simulated periods fitted different devices")
    results = Results()
    with tempfile.TemporaryDirectory(prefix="lk-bench-") as temp:
        for name in BACKENDS:
            if not any(wanted[name].values()):
                continue
            reason = postgres_unavailable_reason() if name == "postgresql" else None
            if reason is not None:
                log(f"postgresql: skipped ({reason})")
                continue
            with backend_of(name, Path(temp)) as backend:
                run_backend(backend, wanted[name], (year_q, year_h), results, Path(temp), args)
    print(
        f"\nMachine: {machine['cores']} cores ({machine['arch']}), Python {machine['python']}; "
        f"1-min load average before the run {machine['load_average_before']}; simulator seed {args.seed}"
    )
    for result in results.quality:
        print_quality(result)
    print_http(results.http, results.ceiling_rps, results.load_name)
    print_audit(results.audit)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"iot-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    document = {
        "benchmark": "iot",
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {k: sorted(v) if isinstance(v, set) else v for k, v in vars(args).items()},
        **results.as_json(),
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nWritten to {os.path.relpath(path)}")
    # A batch the API did not answer with 200 makes the throughput meaningless.
    return 1 if any(result.errors for result in results.http) else 0


if __name__ == "__main__":
    sys.exit(main())
