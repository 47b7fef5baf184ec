"""Reminder rules per template and date kind, manual critical dates, the engine's tasks, calendar feeds."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.db.base import Base, enum_column, utcnow
from backend.reminders.domain.dates import DateKind
from backend.reminders.domain.rules import TaskKind, TaskState


class ReminderRule(Base):
    """A template's own tiers for one date kind (without a row, the defaults apply)."""

    __tablename__ = "reminder_rules"
    __table_args__ = (
        Index("uq_reminder_rules_template_id_date_kind", "template_id", "date_kind", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("contract_templates.id", ondelete="CASCADE"))
    date_kind: Mapped[DateKind] = mapped_column(enum_column(DateKind))
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CriticalDateEntry(Base):
    """A date entered by hand for a lease: insurance expiry, a break option, a termination notice received…"""

    __tablename__ = "critical_dates"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("leases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DateKind] = mapped_column(enum_column(DateKind))
    on: Mapped[date]
    label: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReminderTask(Base):
    """One reminder sent to one person (its recipient), and what they must do about it.

    The row is the engine's proof of sending: one per (lease, date kind, date, tier, recipient), so a rerun
    finds it and sends nothing twice. The assignee starts as the recipient and changes on reassignment.
    """

    __tablename__ = "reminder_tasks"
    __table_args__ = (
        Index(
            "uq_reminder_tasks_key",
            "lease_id",
            "date_kind",
            "critical_date",
            "tier",
            "recipient_id",
            unique=True,
        ),
        Index("ix_reminder_tasks_assignee_id_state", "assignee_id", "state"),
        Index("ix_reminder_tasks_critical_date", "critical_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaskKind] = mapped_column(enum_column(TaskKind), default=TaskKind.REMINDER)
    lease_id: Mapped[int] = mapped_column(ForeignKey("leases.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    date_kind: Mapped[DateKind] = mapped_column(enum_column(DateKind))
    critical_date: Mapped[date]
    tier: Mapped[int]
    tier_count: Mapped[int]
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    fire_on: Mapped[date]
    due_on: Mapped[date]
    sent_at: Mapped[datetime]
    late: Mapped[bool] = mapped_column(default=False)
    ack_required: Mapped[bool] = mapped_column(default=False)
    state: Mapped[TaskState] = mapped_column(enum_column(TaskState), default=TaskState.OPEN)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None]
    closed_reason: Mapped[str | None] = mapped_column(String(200))
    renewal_lease_id: Mapped[int | None] = mapped_column(ForeignKey("leases.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="SET NULL"))


class CalendarFeed(Base):
    """A user's private calendar address; only the token's digest is kept, so it is shown once."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
