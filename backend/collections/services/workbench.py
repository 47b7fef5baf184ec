"""The collections workbench: customers by tier, what each run did, cases and tasks, a run started by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from backend.collections.services import dunning
from backend.collections.services.dunning import DunningReport
from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork

CASE_OUTCOMES = ("paid", "settled", "payment_plan", "judgment", "written_off", "withdrawn")
MAX_DOCUMENTS = 50


def list_standings(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Customers in dunning (or cleared), by project, in the reader's scope."""
    return uow.dunning_standings.page(actor.require(P.COLLECTIONS_READ), query)


def list_notices(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """What the runs did per customer and day, newest first unless sorted otherwise."""
    return uow.dunning_notices.page(actor.require(P.COLLECTIONS_READ), query)


def get_notice(notice_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One notice: the bills, the message as sent, where it went."""
    return uow.dunning_notices.get(notice_id, actor.require(P.COLLECTIONS_READ))


def list_promises(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Promises to pay."""
    return uow.payment_promises.page(actor.require(P.COLLECTIONS_READ), query)


def list_graces(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Grace periods asked for, approved or refused."""
    return uow.grace_periods.page(actor.require(P.COLLECTIONS_READ), query)


def list_disputes(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Disputes over bills."""
    return uow.disputes.page(actor.require(P.COLLECTIONS_READ), query)


def list_cases(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Legal cases."""
    return uow.collection_cases.page(actor.require(P.COLLECTIONS_READ), query)


def get_case(case_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One legal case."""
    return uow.collection_cases.get(case_id, actor.require(P.COLLECTIONS_READ))


def update_case(case_id: int, values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Name the case's owner, add documents, set the next step, or close it with its outcome; commits once."""
    case = uow.collection_cases.get(case_id, actor.require(P.COLLECTIONS_WRITE))
    if case.state != "open":
        raise Conflict(N_("This case is closed; open a new one if the customer falls behind again."))
    project = uow.projects.get(case.project_id, Scope(everything=True))
    before = case.audit_snapshot()
    if "owner_id" in values:
        owner = uow.users.find(values["owner_id"]) if values["owner_id"] is not None else None
        if values["owner_id"] is not None and (owner is None or not owner.is_active):
            raise ValidationFailed.single("owner_id", N_("Must be an active user."))
        if owner is not None and owner.id not in uow.users.holders(P.COLLECTIONS_WRITE, project.id):
            raise ValidationFailed.single(
                "owner_id", N_("Must be someone who works collections in this project.")
            )
        case.owner_id = values["owner_id"]
    if "next_step" in values:
        case.next_step = values["next_step"]
    if "next_step_on" in values:
        case.next_step_on = values["next_step_on"]
    documents = values.get("add_documents") or []
    if documents:
        if len(case.documents or []) + len(documents) > MAX_DOCUMENTS:
            raise ValidationFailed.single("add_documents", N_("A case keeps at most 50 documents."))
        stamped = [{**dict(d), "added_on": dunning.business_day(project, now).isoformat()} for d in documents]
        case.documents = [*(case.documents or []), *stamped]
    if values.get("outcome") is not None:
        if not str(values.get("outcome_note") or "").strip():
            raise ValidationFailed.single("outcome_note", N_("Say how the case ended."))
        case.outcome, case.outcome_note = values["outcome"], values["outcome_note"]
        case.state, case.closed_on = "closed", dunning.business_day(project, now)
    case.updated_at = now
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "collection_case",
        case.id,
        before=before,
        after=case.audit_snapshot(),
        project_id=project.id,
        region_id=project.region_id,
    )
    uow.commit()
    return case


def list_tasks(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Account managers' tasks for key accounts."""
    return uow.collection_tasks.page(actor.require(P.COLLECTIONS_READ), query)


def complete_task(task_id: int, note: str, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """The account manager wrote to the customer: the task is done, with what was said; commits once."""
    task = uow.collection_tasks.get(task_id, actor.require(P.COLLECTIONS_READ))
    if task.assignee_id is None or task.assignee_id != actor.user_id:
        # Someone else's task (or nobody's) is closed by a collector of the project.
        uow.collection_tasks.get(task_id, actor.require(P.COLLECTIONS_WRITE))
    if task.state != "open":
        raise Conflict(N_("This task is done already."))
    if len(note.strip()) < 4:
        raise ValidationFailed.single("note", N_("Say what you told the customer, in at least 4 characters."))
    before = task.audit_snapshot()
    task.state, task.done_at, task.done_by_id, task.note = "done", now, actor.user_id, note.strip()
    project = uow.projects.get(task.project_id, Scope(everything=True))
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "collection_task",
        task.id,
        before=before,
        after=task.audit_snapshot(),
        project_id=project.id,
        region_id=project.region_id,
    )
    uow.commit()
    return task


def run_now(
    project_id: int, actor: Actor, uow: UnitOfWork, now: datetime, customer_id: int | None = None
) -> DunningReport:
    """Run a project's dunning by hand (after a late statement), or for one customer: the 10:00 job's run."""
    return dunning.run(project_id, actor, uow, now, customer_id=customer_id)
