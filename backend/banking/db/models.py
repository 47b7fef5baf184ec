"""Our bank accounts, custom statement profiles, imported statements and lines, reconciliation decisions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.banking.domain.lines import LineState
from backend.core.db.base import Base, Timestamped, enum_column, utcnow
from backend.org.db.models import Project, Region

Money = Numeric(16, 2)


class BankAccount(Timestamped, Base):
    """An account of ours that tenants pay into, held for a region or one project."""

    __tablename__ = "bank_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    bank_name: Mapped[str] = mapped_column(String(100))
    account_number: Mapped[str] = mapped_column(String(64), unique=True)
    account_name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    profile_code: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship(lazy="joined")
    project: Mapped[Project | None] = relationship(lazy="joined")


class BankProfileRecord(Timestamped, Base):
    """A statement layout entered or changed through the API; it overrides a built-in one of the same code."""

    __tablename__ = "bank_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)


class BankStatement(Base):
    """One imported statement file of one account."""

    __tablename__ = "bank_statements"
    __table_args__ = (UniqueConstraint("bank_account_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_account_id: Mapped[int] = mapped_column(
        ForeignKey("bank_accounts.id", ondelete="RESTRICT"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(16))
    profile_code: Mapped[str | None] = mapped_column(String(32))
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    opening_balance: Mapped[Decimal | None] = mapped_column(Money)
    closing_balance: Mapped[Decimal | None] = mapped_column(Money)
    line_count: Mapped[int]
    total_credits: Mapped[Decimal] = mapped_column(Money)
    total_debits: Mapped[Decimal] = mapped_column(Money)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    account: Mapped[BankAccount] = relationship(lazy="joined")


class BankLine(Base):
    """One line of an imported statement; money in waits for reconciliation."""

    __tablename__ = "bank_lines"
    __table_args__ = (
        Index("ix_bank_lines_bank_account_id_state_booked_on", "bank_account_id", "state", "booked_on"),
        Index("ix_bank_lines_bank_account_id_dedupe_key", "bank_account_id", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("bank_statements.id", ondelete="RESTRICT"), index=True
    )
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id", ondelete="RESTRICT"))
    line_no: Mapped[int]
    booked_on: Mapped[date]
    value_on: Mapped[date | None]
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    counterparty_name: Mapped[str | None] = mapped_column(String(200))
    counterparty_account: Mapped[str | None] = mapped_column(String(64))
    counterparty_bank: Mapped[str | None] = mapped_column(String(200))
    memo: Mapped[str | None] = mapped_column(String(500))
    bank_reference: Mapped[str | None] = mapped_column(String(100))
    balance_after: Mapped[Decimal | None] = mapped_column(Money)
    dedupe_key: Mapped[str] = mapped_column(String(300))
    state: Mapped[LineState] = mapped_column(enum_column(LineState))
    note: Mapped[str | None] = mapped_column(Text)

    account: Mapped[BankAccount] = relationship(lazy="joined")


class ReconciliationDecision(Base):
    """The latest decision about one bank line: the rule, its score and explanation, the suggestions."""

    __tablename__ = "reconciliation_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_line_id: Mapped[int] = mapped_column(ForeignKey("bank_lines.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str | None] = mapped_column(String(32))
    fit: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    explanation: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    fee: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class BankLinePayer(Base):
    """A customer a run found a waiting line's payer (account, name, alias) or memo to point to."""

    __tablename__ = "bank_line_payers"
    __table_args__ = (UniqueConstraint("bank_line_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_line_id: Mapped[int] = mapped_column(ForeignKey("bank_lines.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
