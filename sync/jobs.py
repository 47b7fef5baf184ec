"""Sync's scheduled work; each job opens its own unit of work and calls a sync use case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import Origin
from backend.core.domain.jobs import JobKind
from backend.core.domain.scheduling import JobSpec
from backend.core.services.context import Actor
from backend.core.services.scheduler import JobContext, UnitOfWorkFactory, scheduled
from sync import prune

KEEP_DAYS = 90


@scheduled(
    JobSpec(
        "sync.prune",
        JobKind.SYNC_PRUNE,
        cron="30 3 * * *",
        timezone="Asia/Shanghai",
        owner=P.DEVICE_ADMIN,
        lease_seconds=1800,
        description=f"Delete offline-sync change-log rows older than {KEEP_DAYS} days.",
    )
)
def prune_change_log(
    unit_of_work: UnitOfWorkFactory,
    context: JobContext,
    keep_days: int = KEEP_DAYS,
    progress: Callable[[int], None] | None = None,
) -> Any:
    """Daily: delete change-log rows older than `keep_days`; returns the job run.

    Phones that pulled before the deleted rows download their scope again.
    """
    with unit_of_work() as uow:
        return prune.prune(
            keep_days,
            Actor.system(Origin.JOB, "sync-prune"),
            uow,
            context.now,
            progress,
            run_id=context.run_id,
        )
