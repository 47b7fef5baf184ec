"""Field evidence and work: status change requests, GPS fixes, work orders."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db.base import Base, Timestamped, enum_column, utcnow
from backend.db.models.org import Asset, Coordinate
from backend.domain.field_requests import RequestState, WorkOrderKind, WorkOrderState
from backend.domain.org import AssetStatus

_PENDING = text("state = 'pending'")


class StatusChangeRequest(Base):
    """A status change someone in the field asks for, with evidence, waiting for a second person."""

    __tablename__ = "status_change_requests"
    __table_args__ = (
        # One open request per asset, enforced by the database as well as by the service.
        Index(
            "uq_status_change_requests_open_asset_id",
            "asset_id",
            unique=True,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
        Index("ix_status_change_requests_project_id_state", "project_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    from_status: Mapped[AssetStatus] = mapped_column(enum_column(AssetStatus))
    to_status: Mapped[AssetStatus] = mapped_column(enum_column(AssetStatus))
    reason: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"))
    base_version: Mapped[int]
    captured_at: Mapped[datetime]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    latitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    longitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    accuracy_m: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    fence_passed: Mapped[bool | None]
    fence_distance_m: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    fence_reason: Mapped[str | None] = mapped_column(String(32))
    plausibility_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    photo_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[RequestState] = mapped_column(enum_column(RequestState), default=RequestState.PENDING)
    conflict: Mapped[bool] = mapped_column(default=False)
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approvals.id", ondelete="SET NULL"))
    confirmer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scan_verified: Mapped[bool | None]
    confirm_latitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    confirm_longitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    confirm_accuracy_m: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    confirm_fence_passed: Mapped[bool | None]
    confirm_fence_distance_m: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    confirm_plausibility_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    remote: Mapped[bool] = mapped_column(default=False)
    remote_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime]

    asset: Mapped[Asset] = relationship(lazy="joined")
    # Filled by the service on reads: referenced photos that have not been uploaded yet.
    evidence_pending: ClassVar[list[str]] = []


class GpsFix(Base):
    """Every GPS fix the server received, per device: the history the implied-speed check reads."""

    __tablename__ = "gps_fixes"
    __table_args__ = (Index("ix_gps_fixes_device_id_captured_at", "device_id", "captured_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    latitude: Mapped[Decimal] = mapped_column(Coordinate)
    longitude: Mapped[Decimal] = mapped_column(Coordinate)
    accuracy_m: Mapped[Decimal] = mapped_column(Numeric(8, 1))
    captured_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("status_change_requests.id", ondelete="CASCADE")
    )


class WorkOrder(Timestamped, Base):
    """Work on an asset: hand-over, cleaning, repair, inspection or meter reading."""

    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_asset_id_state", "asset_id", "state"),
        Index("ix_work_orders_project_id_state", "project_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[WorkOrderKind] = mapped_column(enum_column(WorkOrderKind))
    state: Mapped[WorkOrderState] = mapped_column(enum_column(WorkOrderState), default=WorkOrderState.OPEN)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"))
    lease_id: Mapped[int | None] = mapped_column(ForeignKey("leases.id", ondelete="SET NULL"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    blocks_letting: Mapped[bool] = mapped_column(default=False)
    status_before: Mapped[AssetStatus | None] = mapped_column(enum_column(AssetStatus))
    meter_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    meter_unit: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    asset: Mapped[Asset] = relationship(lazy="joined")
