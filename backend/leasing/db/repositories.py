"""Repositories for templates, leases, charge lines, schedules, amendments, code aliases and price indexes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, delete, false, func, select, true, update
from sqlalchemy.orm import Session, lazyload

from backend.core.db.repositories import IN_CHUNK, Repository, bulk_insert, contains, equals, one_of
from backend.core.db.scoping import in_projects
from backend.core.domain.access import Scope
from backend.leasing.db.models import (
    ChargeLine,
    CodeAlias,
    Concession,
    ContractTemplate,
    Lease,
    LeaseAmendment,
    PriceIndexValue,
    ScheduleItem,
    lease_assets,
)
from backend.leasing.domain.leases import BINDING, LeaseStatus
from backend.org.db.models import Asset

BILLED_STATUSES = ("issued", "paid")


class TemplateRepository(Repository[ContractTemplate]):
    """Contract templates: shared by every project, read by anyone who works with leases."""

    model = ContractTemplate
    entity_name = "Contract template"
    filters = {
        "q": contains(ContractTemplate.code, ContractTemplate.name),
        "contract_type": equals(ContractTemplate.contract_type),
        "is_active": equals(ContractTemplate.is_active),
    }
    sortable = {"code": ContractTemplate.code, "name": ContractTemplate.name}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return false() if scope.is_empty else true()


class LeaseRepository(Repository[Lease]):
    """Leases, scoped by their project."""

    model = Lease
    entity_name = "Lease"
    filters = {
        "q": contains(Lease.number, Lease.purpose),
        "project_id": equals(Lease.project_id),
        "customer_id": equals(Lease.customer_id),
        "status": one_of(Lease.status),
        "account_manager_id": equals(Lease.account_manager_id),
        "asset_id": lambda value: Lease.id.in_(
            select(lease_assets.c.lease_id).where(lease_assets.c.asset_id == value)
        ),
        "ends_from": lambda value: Lease.ends_on >= value,
        "ends_to": lambda value: Lease.ends_on <= value,
    }
    sortable = {
        "number": Lease.number,
        "starts_on": Lease.starts_on,
        "ends_on": Lease.ends_on,
        "status": Lease.status,
        "created_at": Lease.created_at,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(Lease.project_id, scope)

    def binding_overlaps(
        self, asset_ids: Sequence[int], starts_on: date, ends_on: date, exclude_id: int | None
    ) -> list[tuple[str, str]]:
        """(lease number, asset code) of binding leases holding any of the assets during the dates."""
        statement = (
            select(Lease.number, Asset.code)
            .join(lease_assets, lease_assets.c.lease_id == Lease.id)
            .join(Asset, Asset.id == lease_assets.c.asset_id)
            .where(
                lease_assets.c.asset_id.in_(asset_ids),
                Lease.status.in_(BINDING),
                Lease.starts_on <= ends_on,
                func.coalesce(Lease.closed_on, Lease.ends_on) >= starts_on,
            )
            .order_by(Asset.code)
        )
        if exclude_id is not None:
            statement = statement.where(Lease.id != exclude_id)
        return [(number, code) for number, code in self.session.execute(statement)]

    def count_numbered(self, prefix: str) -> int:
        """How many leases carry a number with this prefix (to propose the next one)."""
        return self.session.scalar(select(func.count()).where(Lease.number.startswith(prefix))) or 0

    def ids_in(self, statuses: Sequence[LeaseStatus], project_id: int | None = None) -> list[int]:
        """Ids of every lease in one of the statuses (of one project, or all), in id order."""
        statement = select(Lease.id).where(Lease.status.in_(statuses))
        if project_id is not None:
            statement = statement.where(Lease.project_id == project_id)
        return list(self.session.scalars(statement.order_by(Lease.id)))

    def customers_of_all(self) -> list[tuple[int, int]]:
        """(lease id, customer id) of every lease with a customer (reconciliation's references)."""
        statement = select(Lease.id, Lease.customer_id).where(Lease.customer_id.is_not(None))
        return [(lease_id, customer_id or 0) for lease_id, customer_id in self.session.execute(statement)]

    def lock(self, lease: Lease) -> None:
        """Serialise concurrent changes of one lease (row lock on PostgreSQL, a write on SQLite)."""
        self.session.execute(update(Lease).where(Lease.id == lease.id).values(version=Lease.version))

    def many(self, lease_ids: Sequence[int], scope: Scope) -> list[Lease]:
        """The visible leases among the ids, in id order, with project, lines and concessions loaded.

        Assets and customers load only if asked for: schedules do not need them.
        """
        statement = (
            self.scoped(scope)
            .where(Lease.id.in_(lease_ids))
            .options(lazyload(Lease.assets), lazyload(Lease.customer))
            .order_by(Lease.id)
        )
        return list(self.session.scalars(statement).unique())

    def lock_many(self, lease_ids: Sequence[int]) -> None:
        """Serialise concurrent changes of many leases at once."""
        self.session.execute(update(Lease).where(Lease.id.in_(lease_ids)).values(version=Lease.version))

    def bulk_create_assets(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Link many leases to their assets at once (seeding); each row names lease_id and asset_id."""
        if rows:
            self.session.execute(lease_assets.insert(), [dict(row) for row in rows])


class ChargeLineRepository:
    """Charge line versions, changed only by appending and by ending."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, lease: Lease, **values: Any) -> ChargeLine:
        """Stage a new line version on a lease."""
        line = ChargeLine(**values)
        lease.charge_lines.append(line)
        return line

    def add_concession(self, lease: Lease, **values: Any) -> Concession:
        """Stage a concession on a lease."""
        concession = Concession(**values)
        lease.concessions.append(concession)
        return concession

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many line versions at once (seeding); each row names its lease_id."""
        bulk_insert(self.session, ChargeLine, rows)

    def bulk_create_concessions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many concessions at once (seeding); each row names its lease_id."""
        bulk_insert(self.session, Concession, rows)

    def next_series(self, lease: Lease) -> int:
        """A series number not yet used on the lease."""
        return max((line.series for line in lease.charge_lines), default=0) + 1


class ScheduleRepository(Repository[ScheduleItem]):
    """Schedule items (receivables to be), scoped by project."""

    model = ScheduleItem
    entity_name = "Schedule item"
    filters = {
        "lease_id": equals(ScheduleItem.lease_id),
        "project_id": equals(ScheduleItem.project_id),
        "charge_type": equals(ScheduleItem.charge_type),
        "status": one_of(ScheduleItem.status),
        "due_from": lambda value: ScheduleItem.due_date >= value,
        "due_to": lambda value: ScheduleItem.due_date <= value,
    }
    sortable = {
        "due_date": ScheduleItem.due_date,
        "period_start": ScheduleItem.period_start,
        "amount": ScheduleItem.amount,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(ScheduleItem.project_id, scope)

    def of_lease(self, lease_id: int) -> list[ScheduleItem]:
        """Every item of a lease in schedule order."""
        statement = (
            select(ScheduleItem)
            .where(ScheduleItem.lease_id == lease_id)
            .order_by(ScheduleItem.period_start, ScheduleItem.charge_type, ScheduleItem.id)
        )
        return list(self.session.scalars(statement))

    def billed_of(self, lease_id: int) -> list[ScheduleItem]:
        """Items already issued or paid: regeneration keeps them as they are."""
        statement = select(ScheduleItem).where(
            ScheduleItem.lease_id == lease_id, ScheduleItem.status.in_(BILLED_STATUSES)
        )
        return list(self.session.scalars(statement.order_by(ScheduleItem.period_start, ScheduleItem.id)))

    def billed_of_many(self, lease_ids: Sequence[int]) -> dict[int, list[ScheduleItem]]:
        """Billed items of many leases, by lease id."""
        found: dict[int, list[ScheduleItem]] = {}
        for start in range(0, len(lease_ids), IN_CHUNK):
            statement = select(ScheduleItem).where(
                ScheduleItem.lease_id.in_(lease_ids[start : start + IN_CHUNK]),
                ScheduleItem.status.in_(BILLED_STATUSES),
            )
            for row in self.session.scalars(statement.order_by(ScheduleItem.period_start, ScheduleItem.id)):
                found.setdefault(row.lease_id, []).append(row)
        return found

    def delete_unbilled_many(self, lease_ids: Sequence[int]) -> None:
        """Drop the unbilled items of many leases before writing their regenerated ones."""
        for start in range(0, len(lease_ids), IN_CHUNK):
            self.session.execute(
                delete(ScheduleItem).where(
                    ScheduleItem.lease_id.in_(lease_ids[start : start + IN_CHUNK]),
                    ScheduleItem.status.not_in(BILLED_STATUSES),
                )
            )

    def delete_unbilled(self, lease_id: int) -> None:
        """Drop the items not yet billed, before writing the regenerated ones."""
        self.session.execute(
            delete(ScheduleItem).where(
                ScheduleItem.lease_id == lease_id, ScheduleItem.status.not_in(BILLED_STATUSES)
            )
        )

    def insert_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write many items with one executemany (no ORM objects)."""
        bulk_insert(self.session, ScheduleItem, rows)


class AmendmentRepository(Repository[LeaseAmendment]):
    """Lease amendments, scoped by their lease's project."""

    model = LeaseAmendment
    entity_name = "Amendment"
    filters = {"lease_id": equals(LeaseAmendment.lease_id), "status": one_of(LeaseAmendment.status)}
    sortable = {"version": LeaseAmendment.version, "created_at": LeaseAmendment.created_at}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        return LeaseAmendment.lease_id.in_(select(Lease.id).where(in_projects(Lease.project_id, scope)))

    def next_version(self, lease_id: int) -> int:
        """The version number the next amendment of a lease takes (the original contract is 1)."""
        latest = self.session.scalar(
            select(func.max(LeaseAmendment.version)).where(LeaseAmendment.lease_id == lease_id)
        )
        return (latest or 1) + 1

    def open_for(self, lease_id: int) -> LeaseAmendment | None:
        """The amendment of a lease still waiting for approval, if any."""
        statement = select(LeaseAmendment).where(
            LeaseAmendment.lease_id == lease_id, LeaseAmendment.status == "pending_approval"
        )
        return self.session.scalars(statement).first()


class CodeAliasRepository(Repository[CodeAlias]):
    """The editable alias table; global."""

    model = CodeAlias
    entity_name = "Code alias"
    filters = {"domain": equals(CodeAlias.domain), "q": contains(CodeAlias.alias)}
    sortable = {"domain": CodeAlias.domain, "alias": CodeAlias.alias}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return false() if scope.is_empty else true()

    def mapping(self, domain: str) -> dict[str, str]:
        """Alias → canonical code for one code domain."""
        statement = select(CodeAlias.alias, CodeAlias.canonical).where(CodeAlias.domain == domain)
        return dict(self.session.execute(statement).all())

    def find_alias(self, domain: str, alias: str, exclude_id: int | None = None) -> CodeAlias | None:
        """The row holding an alias in a domain."""
        statement = select(CodeAlias).where(CodeAlias.domain == domain, CodeAlias.alias == alias)
        if exclude_id is not None:
            statement = statement.where(CodeAlias.id != exclude_id)
        return self.session.scalars(statement).first()


class PriceIndexRepository:
    """Monthly price index values (CPI series)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def series(self, code: str) -> dict[date, Decimal]:
        """First day of month → value for one series."""
        statement = select(PriceIndexValue.month, PriceIndexValue.value).where(PriceIndexValue.series == code)
        return dict(self.session.execute(statement).all())

    def upsert(self, code: str, month: date, value: Decimal) -> PriceIndexValue:
        """Set one month's value (a correction replaces the earlier figure)."""
        row = self.session.scalars(
            select(PriceIndexValue).where(PriceIndexValue.series == code, PriceIndexValue.month == month)
        ).first()
        if row is None:
            row = PriceIndexValue(series=code, month=month, value=value)
            self.session.add(row)
        else:
            row.value = value
        return row

    def list(self, code: str | None = None) -> list[PriceIndexValue]:
        """Every stored value, by series and month."""
        statement = select(PriceIndexValue).order_by(PriceIndexValue.series, PriceIndexValue.month)
        if code is not None:
            statement = statement.where(PriceIndexValue.series == code)
        return list(self.session.scalars(statement))
