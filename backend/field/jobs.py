"""Field's scheduled work; each job opens its own unit of work and calls a field service."""

from __future__ import annotations

from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import Origin
from backend.core.domain.jobs import JobKind
from backend.core.domain.scheduling import CatchUp, JobSpec
from backend.core.services.context import Actor
from backend.core.services.scheduler import JobContext, UnitOfWorkFactory, scheduled
from backend.field.services import status_requests


@scheduled(
    JobSpec(
        "requests.expire",
        JobKind.STATUS_REQUEST_EXPIRY,
        cron="0 * * * *",
        owner=P.JOB_ADMIN,
        catch_up=CatchUp.LATEST,
        description="Expire the status change requests and approvals whose time ran out.",
    )
)
def expire_requests(unit_of_work: UnitOfWorkFactory, context: JobContext) -> Any:
    """Hourly: expire the pending status change requests whose time ran out; returns the job run."""
    with unit_of_work() as uow:
        return status_requests.expire_overdue(
            Actor.system(Origin.JOB, "requests-expire"), uow, context.now, run_id=context.run_id
        )
