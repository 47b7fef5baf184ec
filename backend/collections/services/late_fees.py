"""Late fees of a project's overdue bills, accrued by the dunning run from each bill's watermark."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from backend.collections.domain.late_fees import Accrued, LateFeeClause, RateBasis, Settlement, accrue
from backend.core.domain.errors import N_, ValidationFailed
from backend.core.services.unit_of_work import UnitOfWork

ZERO = Decimal("0.00")
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
