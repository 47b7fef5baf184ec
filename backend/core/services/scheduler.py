"""Running scheduled jobs: record their slots, claim one at a time, and record how each run ended.

A worker loops: `plan` records the slots that came due (catching up those it missed), `claim` takes the oldest
due slot and opens its job run, the job runs outside any transaction of ours, and `succeed` or `fail` closes
the run and the slot. A worker that dies leaves its claim to lapse; the next claim of that slot closes the
dead worker's run as failed and opens a new one. Every step commits once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, NotFound
from backend.core.domain.jobs import JobStatus
from backend.core.domain.scheduling import (
    GLOBAL_SCOPE,
    JobSpec,
    SlotState,
    backoff_seconds,
    due_slots,
    next_slot,
    project_of,
)
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services import notifications

UnitOfWorkFactory = Callable[[], AbstractContextManager[UnitOfWork]]
F = TypeVar("F", bound=Callable[..., Any])
ERROR_LENGTH = 2000


@dataclass(frozen=True)
class JobContext:
    """What a job run knows of itself: its slot, its project (per-project jobs), its run record."""

    now: datetime  # when this run started
    slot_at: datetime  # the instant it was due
    project_id: int | None
    run_id: int | None  # None when run by hand outside the scheduler: the job records a run of its own
    attempt: int

    @classmethod
    def by_hand(cls, now: datetime, project_id: int | None = None) -> JobContext:
        """A run someone started from the command line, outside any slot."""
        return cls(now=now, slot_at=now, project_id=project_id, run_id=None, attempt=1)


# A job: given a way to open units of work and its context, it does its work and records its run by
# `uow.job_runs.record(context.run_id, ...)`; it raises when it fails as a whole.
JobFunction = Callable[[UnitOfWorkFactory, JobContext], Any]


@dataclass(frozen=True)
class ScheduledJob:
    """A job's declaration and the function that runs it."""

    spec: JobSpec
    run: JobFunction


# Every declared job, by name, in the order declared; filled as the contexts' jobs modules are imported.
REGISTRY: dict[str, ScheduledJob] = {}


def scheduled(spec: JobSpec) -> Callable[[F], F]:
    """Declare a function as the scheduled job `spec` describes (next to the job, in its jobs module)."""

    def register(function: F) -> F:
        existing = REGISTRY.get(spec.name)
        if existing is not None and existing.run is not function:
            raise ValueError(f"two scheduled jobs are named {spec.name!r}")
        REGISTRY[spec.name] = ScheduledJob(spec, function)
        return function

    return register


@dataclass(frozen=True)
class Claim:
    """A slot this worker holds, with the run it opened."""

    slot_id: int
    token: str
    job: str
    scope_key: str
    slot_at: datetime
    attempt: int
    run_id: int
    lease_seconds: int

    @property
    def project_id(self) -> int | None:
        """The project of a per-project job's slot."""
        return project_of(self.scope_key)


def plan(jobs: Sequence[ScheduledJob], uow: UnitOfWork, now: datetime) -> int:
    """Record every slot that came due by `now` and is not recorded yet; returns how many are new.

    Workers may plan at the same time: a slot is recorded once, whoever writes it first.
    """
    names = [job.spec.name for job in jobs]
    latest = uow.job_slots.latest(names)
    zones = uow.projects.time_zones() if any(job.spec.per_project for job in jobs) else {}
    rows: list[dict[str, Any]] = []
    for job in jobs:
        spec = job.spec
        scopes = (
            [(spec.scope_key(pid), zone) for pid, zone in zones.items()]
            if spec.per_project
            else [(GLOBAL_SCOPE, spec.timezone)]
        )
        for scope_key, zone in scopes:
            run, skipped = due_slots(spec, zone, latest.get((spec.name, scope_key)), now)
            base = {"job": spec.name, "scope_key": scope_key, "attempts": 0, "created_at": now}
            rows += [{**base, "slot_at": at, "state": SlotState.DUE, "next_attempt_at": at} for at in run]
            rows += [
                {
                    **base,
                    "slot_at": at,
                    "state": SlotState.SKIPPED,
                    "next_attempt_at": at,
                    "finished_at": now,
                    "error": f"folded into the slot of {run[-1].isoformat()}",
                }
                for at in skipped
            ]
    added = uow.job_slots.add_missing(rows)
    uow.commit()
    return added


