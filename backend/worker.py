"""The worker process: runs the scheduled jobs on time and delivers the notifications in the outbox.

Any number of workers may run against one PostgreSQL database: each slot of each job is claimed by one of them
(see backend.core.services.scheduler), and each delivery by one. On the embedded SQLite default `make run`
starts one worker beside the server.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backend.core.domain.scheduling import JobSpec, SlotState
from backend.core.services import scheduler
from backend.core.services.scheduler import Claim, JobContext, ScheduledJob, UnitOfWorkFactory

log = logging.getLogger("leasekeeper.worker")

# The modules declaring scheduled jobs (each context's jobs module); importing one registers its jobs.
JOB_MODULES = (
    "backend.field.jobs",
    "backend.leasing.jobs",
    "backend.leasing.lease_import_job",
    "backend.receivables.jobs",
    "backend.banking.jobs",
    "backend.analytics.jobs",
    "backend.reminders.jobs",
    "backend.iot.jobs",
    "backend.collections.jobs",
    "sync.jobs",
)


def scheduled_jobs() -> list[ScheduledJob]:
    """Every declared scheduled job, in declaration order."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return list(scheduler.REGISTRY.values())


def worker_name() -> str:
    """This process's name in claims and job runs: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def utcnow() -> datetime:
    """The current instant, UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class RunOutcome:
    """How one claimed slot ended on this worker."""

    job: str
    slot_at: datetime
    run_id: int
    state: SlotState | None  # None: another worker took the slot over meanwhile
    error: str | None = None


class Heartbeat:
    """Renews a claim while its job runs, from a thread of its own."""

    def __init__(self, unit_of_work: UnitOfWorkFactory, held: Claim, clock: Callable[[], datetime]) -> None:
        self._unit_of_work = unit_of_work
        self._held = held
        self._clock = clock
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{held.job}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        interval = max(0.2, self._held.lease_seconds / 3)
        while not self._stop.wait(interval):
            try:
                with self._unit_of_work() as uow:
                    kept = scheduler.renew(self._held, uow, self._clock())
            except Exception:
                log.exception("renewing the claim of %s failed; trying again", self._held.job)
                continue
            if not kept:
                self.lost = True
                log.error("job %s lost its claim of slot %s", self._held.job, self._held.slot_at)
                return


class Worker:
    """Plans, claims and runs scheduled jobs; delivers notifications when given a deliverer."""

    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        jobs: Sequence[ScheduledJob],
        *,
        name: str | None = None,
        bookkeeping: UnitOfWorkFactory | None = None,
        clock: Callable[[], datetime] = utcnow,
        poll_seconds: float = 5.0,
        deliver: Callable[[], int] | None = None,
        delivery_poll_seconds: float = 0.5,
    ) -> None:
        self._unit_of_work = unit_of_work
        # Short transactions that record slots and runs; on SQLite they take the write lock at their start.
        self._books = bookkeeping or unit_of_work
        self.jobs = list(jobs)
        self.name = name or worker_name()
        self._clock = clock
        self._poll = poll_seconds
        self._deliver = deliver
        self._delivery_poll = delivery_poll_seconds
        self.stopping = threading.Event()

    def plan(self) -> int:
        """Record the slots that came due; returns how many are new."""
        with self._books() as uow:
            return scheduler.plan(self.jobs, uow, self._clock())

    def run_due(self) -> list[RunOutcome]:
        """Plan, then run due slots one after another until none is left (or the worker is stopping)."""
        self.plan()
        outcomes = []
        while not self.stopping.is_set():
            outcome = self.run_one()
            if outcome is None:
                break
            outcomes.append(outcome)
        return outcomes

    def run_one(self) -> RunOutcome | None:
        """Claim the oldest due slot and run it; None when nothing is due."""
        with self._books() as uow:
            claimed = scheduler.claim(self.jobs, self.name, uow, self._clock())
        if claimed is None:
            return None
        held, spec = claimed
        job = next(job for job in self.jobs if job.spec.name == held.job)
        log.info("running %s for slot %s (attempt %d)", held.job, held.slot_at.isoformat(), held.attempt)
        return self._run(job, held, spec)

    def _run(self, job: ScheduledJob, held: Claim, spec: JobSpec) -> RunOutcome:
        context = JobContext(self._clock(), held.slot_at, held.project_id, held.run_id, held.attempt)
        try:
            with Heartbeat(self._books, held, self._clock):
                job.run(self._unit_of_work, context)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.error("job %s failed: %s\n%s", held.job, error, traceback.format_exc())
            with self._books() as uow:
                state = scheduler.fail(held, spec, error, uow, self._clock())
            return RunOutcome(held.job, held.slot_at, held.run_id, state, error)
        with self._books() as uow:
            kept = scheduler.succeed(held, spec, uow, self._clock())
        return RunOutcome(held.job, held.slot_at, held.run_id, SlotState.SUCCEEDED if kept else None)

    def serve(self) -> None:
        """Run until `stopping` is set: scheduled jobs on this thread, deliveries on another."""
        log.info("worker %s started: %s", self.name, ", ".join(scheduler.names(self.jobs)))
        delivery = None
        if self._deliver is not None:
            delivery = threading.Thread(target=self._deliver_loop, name="deliveries", daemon=True)
            delivery.start()
        while not self.stopping.is_set():
            try:
                self.run_due()
            except Exception:
                log.exception("the scheduler loop failed; going on")
            self.stopping.wait(self._poll)
        if delivery is not None:
            delivery.join()
        log.info("worker %s stopped", self.name)

    def _deliver_loop(self) -> None:
        assert self._deliver is not None
        while not self.stopping.is_set():
            try:
                sent = self._deliver()
            except Exception:
                log.exception("the delivery loop failed; going on")
                sent = 0
            if not sent:
                self.stopping.wait(self._delivery_poll)


def overview(unit_of_work: UnitOfWorkFactory, jobs: Sequence[ScheduledJob]) -> list[Any]:
    """Every scheduled job with its next slot, slot counts and latest slot."""
    with unit_of_work() as uow:
        return scheduler.overview(jobs, uow, utcnow())
