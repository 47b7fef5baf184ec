"""Recorded job runs: read them within scope, retry the failed ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.errors import N_, Conflict
from backend.core.domain.jobs import JobKind, JobStatus, ScheduleTrigger
from backend.core.domain.listing import ListQuery, SortKey
from backend.core.services import scheduler
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.services import leases, schedules


def list_runs(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Job runs of the actor's projects, newest first unless asked otherwise."""
    if not query.sort:
        query = ListQuery(
            query.filters, (SortKey("started_at", descending=True),), query.page, query.page_size
        )
    return uow.job_runs.page(actor.require(P.LEASE_READ), query)


def get_run(run_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One visible job run."""
    return uow.job_runs.get(run_id, actor.require(P.LEASE_READ))


def retry(run_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Run a failed job again: a scheduled job's slot is due at once for the workers; a failed schedule
    generation runs again now, and the old run is marked retried once this one succeeds."""
    if (found := uow.job_runs.find(run_id)) is not None and found.slot_id is not None:
        uow.job_runs.get(run_id, actor.require(P.JOB_ADMIN))
        return scheduler.retry(run_id, uow, now, actor)
    run = uow.job_runs.get(run_id, actor.require(P.LEASE_WRITE))
    if run.status is not JobStatus.FAILED or run.kind is not JobKind.SCHEDULE_GENERATE:
        raise Conflict(N_("Only a failed schedule generation can be retried."))
    trigger = ScheduleTrigger(run.details["trigger"])
    lease_id = run.subject_id or 0
    if trigger is ScheduleTrigger.SIGN:
        lease = uow.leases.get(lease_id, actor.require(P.LEASE_READ))
        if lease.status.value != "draft":
            raise Conflict(N_("The lease was signed since; nothing to retry."))
        with schedules.retrying(run.id):
            leases.sign_lease(lease_id, actor, uow, now)
    elif trigger is ScheduleTrigger.REGENERATE:
        with schedules.retrying(run.id):
            schedules.regenerate(lease_id, actor, uow, now, retry_of_id=run.id)
    else:
        raise Conflict(N_("A failed amendment was not saved: submit it again, or approve it again."))
    run = uow.job_runs.get(run_id, actor.require(P.LEASE_WRITE))
    run.status = JobStatus.RETRIED
    uow.commit()
    return run


def scheduled(declared: Sequence[Any], actor: Actor, uow: UnitOfWork, now: datetime) -> list[dict[str, Any]]:
    """The scheduled jobs as operators see them (holders of job:admin)."""
    actor.require(P.JOB_ADMIN)
    result = []
    for item in scheduler.overview(declared, uow, now):
        latest = item.latest
        result.append(
            {
                "name": item.spec.name,
                "description": item.spec.description,
                "cron": item.spec.cron,
                "timezone": "project" if item.spec.per_project else item.spec.timezone,
                "next_at": item.next_at,
                "slots": {state: count for state, count in item.counts.items() if count},
                "latest_slot_at": latest.slot_at if latest else None,
                "latest_state": latest.state.value if latest else None,
                "latest_run_id": latest.run_id if latest else None,
                "latest_error": latest.error if latest else None,
            }
        )
    return result
