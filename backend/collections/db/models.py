"""Dunning policies and standings, the messages each run sent, promises, grace periods, disputes, legal cases,
account managers' tasks, late-fee accruals and their postings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.collections.domain.pauses import DisputeState, GraceState, PromiseState
from backend.collections.domain.tiers import DunningTier
from backend.core.db.base import Base, Timestamped, enum_column, utcnow
from backend.org.db.models import Customer
from backend.org.domain.org import CustomerTier

Money = Numeric(14, 2)
Exact = Numeric(20, 10)


class DunningPolicy(Timestamped, Base):
    """How a project chases one tier of customers: the day thresholds, the channels, its own templates."""

    __tablename__ = "dunning_policies"
    __table_args__ = (UniqueConstraint("project_id", "customer_tier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    customer_tier: Mapped[CustomerTier] = mapped_column(enum_column(CustomerTier))
    enabled: Mapped[bool] = mapped_column(default=True)
    formal_from: Mapped[int] = mapped_column(default=16)
    legal_from: Mapped[int] = mapped_column(default=31)
    lock_from: Mapped[int] = mapped_column(default=20)
    repeat_days: Mapped[int] = mapped_column(default=7)
    tolerance_days: Mapped[int] = mapped_column(default=0)
    pay_within_hours: Mapped[int] = mapped_column(default=48)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    # "<tier>.<step>.<language>" → {"subject": …, "body": …}; a missing key uses the built-in template.
    templates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DunningStanding(Base):
    """Where one customer stands in one project's dunning after the latest run."""

    __tablename__ = "dunning_standings"
    __table_args__ = (UniqueConstraint("project_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    tier: Mapped[int] = mapped_column(default=int(DunningTier.NONE))
    tier_since: Mapped[date | None]
    last_notice_on: Mapped[date | None]
    last_run_on: Mapped[date | None]
    last_action: Mapped[str | None] = mapped_column(String(16))
    last_reason: Mapped[str | None] = mapped_column(String(32))
    oldest_days: Mapped[int] = mapped_column(default=0)
    overdue: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # currency → amount

    customer: Mapped[Customer] = relationship(lazy="joined")


class DunningNotice(Base):
    """What one run did for one customer: the tier, the bills, the message and where it went; one a day."""

    __tablename__ = "dunning_notices"
    __table_args__ = (
        UniqueConstraint("project_id", "customer_id", "run_on"),
        Index("ix_dunning_notices_customer_id_run_on", "customer_id", "run_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="SET NULL"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    run_on: Mapped[date]
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    tier: Mapped[int]
    previous_tier: Mapped[int]
    step: Mapped[str | None] = mapped_column(String(16))
    bills: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    totals: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    oldest_days: Mapped[int] = mapped_column(default=0)
    locale: Mapped[str | None] = mapped_column(String(10))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    targets: Mapped[list[str]] = mapped_column(JSON, default=list)
    held_by_lines: Mapped[list[int]] = mapped_column(JSON, default=list)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaymentPromise(Base):
    """A customer's promise to pay an amount by a day; kept or broken is recorded by the run."""

    __tablename__ = "payment_promises"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_payment_promises_customer_id_state", "customer_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    promised_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    made_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(Text)
    state: Mapped[PromiseState] = mapped_column(enum_column(PromiseState), default=PromiseState.OPEN)
    settled_on: Mapped[date | None]
    paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class GracePeriod(Base):
    """Days without dunning a customer asked for, which take effect once a second person approves them."""

    __tablename__ = "grace_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    days: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[GraceState] = mapped_column(enum_column(GraceState), default=GraceState.REQUESTED)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str | None] = mapped_column(Text)


class Dispute(Base):
    """A customer's objection to some bills: not chased nor charged late fees while it is open."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    charge_ids: Mapped[list[int]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    opened_on: Mapped[date]
    state: Mapped[DisputeState] = mapped_column(enum_column(DisputeState), default=DisputeState.OPEN)
    resolved_on: Mapped[date | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CollectionCase(Timestamped, Base):
    """A customer handed over to legal: who owns it, the documents, the next step and how it ended."""

    __tablename__ = "collection_cases"
    __table_args__ = (Index("ix_collection_cases_customer_id_state", "customer_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="open")
    opened_on: Mapped[date]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    bills: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    next_step: Mapped[str | None] = mapped_column(Text)
    next_step_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None]

    customer: Mapped[Customer] = relationship(lazy="joined")


class CollectionTask(Base):
    """A key account's overdue bills for their account manager to raise personally instead of a broadcast."""

    __tablename__ = "collection_tasks"
    __table_args__ = (Index("ix_collection_tasks_assignee_id_state", "assignee_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("dunning_notices.id", ondelete="CASCADE"), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    tier: Mapped[int]
    due_on: Mapped[date]
    state: Mapped[str] = mapped_column(String(16), default="open")
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LateFeeAccrual(Base):
    """A bill's late fee so far: the exact total, what is posted, and the watermark (the last day accrued)."""

    __tablename__ = "late_fee_accruals"

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_id: Mapped[int] = mapped_column(ForeignKey("charges.id", ondelete="CASCADE"), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    exact: Mapped[Decimal] = mapped_column(Exact, default=Decimal(0))
    posted: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    waived: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    through: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LateFeePosting(Base):
    """One run's late fee on one bill: the days it covers and the amount (negative for an approved waiver)."""

    __tablename__ = "late_fee_postings"
    __table_args__ = (Index("ix_late_fee_postings_charge_id_end_on", "charge_id", "end_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    accrual_id: Mapped[int] = mapped_column(
        ForeignKey("late_fee_accruals.id", ondelete="CASCADE"), index=True
    )
    charge_id: Mapped[int] = mapped_column(ForeignKey("charges.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="SET NULL"))
    start_on: Mapped[date]
    end_on: Mapped[date]
    days: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)
    kind: Mapped[str] = mapped_column(String(16), default="accrual")  # accrual, waiver
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeviceLock(Base):
    """A request to lock (or unlock) a leased machine via the device platform, once someone else agrees."""

    __tablename__ = "device_locks"
    __table_args__ = (Index("ix_device_locks_lease_id_state", "lease_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    lease_id: Mapped[int] = mapped_column(ForeignKey("leases.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    command: Mapped[str] = mapped_column(String(16))  # lock, unlock
    state: Mapped[str] = mapped_column(String(16))  # requested, approved, rejected, sent, confirmed, failed
    reason: Mapped[str] = mapped_column(Text)
    overdue_days: Mapped[int] = mapped_column(default=0)
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what the device platform said
    answered_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class CreditConsent(Base):
    """A customer's recorded consent to fetch third-party credit information about them (第三方征信)."""

    __tablename__ = "credit_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    granted_on: Mapped[date]
    expires_on: Mapped[date | None]
    document: Mapped[str] = mapped_column(String(300))  # where the signed consent is kept
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CreditSignal(Base):
    """One public fact about a customer from a credit provider: a business anomaly, a lawsuit, a penalty."""

    __tablename__ = "credit_signals"
    __table_args__ = (UniqueConstraint("customer_id", "provider", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("credit_consents.id", ondelete="SET NULL"))
    provider: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    observed_on: Mapped[date | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
