"""The ledger's use cases: charges, payments, allocations, credit notes and refunds, each audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.receivables.domain import billing, ledger
from backend.receivables.domain.ledger import AllocationSource, ChargeKind, PaymentMethod, Side
from backend.receivables.services.billing import CHARGE_SERIES, CREDIT_PREFIX, CREDIT_SERIES, business_date

MANUAL_KINDS = frozenset({ChargeKind.ONE_OFF, ChargeKind.ADJUSTMENT, ChargeKind.OTHER})


# Reading --------------------------------------------------------------------------------------------------


def list_charges(query: ListQuery, only_open: bool, actor: Actor, uow: UnitOfWork) -> tuple[list[Any], int]:
    """A page of charges the actor may read, each with its open amount and state."""
    scope = actor.require(P.RECEIVABLE_READ)
    sort = [
        (uow.charges.sortable[k.field], k.descending) for k in query.sort if k.field in uow.charges.sortable
    ]
    if len(sort) != len(query.sort):
        raise ValidationFailed.single("sort", N_("Unknown sort field."))
    rows, total = uow.charges.page_open(
        scope,
        query.filters,
        only_open,
        sort or [(uow.charges.sortable["due_date"], False)],
        (query.page_size, query.offset),
    )
    return [_with_open(charge, open_amount) for charge, open_amount in rows], total


def get_charge(charge_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One charge with its open amount, its billed schedule items and its live allocations."""
    charge = uow.charges.get(charge_id, actor.require(P.RECEIVABLE_READ))
    open_amount = uow.charges.open_amounts([charge.id])[charge.id]
    found = _with_open(charge, open_amount)
    found.allocations = uow.allocations.live_of(charge_id=charge.id)
    found.schedule_item_ids = [link.schedule_item_id for link in uow.charges.items_of(charge.id)]
    return found


def _with_open(charge: Any, open_amount: Decimal) -> Any:
    charge.open_amount = open_amount
    charge.state = ledger.state_of(charge.amount, open_amount)
    return charge


