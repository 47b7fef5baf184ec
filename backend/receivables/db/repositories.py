"""Repositories of receivables: charges with derived open amounts, payments, credits, deposits, sequences."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, delete, func, or_, select, true, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from backend.core.db.repositories import (
    IN_CHUNK,
    Repository,
    bulk_insert,
    contains,
    equals,
    insert_many,
    one_of,
)
from backend.core.db.scoping import in_projects
from backend.core.domain.access import Scope
from backend.leasing.db.models import Lease, ScheduleItem
from backend.leasing.domain.schedule.settlement import SETTLEMENT_STATUSES
from backend.receivables.db.models import (
    Allocation,
    Charge,
    ChargeItem,
    CreditNote,
    Deposit,
    DepositMovement,
    DocumentSequence,
    Payment,
    Refund,
)
from backend.receivables.domain.aging import EntryKind, LedgerEntry, OpenAmount

ZERO = Decimal("0.00")
LIVE = Allocation.reversed_at.is_(None)


def _allocated_to_charges() -> Select[int, Decimal]:
    return (
        select(Allocation.charge_id, func.sum(Allocation.amount).label("allocated"))
        .where(LIVE)
        .group_by(Allocation.charge_id)
    )


def _open_amount() -> tuple[Subquery, ColumnElement[Decimal]]:
    """The live allocations per charge (to outer-join on the charge's id) and the charge's open amount."""
    allocated = _allocated_to_charges().subquery()
    return allocated, Charge.amount - func.coalesce(allocated.c.allocated, 0)


def _payments_in(scope: Scope) -> ColumnElement[bool]:
    """Payments a scope reaches: those of its projects, and region-wide ones of its regions."""
    if scope.everything:
        return true()
    clauses: list[ColumnElement[bool]] = [in_projects(Payment.project_id, scope)]
    if scope.region_ids:
        clauses.append(and_(Payment.project_id.is_(None), Payment.region_id.in_(scope.region_ids)))
    return or_(*clauses)


class ChargeRepository(Repository[Charge]):
    """Charges, scoped by project; their open amount is derived from live allocations."""

    model = Charge
    entity_name = "Charge"
    filters = {
        "q": contains(Charge.number, Charge.description),
        "project_id": equals(Charge.project_id),
        "customer_id": equals(Charge.customer_id),
        "lease_id": equals(Charge.lease_id),
        "kind": one_of(Charge.kind),
        "due_from": lambda value: Charge.due_date >= value,
        "due_to": lambda value: Charge.due_date <= value,
    }
    sortable = {
        "number": Charge.number,
        "due_date": Charge.due_date,
        "issued_on": Charge.issued_on,
        "amount": Charge.amount,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(Charge.project_id, scope)

    def in_scope(self, row: Charge, scope: Scope) -> bool | None:
        return scope.covers_project(row.project_id, row.project.region_id)

    def page_open(
        self,
        scope: Scope,
        filters: Mapping[str, Any],
        only_open: bool,
        sort: Sequence[Any],
        page: tuple[int, int],
    ) -> tuple[list[tuple[Charge, Decimal]], int]:
        """A page of charges with their open amounts; `only_open` keeps those not fully settled."""
        allocated, open_amount = _open_amount()
        statement = (
            select(Charge, open_amount.label("open"))
            .outerjoin(allocated, allocated.c.charge_id == Charge.id)
            .where(self.scope_clause(scope))
        )
        for name, value in filters.items():
            if value is not None and name in self.filters:
                statement = statement.where(self.filters[name](value))
        if only_open:
            statement = statement.where(open_amount > 0)
        total = self.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        order = [column.desc() if descending else column.asc() for column, descending in sort]
        size, offset = page
        rows = self.session.execute(statement.order_by(*order, Charge.id).limit(size).offset(offset))
        return [(charge, Decimal(open_)) for charge, open_ in rows], total or 0

    def open_amounts(self, charge_ids: Collection[int]) -> dict[int, Decimal]:
        """What is still open of each charge."""
        wanted = sorted(set(charge_ids))
        found: dict[int, Decimal] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            allocated: dict[int, Decimal] = dict(
                self.session.execute(_allocated_to_charges().where(Allocation.charge_id.in_(chunk))).all()
            )
            for charge_id, amount in self.session.execute(
                select(Charge.id, Charge.amount).where(Charge.id.in_(chunk))
            ):
                found[charge_id] = amount - (allocated.get(charge_id) or ZERO)
        return found

    def open_of_customer(self, customer_id: int, currency: str | None = None) -> list[tuple[Charge, Decimal]]:
        """A customer's charges not fully settled, oldest due first."""
        allocated, open_amount = _open_amount()
        statement = (
            select(Charge, open_amount)
            .outerjoin(allocated, allocated.c.charge_id == Charge.id)
            .where(Charge.customer_id == customer_id, open_amount > 0)
            .order_by(Charge.due_date, Charge.id)
        )
        if currency is not None:
            statement = statement.where(Charge.currency == currency)
        return [(charge, Decimal(open_)) for charge, open_ in self.session.execute(statement)]

    def open_items(self, scope: Scope) -> list[tuple[Any, ...]]:
        """Every open charge in the scope as plain values, for the reconciliation rules.

        (id, customer_id, lease_id, lease_number, number, due_date, open, currency, project_id)
        """
        allocated, open_amount = _open_amount()
        statement = (
            select(
                Charge.id,
                Charge.customer_id,
                Charge.lease_id,
                Lease.number,
                Charge.number,
                Charge.due_date,
                open_amount,
                Charge.currency,
                Charge.project_id,
            )
            .outerjoin(allocated, allocated.c.charge_id == Charge.id)
            .outerjoin(Lease, Lease.id == Charge.lease_id)
            .where(open_amount > 0, self.scope_clause(scope))
            .order_by(Charge.due_date, Charge.id)
        )
        return [tuple(row) for row in self.session.execute(statement)]

    def aging_entries(self, scope: Scope, filters: Mapping[str, Any]) -> list[OpenAmount]:
        """Open amounts of every charge in the scope (optionally one project or customer)."""
        allocated, open_amount = _open_amount()
        statement = (
            select(Charge.customer_id, Charge.due_date, open_amount, Charge.currency)
            .outerjoin(allocated, allocated.c.charge_id == Charge.id)
            .where(open_amount > 0, self.scope_clause(scope))
        )
        for name in ("project_id", "customer_id"):
            if filters.get(name) is not None:
                statement = statement.where(self.filters[name](filters[name]))
        return [
            OpenAmount(customer_id=c, due_date=d, open_amount=Decimal(o), currency=cur)
            for c, d, o, cur in self.session.execute(statement)
        ]

    def settlement_history(
        self, customer_ids: Collection[int], scope: Scope, until: date
    ) -> list[tuple[Any, ...]]:
        """Every charge of the customers issued by `until` in the scope, with the day it became fully settled.

        (id, customer_id, lease_id, project_id, due_date, amount, currency, settled_on), oldest due first.
        A charge is settled on the latest day among its live allocations (a payment's received_on, a credit
        note's issued_on) once they cover it; allocations dated after `until` do not count yet.
        """
        dated = func.coalesce(Payment.received_on, CreditNote.issued_on)
        counted = dated <= until
        covered = func.coalesce(func.sum(case((counted, Allocation.amount), else_=0)), 0)
        last_on = func.max(case((counted, dated)))
        columns = (
            Charge.id,
            Charge.customer_id,
            Charge.lease_id,
            Charge.project_id,
            Charge.due_date,
            Charge.amount,
            Charge.currency,
        )
        wanted = sorted(set(customer_ids))
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(wanted), IN_CHUNK):
            statement = (
                select(*columns, covered, last_on)
                .outerjoin(Allocation, and_(Allocation.charge_id == Charge.id, LIVE))
                .outerjoin(Payment, Payment.id == Allocation.payment_id)
                .outerjoin(CreditNote, CreditNote.id == Allocation.credit_note_id)
                .where(
                    Charge.customer_id.in_(wanted[start : start + IN_CHUNK]),
                    Charge.issued_on <= until,
                    self.scope_clause(scope),
                )
                .group_by(*columns)
            )
            for *values, paid, settled_on in self.session.execute(statement):
                found.append((*values, settled_on if Decimal(paid) >= values[5] else None))
        return sorted(found, key=lambda row: (row[4], row[0]))

    def lock(self, charge_ids: Collection[int]) -> None:
        """Lock charges about to be settled (PostgreSQL), so two allocations cannot over-settle one."""
        if self.session.get_bind().dialect.name != "postgresql" or not charge_ids:
            return
        ids = sorted(set(charge_ids))
        for start in range(0, len(ids), IN_CHUNK):
            self.session.execute(
                select(Charge.id).where(Charge.id.in_(ids[start : start + IN_CHUNK])).with_for_update()
            )

    def bulk_insert_items(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Link billed schedule items to their charges."""
        bulk_insert(self.session, ChargeItem, rows)

    def items_of(self, charge_id: int) -> list[ChargeItem]:
        """The schedule items a charge bills."""
        statement = select(ChargeItem).where(ChargeItem.charge_id == charge_id).order_by(ChargeItem.id)
        return list(self.session.scalars(statement))

    def billable(self, project_id: int, statuses: Collection[Any], due_until: date) -> list[Any]:
        """Unbilled schedule items of a project's live leases due by `due_until`, with customer, template."""
        statement = (
            select(ScheduleItem, Lease.customer_id, Lease.template_id)
            .join(Lease, Lease.id == ScheduleItem.lease_id)
            .where(
                ScheduleItem.project_id == project_id,
                ScheduleItem.status == "scheduled",
                Lease.status.in_(list(statuses)),
                Lease.customer_id.is_not(None),
                ScheduleItem.due_date <= due_until,
            )
            .order_by(ScheduleItem.lease_id, ScheduleItem.due_date, ScheduleItem.id)
        )
        return list(self.session.execute(statement))

    def settlements_unbilled(self, project_id: int) -> list[tuple[ScheduleItem, int | None]]:
        """Write-offs and adjustments amendments recorded that no credit note or charge carries yet, with
        the lease's customer."""
        credited = select(CreditNote.schedule_item_id).where(CreditNote.schedule_item_id.is_not(None))
        charged = select(ChargeItem.schedule_item_id)
        statement = (
            select(ScheduleItem, Lease.customer_id)
            .join(Lease, Lease.id == ScheduleItem.lease_id)
            .where(
                ScheduleItem.project_id == project_id,
                ScheduleItem.status.in_(sorted(SETTLEMENT_STATUSES)),
                ScheduleItem.amount != 0,
                ScheduleItem.id.not_in(credited),
                ScheduleItem.id.not_in(charged),
            )
            .order_by(ScheduleItem.id)
        )
        return [(item, customer_id) for item, customer_id in self.session.execute(statement).all()]

    def mark_items(self, item_ids: Collection[int], status: str) -> None:
        """Set the schedule status of billed items (`issued`): regeneration keeps them."""
        ids = sorted(set(item_ids))
        for start in range(0, len(ids), IN_CHUNK):
            self.session.execute(
                update(ScheduleItem)
                .where(ScheduleItem.id.in_(ids[start : start + IN_CHUNK]))
                .values(status=status)
            )

    def entries_of(self, customer_id: int, scope: Scope) -> list[LedgerEntry]:
        """Every document on a customer's account the scope reaches, for a statement of account."""
        charges = self.session.execute(
            select(Charge.id, Charge.issued_on, Charge.number, Charge.description, Charge.amount).where(
                Charge.customer_id == customer_id, self.scope_clause(scope)
            )
        )
        entries = [
            LedgerEntry(on, EntryKind.CHARGE, number, description or "", amount, row_id)
            for row_id, on, number, description, amount in charges
        ]
        credits = self.session.execute(
            select(
                CreditNote.id, CreditNote.issued_on, CreditNote.number, CreditNote.reason, CreditNote.amount
            ).where(CreditNote.customer_id == customer_id, in_projects(CreditNote.project_id, scope))
        )
        entries += [
            LedgerEntry(on, EntryKind.CREDIT_NOTE, number, reason, amount, row_id)
            for row_id, on, number, reason, amount in credits
        ]
        payments = self.session.execute(
            select(
                Payment.id,
                Payment.received_on,
                Payment.reference,
                Payment.method,
                Payment.amount,
                Payment.fee,
            ).where(Payment.customer_id == customer_id, _payments_in(scope))
        )
        for row_id, on, reference, method, amount, fee in payments:
            entries.append(
                LedgerEntry(on, EntryKind.PAYMENT, reference or "", method.value, amount + fee, row_id)
            )
        refunds = self.session.execute(
            select(Refund.id, Refund.paid_on, Refund.reference, Refund.reason, Refund.amount)
            .join(Payment, Payment.id == Refund.payment_id)
            .where(Payment.customer_id == customer_id, _payments_in(scope))
        )
        entries += [
            LedgerEntry(on, EntryKind.REFUND, reference or "", reason, amount, row_id)
            for row_id, on, reference, reason, amount in refunds
        ]
        return entries


class PaymentRepository(Repository[Payment]):
    """Payments, scoped by their project, or their region when they belong to no single project."""

    model = Payment
    entity_name = "Payment"
    filters = {
        "q": contains(Payment.reference, Payment.payer_name),
        "customer_id": equals(Payment.customer_id),
        "project_id": equals(Payment.project_id),
        "method": one_of(Payment.method),
        "received_from": lambda value: Payment.received_on >= value,
        "received_to": lambda value: Payment.received_on <= value,
    }
    sortable = {"received_on": Payment.received_on, "amount": Payment.amount}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return _payments_in(scope)

    def unapplied(self, payment_ids: Collection[int]) -> dict[int, Decimal]:
        """What each payment (with its booked fee) has not yet settled or refunded."""
        wanted = sorted(set(payment_ids))
        found: dict[int, Decimal] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            used = dict(
                self.session.execute(
                    select(Allocation.payment_id, func.sum(Allocation.amount))
                    .where(LIVE, Allocation.payment_id.in_(chunk))
                    .group_by(Allocation.payment_id)
                ).all()
            )
            refunded = dict(
                self.session.execute(
                    select(Refund.payment_id, func.sum(Refund.amount))
                    .where(Refund.payment_id.in_(chunk))
                    .group_by(Refund.payment_id)
                ).all()
            )
            for row_id, amount, fee in self.session.execute(
                select(Payment.id, Payment.amount, Payment.fee).where(Payment.id.in_(chunk))
            ):
                found[row_id] = amount + fee - (used.get(row_id) or ZERO) - (refunded.get(row_id) or ZERO)
        return found

    def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert payments of bank lines with one executemany; their ids in the order of the rows.

        The ids are read back by bank line (unique) rather than by RETURNING, which SQLite answers row by row.
        """
        if not rows:
            return []
        insert_many(self.session, Payment, rows)
        lines = [row["bank_line_id"] for row in rows]
        ids: dict[int, int] = {}
        for start in range(0, len(lines), IN_CHUNK):
            statement = select(Payment.bank_line_id, Payment.id).where(
                Payment.bank_line_id.in_(lines[start : start + IN_CHUNK])
            )
            ids.update(
                (line, payment) for line, payment in self.session.execute(statement) if line is not None
            )
        return [ids[line] for line in lines]

    def remove(self, payment: Payment) -> None:
        """Delete a payment and its allocations (a match undone: the audit log keeps what it settled)."""
        self.session.execute(delete(Allocation).where(Allocation.payment_id == payment.id))
        self.session.delete(payment)

    def of_bank_line(self, bank_line_id: int) -> Payment | None:
        """The payment a bank line was recorded as."""
        return self.session.scalar(select(Payment).where(Payment.bank_line_id == bank_line_id))

    def add_refund(self, **values: Any) -> Refund:
        """Stage a refund."""
        refund = Refund(**values)
        self.session.add(refund)
        return refund

    def refunds_of(self, payment_id: int) -> list[Refund]:
        """A payment's refunds."""
        return list(
            self.session.scalars(select(Refund).where(Refund.payment_id == payment_id).order_by(Refund.id))
        )


class CreditNoteRepository(Repository[CreditNote]):
    """Credit notes, scoped by project."""

    model = CreditNote
    entity_name = "Credit note"
    filters = {
        "customer_id": equals(CreditNote.customer_id),
        "project_id": equals(CreditNote.project_id),
        "lease_id": equals(CreditNote.lease_id),
    }
    sortable = {"issued_on": CreditNote.issued_on, "number": CreditNote.number, "amount": CreditNote.amount}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(CreditNote.project_id, scope)

    def unapplied(self, credit_note_id: int) -> Decimal:
        """What of a credit note is not yet set against charges."""
        note = self.session.get(CreditNote, credit_note_id)
        used = self.session.scalar(
            select(func.coalesce(func.sum(Allocation.amount), 0)).where(
                LIVE, Allocation.credit_note_id == credit_note_id
            )
        )
        return (note.amount if note else ZERO) - Decimal(used or 0)


class AllocationRepository(Repository[Allocation]):
    """Allocations between payments or credit notes and charges."""

    model = Allocation
    entity_name = "Allocation"
    filters = {"charge_id": equals(Allocation.charge_id), "payment_id": equals(Allocation.payment_id)}
    sortable = {"created_at": Allocation.created_at}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return Allocation.charge_id.in_(select(Charge.id).where(in_projects(Charge.project_id, scope)))

    def live_of(self, *, payment_id: int | None = None, charge_id: int | None = None) -> list[Allocation]:
        """Allocations not undone, of one payment or one charge."""
        statement = select(Allocation).where(LIVE)
        if payment_id is not None:
            statement = statement.where(Allocation.payment_id == payment_id)
        if charge_id is not None:
            statement = statement.where(Allocation.charge_id == charge_id)
        return list(self.session.scalars(statement.order_by(Allocation.id)))

    def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert allocations with one executemany."""
        insert_many(self.session, Allocation, rows)

    def reverse(self, allocations: Sequence[Allocation], at: datetime, by_id: int | None) -> None:
        """Undo allocations; they stay as history."""
        for allocation in allocations:
            allocation.reversed_at = at
            allocation.reversed_by_id = by_id


class DepositRepository(Repository[Deposit]):
    """Deposits, scoped by project."""

    model = Deposit
    entity_name = "Deposit"
    filters = {
        "customer_id": equals(Deposit.customer_id),
        "project_id": equals(Deposit.project_id),
        "lease_id": equals(Deposit.lease_id),
    }
    sortable = {"requested_on": Deposit.requested_on, "required": Deposit.required}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(Deposit.project_id, scope)

    def of_lease(self, lease_id: int) -> Deposit | None:
        """The deposit a lease asks for, if recorded."""
        return self.session.scalar(select(Deposit).where(Deposit.lease_id == lease_id))

    def add_movement(self, deposit: Deposit, **values: Any) -> DepositMovement:
        """Stage a movement of a deposit."""
        movement = DepositMovement(**values)
        deposit.movements.append(movement)
        return movement

    def movement_of_bank_line(self, bank_line_id: int) -> DepositMovement | None:
        """The deposit receipt a bank line was recorded as."""
        return self.session.scalar(
            select(DepositMovement).where(DepositMovement.bank_line_id == bank_line_id)
        )

    def leases_without_deposit(self, project_id: int, statuses: Collection[Any]) -> list[Lease]:
        """Live leases of a project that name a deposit amount and have no deposit record yet."""
        recorded = select(Deposit.lease_id)
        statement = select(Lease).where(
            Lease.project_id == project_id,
            Lease.status.in_(list(statuses)),
            Lease.deposit_amount > 0,
            Lease.customer_id.is_not(None),
            Lease.id.not_in(recorded),
        )
        return list(self.session.scalars(statement.order_by(Lease.id)))


class SequenceRepository:
    """Gapless document numbers: one counter row per project, series and month."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def take(self, project_id: int, series: str, period: str, count: int) -> int:
        """Reserve `count` numbers and return the last number used before them.

        The counter row is updated in the caller's transaction, so a second writer waits for it (PostgreSQL's
        row lock, SQLite's write lock) and a rolled-back transaction hands its numbers back: no gaps.
        """
        where = (
            DocumentSequence.project_id == project_id,
            DocumentSequence.series == series,
            DocumentSequence.period == period,
        )
        row = self.session.scalar(select(DocumentSequence).where(*where).with_for_update())
        if row is None:
            row = DocumentSequence(project_id=project_id, series=series, period=period, last=0)
            self.session.add(row)
            self.session.flush()
        before = row.last
        row.last = before + count
        self.session.flush()
        return before
