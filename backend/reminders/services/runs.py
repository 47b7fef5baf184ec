"""The engine's run log: its job runs over the actor's projects, with the projects named."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from backend.core.domain.jobs import JobKind
from backend.core.domain.listing import ListQuery
from backend.core.services import jobs
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork


def list_runs(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[dict[str, Any]], int]:
    """A page of the engine's runs, newest first."""
    query = replace(query, filters={**query.filters, "kind": JobKind.REMINDER_RUN})
    items, total = jobs.list_runs(query, actor, uow)
    names: dict[int, str] = {}
    for run in items:
        if run.project_id is not None and run.project_id not in names:
            project = uow.projects.find(run.project_id)
            names[run.project_id] = project.name if project is not None else str(run.project_id)
    return [
        {
            "id": run.id,
            "project_id": run.project_id,
            "project_name": names.get(run.project_id) if run.project_id is not None else None,
            "status": run.status.value,
            "reason": run.reason,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "details": run.details or {},
        }
        for run in items
    ], total
