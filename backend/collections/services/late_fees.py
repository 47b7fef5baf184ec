"""Late fees of a project's overdue bills, accrued by the dunning run from each bill's watermark."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from backend.collections.domain.late_fees import Accrued, LateFeeClause, RateBasis, Settlement, accrue
from backend.core.domain.access import Permission as P
from backend.core.domain.approvals import ApprovalKind
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, Message, ValidationFailed
from backend.core.services import approvals, audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# A late fee does not earn a late fee.
EXEMPT_KINDS = frozenset({"late_fee"})


@dataclass(frozen=True)
class AccrualReport:
    """What one run accrued."""

    bills: int
    days: int
    amount: Decimal


CLAUSE_FIELDS = (
    "late_fee_rate",
    "late_fee_basis",
    "late_fee_grace_days",
    "late_fee_cap_rate",
    "late_fee_article",
)


def clause_problems(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with a lease's late-fee clause as entered, by field (nothing without a rate)."""
    if values.get("late_fee_rate") is None:
        if values.get("late_fee_cap_rate") is not None:
            return {"late_fee_rate": [N_("Name the rate the cap applies to, or leave the cap out.")]}
        return {}
    basis = values.get("late_fee_basis") or RateBasis.PER_DAY
    if basis not in {b.value for b in RateBasis}:
        return {"late_fee_basis": [N_("Must be per_day or per_month.")]}
    try:
        LateFeeClause(
            rate=Decimal(values["late_fee_rate"]),
            basis=RateBasis(basis),
            grace_days=int(values.get("late_fee_grace_days") or 0),
            cap_rate=None
            if values.get("late_fee_cap_rate") is None
            else Decimal(values["late_fee_cap_rate"]),
        )
    except ValidationFailed as refused:
        return refused.fields
    return {}


def clause_of(lease: Any) -> LateFeeClause | None:
    """A lease's late-fee clause, or None when it has none."""
    if lease is None or lease.late_fee_rate is None:
        return None
    return LateFeeClause(
        rate=Decimal(lease.late_fee_rate),
        basis=RateBasis(lease.late_fee_basis or RateBasis.PER_DAY),
        grace_days=lease.late_fee_grace_days or 0,
        cap_rate=None if lease.late_fee_cap_rate is None else Decimal(lease.late_fee_cap_rate),
        article=lease.late_fee_article,
    )


def accrue_project(
    project_id: int,
    disputes: Mapping[int, list[tuple[date, date | None]]],
    through: date,
    uow: UnitOfWork,
    now: datetime,
    run_id: int | None,
) -> AccrualReport:
    """Accrue every bill of a lease with a clause through a day (the last whole one); staged.

    A bill settled late since its watermark accrues its remaining days of delay once, then stops for good.
    """
    bills = uow.dunning.late_fee_candidates(project_id, through)
    leases = uow.dunning.leases({bill.lease_id for bill in bills})
    clauses = {
        bill.id: clause
        for bill in bills
        if str(bill.kind) not in EXEMPT_KINDS
        and (clause := clause_of(leases.get(bill.lease_id) if bill.lease_id else None)) is not None
    }
    if not clauses:
        return AccrualReport(0, 0, ZERO)
    settled = uow.dunning.settlements(clauses)
    kept = uow.dunning.accruals(clauses)
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    postings: list[dict[str, Any]] = []
    total, days, touched = ZERO, 0, 0
    for bill in bills:
        clause = clauses.get(bill.id)
        if clause is None:
            continue
        row = kept.get(bill.id)
        before = Accrued() if row is None else Accrued(Decimal(row.exact), Decimal(row.posted), row.through)
        accrual = accrue(
            clause,
            bill.due_date,
            Decimal(bill.amount),
            [Settlement(on, Decimal(amount)) for on, amount in settled.get(bill.id, [])],
            before,
            through,
            disputes.get(bill.id, ()),
        )
        if accrual is None:
            continue
        state = {
            "exact": accrual.state.exact,
            "posted": accrual.state.posted,
            "through": accrual.state.through,
            "updated_at": now,
        }
        if row is None:
            new.append(
                {
                    "charge_id": bill.id,
                    "project_id": project_id,
                    "customer_id": bill.customer_id,
                    "currency": bill.currency,
                    "waived": ZERO,
                    **state,
                }
            )
        else:
            changed.append({"id": row.id, **state})
        days += accrual.days
        if accrual.amount:
            touched += 1
            total += accrual.amount
            postings.append(
                {
                    "charge_id": bill.id,
                    "run_id": run_id,
                    "start_on": accrual.start,
                    "end_on": accrual.end,
                    "days": accrual.days,
                    "amount": accrual.amount,
                    "kind": "accrual",
                    "note": None,
                    "created_at": now,
                }
            )
    ids = {charge_id: row.id for charge_id, row in kept.items()} | uow.dunning.save_accruals(new, changed)
    uow.dunning.add_postings([{**posting, "accrual_id": ids[posting["charge_id"]]} for posting in postings])
    return AccrualReport(touched, days, total)