def claim(
    jobs: Sequence[ScheduledJob], worker: str, uow: UnitOfWork, now: datetime
) -> tuple[Claim, JobSpec] | None:
    """Claim the oldest due slot of these jobs and open its run; None when nothing is due."""
    specs = {job.spec.name: job.spec for job in jobs}
    token = secrets.token_hex(16)
    # The lease is set per job below; claim with the longest so no slot lapses before it is set.
    longest = max(spec.lease_seconds for spec in specs.values())
    slot = uow.job_slots.claim(specs, worker, token, now, now + timedelta(seconds=longest))
    if slot is None:
        uow.commit()
        return None
    spec = specs[slot.job]
    if slot.previous_state is SlotState.RUNNING and slot.run_id is not None:
        _close_lapsed(slot.run_id, slot.claimed_by, uow, now)
    run = uow.job_runs.create(
        kind=spec.kind,
        status=JobStatus.RUNNING,
        job=spec.name,
        slot_id=slot.id,
        slot_at=slot.slot_at,
        attempt=slot.attempts,
        worker=worker,
        project_id=project_of(slot.scope_key),
        details={},
        started_at=now,
    )
    uow.flush()
    slot.run_id = run.id
    slot.lease_until = now + timedelta(seconds=spec.lease_seconds)
    uow.commit()
    held = Claim(
        slot.id, token, spec.name, slot.scope_key, slot.slot_at, slot.attempts, run.id, spec.lease_seconds
    )
    return held, spec


def _close_lapsed(run_id: int, worker: str | None, uow: UnitOfWork, now: datetime) -> None:
    """The run of a worker whose claim lapsed: it stopped without saying how the job ended."""
    run = uow.job_runs.find(run_id)
    if run is not None and run.status is JobStatus.RUNNING:
        run.status = JobStatus.FAILED
        run.reason = "worker stopped before the job ended (its claim lapsed); run again"
        run.finished_at = now


def _held_run(held: Claim, uow: UnitOfWork) -> Any:
    """The run this claim opened (runs are never deleted)."""
    run = uow.job_runs.find(held.run_id)
    if run is None:
        raise NotFound("Job run")
    return run


def renew(held: Claim, uow: UnitOfWork, now: datetime) -> bool:
    """Extend the claim while the job runs; False when another worker took the slot over."""
    kept = uow.job_slots.renew(held.slot_id, held.token, now + timedelta(seconds=held.lease_seconds))
    uow.commit()
    return kept


def succeed(held: Claim, spec: JobSpec, uow: UnitOfWork, now: datetime) -> bool:
    """The job ended and recorded its run: close the slot; a run that reports failures alerts the owners.

    False when the claim was lost meanwhile (the other worker's run stands).
    """
    run = _held_run(held, uow)
    if run.status is JobStatus.RUNNING:  # the job did not record its outcome: it did what it did
        run.status = JobStatus.SUCCEEDED
    run.finished_at = now  # the job may have stamped its start
    kept = uow.job_slots.release(
        held.slot_id, held.token, state=SlotState.SUCCEEDED, finished_at=now, error=None
    )
    if kept and run.status is JobStatus.FAILED:
        _alert(spec, held, run.reason or "", uow)
    uow.commit()
    return kept


