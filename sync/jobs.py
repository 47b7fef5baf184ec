"""Sync's scheduled work; each job opens its own unit of work and calls a sync use case."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from sync import prune

KEEP_DAYS = 90


def prune_change_log(
    unit_of_work: Callable[[], AbstractContextManager[UnitOfWork]],
    now: datetime,
    keep_days: int = KEEP_DAYS,
    progress: Callable[[int], None] | None = None,
) -> Any:
    """Daily: delete change-log rows older than `keep_days`; returns the job run.

    Phones that pulled before the deleted rows download their scope again.
    """
    with unit_of_work() as uow:
        return prune.prune(keep_days, Actor.system(Origin.JOB, "sync-prune"), uow, now, progress)
