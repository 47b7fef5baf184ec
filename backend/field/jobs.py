"""Field's scheduled work; each job opens its own unit of work and calls a field service."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.field.services import status_requests


def expire_requests(unit_of_work: Callable[[], AbstractContextManager[UnitOfWork]], now: datetime) -> Any:
    """Hourly: expire the pending status change requests whose time ran out; returns the job run."""
    with unit_of_work() as uow:
        return status_requests.expire_overdue(Actor.system(Origin.JOB, "requests-expire"), uow, now)
