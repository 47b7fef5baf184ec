"""Locking the machines of overdue equipment leases: the dunning run asks (a second person agrees), paying up
unlocks at once; sending the commands is `device_commands`' business, outside any transaction.

The run calls `propose_locks` for each customer it decided and `propose_unlocks` once; both only stage, the
run commits. A lock request is made by the rule, not by whoever started the run: nobody is its requester, so
any holder of collections:approve over the project may decide it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from backend.collections.domain.locks import (
    LastCommand,
    LockCommand,
    LockState,
    check_decidable,
    check_retry,
    lease_spells,
    locks_due,
    unlocks_due,
)
from backend.collections.domain.plan import Decision, OverdueBill
from backend.collections.domain.tiers import Thresholds
from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.approvals import ApprovalKind
from backend.core.domain.audit import AuditAction, Origin
from backend.core.domain.errors import N_, Conflict
from backend.core.domain.listing import ListQuery
from backend.core.services import approvals, audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork

ENTITY = "device_lock"
EVERYWHERE = Scope(everything=True)
# Who asks for a lock: the rule itself, so that nobody counts as the requester.
THE_RULE = Actor.system(Origin.JOB, "collections-device-locks")


def _last(rows: Mapping[int, Any]) -> dict[int, LastCommand]:
    return {
        asset_id: LastCommand(LockCommand(row.command), LockState(row.state), row.requested_at.date())
        for asset_id, row in rows.items()
    }


def _audit(
    uow: UnitOfWork, actor: Actor, action: AuditAction, lock: Any, project: Any, before: Any = None
) -> None:
    audit.record(
        uow,
        actor,
        action,
        ENTITY,
        lock.id,
        before=before,
        after=lock.audit_snapshot(),
        project_id=project.id,
        region_id=project.region_id,
    )


def propose_locks(
    project: Any,
    today: date,
    decision: Decision,
    thresholds: Thresholds,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> list[Any]:
    """Stage a lock request, with its approval, for each machine of the customer's equipment leases whose
    oldest chased bill reached the policy's `lock_from` days; returns the requests (the run commits)."""
    lease_ids = {bill.lease_id for bill in decision.bills if bill.lease_id is not None}
    equipment = uow.device_locks.equipment_assets(lease_ids) if lease_ids else {}
    if not equipment:
        return []
    last = _last(uow.device_locks.last_of({a for assets in equipment.values() for a in assets}))
    due = locks_due(decision, today, thresholds, equipment, last)
    if not due:
        return []
    customer = uow.dunning.customers({decision.customer_id})[decision.customer_id]
    leases = uow.dunning.leases({item.lease_id for item in due})
    requested = []
    for item in due:
        asset = uow.assets.get(item.asset_id, EVERYWHERE)
        lease_number = leases[item.lease_id].number
        lock = uow.device_locks.create(
            project_id=project.id,
            customer_id=customer.id,
            lease_id=item.lease_id,
            asset_id=item.asset_id,
            command=LockCommand.LOCK.value,
            state=LockState.REQUESTED.value,
            reason=f"Lease {lease_number}: {', '.join(item.bills)} overdue {item.overdue_days} days "
            f"(locks from day {thresholds.lock_from}), {item.currency} {item.amount:,.2f} open",
            overdue_days=item.overdue_days,
            amount=item.amount,
            currency=item.currency,
            requested_at=now,
            requested_by_id=None,
        )
        uow.flush()
        approvals.request(
            uow,
            THE_RULE,
            kind=ApprovalKind.DEVICE_LOCK,
            subject=(ENTITY, lock.id),
            project=project,
            summary=f"{customer.name}: lock {asset.code} ({lease_number}, {item.overdue_days} days, "
            f"{item.currency} {item.amount:,.2f})",
            reason=lock.reason,
            now=now,
            details={
                "customer_id": customer.id,
                "lease_id": item.lease_id,
                "asset_id": item.asset_id,
                "overdue_days": item.overdue_days,
                "amount": str(item.amount),
                "currency": item.currency,
            },
        )
        _audit(uow, actor, AuditAction.CREATE, lock, project)
        requested.append(lock)
    return requested


