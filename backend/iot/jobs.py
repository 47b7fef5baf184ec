"""The IoT's scheduled work: every asset's flags nightly, those whose data just came every few minutes, and
the consistency audit (monthly, and whenever someone asks for one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.domain.scheduling import CatchUp, JobSpec
from backend.core.services.scheduler import JobContext, UnitOfWorkFactory, scheduled
from backend.iot.services import audit, flags


@scheduled(
    JobSpec(
        "iot.flags",
        JobKind.IOT_FLAGS,
        cron="30 3 * * *",
        owner=P.ASSET_WRITE,
        per_project=True,
        catch_up=CatchUp.LATEST,
        lease_seconds=1800,
        description="Recompute every asset's IoT flags (vacant consumption, doors in a vacant unit, no "
        "consumption while leased, utilisation drop) at 03:30 in each project.",
    )
)
def recompute_flags(
    unit_of_work: UnitOfWorkFactory, context: JobContext, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Nightly: the slot's project's flags (or every project's)."""
    projects = [context.project_id] if context.project_id is not None else None
    with unit_of_work() as uow:
        report = flags.recompute(uow, context.now, projects, progress=progress)
    details = report.as_details()
    _record(unit_of_work, context, JobKind.IOT_FLAGS, details)
    return details


@scheduled(
    JobSpec(
        "iot.flags_recent",
        JobKind.IOT_FLAGS_RECENT,
        cron="*/5 * * * *",
        owner=P.ASSET_WRITE,
        catch_up=CatchUp.LATEST,
        lease_seconds=600,
        description="Recompute the flags of assets whose readings, door events or viewings came in since.",
    )
)
def recompute_recent(unit_of_work: UnitOfWorkFactory, context: JobContext) -> dict[str, Any]:
    """Every five minutes: the assets whose data just arrived."""
    with unit_of_work() as uow:
        report = flags.recompute_dirty(uow, context.now)
    details = report.as_details()
    _record(unit_of_work, context, JobKind.IOT_FLAGS_RECENT, details)
    return details


@scheduled(
    JobSpec(
        audit.JOB,
        JobKind.IOT_AUDIT,
        cron="*/10 * * * *",
        timezone=audit.HEAD_OFFICE_ZONE,
        owner=P.ASSET_WRITE,
        catch_up=CatchUp.LATEST,
        lease_seconds=1800,
        max_attempts=3,
        description="Carry out the consistency audits asked for (woken at once), and each month's audit "
        "from its first day.",
    )
)
def run_audits(unit_of_work: UnitOfWorkFactory, context: JobContext) -> dict[str, Any]:
    """Queue the month's audit when it has none, then carry out what waits."""
    with unit_of_work() as uow:
        queued = audit.queue_monthly(uow, context.now)
    done = audit.run_queued(unit_of_work, _clock)
    details = {"queued": queued, "done": done}
    _record(unit_of_work, context, JobKind.IOT_AUDIT, details)
    return details


def _record(
    unit_of_work: UnitOfWorkFactory, context: JobContext, kind: JobKind, details: dict[str, Any]
) -> None:
    with unit_of_work() as uow:
        uow.job_runs.record(
            context.run_id, kind=kind, project_id=context.project_id, status=JobStatus.SUCCEEDED,
            details=details, started_at=context.now, finished_at=_clock(),
        )  # fmt: skip
        uow.commit()


def _clock() -> datetime:
    """Now: an audit takes a while, and each step records its own time."""
    return datetime.now(UTC)
