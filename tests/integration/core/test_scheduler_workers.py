"""Scheduler workers as separate processes on PostgreSQL: racing for slots, and one killed mid-job."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from backend.core.db.database import Database
from backend.core.db.models import JobRun, JobSlot
from backend.core.domain.jobs import JobStatus
from backend.core.domain.scheduling import SlotState
from backend.worker import Worker
from tests.integration.core.test_scheduler import rows
from tests.support import worker_probe

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.postgres


@pytest.fixture
def backend() -> str:
    """These tests race real processes on PostgreSQL, the deployment that runs several workers."""
    return "postgresql"


def start_probe(url: str, mode: str, log: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.worker_probe", url, mode, str(log)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def close(process: subprocess.Popen[str]) -> None:
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_two_workers_racing_for_the_same_slots_run_each_exactly_once(
    database_url: str, db: Database, make_region: Any, make_project: Any, tmp_path: Path
) -> None:
    region = make_region()
    projects = [make_project(region) for _ in range(6)]
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = now - timedelta(minutes=8)  # every project missed its last 8 one-minute slots
    with db.unit_of_work() as uow:
        uow.job_slots.add_missing(
            [
                {
                    "job": "probe.race",
                    "scope_key": f"project:{p.id}",
                    "slot_at": start,
                    "state": SlotState.SUCCEEDED,
                    "attempts": 1,
                    "next_attempt_at": start,
                    "created_at": start,
                }
                for p in projects
            ]
        )
        uow.commit()
    log = tmp_path / "runs.log"
    workers = [start_probe(database_url, "race", log) for _ in range(2)]
    for process in workers:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in workers:
        assert process.wait(timeout=120) == 0
        close(process)

    executions = [line.split() for line in log.read_text().splitlines()]
    per_slot = Counter((job, slot, project) for job, slot, project, _pid, _attempt in executions)
    assert len(per_slot) >= 6 * 8  # every missed minute of every project (and maybe the one just begun)
    assert set(per_slot.values()) == {1}  # none ran twice
    assert len({pid for *_slot, pid, _attempt in executions}) == 2  # both workers took slots
    slots = [s for s in rows(db, JobSlot) if s.slot_at > start]
    assert {s.state for s in slots} == {SlotState.SUCCEEDED}
    runs = rows(db, JobRun)
    assert len(runs) == len(executions) == len(slots)
    assert Counter(r.slot_id for r in runs).most_common(1)[0][1] == 1


def test_a_worker_killed_mid_job_leaves_its_slot_to_another_once_its_claim_lapses(
    database_url: str, db: Database, tmp_path: Path
) -> None:
    log = tmp_path / "runs.log"
    hung = start_probe(database_url, "hang", log)
    assert hung.stdin is not None
    hung.stdin.write("go\n")
    hung.stdin.flush()
    wait_for(lambda: log.exists() and "probe.slow" in log.read_text())
    survivor = Worker(db.unit_of_work, [worker_probe.slow_job(str(log))], name="survivor")

    time.sleep(3)  # longer than the 2 s claim: the living worker's heartbeat keeps it
    while_alive = survivor.run_due()
    hung.kill()
    hung.wait(timeout=10)
    close(hung)
    time.sleep(2.5)  # the dead worker's claim lapses
    after_death = survivor.run_due()

    assert while_alive == []
    assert [o.state for o in after_death] == [SlotState.SUCCEEDED]
    [slot] = rows(db, JobSlot)
    assert (slot.state, slot.attempts, slot.claimed_by) == (SlotState.SUCCEEDED, 2, "survivor")
    first, second = rows(db, JobRun)
    assert (first.status, first.worker) == (JobStatus.FAILED, f"probe-{hung.pid}")
    assert "claim lapsed" in (first.reason or "")
    assert (second.status, second.worker, second.attempt) == (JobStatus.SUCCEEDED, "survivor", 2)
    assert [line.split()[-1] for line in log.read_text().splitlines()] == ["1", "2"]
