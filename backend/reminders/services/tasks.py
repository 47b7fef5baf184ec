"""Reminder tasks: one's own list and count, acknowledging (with a note when the tier asks), reassigning."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from backend.collections.services import health
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import (
    N_,
    AuthenticationRequired,
    Conflict,
    Forbidden,
    Message,
    NotFound,
    ValidationFailed,
)
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.reminders.domain.dates import DateKind
from backend.reminders.domain.rules import TaskState
from backend.reminders.services.engine import hand_over

NOTE_LENGTH = 2000


@dataclass(frozen=True)
class TaskView:
    """A task with the names a list shows."""

    task: Any
    lease_number: str
    project_name: str
    customer_name: str | None
    assignee: dict[str, Any]
    recipient: dict[str, Any]
    acknowledged_by: dict[str, Any] | None
    renewal_lease_number: str | None
    overdue: bool
    # For a lease's end or renewal notice: whether to retain the tenant, follow up as usual, or prepare to
    # release the space (collections' advice from the credit profile and lease health), when the reader may
    # read receivables.
    renewal_advice: Any = None


def _me(actor: Actor) -> int:
    if actor.user_id is None:
        raise AuthenticationRequired(N_("Sign in to see your tasks."))
    return actor.user_id


def views(tasks: Sequence[Any], uow: UnitOfWork, now: datetime) -> list[TaskView]:
    """Tasks with their lease, project, customer and people named."""
    labels = uow.reminder_tasks.labels(tasks)
    zones = uow.projects.time_zones()
    found = []
    for task in tasks:
        lease = labels["leases"].get(task.lease_id)
        renewal = labels["leases"].get(task.renewal_lease_id) if task.renewal_lease_id else None
        today = _today_in(zones.get(task.project_id), now)
        found.append(
            TaskView(
                task,
                lease.number if lease else str(task.lease_id),
                lease.project_name if lease else "",
                lease.customer if lease else None,
                _person(labels["users"], task.assignee_id),
                _person(labels["users"], task.recipient_id),
                _person(labels["users"], task.acknowledged_by_id) if task.acknowledged_by_id else None,
                renewal.number if renewal else None,
                task.state is TaskState.OPEN and task.due_on < today,
            )
        )
    return found


def _person(users: Mapping[int, Any], user_id: int) -> dict[str, Any]:
    row = users.get(user_id)
    return {"id": user_id, "name": (row.display_name or row.username) if row is not None else str(user_id)}


def list_tasks(
    query: ListQuery, mine: bool, actor: Actor, uow: UnitOfWork, now: datetime
) -> tuple[list[TaskView], int]:
    """The actor's own tasks (`mine`), or every task in their lease scope."""
    user_id = _me(actor)
    if mine:
        scope = actor.scope_for(P.LEASE_READ).union(actor.scope_for(P.PROJECT_READ))
        query = replace(query, filters={**query.filters, "assignee_id": user_id})
    else:
        scope = actor.require(P.LEASE_READ)
    if query.filters.get("overdue_on") is True:
        days = [
            (zone, now.astimezone(ZoneInfo(zone)).date()) for zone in set(uow.projects.time_zones().values())
        ]
        query = replace(query, filters={**query.filters, "overdue_on": days})
    elif "overdue_on" in query.filters:
        query = replace(query, filters={k: v for k, v in query.filters.items() if k != "overdue_on"})
    tasks, total = uow.reminder_tasks.page(scope, query)
    return views(tasks, uow, now), total


def count_mine(actor: Actor, uow: UnitOfWork, now: datetime) -> tuple[int, int]:
    """The actor's open tasks and how many are overdue (the field app's badge)."""
    zones = uow.projects.time_zones()
    days = uow.reminder_tasks.open_due_days(_me(actor))
    overdue = sum(1 for project_id, due_on in days if due_on < _today_in(zones.get(project_id), now))
    return len(days), overdue


def _today_in(zone: str | None, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone or "Asia/Shanghai")).date()


