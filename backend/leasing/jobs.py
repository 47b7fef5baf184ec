"""Leasing's scheduled work; each job opens its own unit of work and calls a leasing service."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.services import lease_lifecycle, schedules
from backend.leasing.services.lease_lifecycle import AdvanceReport
from backend.leasing.services.schedules import DryRunReport


def advance_leases(
    unit_of_work: Callable[[], AbstractContextManager[UnitOfWork]], now: datetime
) -> AdvanceReport:
    """Daily: move every lease along its lifecycle as of `now` (activate, flag expiring, end)."""
    with unit_of_work() as uow:
        return lease_lifecycle.advance(Actor.system(Origin.JOB, "leases-advance"), uow, now)


def dry_run_schedules(
    unit_of_work: Callable[[], AbstractContextManager[UnitOfWork]],
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> DryRunReport:
    """Weekly safety net: generate each live lease's schedule without writing; report those that fail."""
    with unit_of_work() as uow:
        return schedules.dry_run(Actor.system(Origin.JOB, "schedules-dry-run"), uow, now, progress=progress)
