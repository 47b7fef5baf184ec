"""Analytics' scheduled work: the nightly snapshots of closed months, and the portfolio reports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from backend.analytics.services import portfolio, reports, snapshots
from backend.core.domain.access import Permission as P
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.domain.scheduling import CatchUp, JobSpec
from backend.core.services.scheduler import JobContext, UnitOfWorkFactory, scheduled


@scheduled(
    JobSpec(
        "portfolio.snapshot",
        JobKind.PORTFOLIO_SNAPSHOT,
        cron="30 3 * * *",
        timezone="Asia/Shanghai",
        owner=P.JOB_ADMIN,
        catch_up=CatchUp.LATEST,
        lease_seconds=1800,
        description="Snapshot each closed month's KPI sums once, and restate the last twelve months when "
        "corrections changed them.",
    )
)
def snapshot(unit_of_work: UnitOfWorkFactory, context: JobContext) -> dict[str, dict[str, int]]:
    """Every night: first snapshots of months just closed, restatements of corrected ones."""
    bound = reports.tools()
    today = context.now.astimezone(ZoneInfo(bound.timezone)).date()
    with unit_of_work() as uow:
        written = snapshots.write_snapshots(uow, today, bound.policy, context.now)
    details = {"first": written.first, "restated": written.restated}
    _record(unit_of_work, context, JobKind.PORTFOLIO_SNAPSHOT, details)
    return details


@scheduled(
    JobSpec(
        "portfolio.refresh",
        JobKind.PORTFOLIO_REFRESH,
        cron="*/5 * * * *",
        timezone="Asia/Shanghai",
        owner=P.JOB_ADMIN,
        catch_up=CatchUp.LATEST,
        lease_seconds=600,
        description="Sum the running month's KPIs of every project, so dashboards read them at once.",
    )
)
def refresh(unit_of_work: UnitOfWorkFactory, context: JobContext) -> dict[str, int]:
    """Every five minutes: the running month's sums, for the dashboards."""
    bound = reports.tools()
    today = context.now.astimezone(ZoneInfo(bound.timezone)).date()
    with unit_of_work() as uow:
        cells = portfolio.refresh_running_month(uow, today, bound.policy, context.now)
    details = {"cells": cells}
    _record(unit_of_work, context, JobKind.PORTFOLIO_REFRESH, details)
    return details


@scheduled(
    JobSpec(
        reports.JOB,
        JobKind.PORTFOLIO_REPORT,
        cron="*/10 * * * *",
        timezone="Asia/Shanghai",
        owner=P.JOB_ADMIN,
        catch_up=CatchUp.LATEST,
        lease_seconds=900,
        max_attempts=3,
        description="Generate the portfolio reports asked for (woken at once), and on the first working "
        "day of the month last month's report for every configured role.",
    )
)
def generate_reports(unit_of_work: UnitOfWorkFactory, context: JobContext) -> dict[str, list[int]]:
    """Queue the monthly reports when the month's first working day has come, then generate what waits."""
    bound = reports.tools()
    today = context.now.astimezone(ZoneInfo(bound.timezone)).date()
    with unit_of_work() as uow:
        queued = reports.queue_monthly(uow, today, context.now, bound.roles, reports.head_office_working_day)
    generated = reports.run_queued(unit_of_work, _clock, today)
    details = {"queued": queued, "generated": generated}
    _record(unit_of_work, context, JobKind.PORTFOLIO_REPORT, details)
    return details


def _record(
    unit_of_work: UnitOfWorkFactory, context: JobContext, kind: JobKind, details: dict[str, Any]
) -> None:
    with unit_of_work() as uow:
        uow.job_runs.record(
            context.run_id, kind=kind, status=JobStatus.SUCCEEDED, details=details,
            started_at=context.now, finished_at=_clock(),
        )  # fmt: skip
        uow.commit()


def _clock() -> datetime:
    """Now: a report takes a while, and each step records its own time."""
    return datetime.now(UTC)