def _own_or_managed(task_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """A task its assignee may act on, or a holder of lease:approve over its project."""
    user_id = _me(actor)
    scope = actor.scope_for(P.LEASE_READ).union(actor.scope_for(P.PROJECT_READ))
    task = uow.reminder_tasks.get(task_id, scope)
    if task.assignee_id != user_id:
        project = uow.projects.find(task.project_id)
        if project is None or not actor.scope_for(P.LEASE_APPROVE).covers_project(
            project.id, project.region_id
        ):
            raise Forbidden(N_("Only the task's owner or a manager over its project may do this."))
    if task.state is not TaskState.OPEN:
        raise Conflict(N_("The task is no longer open (%(state)s)."), state=task.state.value)
    return task


def acknowledge(task_id: int, note: str | None, actor: Actor, uow: UnitOfWork, now: datetime) -> TaskView:
    """Acknowledge a task; a tier that requires acknowledgement requires a note saying what was done."""
    task = _own_or_managed(task_id, actor, uow)
    note = (note or "").strip()
    if task.ack_required and not note:
        raise ValidationFailed.single(
            "note", N_("This reminder asks for a note: say what was done or decided.")
        )
    if len(note) > NOTE_LENGTH:
        raise ValidationFailed.single("note", Message(N_("At most %(max)s characters."), max=NOTE_LENGTH))
    task.state = TaskState.ACKNOWLEDGED
    task.acknowledged_at = now
    task.acknowledged_by_id = actor.user_id
    task.note = note or None
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "reminder_task",
        task.id,
        before={"state": TaskState.OPEN.value},
        after={"state": task.state.value, "note": task.note},
        project_id=task.project_id,
    )
    uow.commit()
    return views([task], uow, now)[0]


def assignees(task_id: int, actor: Actor, uow: UnitOfWork) -> list[dict[str, Any]]:
    """Whom an open task can be handed to: every other active user who works on its project, by name."""
    task = _own_or_managed(task_id, actor, uow)
    visible = [u for u in uow.users.holders(P.PROJECT_READ, task.project_id) if u != task.assignee_id]
    people = uow.users.people(visible)
    named = [{"id": uid, "name": row.display_name or row.username} for uid, row in people.items()]
    return sorted(named, key=lambda person: (person["name"], person["id"]))


def reassign(
    task_id: int, assignee_id: int, note: str | None, actor: Actor, uow: UnitOfWork, now: datetime
) -> TaskView:
    """Hand an open task to someone else who can see its project; audited, and the new owner is told."""
    task = _own_or_managed(task_id, actor, uow)
    person = uow.users.active_by_id(assignee_id)
    visible = set(uow.users.holders(P.PROJECT_READ, task.project_id))
    if person is None or assignee_id not in visible:
        raise ValidationFailed.single(
            "assignee_id", N_("Choose an active user who works on this lease's project.")
        )
    if assignee_id == task.assignee_id:
        raise ValidationFailed.single("assignee_id", N_("The task is already theirs."))
    note = (note or "").strip()[:NOTE_LENGTH] or None
    hand_over(uow, task, assignee_id, actor.name, note or "—", actor, now)
    uow.commit()
    return views([task], uow, now)[0]


def get_task(task_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> TaskView:
    """One task the actor owns or may see."""
    user_id = _me(actor)
    scope = actor.scope_for(P.LEASE_READ).union(actor.scope_for(P.PROJECT_READ))
    task = uow.reminder_tasks.get(task_id, scope)
    if task.assignee_id != user_id and not actor.scope_for(P.LEASE_READ).covers_project(
        task.project_id, _region(uow, task.project_id)
    ):
        raise NotFound("Task")
    view = views([task], uow, now)[0]
    if task.date_kind in ADVISED_KINDS:
        return replace(view, renewal_advice=_advice(task.lease_id, actor, uow, now))
    return view


# The dates whose reminders carry the renewal advice.
ADVISED_KINDS = frozenset({DateKind.LEASE_END, DateKind.RENEWAL_NOTICE})


def _advice(lease_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """The lease's renewal advice, or None when the reader may not read its receivables (or it has none)."""
    try:
        return health.renewal_advice(lease_id, actor, uow, now)
    except (Forbidden, NotFound, Conflict):
        return None


def _region(uow: UnitOfWork, project_id: int) -> int:
    project = uow.projects.find(project_id)
    return project.region_id if project is not None else -1
