"""Field evidence and work: status change requests, GPS fixes, work orders, inspections, photos."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.db.base import Base, Timestamped, enum_column, utcnow
from backend.core.db.models import User
from backend.field.domain.inspections import InspectionResult, ItemKind
from backend.field.domain.requests import RequestState, WorkOrderKind, WorkOrderState
from backend.org.db.models import Asset, Coordinate
from backend.org.domain.org import AssetStatus, AssetType

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
    # Filed away from the asset where the project allows it: the applicant's reason (flag remote_report).
    report_remote_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime]

    asset: Mapped[Asset] = relationship(lazy="joined")
    applicant: Mapped[User | None] = relationship(foreign_keys=[applicant_id], lazy="joined")
    confirmer: Mapped[User | None] = relationship(foreign_keys=[confirmer_id], lazy="joined")

    @property
    def applicant_name(self) -> str | None:
        """Who filed the request, by the name people know them by."""
        return self.applicant.display_name if self.applicant is not None else None

    @property
    def decided_by_name(self) -> str | None:
        """Who confirmed or rejected the request."""
        return self.confirmer.display_name if self.confirmer is not None else None

    # Filled by the service on reads: referenced photos that have not been uploaded yet, each cited photo
    # with its arrival, and the fence presence is judged by.
    evidence_pending: ClassVar[list[str]] = []
    photos: ClassVar[list[dict[str, Any]]] = []
    fence: ClassVar[dict[str, Any] | None] = None
    fence_radius_m: ClassVar[Decimal | None] = None


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


Reading = Numeric(18, 4)


class Checklist(Timestamped, Base):
    """One version of a checklist; a used version is never edited, a new version replaces it."""

    __tablename__ = "checklists"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        Index("ix_checklists_asset_type_active", "asset_type", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(200))  # in the project's language, Chinese
    name_en: Mapped[str | None] = mapped_column(String(200))
    asset_type: Mapped[AssetType] = mapped_column(enum_column(AssetType))
    active: Mapped[bool] = mapped_column(default=True)

    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="checklist",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="ChecklistItem.position",
    )


class ChecklistItem(Base):
    """One thing to check, in its place on the checklist, labelled in Chinese and English."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("checklist_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(64))
    label_zh: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind))
    required: Mapped[bool] = mapped_column(default=True)
    number_min: Mapped[Decimal | None] = mapped_column(Reading)
    number_max: Mapped[Decimal | None] = mapped_column(Reading)
    number_unit: Mapped[str | None] = mapped_column(String(16))

    checklist: Mapped[Checklist] = relationship(back_populates="items")


class Inspection(Base):
    """An inspection of one asset against one checklist version, with the re-checked GPS fix."""

    __tablename__ = "inspections"
    __table_args__ = (
        Index("ix_inspections_asset_id_submitted_at", "asset_id", "submitted_at"),
        Index("ix_inspections_device_id_captured_at", "device_id", "captured_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id", ondelete="RESTRICT"), index=True)
    checklist_version: Mapped[int]
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"))
    captured_at: Mapped[datetime]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    latitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    longitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    accuracy_m: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    fence_passed: Mapped[bool | None]
    fence_distance_m: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    fence_reason: Mapped[str | None] = mapped_column(String(32))
    plausibility_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    remote_reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[InspectionResult] = mapped_column(enum_column(InspectionResult))
    note: Mapped[str | None] = mapped_column(Text)

    asset: Mapped[Asset] = relationship(lazy="joined")
    checklist: Mapped[Checklist] = relationship(lazy="joined")
    answers: Mapped[list[InspectionAnswer]] = relationship(
        back_populates="inspection",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="InspectionAnswer.id",
    )

    @property
    def photo_hashes(self) -> list[str]:
        """Every photo the answers cite, first mention first."""
        return list(dict.fromkeys(h for answer in self.answers for h in answer.photo_hashes))


class InspectionAnswer(Base):
    """The answer to one checklist item: pass/fail, a reading, a text, and the photos it cites."""

    __tablename__ = "inspection_answers"
    __table_args__ = (UniqueConstraint("inspection_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[ItemKind] = mapped_column(enum_column(ItemKind))
    passed: Mapped[bool | None]
    number_value: Mapped[Decimal | None] = mapped_column(Reading)
    text_value: Mapped[str | None] = mapped_column(Text)
    photo_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)

    inspection: Mapped[Inspection] = relationship(back_populates="answers")


class Photo(Base):
    """An uploaded photo of an asset, keyed by the SHA-256 of the uploaded bytes; re-encoded, EXIF-free."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"), index=True)
    storage_key: Mapped[str] = mapped_column(String(200))
    thumbnail_key: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    source_content_type: Mapped[str] = mapped_column(String(50))
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    asset: Mapped[Asset] = relationship(lazy="joined")
