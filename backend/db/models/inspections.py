"""Inspection checklists (versioned per asset type) and the inspections filed against them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db.base import Base, Timestamped, enum_column, utcnow
from backend.db.models.org import Asset, Coordinate
from backend.domain.inspections import InspectionResult, ItemKind
from backend.domain.org import AssetType

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
    name: Mapped[str] = mapped_column(String(200))
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