def late_fee_of(charge_id: int, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """A bill's late fee so far: through which day, posted, waived, owed, and its postings."""
    charge = uow.charges.get(charge_id, actor.require(P.COLLECTIONS_READ))
    accrual = uow.dunning.accruals([charge.id]).get(charge.id)
    posted = Decimal(accrual.posted) if accrual is not None else ZERO
    waived = Decimal(accrual.waived) if accrual is not None else ZERO
    return {
        "charge_id": charge.id,
        "through": accrual.through if accrual is not None else None,
        "posted": posted,
        "waived": waived,
        "owed": posted - waived,
        "currency": charge.currency,
        "postings": uow.dunning.postings_of(charge.id),
    }


def request_waiver(
    charge_id: int, amount: Decimal, reason: str, actor: Actor, uow: UnitOfWork, now: datetime
) -> Any:
    """Ask to waive part of a bill's late fee; nothing changes until someone else approves; commits once."""
    scope = actor.require(P.COLLECTIONS_WRITE)
    charge = uow.charges.get(charge_id, scope)
    accrual = uow.dunning.accruals([charge.id]).get(charge.id)
    if accrual is None or Decimal(accrual.posted) - Decimal(accrual.waived) <= 0:
        raise Conflict(N_("This bill has no late fee to waive."))
    owed = Decimal(accrual.posted) - Decimal(accrual.waived)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationFailed.single("amount", N_("Must be an amount greater than zero, in cents at most."))
    if amount > owed:
        raise ValidationFailed.single(
            "amount", Message(N_("Must be at most the late fee still owed (%(owed)s)."), owed=f"{owed:,.2f}")
        )
    if len(reason.strip()) < 4:
        raise ValidationFailed.single("reason", N_("Say why in at least 4 characters."))
    project = uow.projects.get(charge.project_id, scope)
    approval = approvals.request(
        uow,
        actor,
        kind=ApprovalKind.LATE_FEE_WAIVER,
        subject=("late_fee_accrual", accrual.id),
        project=project,
        summary=f"{charge.number}: {charge.currency} {amount:,.2f}",
        reason=reason.strip(),
        now=now,
        details={"charge_id": charge.id, "amount": str(amount)},
    )
    uow.commit()
    return approval


def _on_waiver_approved(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """The waiver is posted against the bill's late fee, as long as that much is still owed."""
    details = approval.details or {}
    amount = Decimal(details["amount"])
    accrual = uow.dunning.accruals([int(details["charge_id"])]).get(int(details["charge_id"]))
    owed = Decimal(accrual.posted) - Decimal(accrual.waived) if accrual is not None else ZERO
    if accrual is None or amount > owed:
        raise Conflict(N_("Less late fee is owed than this waiver asks now: reject it and ask again."))
    uow.dunning.waive(accrual.id, amount, now)
    uow.dunning.add_postings(
        [
            {
                "accrual_id": accrual.id,
                "charge_id": accrual.charge_id,
                "run_id": None,
                "start_on": accrual.through,
                "end_on": accrual.through,
                "days": 0,
                "amount": -amount,
                "kind": "waiver",
                "note": approval.reason,
                "created_at": now,
            }
        ]
    )
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "late_fee_accrual",
        accrual.id,
        after={"waived": str(Decimal(accrual.waived) + amount), "approval_id": approval.id},
        project_id=approval.project_id,
    )


def _on_waiver_closed(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """A rejected, withdrawn or expired waiver leaves the late fee as it is."""


approvals.register(
    ApprovalKind.LATE_FEE_WAIVER,
    approvals.KindRules(
        permission=P.COLLECTIONS_APPROVE, on_approved=_on_waiver_approved, on_closed=_on_waiver_closed
    ),
)