def propose_unlocks(
    project: Any,
    today: date,
    bills_by_customer: Mapping[int, Sequence[OverdueBill]],
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> list[Any]:
    """Stage an unlock, agreed at once, for each machine that may be locked on a lease with no chased bill
    left (`bills_by_customer`: the project's open bills the run read); returns them (the run commits)."""
    commanded = uow.device_locks.commanded(project.id)
    if not commanded:
        return []
    rows = uow.device_locks.last_of({a for assets in commanded.values() for a in assets})
    overdue = {
        bill.lease_id
        for bills in bills_by_customer.values()
        for bill in bills
        if bill.lease_id is not None and not bill.disputed and bill.open_amount > 0 and bill.due_date < today
    }
    unlocked = []
    for lease_id, asset_id in unlocks_due(commanded, _last(rows), overdue):
        previous = rows[asset_id]
        lock = uow.device_locks.create(
            project_id=project.id,
            customer_id=previous.customer_id,
            lease_id=lease_id,
            asset_id=asset_id,
            command=LockCommand.UNLOCK.value,
            state=LockState.APPROVED.value,
            reason=f"Nothing of the lease is overdue any more on {today.isoformat()}",
            currency=previous.currency,
            requested_at=now,
            requested_by_id=None,
            decided_at=now,
        )
        uow.flush()
        _audit(uow, actor, AuditAction.CREATE, lock, project)
        unlocked.append(lock)
    return unlocked


def _still_overdue(project: Any, lease_id: int, today: date, uow: UnitOfWork) -> bool:
    """Whether the lease has a chased bill today (open, undisputed, past its due date)."""
    disputes = uow.dunning.disputes_of_charges(project.id)
    bills = [
        OverdueBill(
            row.id,
            row.number,
            row.lease_id,
            row.due_date,
            Decimal(row.open),
            row.currency,
            any(end is None or end >= today for _start, end in disputes.get(row.id, [])),
        )
        for row in uow.dunning.open_bills(project.id, today)
        if row.lease_id == lease_id
    ]
    return bool(lease_spells(bills, today, Thresholds()))


def _on_approved(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """The lock is agreed: it goes out with the next sending; refused when the lease was paid up meanwhile."""
    lock = uow.device_locks.get(approval.subject_id, EVERYWHERE)
    check_decidable(LockState(lock.state))
    project = uow.projects.get(lock.project_id, EVERYWHERE)
    if not _still_overdue(project, lock.lease_id, now.astimezone(ZoneInfo(project.timezone)).date(), uow):
        raise Conflict(N_("Nothing of this lease is overdue any more: reject the lock request instead."))
    before = lock.audit_snapshot()
    lock.state, lock.decided_at, lock.decided_by_id = LockState.APPROVED.value, now, actor.user_id
    _audit(uow, actor, AuditAction.UPDATE, lock, project, before)


def _on_closed(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """A rejected or expired request locks nothing; it is not asked again in the same overdue spell."""
    lock = uow.device_locks.get(approval.subject_id, EVERYWHERE)
    if LockState(lock.state) is not LockState.REQUESTED:
        return
    project = uow.projects.get(lock.project_id, EVERYWHERE)
    before = lock.audit_snapshot()
    lock.state, lock.decided_at, lock.decided_by_id = LockState.REJECTED.value, now, actor.user_id
    lock.error = approval.decision_note
    _audit(uow, actor, AuditAction.UPDATE, lock, project, before)


def retry_command(lock_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Send a failed command again (the webhook fixed, the platform back): it goes out with the next
    sending, its attempts counted afresh; commits once."""
    lock = uow.device_locks.get(lock_id, actor.require(P.COLLECTIONS_APPROVE))
    check_retry(LockState(lock.state))
    project = uow.projects.get(lock.project_id, EVERYWHERE)
    before = lock.audit_snapshot()
    lock.state, lock.attempts, lock.error = LockState.APPROVED.value, 0, None
    if lock.decided_at is None:
        lock.decided_at = now
    _audit(uow, actor, AuditAction.UPDATE, lock, project, before)
    uow.commit()
    return lock


def list_locks(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Lock and unlock commands in the actor's projects, with where each stands and the platform's answer."""
    return uow.device_locks.page(actor.require(P.COLLECTIONS_READ), query)


def get_lock(lock_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One command in the actor's projects."""
    return uow.device_locks.get(lock_id, actor.require(P.COLLECTIONS_READ))


approvals.register(
    ApprovalKind.DEVICE_LOCK,
    approvals.KindRules(permission=P.COLLECTIONS_APPROVE, on_approved=_on_approved, on_closed=_on_closed),
)
