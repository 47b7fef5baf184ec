"""The worker's lease import job: it runs the lease files queued for import (services.lease_import_jobs)."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.core.domain.access import Permission as P
from backend.core.domain.jobs import JobKind
from backend.core.domain.scheduling import CatchUp, JobSpec
from backend.core.services.scheduler import JobContext, UnitOfWorkFactory, scheduled
from backend.leasing.services import lease_import_jobs


@scheduled(
    JobSpec(
        lease_import_jobs.JOB,
        JobKind.LEASE_IMPORT,
        cron="*/10 * * * *",
        owner=P.LEASE_CONFIGURE,
        catch_up=CatchUp.LATEST,
        lease_seconds=900,
        max_attempts=3,
        description="Run the lease files queued for import: woken at once when one is queued, "
        "and every ten minutes for any left waiting.",
    )
)
def run_lease_imports(unit_of_work: UnitOfWorkFactory, context: JobContext) -> list[int]:
    """Run every queued lease import, oldest first."""
    return lease_import_jobs.run_queued(unit_of_work, _clock, context.run_id)


def _clock() -> datetime:
    """Now: an import runs for a while, and each step records its own time."""
    return datetime.now(UTC)
