"""Leasing's scheduled work; each job opens its own unit of work and calls a leasing service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import Origin
from backend.core.domain.jobs import JobKind
from backend.core.domain.scheduling import JobSpec
from backend.core.services.context import Actor
from backend.core.services.scheduler import JobContext, UnitOfWorkFactory, scheduled
from backend.leasing.services import holiday_calendars, lease_lifecycle, schedules
from backend.leasing.services.lease_lifecycle import AdvanceReport
from backend.leasing.services.schedules import DryRunReport, IndexReport


@scheduled(
    JobSpec(
        "leases.advance",
        JobKind.LEASE_LIFECYCLE,
        cron="5 0 * * *",
        owner=P.LEASE_CONFIGURE,
        per_project=True,
        description="Activate, flag expiring and end leases, just after midnight in each project.",
    )
)
def advance_leases(unit_of_work: UnitOfWorkFactory, context: JobContext) -> AdvanceReport:
    """Daily: move the leases (of the slot's project, or all) along their lifecycle as of now."""
    with unit_of_work() as uow:
        return lease_lifecycle.advance(
            Actor.system(Origin.JOB, "leases-advance"),
            uow,
            context.now,
            project_id=context.project_id,
            run_id=context.run_id,
        )


@scheduled(
    JobSpec(
        "schedules.dry_run",
        JobKind.SCHEDULE_DRY_RUN,
        cron="0 3 * * 1",
        timezone="Asia/Shanghai",
        owner=P.LEASE_CONFIGURE,
        lease_seconds=1800,
        description="Generate every live lease's rent schedule without writing; alert on any failure.",
    )
)
def dry_run_schedules(
    unit_of_work: UnitOfWorkFactory,
    context: JobContext,
    progress: Callable[[int, int], None] | None = None,
) -> DryRunReport:
    """Weekly safety net: generate each live lease's schedule without writing; report those that fail."""
    with unit_of_work() as uow:
        return schedules.dry_run(
            Actor.system(Origin.JOB, "schedules-dry-run"),
            uow,
            context.now,
            progress=progress,
            run_id=context.run_id,
        )


@scheduled(
    JobSpec(
        "schedules.follow_indexes",
        JobKind.INDEX_EXTENSION,
        cron="30 6 * * *",
        timezone="Asia/Shanghai",
        owner=P.LEASE_CONFIGURE,
        lease_seconds=1800,
        description="Extend CPI leases' schedules as index values arrive; alert on steps waiting too long.",
    )
)
def follow_indexes(unit_of_work: UnitOfWorkFactory, context: JobContext) -> IndexReport:
    """Daily: regenerate CPI leases whose schedule a new index value extends; alert on late index months."""
    with unit_of_work() as uow:
        return schedules.follow_indexes(
            Actor.system(Origin.JOB, "schedules-follow-indexes"), uow, context.now, run_id=context.run_id
        )


@scheduled(
    JobSpec(
        "calendars.recompute",
        JobKind.CALENDAR_RECOMPUTE,
        cron="0 4 * * 0",
        timezone="Asia/Shanghai",
        owner=P.LEASE_CONFIGURE,
        lease_seconds=1800,
        description="Move unbilled due dates to the holiday calendars as they stand (a package update).",
    )
)
def recompute_calendars(unit_of_work: UnitOfWorkFactory, context: JobContext) -> dict[str, Any]:
    """Weekly: work unbilled due dates out again on every calendar in use; list what moved."""
    with unit_of_work() as uow:
        return holiday_calendars.recompute_all(
            Actor.system(Origin.JOB, "calendars-recompute"), uow, context.now, run_id=context.run_id
        )
