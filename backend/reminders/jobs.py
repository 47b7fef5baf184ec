"""The reminders' scheduled work: the engine, at 02:00 in each project."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from backend.core.domain.access import Permission as P
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.domain.scheduling import CatchUp, JobSpec
from backend.core.services.scheduler import JobContext, UnitOfWorkFactory, scheduled
from backend.reminders.services import engine


@scheduled(
    JobSpec(
        "reminders.run",
        JobKind.REMINDER_RUN,
        cron="0 2 * * *",
        owner=P.LEASE_CONFIGURE,
        per_project=True,
        catch_up=CatchUp.LATEST,
        lease_seconds=1800,
        description="Send every reminder whose day has come (late ones after missed days), escalate, "
        "cancel and reassign tasks, draft automatic renewals: at 02:00 in each project.",
    )
)
def run_reminders(
    unit_of_work: UnitOfWorkFactory,
    context: JobContext,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, object]:
    """Daily: one engine run over the slot's project (or every project), logged with its figures."""
    with unit_of_work() as uow:
        report = engine.run(uow, context.now, context.project_id, progress, context.run_id)
    details = report.as_details()
    with unit_of_work() as uow:
        uow.job_runs.record(
            context.run_id,
            kind=JobKind.REMINDER_RUN,
            project_id=context.project_id,
            status=JobStatus.FAILED if report.errors else JobStatus.SUCCEEDED,
            reason=f"{len(report.errors)} leases could not be handled" if report.errors else None,
            details=details,
            started_at=context.now,
            finished_at=datetime.now(UTC),
        )
        uow.commit()
    return details
