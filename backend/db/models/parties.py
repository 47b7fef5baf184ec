"""Customers (tenants) with their contacts, bank accounts and payer names."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db.base import Base, Timestamped, enum_column
from backend.domain.org import CustomerKind, CustomerTier


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