def fail(held: Claim, spec: JobSpec, error: str, uow: UnitOfWork, now: datetime) -> SlotState | None:
    """The job raised: close its run as failed, try the slot again after a backoff or give it up.

    The owners hear of the first failure of a slot and of giving up. None when the claim was lost.
    """
    error = error[:ERROR_LENGTH]
    run = _held_run(held, uow)
    run.status = JobStatus.FAILED
    run.reason = error
    run.finished_at = now
    gave_up = held.attempt >= spec.max_attempts
    state = SlotState.GAVE_UP if gave_up else SlotState.FAILED
    retry_at = now + timedelta(seconds=backoff_seconds(held.attempt))
    kept = uow.job_slots.release(
        held.slot_id,
        held.token,
        state=state,
        next_attempt_at=retry_at,
        error=error,
        finished_at=now if gave_up else None,
    )
    if not kept:
        uow.rollback()
        return None
    if held.attempt == 1 or gave_up:
        _alert(spec, held, error, uow, gave_up=gave_up)
    uow.commit()
    return state


def _alert(spec: JobSpec, held: Claim, reason: str, uow: UnitOfWork, gave_up: bool = False) -> None:
    """Tell the holders of the job's owner permission over its scope that a run failed."""
    project_id = held.project_id
    notifications.notify(
        uow,
        uow.users.holders(spec.owner, project_id),
        NotificationKind.JOB_GAVE_UP if gave_up else NotificationKind.JOB_FAILED,
        {"job": spec.name, "slot": held.slot_at.isoformat(), "attempt": held.attempt, "reason": reason[:300]},
        project_id=project_id,
        subject=("job_run", held.run_id),
    )


def retry(run_id: int, uow: UnitOfWork, now: datetime, actor: Actor | None = None) -> Any:
    """A person asks for a failed scheduled run again: its slot is due at once; the run reads retried
    (audited as the person's change of the run)."""
    run = uow.job_runs.find(run_id)
    if run is None or run.slot_id is None:
        raise NotFound("Job run")
    if run.status is not JobStatus.FAILED:
        raise Conflict(N_("Only a failed run can be retried."))
    slot = uow.job_slots.find(run.slot_id)
    if slot is None:
        raise NotFound("Job run")
    if slot.state is SlotState.RUNNING:
        raise Conflict(N_("The job is running now; wait for this run to end."))
    before = run.audit_snapshot() if actor is not None else None
    uow.job_slots.reopen(slot, now)
    run.status = JobStatus.RETRIED
    if actor is not None:
        uow.flush()
        audit.record(
            uow, actor, AuditAction.UPDATE, "job_run", run.id, before=before, after=run.audit_snapshot(),
            project_id=run.project_id,
        )  # fmt: skip
    uow.commit()
    return run


@dataclass(frozen=True)
class JobOverview:
    """One scheduled job as an operator sees it: when it runs, how its slots stand, its latest run."""

    spec: JobSpec
    next_at: datetime | None
    counts: dict[str, int]
    latest: Any | None


def overview(jobs: Sequence[ScheduledJob], uow: UnitOfWork, now: datetime) -> list[JobOverview]:
    """Every scheduled job with its next slot, its slot counts per state and its latest slot."""
    names = [job.spec.name for job in jobs]
    counts = uow.job_slots.counts(names)
    recent = uow.job_slots.recent(names, limit=500)
    zones = set(uow.projects.time_zones().values()) if any(job.spec.per_project for job in jobs) else set()
    result = []
    for job in jobs:
        spec = job.spec
        latest = next((slot for slot in recent if slot.job == spec.name), None)
        per_state = {state.value: counts.get((spec.name, state), 0) for state in SlotState}
        upcoming = [next_slot(spec, zone, now) for zone in (zones if spec.per_project else {spec.timezone})]
        next_at = min((at for at in upcoming if at is not None), default=None)
        result.append(JobOverview(spec, next_at, per_state, latest))
    return result


def names(jobs: Collection[ScheduledJob]) -> list[str]:
    """The jobs' names."""
    return [job.spec.name for job in jobs]
