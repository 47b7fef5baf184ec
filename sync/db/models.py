"""Offline sync bookkeeping: each device's applied sequence, its rejected commands, the change log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.db.base import Base, BigId, utcnow


class DeviceSyncState(Base):
    """Per device: the last command applied (moved in the same transaction as its effect), the scope sent."""

    __tablename__ = "device_sync_state"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    last_applied_seq: Mapped[int] = mapped_column(BigId, default=0)
    last_op_id: Mapped[str | None] = mapped_column(String(36))
    projects: Mapped[list[int]] = mapped_column(JSON, default=list)
    previous_projects: Mapped[list[int]] = mapped_column(JSON, default=list)
    pull_seq: Mapped[int | None] = mapped_column(BigId)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncRejection(Base):
    """A command refused for good: kept so the phone can show why, and the queue moves on."""

    __tablename__ = "sync_rejections"
    __table_args__ = (UniqueConstraint("device_id", "device_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    device_seq: Mapped[int] = mapped_column(BigId)
    op_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    code: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What the message was made of, so it is shown in the reader's language: the template and its values,
    # and per field its templates and values.
    message_template: Mapped[str | None] = mapped_column(Text)
    message_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    field_templates: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    captured_at: Mapped[datetime]
    rejected_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncChange(Base):
    """One change of a synced entity, in commit order: the server sequence pull cursors point into."""

    __tablename__ = "sync_changes"
    __table_args__ = (Index("ix_sync_changes_project_id_seq", "project_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(BigId)
    project_id: Mapped[int | None]
    op: Mapped[str] = mapped_column(String(8))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
