"""Pauses of dunning a person records: promises to pay, disputes over bills, grace periods (four-eyes)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.collections.domain.pauses import (
    DisputeState,
    GraceState,
    PromiseState,
    check_grace,
    check_promise,
)
from backend.collections.services.dunning import business_day
from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.approvals import ApprovalKind
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, Message, NotFound, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import approvals, audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork

MIN_REASON = 4


def _project_and_customer(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> tuple[Any, Any]:
    project = uow.projects.get(values["project_id"], actor.require(P.COLLECTIONS_WRITE))
    customer = uow.customers.get(values["customer_id"], actor.require(P.CUSTOMER_READ))
    return project, customer


def _reason(values: Mapping[str, Any], field: str = "reason") -> str:
    text = str(values.get(field) or "").strip()
    if len(text) < MIN_REASON:
        raise ValidationFailed.single(
            field, Message(N_("Say why in at least %(count)s characters."), count=MIN_REASON)
        )
    return text


def _overdue(project_id: int, customer_id: int, today: date, uow: UnitOfWork) -> tuple[Decimal, str]:
    rows = [row for row in uow.dunning.open_bills(project_id, today) if row.customer_id == customer_id]
    currency = rows[0].currency if rows else "CNY"
    return sum((Decimal(row.open) for row in rows), Decimal("0.00")), currency


def _audit(uow: UnitOfWork, actor: Actor, action: AuditAction, kind: str, row: Any, project: Any) -> None:
    audit.record(
        uow,
        actor,
        action,
        kind,
        row.id,
        after=row.audit_snapshot(),
        project_id=project.id,
        region_id=project.region_id,
    )


def record_promise(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Record a customer's promise to pay an amount by a day: dunning pauses until then; commits once."""
    project, customer = _project_and_customer(values, actor, uow)
    today = business_day(project, now)
    overdue, currency = _overdue(project.id, customer.id, today, uow)
    if overdue <= 0:
        raise Conflict(N_("Nothing of this customer is overdue in the project: there is nothing to promise."))
    amount = Decimal(values["amount"])
    check_promise(values["promised_on"], amount, overdue, today)
    promise = uow.payment_promises.create(
        project_id=project.id,
        customer_id=customer.id,
        promised_on=values["promised_on"],
        amount=amount,
        currency=currency,
        made_on=today,
        note=values.get("note"),
        state=PromiseState.OPEN,
        created_by_id=actor.user_id,
    )
    uow.flush()
    _audit(uow, actor, AuditAction.CREATE, "payment_promise", promise, project)
    uow.commit()
    return promise


