"""Charges, payments, credit notes, the allocations between them, refunds, deposits, document sequences."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.db.base import Base, enum_column, utcnow
from backend.org.db.models import Customer, Project
from backend.receivables.domain.deposits import MovementKind
from backend.receivables.domain.ledger import AllocationSource, ChargeKind, PaymentMethod

Money = Numeric(14, 2)


class DocumentSequence(Base):
    """The last number handed out for one kind of document, per project and month (gapless)."""

    __tablename__ = "document_sequences"
    __table_args__ = (UniqueConstraint("project_id", "series", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    series: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(6))
    last: Mapped[int] = mapped_column(default=0)


class Charge(Base):
    """A bill: what a customer owes for one lease, charge type and period (or a one-off)."""

    __tablename__ = "charges"
    __table_args__ = (
        Index("ix_charges_customer_id_due_date", "customer_id", "due_date"),
        Index("ix_charges_project_id_due_date", "project_id", "due_date"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    lease_id: Mapped[int | None] = mapped_column(ForeignKey("leases.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ChargeKind] = mapped_column(enum_column(ChargeKind))
    description: Mapped[str | None] = mapped_column(String(300))
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    issued_on: Mapped[date]
    due_date: Mapped[date]
    gross: Mapped[Decimal] = mapped_column(Money)
    concessions: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    project: Mapped[Project] = relationship(lazy="joined")
    customer: Mapped[Customer] = relationship(lazy="joined")


class ChargeItem(Base):
    """A schedule item billed, with the charge that bills it (none for a fully free period); once per item."""

    __tablename__ = "charge_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_id: Mapped[int | None] = mapped_column(ForeignKey("charges.id", ondelete="CASCADE"), index=True)
    schedule_item_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_items.id", ondelete="RESTRICT"), unique=True
    )


class Payment(Base):
    """Money received from a customer: a bank line, cash, or taken from their deposit."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_customer_id_received_on", "customer_id", "received_on"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod))
    received_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money)
    fee: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    reference: Mapped[str | None] = mapped_column(String(200))
    payer_name: Mapped[str | None] = mapped_column(String(200))
    bank_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("bank_lines.id", ondelete="RESTRICT"), unique=True
    )
    deposit_id: Mapped[int | None] = mapped_column(ForeignKey("deposits.id", ondelete="RESTRICT"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    customer: Mapped[Customer] = relationship(lazy="joined")


class CreditNote(Base):
    """A reduction of what a customer owes (a write-off, a correction), numbered like bills."""

    __tablename__ = "credit_notes"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    lease_id: Mapped[int | None] = mapped_column(ForeignKey("leases.id", ondelete="RESTRICT"))
    issued_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    reason: Mapped[str] = mapped_column(Text)
    schedule_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedule_items.id", ondelete="RESTRICT"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Allocation(Base):
    """Part of a payment or a credit note settling part of a charge; undone allocations stay as history."""

    __tablename__ = "allocations"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("(payment_id IS NULL) <> (credit_note_id IS NULL)", name="one_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_id: Mapped[int] = mapped_column(ForeignKey("charges.id", ondelete="RESTRICT"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    credit_note_id: Mapped[int | None] = mapped_column(
        ForeignKey("credit_notes.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Money)
    source: Mapped[AllocationSource] = mapped_column(enum_column(AllocationSource))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reversed_at: Mapped[datetime | None]
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Refund(Base):
    """Money paid back to a customer out of a payment's unapplied part."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[date]
    reference: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Deposit(Base):
    """The deposit a lease asks for, held as a liability apart from the rent ledger."""

    __tablename__ = "deposits"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("leases.id", ondelete="RESTRICT"), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    required: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    requested_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    movements: Mapped[list[DepositMovement]] = relationship(
        lazy="selectin", order_by="DepositMovement.id", cascade="all, delete-orphan"
    )


class DepositMovement(Base):
    """Money into or out of a deposit; applying it to rent also records a payment of method `deposit`."""

    __tablename__ = "deposit_movements"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("deposits.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MovementKind] = mapped_column(enum_column(MovementKind))
    amount: Mapped[Decimal] = mapped_column(Money)
    occurred_on: Mapped[date]
    reference: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    bank_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("bank_lines.id", ondelete="RESTRICT"), unique=True
    )
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
