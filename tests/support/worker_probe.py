"""A worker process for the scheduler's race and crash tests: `python -m tests.support.worker_probe URL MODE
LOG`.

It runs the probe jobs below against the database at URL and appends one line per job execution to LOG
("<job> <slot> <project> <pid> <attempt>"), so a test can count what ran where. MODE `race` runs every due
slot once and exits; MODE `hang` starts the slow job's first attempt and never finishes it (the test kills
it).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from backend.core.db.database import Database
from backend.core.domain.access import Permission
from backend.core.domain.jobs import JobKind
from backend.core.domain.scheduling import JobSpec
from backend.core.services.scheduler import JobContext, ScheduledJob, UnitOfWorkFactory
from backend.worker import Worker


def _log(path: str, job: str, context: JobContext) -> None:
    line = f"{job} {context.slot_at.isoformat()} {context.project_id} {os.getpid()} {context.attempt}\n"
    with open(path, "a", encoding="utf-8") as out:  # one write per line, O_APPEND: lines never interleave
        out.write(line)


def race_job(log_path: str) -> ScheduledJob:
    """Every minute in every project, caught up slot by slot; each run takes a little while."""

    def run(unit_of_work: UnitOfWorkFactory, context: JobContext) -> Any:
        _log(log_path, "probe.race", context)
        time.sleep(0.02)

    spec = JobSpec(
        "probe.race",
        JobKind.SYNC_PRUNE,
        "* * * * *",
        owner=Permission.JOB_ADMIN,
        per_project=True,
        lease_seconds=30,
    )
    return ScheduledJob(spec, run)


def slow_job(log_path: str, lease_seconds: int = 2) -> ScheduledJob:
    """Hangs on its first attempt (the worker running it is killed); later attempts finish at once."""

    def run(unit_of_work: UnitOfWorkFactory, context: JobContext) -> Any:
        _log(log_path, "probe.slow", context)
        if context.attempt == 1:
            time.sleep(600)

    spec = JobSpec(
        "probe.slow", JobKind.SYNC_PRUNE, "0 * * * *", owner=Permission.JOB_ADMIN, lease_seconds=lease_seconds
    )
    return ScheduledJob(spec, run)


def main(url: str, mode: str, log_path: str) -> None:
    """Run as the test asks, then exit."""
    database = Database(url)
    jobs = [race_job(log_path)] if mode == "race" else [slow_job(log_path)]
    worker = Worker(database.unit_of_work, jobs, name=f"probe-{os.getpid()}")
    print("ready", flush=True)
    sys.stdin.readline()  # the test starts both workers, then lets them go together
    if mode == "race":
        _until_done(worker, database)
    else:
        worker.run_due()
    database.dispose()


def _until_done(worker: Worker, database: Database) -> None:
    """Run due slots until none is open any more (a slot waits while its scope's earlier one runs)."""
    names = [job.spec.name for job in worker.jobs]
    while True:
        worker.run_due()
        with database.unit_of_work() as uow:
            counts = uow.job_slots.counts(names)
            uow.rollback()
        if not any(count for (_job, state), count in counts.items() if state.value in {"due", "running"}):
            return
        time.sleep(0.02)


if __name__ == "__main__":
    main(*sys.argv[1:4])