def list_payments(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """A page of payments the actor may read, each with what is still unapplied."""
    rows, total = uow.payments.page(actor.require(P.RECEIVABLE_READ), query)
    unapplied = uow.payments.unapplied([row.id for row in rows])
    for row in rows:
        row.unapplied = unapplied[row.id]
    return rows, total


def get_payment(payment_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One payment with its allocations, refunds and what is unapplied."""
    payment = uow.payments.get(payment_id, actor.require(P.RECEIVABLE_READ))
    payment.unapplied = uow.payments.unapplied([payment.id])[payment.id]
    payment.allocations = uow.allocations.live_of(payment_id=payment.id)
    payment.refunds = uow.payments.refunds_of(payment.id)
    return payment


def list_credit_notes(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """A page of credit notes the actor may read."""
    return uow.credit_notes.page(actor.require(P.RECEIVABLE_READ), query)


# Writing --------------------------------------------------------------------------------------------------


def create_charge(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Bill a one-off charge or an adjustment (a debit) outside the schedule, numbered like the others."""
    scope = actor.require(P.RECEIVABLE_WRITE)
    project = uow.projects.get(values["project_id"], scope)
    customer = uow.customers.get(values["customer_id"], actor.require(P.CUSTOMER_READ))
    kind = ChargeKind(values.get("kind") or ChargeKind.ONE_OFF)
    if kind not in MANUAL_KINDS:
        raise ValidationFailed.single(
            "kind", N_("Rent, service fees and parking are billed from the schedule.")
        )
    lease_id = values.get("lease_id")
    if lease_id is not None:
        lease = uow.leases.get(lease_id, actor.require(P.LEASE_READ))
        if lease.customer_id != customer.id or lease.project_id != project.id:
            raise ValidationFailed.single(
                "lease_id", N_("The lease is not this customer's lease in this project.")
            )
    amount = ledger.money(values["amount"], "amount")
    issued_on = values.get("issued_on") or business_date(project, now)
    last = uow.sequences.take(project.id, CHARGE_SERIES, billing.period_key(issued_on), 1)
    charge = uow.charges.create(
        number=billing.document_number("", project.code, issued_on, last + 1),
        project_id=project.id,
        customer_id=customer.id,
        lease_id=lease_id,
        kind=kind,
        description=values["description"],
        issued_on=issued_on,
        due_date=values["due_date"],
        gross=amount,
        concessions=Decimal("0.00"),
        amount=amount,
        currency=values.get("currency") or ledger.DEFAULT_CURRENCY,
        created_by_id=actor.user_id,
    )
    uow.flush()
    _audit(uow, actor, AuditAction.CREATE, "charge", charge.id, _snapshot(charge), project)
    uow.commit()
    return _with_open(charge, amount)


def record_payment(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Record money received outside the bank import (cash), settling the given charges or oldest first."""
    scope = actor.require(P.RECEIVABLE_WRITE)
    customer = uow.customers.get(values["customer_id"], actor.require(P.CUSTOMER_READ))
    method = PaymentMethod(values.get("method") or PaymentMethod.CASH)
    if method is PaymentMethod.DEPOSIT:
        raise ValidationFailed.single("method", N_("Apply a deposit from the deposit, not as a payment."))
    project_id = values.get("project_id")
    if project_id is not None:
        uow.projects.get(project_id, scope)
    elif not scope.covers_region(customer.region_id):
        raise ValidationFailed.single("project_id", N_("Name the project the payment is for."))
    payment = uow.payments.create(
        region_id=customer.region_id,
        project_id=project_id,
        customer_id=customer.id,
        method=method,
        received_on=values["received_on"],
        amount=ledger.money(values["amount"], "amount"),
        fee=Decimal("0.00"),
        currency=values.get("currency") or ledger.DEFAULT_CURRENCY,
        reference=values.get("reference"),
        payer_name=values.get("payer_name"),
        note=values.get("note"),
        created_by_id=actor.user_id,
    )
    uow.flush()
    allocate_payment(payment, values.get("allocations"), scope, actor, uow, AllocationSource.MANUAL)
    _audit(
        uow, actor, AuditAction.CREATE, "payment", payment.id, _payment_snapshot(payment, uow), None, customer
    )
    uow.commit()
    return get_payment(payment.id, actor, uow)


def allocate_payment(
    payment: Any,
    wanted: Sequence[Mapping[str, Any]] | None,
    scope: Scope,
    actor: Actor,
    uow: UnitOfWork,
    source: AllocationSource,
) -> list[Any]:
    """Stage a payment's allocations: the charges and amounts given, or the customer's oldest open ones."""
    free = uow.payments.unapplied([payment.id])[payment.id]
    if wanted is None:
        open_charges = [
            (charge.id, open_amount)
            for charge, open_amount in uow.charges.open_of_customer(payment.customer_id, payment.currency)
        ]
        wanted = [{"charge_id": c, "amount": a} for c, a in ledger.oldest_first(open_charges, free)]
    uow.charges.lock([w["charge_id"] for w in wanted])
    open_amounts = uow.charges.open_amounts([w["charge_id"] for w in wanted])
    made = []
    for index, entry in enumerate(wanted):
        field = f"allocations.{index}.amount"
        charge = uow.charges.get(entry["charge_id"], scope)
        amount = ledger.money(entry["amount"], field)
        ledger.check_allocation(
            Side(charge.customer_id, charge.currency, open_amounts[charge.id]),
            Side(payment.customer_id, payment.currency, free),
            amount,
            field,
        )
        open_amounts[charge.id] -= amount
        free -= amount
        made.append(
            uow.allocations.create(
                charge_id=charge.id,
                payment_id=payment.id,
                amount=amount,
                source=source,
                created_by_id=actor.user_id,
            )
        )
    return made


def allocate(payment_id: int, wanted: Sequence[Mapping[str, Any]], actor: Actor, uow: UnitOfWork) -> Any:
    """Apply a payment's unapplied money to charges."""
    scope = actor.require(P.RECEIVABLE_WRITE)
    payment = uow.payments.get(payment_id, scope)
    allocate_payment(payment, wanted, scope, actor, uow, AllocationSource.MANUAL)
    uow.flush()
    _audit(
        uow,
        actor,
        AuditAction.UPDATE,
        "payment",
        payment.id,
        _payment_snapshot(payment, uow),
        None,
        payment.customer,
    )
    uow.commit()
    return get_payment(payment.id, actor, uow)


def unallocate(allocation_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """Undo one allocation; the charge reopens and the money becomes unapplied again (kept as history)."""
    scope = actor.require(P.RECEIVABLE_WRITE)
    allocation = uow.allocations.get(allocation_id, scope)
    if allocation.reversed_at is not None:
        raise Conflict(N_("This allocation was already undone."))
    if allocation.credit_note_id is not None:
        raise Conflict(N_("A credit note's allocation is undone by cancelling the credit note."))
    uow.allocations.reverse([allocation], now, actor.user_id)
    audit.record(
        uow,
        actor,
        AuditAction.DELETE,
        "allocation",
        allocation.id,
        before={
            "charge_id": allocation.charge_id,
            "payment_id": allocation.payment_id,
            "amount": allocation.amount,
        },
    )
    uow.commit()


def issue_credit_note(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Credit part or all of a charge's open amount (a correction, a goodwill reduction)."""
    scope = actor.require(P.RECEIVABLE_WRITE)
    uow.charges.lock([values["charge_id"]])
    charge = uow.charges.get(values["charge_id"], scope)
    amount = ledger.money(values["amount"], "amount")
    open_amount = uow.charges.open_amounts([charge.id])[charge.id]
    ledger.check_allocation(
        Side(charge.customer_id, charge.currency, open_amount),
        Side(charge.customer_id, charge.currency, amount),
        amount,
    )
    issued_on = values.get("issued_on") or business_date(charge.project, now)
    last = uow.sequences.take(charge.project_id, CREDIT_SERIES, billing.period_key(issued_on), 1)
    note = uow.credit_notes.create(
        number=billing.document_number(CREDIT_PREFIX, charge.project.code, issued_on, last + 1),
        project_id=charge.project_id,
        customer_id=charge.customer_id,
        lease_id=charge.lease_id,
        issued_on=issued_on,
        amount=amount,
        currency=charge.currency,
        reason=values["reason"],
        created_by_id=actor.user_id,
    )
    uow.flush()
    uow.allocations.create(
        charge_id=charge.id,
        credit_note_id=note.id,
        amount=amount,
        source=AllocationSource.MANUAL,
        created_by_id=actor.user_id,
    )
    _audit(uow, actor, AuditAction.CREATE, "credit_note", note.id, note.audit_snapshot(), charge.project)
    uow.commit()
    return note


def refund(payment_id: int, values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Pay back part of a payment that settles nothing (an overpayment, a payment for the wrong tenant)."""
    scope = actor.require(P.RECEIVABLE_WRITE)
    payment = uow.payments.get(payment_id, scope)
    amount = ledger.money(values["amount"], "amount")
    ledger.check_refund(uow.payments.unapplied([payment.id])[payment.id], amount)
    uow.payments.add_refund(
        payment_id=payment.id,
        amount=amount,
        paid_on=values["paid_on"],
        reference=values.get("reference"),
        reason=values["reason"],
        created_by_id=actor.user_id,
    )
    uow.flush()
    _audit(
        uow,
        actor,
        AuditAction.UPDATE,
        "payment",
        payment.id,
        _payment_snapshot(payment, uow),
        None,
        payment.customer,
    )
    uow.commit()
    return get_payment(payment.id, actor, uow)


# Helpers --------------------------------------------------------------------------------------------------


def _snapshot(charge: Any) -> dict[str, Any]:
    return charge.audit_snapshot()  # type: ignore[no-any-return]


def _payment_snapshot(payment: Any, uow: UnitOfWork) -> dict[str, Any]:
    data: dict[str, Any] = payment.audit_snapshot()
    data["allocations"] = [
        {"charge_id": a.charge_id, "amount": a.amount} for a in uow.allocations.live_of(payment_id=payment.id)
    ]
    data["refunds"] = [
        {"amount": r.amount, "paid_on": r.paid_on} for r in uow.payments.refunds_of(payment.id)
    ]
    return data


def _audit(
    uow: UnitOfWork,
    actor: Actor,
    action: AuditAction,
    entity: str,
    entity_id: int,
    after: dict[str, Any],
    project: Any | None,
    customer: Any | None = None,
) -> None:
    audit.record(
        uow,
        actor,
        action,
        entity,
        entity_id,
        after=after,
        project_id=project.id if project is not None else None,
        region_id=project.region_id if project is not None else getattr(customer, "region_id", None),
    )
