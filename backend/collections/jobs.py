"""Collections' scheduled work: the dunning run of each project, after the morning's reconciliation."""

from __future__ import annotations

from backend.collections.services import dunning
from backend.collections.services import pauses as _grace_approvals  # noqa: F401 - registers the approval kind
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import Origin
from backend.core.domain.jobs import JobKind
from backend.core.domain.scheduling import CatchUp, JobSpec
from backend.core.services.context import Actor
from backend.core.services.scheduler import JobContext, UnitOfWorkFactory, scheduled


@scheduled(
    JobSpec(
        "collections.dunning",
        JobKind.DUNNING_RUN,
        cron="0 10 * * *",
        owner=P.COLLECTIONS_WRITE,
        per_project=True,
        catch_up=CatchUp.LATEST,
        lease_seconds=1800,
        description="Accrue late fees, judge promises, and chase each customer with overdue bills one tier "
        "at a time: at 10:00 in each project, after the 07:00 reconciliation; it refuses (and is retried) "
        "while yesterday's statements are not imported and reconciled.",
    )
)
def run_dunning(unit_of_work: UnitOfWorkFactory, context: JobContext) -> list[dict[str, object]]:
    """Daily: one dunning run of the slot's project (or of every project)."""
    actor = Actor.system(Origin.JOB, "collections-dunning")
    if context.project_id is not None:
        with unit_of_work() as uow:
            report = dunning.run(context.project_id, actor, uow, context.now, run_id=context.run_id)
        return [report.as_details()]
    with unit_of_work() as uow:
        project_ids = sorted(uow.projects.time_zones())
    details = []
    for project_id in project_ids:
        with unit_of_work() as uow:
            details.append(dunning.run(project_id, actor, uow, context.now).as_details())
    return details
