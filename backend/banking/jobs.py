"""Banking's scheduled work: the morning reconciliation, so finance knows by 9 a.m. who paid."""

from __future__ import annotations

from backend.banking.services import reconciliation
from backend.banking.services.reconciliation import ReconciliationReport
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import Origin
from backend.core.domain.jobs import JobKind
from backend.core.domain.scheduling import JobSpec
from backend.core.services.context import Actor
from backend.core.services.scheduler import JobContext, UnitOfWorkFactory, scheduled


@scheduled(
    JobSpec(
        "bank.reconcile",
        JobKind.RECONCILIATION,
        cron="0 7 * * *",
        timezone="Asia/Shanghai",
        owner=P.BANK_WRITE,
        lease_seconds=1800,
        description="Match the bank lines still open against open charges by the ordered rules.",
    )
)
def reconcile(unit_of_work: UnitOfWorkFactory, context: JobContext) -> ReconciliationReport:
    """Daily at 07:00, after the night's billing: settle what the rules can, list the rest as differences."""
    with unit_of_work() as uow:
        return reconciliation.run(
            Actor.system(Origin.JOB, "bank-reconcile"), uow, context.now, run_id=context.run_id
        )
