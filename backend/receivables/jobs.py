"""Receivables' scheduled work: the nightly billing run of each project."""

from __future__ import annotations

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import Origin
from backend.core.domain.jobs import JobKind
from backend.core.domain.scheduling import JobSpec
from backend.core.services.context import Actor
from backend.core.services.scheduler import JobContext, UnitOfWorkFactory, scheduled
from backend.receivables.services import billing
from backend.receivables.services.billing import BillingReport


@scheduled(
    JobSpec(
        "receivables.bill",
        JobKind.BILLING_RUN,
        cron="30 0 * * *",
        owner=P.RECEIVABLE_WRITE,
        per_project=True,
        description="Issue the bills that became billable, credit recorded write-offs, request deposits.",
    )
)
def bill(unit_of_work: UnitOfWorkFactory, context: JobContext) -> list[BillingReport]:
    """Daily after midnight in each project: bill what its leases' templates make billable by today."""
    actor = Actor.system(Origin.JOB, "receivables-bill")
    if context.project_id is not None:
        with unit_of_work() as uow:
            return [billing.run_billing(context.project_id, actor, uow, context.now, run_id=context.run_id)]
    with unit_of_work() as uow:
        project_ids = sorted(uow.projects.time_zones())
    reports = []
    for project_id in project_ids:
        with unit_of_work() as uow:
            reports.append(billing.run_billing(project_id, actor, uow, context.now))
    return reports