def cancel_promise(promise_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """Withdraw an open promise (entered by mistake); dunning resumes at the next run; commits once."""
    promise = uow.payment_promises.get(promise_id, actor.require(P.COLLECTIONS_WRITE))
    if promise.state is not PromiseState.OPEN:
        raise Conflict(N_("Only an open promise can be withdrawn."))
    promise.state = PromiseState.CANCELLED
    project = uow.projects.get(promise.project_id, Scope(everything=True))
    _audit(uow, actor, AuditAction.UPDATE, "payment_promise", promise, project)
    uow.commit()
    return promise


def open_dispute(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Record a customer's dispute over some of their bills: those are not chased nor charged late fees."""
    project, customer = _project_and_customer(values, actor, uow)
    reason = _reason(values)
    charge_ids = sorted(set(values["charge_ids"]))
    if not charge_ids:
        raise ValidationFailed.single("charge_ids", N_("Name at least one bill."))
    charges = uow.charges.open_amounts(charge_ids)
    in_project = Scope(project_ids=frozenset({project.id}))
    for charge_id in charge_ids:
        try:
            charge = uow.charges.get(charge_id, in_project)
        except NotFound:
            charge = None
        if charge is None or charge.customer_id != customer.id:
            raise ValidationFailed.single(
                "charge_ids", Message(N_("Bill %(id)s is not this customer's in this project."), id=charge_id)
            )
        if charges.get(charge_id, Decimal(0)) <= 0:
            raise ValidationFailed.single(
                "charge_ids",
                Message(N_("Bill %(number)s is settled: there is nothing to dispute."), number=charge.number),
            )
    disputed = {int(c) for d in uow.disputes.open_of(customer.id) for c in d.charge_ids}
    already = sorted(disputed & set(charge_ids))
    if already:
        raise Conflict(N_("Some of these bills are under an open dispute already: resolve that one first."))
    dispute = uow.disputes.create(
        project_id=project.id,
        customer_id=customer.id,
        charge_ids=charge_ids,
        reason=reason,
        opened_on=business_day(project, now),
        state=DisputeState.OPEN,
        created_by_id=actor.user_id,
    )
    uow.flush()
    _audit(uow, actor, AuditAction.CREATE, "dispute", dispute, project)
    uow.commit()
    return dispute


def resolve_dispute(
    dispute_id: int, values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime
) -> Any:
    """Close a dispute with its resolution: its bills are chased (and accrue) again from the next day."""
    dispute = uow.disputes.get(dispute_id, actor.require(P.COLLECTIONS_WRITE))
    if dispute.state is not DisputeState.OPEN:
        raise Conflict(N_("This dispute is resolved already."))
    project = uow.projects.get(dispute.project_id, Scope(everything=True))
    dispute.resolution = _reason(values, "resolution")
    dispute.state, dispute.resolved_on = DisputeState.RESOLVED, business_day(project, now)
    dispute.resolved_by_id = actor.user_id
    _audit(uow, actor, AuditAction.UPDATE, "dispute", dispute, project)
    uow.commit()
    return dispute


def request_grace(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Ask for days without dunning on a customer's behalf; it takes effect once a second person approves."""
    project, customer = _project_and_customer(values, actor, uow)
    days = int(values["days"])
    check_grace(days)
    reason = _reason(values)
    waiting = uow.grace_periods.page(
        Scope(project_ids=frozenset({project.id})),
        _query({"customer_id": customer.id, "state": [GraceState.REQUESTED.value]}),
    )[1]
    if waiting:
        raise Conflict(N_("A grace period for this customer waits for approval already."))
    grace = uow.grace_periods.create(
        project_id=project.id,
        customer_id=customer.id,
        days=days,
        reason=reason,
        state=GraceState.REQUESTED,
        requested_at=now,
        requested_by_id=actor.user_id,
    )
    uow.flush()
    approvals.request(
        uow,
        actor,
        kind=ApprovalKind.GRACE_PERIOD,
        subject=("grace_period", grace.id),
        project=project,
        summary=f"{customer.name}: {days}",
        reason=reason,
        now=now,
        details={"customer_id": customer.id, "days": days},
    )
    _audit(uow, actor, AuditAction.CREATE, "grace_period", grace, project)
    uow.commit()
    return grace


def _query(filters: Mapping[str, Any]) -> ListQuery:
    return ListQuery(filters=dict(filters), page=1, page_size=1)


def _on_approved(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """The grace period runs from the day of the approval for its number of days."""
    grace = uow.grace_periods.get(approval.subject_id, Scope(everything=True))
    if grace.state is not GraceState.REQUESTED:
        raise Conflict(N_("This grace period was decided already."))
    project = uow.projects.get(grace.project_id, Scope(everything=True))
    start = business_day(project, now)
    grace.state, grace.starts_on, grace.ends_on = (
        GraceState.APPROVED,
        start,
        start + timedelta(days=grace.days - 1),
    )
    grace.decided_at, grace.decided_by_id, grace.decision_note = now, actor.user_id, approval.decision_note
    _audit(uow, actor, AuditAction.UPDATE, "grace_period", grace, project)


def _on_closed(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """A rejected, withdrawn or expired request leaves dunning as it was."""
    grace = uow.grace_periods.get(approval.subject_id, Scope(everything=True))
    if grace.state is GraceState.REQUESTED:
        grace.state = GraceState.CANCELLED if approval.status.value == "cancelled" else GraceState.REJECTED
        grace.decided_at, grace.decided_by_id, grace.decision_note = (
            now,
            actor.user_id,
            approval.decision_note,
        )


approvals.register(
    ApprovalKind.GRACE_PERIOD,
    approvals.KindRules(permission=P.COLLECTIONS_APPROVE, on_approved=_on_approved, on_closed=_on_closed),
)
