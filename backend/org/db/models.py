"""Regions, projects and assets; customers (tenants) with their contacts, bank accounts and payer names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.db.base import Base, Timestamped, enum_column
from backend.org.domain.org import (
    AssetKind,
    AssetStatus,
    AssetType,
    CustomerKind,
    CustomerTier,
    LeaseEndStatus,
    ProjectCategory,
)

Coordinate = Numeric(9, 6)


class Region(Timestamped, Base):
    """A group of projects under one regional manager."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Project(Timestamped, Base):
    """A site: an office tower, an apartment complex, an industrial park, an equipment depot."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    category: Mapped[ProjectCategory] = mapped_column(enum_column(ProjectCategory))
    timezone: Mapped[str] = mapped_column(String(64))
    holiday_calendar: Mapped[str] = mapped_column(String(8))
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    longitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    geofence: Mapped[dict[str, Any] | None]
    geofence_radius_m: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    # Field policy: how GPS fixes are judged, whether managers may confirm remotely, automatic moves.
    remote_confirmation_allowed: Mapped[bool] = mapped_column(default=False, server_default=false())
    remote_report_allowed: Mapped[bool] = mapped_column(default=False, server_default=false())
    gps_max_accuracy_m: Mapped[Decimal] = mapped_column(
        Numeric(6, 1), default=Decimal(50), server_default="50"
    )
    gps_tolerance_m: Mapped[Decimal] = mapped_column(Numeric(6, 1), default=Decimal(10), server_default="10")
    lease_end_status: Mapped[LeaseEndStatus] = mapped_column(
        enum_column(LeaseEndStatus), default=LeaseEndStatus.RENOVATION, server_default="renovation"
    )
    status_request_ttl_hours: Mapped[int] = mapped_column(default=72, server_default="72")


class Asset(Timestamped, Base):
    """A space unit or an equipment item that can be let."""

    __tablename__ = "assets"
    __table_args__ = (Index("ix_assets_project_id_status", "project_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[AssetKind] = mapped_column(enum_column(AssetKind))
    asset_type: Mapped[AssetType] = mapped_column(enum_column(AssetType))
    floor: Mapped[str | None] = mapped_column(String(16))
    area_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    latitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    longitude: Mapped[Decimal | None] = mapped_column(Coordinate)
    geofence: Mapped[dict[str, Any] | None]
    geofence_radius_m: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    status: Mapped[AssetStatus] = mapped_column(enum_column(AssetStatus), default=AssetStatus.VACANT)
    status_version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship(lazy="joined")


class Customer(Timestamped, Base):
    """A tenant: a company or a person, owned by the region that manages the relationship."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[CustomerKind] = mapped_column(enum_column(CustomerKind))
    name: Mapped[str] = mapped_column(String(200), index=True)
    tier: Mapped[CustomerTier] = mapped_column(enum_column(CustomerTier), default=CustomerTier.STANDARD)
    registration_number: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    # The language the customer's messages (reminders of overdue rent) are written in.
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")

    contacts: Mapped[list[CustomerContact]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CustomerContact.id"
    )
    bank_accounts: Mapped[list[CustomerBankAccount]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CustomerBankAccount.id"
    )
    payer_names: Mapped[list[CustomerPayerName]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CustomerPayerName.id"
    )


class CustomerContact(Base):
    """A person to talk to at the customer."""

    __tablename__ = "customer_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    is_primary: Mapped[bool] = mapped_column(default=False)


class CustomerBankAccount(Base):
    """An account the customer pays from; bank reconciliation matches on it."""

    __tablename__ = "customer_bank_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    bank_name: Mapped[str] = mapped_column(String(100))
    account_number: Mapped[str] = mapped_column(String(64), index=True)
    account_name: Mapped[str] = mapped_column(String(200))


class CustomerPayerName(Base):
    """A name the customer's payments arrive under (a parent company, a person paying for it)."""

    __tablename__ = "customer_payer_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
