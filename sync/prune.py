"""Keeping the sync change log bounded: old rows are pruned; phones whose cursor falls behind start over."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.errors import N_, Message, ValidationFailed
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork

MIN_KEEP_DAYS = 7
CHUNK = 5000


def prune(
    keep_days: int,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    progress: Callable[[int], None] | None = None,
    run_id: int | None = None,
) -> Any:
    """Delete change rows older than keep_days in chunks (one commit each); recorded as a job run.

    A phone whose cursor lies before the pruned rows is told to download its scope again (HTTP 410 on
    pull). The newest row always stays, so the log keeps its position for every cursor after it.
    """
    actor.require(P.DEVICE_ADMIN)
    if keep_days < MIN_KEEP_DAYS:
        raise ValidationFailed.single(
            "keep_days", Message(N_("Keep at least %(min)s days of changes."), min=MIN_KEEP_DAYS)
        )
    cutoff = now - timedelta(days=keep_days)
    removed = 0
    while True:
        count = uow.sync.prune_older_than(cutoff, CHUNK)
        uow.commit()
        removed += count
        if progress is not None and count:
            progress(removed)
        if count < CHUNK:
            break
    run = uow.job_runs.record(
        run_id,
        kind=JobKind.SYNC_PRUNE,
        status=JobStatus.SUCCEEDED,
        details={"removed": removed, "keep_days": keep_days, "horizon": uow.sync.horizon()},
        requested_by_id=actor.user_id,
        started_at=now,
        finished_at=now,
    )
    uow.commit()
    return run
