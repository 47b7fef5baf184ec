"""Monthly KPI snapshots (history that corrections do not rewrite) and generated portfolio reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.analytics.domain.report_runs import ReportState
from backend.core.db.base import Base, enum_column, utcnow


class PortfolioSnapshot(Base):
    """One project's KPI sums for one closed month, per customer tier; a later version is a restatement."""

    __tablename__ = "portfolio_snapshots"
    __table_args__ = (
        Index(
            "uq_portfolio_snapshots_period_project_id_tier_version",
            "period",
            "project_id",
            "tier",
            "version",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)
    as_of: Mapped[date]
    sums: Mapped[dict[str, Any]] = mapped_column(JSON)
    written_at: Mapped[datetime] = mapped_column(default=utcnow)


class PortfolioReportRun(Base):
    """A monthly portfolio report generated for one reader's scope, by hand or by the worker."""

    __tablename__ = "portfolio_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    state: Mapped[ReportState] = mapped_column(
        enum_column(ReportState), default=ReportState.QUEUED, index=True
    )
    locale: Mapped[str] = mapped_column(String(16))
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    xlsx_key: Mapped[str | None] = mapped_column(String(200))
    pdf_key: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    emailed: Mapped[bool] = mapped_column(default=False)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    job_run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class PortfolioLiveCell(Base):
    """The running month's sums per project and tier as the worker last computed them (every few minutes),
    so the dashboard need not sum the whole ledger on every request."""

    __tablename__ = "portfolio_live_cells"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[date]
    policy: Mapped[str] = mapped_column(String(64))
    sums: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(index=True)
