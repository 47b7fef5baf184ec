"""Collections' scheduled work: the dunning run of each project, after the morning's reconciliation, and
sending the device commands."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.collections.services import device_commands, dunning
from backend.collections.services import locks as _lock_approvals  # noqa: F401 - registers the approval kind
from backend.collections.services import pauses as _grace_approvals  # noqa: F401 - registers the approval kind
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import Origin
from backend.core.domain.jobs import JobKind, JobStatus
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


@scheduled(
    JobSpec(
        "collections.device_commands",
        JobKind.DEVICE_COMMANDS,
        cron="* * * * *",
        owner=P.COLLECTIONS_APPROVE,
        catch_up=CatchUp.LATEST,
        lease_seconds=600,
        max_attempts=3,
        description="Send the agreed lock and unlock commands of leased machines to the device platform's "
        "webhook and record its answers; a command without an answer is tried again 1, 2, 4, 8 minutes on.",
    )
)
def send_device_commands(unit_of_work: UnitOfWorkFactory, context: JobContext) -> dict[str, object]:
    """Every minute: the device commands that are due, sent outside any transaction."""
    details = device_commands.send_due(unit_of_work, _clock).as_details()
    with unit_of_work() as uow:
        uow.job_runs.record(
            context.run_id, kind=JobKind.DEVICE_COMMANDS, status=JobStatus.SUCCEEDED, details=details,
            started_at=context.now, finished_at=_clock(),
        )  # fmt: skip
        uow.commit()
    return details


def _clock() -> datetime:
    """Now: each post waits for the platform, and each step records its own time."""
    return datetime.now(UTC)
