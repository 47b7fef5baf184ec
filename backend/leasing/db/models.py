"""Contract templates, leases with their charge lines and concessions, schedules, amendments, codes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.db.base import Base, Timestamped, enum_column, utcnow
from backend.leasing.domain.lease_import import ImportState
from backend.leasing.domain.leases import AmendmentStatus, ContractType, LeaseStatus, line_key
from backend.leasing.domain.schedule import (
    BusinessDayRule,
    ChargeType,
    EscalationKind,
    Frequency,
    PeriodAnchor,
    RoundingMode,
    Timing,
)
from backend.leasing.domain.tags import TagSource
from backend.org.db.models import Asset, Customer, Project

Money = Numeric(14, 2)
Percent = Numeric(7, 4)


class ContractTemplate(Timestamped, Base):
    """Defaults and required fields for one type of contract."""

    __tablename__ = "contract_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contract_type: Mapped[ContractType] = mapped_column(enum_column(ContractType))
    required_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    timing: Mapped[Timing] = mapped_column(enum_column(Timing))
    due_day: Mapped[int | None]
    due_offset_days: Mapped[int] = mapped_column(default=0)
    business_day_rule: Mapped[BusinessDayRule] = mapped_column(
        enum_column(BusinessDayRule), default=BusinessDayRule.NONE
    )
    anchor: Mapped[PeriodAnchor] = mapped_column(enum_column(PeriodAnchor), default=PeriodAnchor.LEASE_START)
    prorate: Mapped[bool] = mapped_column(default=True)
    rounding: Mapped[RoundingMode] = mapped_column(enum_column(RoundingMode), default=RoundingMode.HALF_UP)
    deposit_months: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    notice_period_days: Mapped[int] = mapped_column(default=90)
    reminder_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The billing run issues a schedule item this many days before it falls due.
    billing_lead_days: Mapped[int] = mapped_column(default=15, server_default="15")
    is_active: Mapped[bool] = mapped_column(default=True)


lease_assets = Table(
    "lease_assets",
    Base.metadata,
    Column("lease_id", ForeignKey("leases.id", ondelete="CASCADE"), primary_key=True),
    Column("asset_id", ForeignKey("assets.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Lease(Timestamped, Base):
    """A contract letting one or more assets of one project to one customer."""

    __tablename__ = "leases"
    __table_args__ = (Index("ix_leases_project_id_status", "project_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    template_id: Mapped[int] = mapped_column(ForeignKey("contract_templates.id", ondelete="RESTRICT"))
    status: Mapped[LeaseStatus] = mapped_column(enum_column(LeaseStatus), default=LeaseStatus.DRAFT)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency))
    timing: Mapped[Timing] = mapped_column(enum_column(Timing))
    due_day: Mapped[int | None]
    due_offset_days: Mapped[int] = mapped_column(default=0)
    business_day_rule: Mapped[BusinessDayRule] = mapped_column(
        enum_column(BusinessDayRule), default=BusinessDayRule.NONE
    )
    anchor: Mapped[PeriodAnchor] = mapped_column(enum_column(PeriodAnchor), default=PeriodAnchor.LEASE_START)
    prorate: Mapped[bool] = mapped_column(default=True)
    rounding: Mapped[RoundingMode] = mapped_column(enum_column(RoundingMode), default=RoundingMode.HALF_UP)
    deposit_amount: Mapped[Decimal | None] = mapped_column(Money)
    notice_period_days: Mapped[int | None]
    auto_renew: Mapped[bool] = mapped_column(default=False)
    renewal_term_months: Mapped[int | None]
    account_manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    purpose: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_on: Mapped[date | None]
    close_reason: Mapped[str | None] = mapped_column(Text)
    renewed_from_id: Mapped[int | None] = mapped_column(ForeignKey("leases.id", ondelete="SET NULL"))
    # The late-fee clause: a rate per day or per month of delay, grace days, a cap as a share of the bill.
    late_fee_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 8))
    late_fee_basis: Mapped[str] = mapped_column(String(16), default="per_day")
    late_fee_grace_days: Mapped[int] = mapped_column(default=0)
    late_fee_cap_rate: Mapped[Decimal | None] = mapped_column(Numeric(6, 4))
    late_fee_article: Mapped[str | None] = mapped_column(String(64))

    project: Mapped[Project] = relationship(lazy="joined")
    customer: Mapped[Customer | None] = relationship(lazy="joined")
    template: Mapped[ContractTemplate] = relationship(lazy="joined")
    assets: Mapped[list[Asset]] = relationship(secondary=lease_assets, lazy="selectin", order_by=Asset.code)
    charge_lines: Mapped[list[ChargeLine]] = relationship(
        back_populates="lease",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="(ChargeLine.charge_type, ChargeLine.starts_on, ChargeLine.id)",
    )
    concessions: Mapped[list[Concession]] = relationship(
        back_populates="lease",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="(Concession.starts_on, Concession.id)",
    )

    @property
    def asset_ids(self) -> list[int]:
        """Ids of the let assets."""
        return [asset.id for asset in self.assets]

    @property
    def current_lines(self) -> list[ChargeLine]:
        """Charge line versions in force (not replaced by an amendment)."""
        return [line for line in self.charge_lines if line.replaced_by_amendment_id is None]

    @property
    def current_concessions(self) -> list[Concession]:
        """Concessions in force (not replaced by an amendment)."""
        return [c for c in self.concessions if c.replaced_by_amendment_id is None]


class ChargeLine(Base):
    """One dated version of one charge; an escalation or amendment ends it and opens the next."""

    __tablename__ = "charge_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("leases.id", ondelete="CASCADE"), index=True)
    series: Mapped[int] = mapped_column(default=1)
    version: Mapped[int] = mapped_column(default=1)
    charge_type: Mapped[ChargeType] = mapped_column(enum_column(ChargeType))
    monthly_amount: Mapped[Decimal] = mapped_column(Money)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    frequency: Mapped[Frequency | None] = mapped_column(enum_column(Frequency))
    escalation_kind: Mapped[EscalationKind | None] = mapped_column(enum_column(EscalationKind))
    escalation_every_months: Mapped[int | None]
    escalation_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    escalation_floor_percent: Mapped[Decimal | None] = mapped_column(Percent)
    escalation_cap_percent: Mapped[Decimal | None] = mapped_column(Percent)
    escalation_index: Mapped[str | None] = mapped_column(String(32))
    # Where the chain's steps count from when this line re-bases it (default: the line's own start).
    escalation_anchor: Mapped[date | None]
    created_by_amendment_id: Mapped[int | None] = mapped_column(
        ForeignKey("lease_amendments.id", ondelete="SET NULL")
    )
    replaced_by_amendment_id: Mapped[int | None] = mapped_column(
        ForeignKey("lease_amendments.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lease: Mapped[Lease] = relationship(back_populates="charge_lines")

    @property
    def key(self) -> str:
        """The stable name of this line in schedules: series and version."""
        return line_key(self.series, self.version)

    @property
    def escalation(self) -> dict[str, Any] | None:
        """The step-up rule carried by the first version of a series, if any."""
        if self.escalation_kind is None:
            return None
        return {
            "kind": self.escalation_kind,
            "every_months": self.escalation_every_months,
            "value": self.escalation_value,
            "floor_percent": self.escalation_floor_percent,
            "cap_percent": self.escalation_cap_percent,
            "index": self.escalation_index,
            "anchor": self.escalation_anchor,
        }


class Concession(Base):
    """A dated rent concession (free rent is −100 %), kept apart so gross rent stays visible."""

    __tablename__ = "concessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("leases.id", ondelete="CASCADE"), index=True)
    charge_type: Mapped[ChargeType] = mapped_column(enum_column(ChargeType), default=ChargeType.RENT)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    percent: Mapped[Decimal] = mapped_column(Percent, default=Decimal(100))
    extends_term: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(300))
    created_by_amendment_id: Mapped[int | None] = mapped_column(
        ForeignKey("lease_amendments.id", ondelete="SET NULL")
    )
    replaced_by_amendment_id: Mapped[int | None] = mapped_column(
        ForeignKey("lease_amendments.id", ondelete="SET NULL")
    )

    lease: Mapped[Lease] = relationship(back_populates="concessions")

    @property
    def key(self) -> str:
        """The stable name of this concession in schedules."""
        return f"c{self.id}"


class ScheduleItem(Base):
    """One receivable of a lease's schedule; the billing issue issues and collects it."""

    __tablename__ = "schedule_items"
    __table_args__ = (
        Index("ix_schedule_items_lease_id_period_start", "lease_id", "period_start"),
        Index("ix_schedule_items_project_id_due_date", "project_id", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("leases.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    lease_version: Mapped[int]
    line_key: Mapped[str] = mapped_column(String(32))
    charge_type: Mapped[ChargeType] = mapped_column(enum_column(ChargeType))
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_date: Mapped[date]
    months: Mapped[Decimal] = mapped_column(Numeric(12, 6))
    amount: Mapped[Decimal] = mapped_column(Money)
    is_concession: Mapped[bool] = mapped_column(default=False)
    # The due date rests on a year whose official holiday arrangement is not published yet.
    provisional: Mapped[bool] = mapped_column(default=False, server_default=false())
    # scheduled → issued → paid, or cancelled; issued and paid items are billed and never regenerated.
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LeaseAmendment(Base):
    """A versioned change to a signed lease; major ones wait for a second person's approval."""

    __tablename__ = "lease_amendments"
    __table_args__ = (UniqueConstraint("lease_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("leases.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    kinds: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[AmendmentStatus] = mapped_column(enum_column(AmendmentStatus))
    effective_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The schedule's difference per period and the adjustments of billed periods, as of the request
    # (then as of the application).
    effect: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approvals.id", ondelete="SET NULL"))
    applied_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lease: Mapped[Lease] = relationship(lazy="joined")


class CodeAlias(Timestamped, Base):
    """An editable mapping from free text (e.g. 两月一次) to a canonical code."""

    __tablename__ = "code_aliases"
    __table_args__ = (UniqueConstraint("domain", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(32))
    alias: Mapped[str] = mapped_column(String(100))
    canonical: Mapped[str] = mapped_column(String(32))


class PriceIndexValue(Base):
    """One month of a price index series (e.g. CN-CPI) used by CPI escalations."""

    __tablename__ = "price_index_values"
    __table_args__ = (UniqueConstraint("series", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(32))
    month: Mapped[date]
    value: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HolidayCalendarYear(Timestamped, Base):
    """One year's official holiday arrangement of a calendar (e.g. CN 2027), entered by head office."""

    __tablename__ = "holiday_calendar_years"
    __table_args__ = (UniqueConstraint("code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8))
    year: Mapped[int]
    # ISO dates: the days off, and the weekend days worked instead (调休).
    holidays: Mapped[list[str]] = mapped_column(JSON, default=list)
    working_days: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str | None] = mapped_column(String(300))


class LeaseImport(Base):
    """A lease file imported in the worker: its state, progress, the file until it is done, the report."""

    __tablename__ = "lease_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    commit: Mapped[bool] = mapped_column(default=False)
    state: Mapped[ImportState] = mapped_column(
        enum_column(ImportState), default=ImportState.QUEUED, index=True
    )
    phase: Mapped[str | None] = mapped_column(String(32))
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    job_run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="SET NULL"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_by_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class LeaseImportRow(Base):
    """A checked row of an import, staged until the import moves every row in at once (or discards them)."""

    __tablename__ = "lease_import_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("lease_imports.id", ondelete="CASCADE"), index=True)
    row: Mapped[int]
    values: Mapped[dict[str, Any]] = mapped_column(JSON)


class LeaseTagMark(Base):
    """Who put a tag on a lease, how, and whether they had the authority for what the tag does; a tag that
    stops reminders ("no renewal") without that authority waits for an authorised person to confirm it."""

    __tablename__ = "lease_tag_marks"
    __table_args__ = (Index("uq_lease_tag_marks_lease_id_tag", "lease_id", "tag", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("leases.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(50))
    source: Mapped[TagSource] = mapped_column(enum_column(TagSource))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    authorised: Mapped[bool] = mapped_column(default=False)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]
