"""Deposits: record what comes in, apply it to rent or repairs, return it; never settled by itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.receivables.domain import deposits, ledger
from backend.receivables.domain.deposits import Movement, MovementKind
from backend.receivables.domain.ledger import AllocationSource, PaymentMethod
from backend.receivables.services.ledger import allocate_payment


def balance(deposit: Any, without: Any = None) -> deposits.DepositBalance:
    """What a deposit row's movements add up to (leaving out the movement `without`, when given)."""
    moves = [Movement(m.kind, m.amount) for m in deposit.movements if m is not without]
    return deposits.balance_of(deposit.required, moves)


def _balanced(deposit: Any) -> Any:
    balance_ = balance(deposit)
    deposit.received = balance_.received
    deposit.released = balance_.released
    deposit.held = balance_.held
    deposit.outstanding = balance_.outstanding
    deposit.state = balance_.state
    return deposit


def list_deposits(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[list[Any], int]:
    """A page of deposits the actor may read, with what is received, released and held."""
    rows, total = uow.deposits.page(actor.require(P.RECEIVABLE_READ), query)
    return [_balanced(row) for row in rows], total


def get_deposit(deposit_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One deposit with its movements."""
    return _balanced(uow.deposits.get(deposit_id, actor.require(P.RECEIVABLE_READ)))


def record_movement(
    deposit_id: int, values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime
) -> Any:
    """Receive, apply (to rent charges or to repairs) or return part of a deposit.

    Applying to rent records a payment of method `deposit` that settles the named charges: the charge's
    history then says the deposit paid it, and the deposit's held amount falls by the same sum.
    """
    scope = actor.require(P.RECEIVABLE_WRITE)
    deposit = uow.deposits.get(deposit_id, scope)
    kind = MovementKind(values["kind"])
    amount = ledger.money(values["amount"], "amount")
    deposits.check_movement(balance(deposit), kind, amount)
    payment = None
    if kind is MovementKind.APPLIED_TO_RENT:
        payment = _apply_to_rent(deposit, amount, values.get("allocations"), values, actor, uow)
    elif values.get("allocations"):
        raise ValidationFailed.single("allocations", N_("Only a deposit applied to rent settles charges."))
    if kind is not MovementKind.RECEIVED and not (values.get("note") or "").strip():
        raise ValidationFailed.single("note", N_("Say why the deposit is released (at least a few words)."))
    uow.deposits.add_movement(
        deposit,
        kind=kind,
        amount=amount,
        occurred_on=values["occurred_on"],
        reference=values.get("reference"),
        note=values.get("note"),
        payment_id=payment.id if payment is not None else None,
        created_by_id=actor.user_id,
    )
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "deposit",
        deposit.id,
        after={"movement": kind, "amount": amount, "payment_id": payment.id if payment else None},
        project_id=deposit.project_id,
    )
    uow.commit()
    return get_deposit(deposit.id, actor, uow)


def _apply_to_rent(
    deposit: Any,
    amount: Decimal,
    wanted: Sequence[Mapping[str, Any]] | None,
    values: Mapping[str, Any],
    actor: Actor,
    uow: UnitOfWork,
) -> Any:
    if not wanted:
        raise ValidationFailed.single("allocations", N_("Name the charges the deposit settles."))
    if sum((Decimal(w["amount"]) for w in wanted), Decimal(0)) != amount:
        raise ValidationFailed.single("allocations", N_("The allocations must add up to the amount applied."))
    project = uow.projects.get(deposit.project_id, actor.require(P.RECEIVABLE_WRITE))
    payment = uow.payments.create(
        region_id=project.region_id,
        project_id=project.id,
        customer_id=deposit.customer_id,
        method=PaymentMethod.DEPOSIT,
        received_on=values["occurred_on"],
        amount=amount,
        fee=Decimal("0.00"),
        currency=deposit.currency,
        reference=f"deposit {deposit.id}",
        deposit_id=deposit.id,
        created_by_id=actor.user_id,
    )
    uow.flush()
    allocate_payment(payment, wanted, actor.require(P.RECEIVABLE_WRITE), actor, uow, AllocationSource.MANUAL)
    return payment
