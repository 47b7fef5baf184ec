"""Gateways and devices, readings and door events, viewings, flags, and the audit's runs and findings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.db.base import Base, BigId, enum_column, utcnow
from backend.iot.domain.audit import FindingKind, TaskState
from backend.iot.domain.flags import FlagKind, FlagState
from backend.iot.domain.signals import DeviceKind, DoorEventKind, MeterKind, MeterMode, ReadingSource

_OPEN_FLAG = text("state IN ('open', 'answered')")
ReadingValue = Numeric(18, 4)


class Gateway(Base):
    """A building's or depot's data gateway: it signs in with its own revocable token, never a user's."""

    __tablename__ = "iot_gateways"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    # Only the token's SHA-256 is kept; the token is shown once, when made.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"secret": True})
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class IotDevice(Base):
    """A meter or door sensor, reporting through a gateway (or read by hand), linked to one asset."""

    __tablename__ = "iot_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[DeviceKind] = mapped_column(enum_column(DeviceKind))
    meter: Mapped[MeterKind | None] = mapped_column(enum_column(MeterKind))
    mode: Mapped[MeterMode | None] = mapped_column(enum_column(MeterMode))
    interval_minutes: Mapped[int | None]
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"), index=True)
    gateway_id: Mapped[int | None] = mapped_column(
        ForeignKey("iot_gateways.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    # The newest reading, kept so an in-order reading is checked without reading its history.
    last_at: Mapped[datetime | None]
    last_value: Mapped[Decimal | None] = mapped_column(ReadingValue)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeterReading(Base):
    """One reading of a meter: a register value (cumulative) or what was used in its interval."""

    __tablename__ = "iot_readings"
    __table_args__ = (
        UniqueConstraint("device_id", "read_at"),
        Index("ix_iot_readings_asset_id_read_at", "asset_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("iot_devices.id", ondelete="CASCADE"))
    # The asset the device was linked to when the reading came in.
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"))
    read_at: Mapped[datetime]
    value: Mapped[Decimal] = mapped_column(ReadingValue)
    source: Mapped[ReadingSource] = mapped_column(enum_column(ReadingSource))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class DoorEvent(Base):
    """A door sensor's opening or closing."""

    __tablename__ = "iot_door_events"
    __table_args__ = (
        UniqueConstraint("device_id", "at", "event"),
        Index("ix_iot_door_events_asset_id_at", "asset_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("iot_devices.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"))
    at: Mapped[datetime]
    event: Mapped[DoorEventKind] = mapped_column(enum_column(DoorEventKind))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class DirtyAsset(Base):
    """An asset whose signals changed since its flags were last recomputed."""

    __tablename__ = "iot_dirty_assets"

    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


class Viewing(Base):
    """A viewing appointment: doors opening in a vacant unit then are expected."""

    __tablename__ = "iot_viewings"
    __table_args__ = (Index("ix_iot_viewings_asset_id_starts_at", "asset_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IotFlag(Base):
    """A flag an asset's signals raised, with its evidence; at most one open per asset and kind."""

    __tablename__ = "iot_flags"
    __table_args__ = (
        Index(
            "uq_iot_flags_open_asset_id_kind",
            "asset_id",
            "kind",
            unique=True,
            sqlite_where=_OPEN_FLAG,
            postgresql_where=_OPEN_FLAG,
        ),
        Index("ix_iot_flags_project_id_state", "project_id", "state"),
        Index("ix_iot_flags_asset_id_kind_state", "asset_id", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[FlagKind] = mapped_column(enum_column(FlagKind))
    state: Mapped[FlagState] = mapped_column(enum_column(FlagState), default=FlagState.OPEN)
    lease_id: Mapped[int | None] = mapped_column(ForeignKey("leases.id", ondelete="SET NULL"))
    confidence: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    window_from: Mapped[date]
    window_to: Mapped[date]
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    dismissed_at: Mapped[datetime | None]
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    dismissed_reason: Mapped[str | None] = mapped_column(Text)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]


class AuditRun(Base):
    """One consistency audit of every asset: monthly or asked for; per-project tallies kept for comparison."""

    __tablename__ = "iot_audit_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    trigger: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # project id (as text) -> {"assets", "disagreeing", "kinds": {kind: count}}
    tallies: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    job_run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="SET NULL"))
    as_of: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class AuditFinding(Base):
    """One disagreement an audit found, with the rows behind it; a task for the project's manager."""

    __tablename__ = "iot_audit_findings"
    __table_args__ = (
        Index("ix_iot_audit_findings_run_id_project_id", "run_id", "project_id"),
        Index("ix_iot_audit_findings_assignee_id_task_state", "assignee_id", "task_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("iot_audit_runs.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[FindingKind] = mapped_column(enum_column(FindingKind))
    asset_status: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    task_state: Mapped[TaskState] = mapped_column(enum_column(TaskState), default=TaskState.OPEN)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_note: Mapped[str | None] = mapped_column(Text)
