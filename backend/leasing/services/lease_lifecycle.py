"""The daily lifecycle run: signed leases become active, active ones expiring, finished ones ended."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.core.domain.errors import DomainError
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain.leases import LeaseStatus, expiring_from
from backend.leasing.services import leases

STEPS: tuple[tuple[LeaseStatus, LeaseStatus], ...] = (
    (LeaseStatus.SIGNED, LeaseStatus.ACTIVE),
    (LeaseStatus.ACTIVE, LeaseStatus.EXPIRING),
    (LeaseStatus.ACTIVE, LeaseStatus.ENDED),
    (LeaseStatus.EXPIRING, LeaseStatus.ENDED),
)


@dataclass(frozen=True)
class AdvanceReport:
    """How many leases each move touched, and the leases that could not move."""

    moved: dict[str, int]
    failures: tuple[tuple[str, str], ...]
    job_run_id: int


def _due(lease: Any, target: LeaseStatus, now: datetime) -> bool:
    today = leases.business_today(lease, now)
    if target is LeaseStatus.ACTIVE:
        return bool(lease.starts_on <= today)
    if target is LeaseStatus.ENDED:
        return bool(lease.ends_on < today)
    days_left = (lease.ends_on - today).days
    if days_left < 0:
        return False  # over already: it ends rather than expires
    return bool(days_left <= expiring_from(lease.ends_on, lease.notice_period_days))


MOVES: dict[LeaseStatus, Callable[..., object]] = {
    LeaseStatus.ACTIVE: leases.activate_lease,
    LeaseStatus.EXPIRING: leases.flag_expiring,
    LeaseStatus.ENDED: leases.end_lease,
}


def advance(
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    project_id: int | None = None,
    run_id: int | None = None,
) -> AdvanceReport:
    """Apply every lifecycle move that is due today in each lease's project time zone (of one project).

    Each move is its own transaction through the same use case a person would call, so one lease
    that cannot move (and is reported) never holds back the others.
    """
    moved: dict[str, int] = {}
    failures: list[tuple[str, str]] = []
    for current, target in STEPS:
        for lease_id in uow.leases.ids_in([current], project_id):
            lease = uow.leases.find(lease_id)
            if lease is None or lease.status is not current or not _due(lease, target, now):
                continue
            try:
                MOVES[target](lease_id, actor, uow, now)
            except DomainError as exc:
                uow.rollback()
                failures.append((lease.number, str(exc)))
                continue
            key = f"{current.value}->{target.value}"
            moved[key] = moved.get(key, 0) + 1
    run = uow.job_runs.record(
        run_id,
        kind=JobKind.LEASE_LIFECYCLE,
        project_id=project_id,
        status=JobStatus.FAILED if failures else JobStatus.SUCCEEDED,
        reason=f"{len(failures)} leases could not move" if failures else None,
        details={"moved": moved, "failures": [{"lease": n, "reason": r} for n, r in failures]},
        requested_by_id=actor.user_id,
        started_at=now,
        finished_at=now,
    )
    uow.commit()
    return AdvanceReport(moved, tuple(failures), run.id)
