"""Repositories for templates, leases, charge lines, schedules, amendments, code aliases and price indexes."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Numeric,
    Table,
    and_,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session, lazyload

from backend.core.db.base import UTCDateTime
from backend.core.db.models import User
from backend.core.db.repositories import (
    IN_CHUNK,
    Repository,
    any_string_contains,
    bulk_insert,
    chunks,
    contains,
    equals,
    insert_many,
    like_pattern,
    one_of,
    table_of,
)
from backend.core.db.scoping import in_projects
from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.leasing.db.models import (
    ChargeLine,
    CodeAlias,
    Concession,
    ContractTemplate,
    HolidayCalendarYear,
    Lease,
    LeaseAmendment,
    LeaseImport,
    LeaseImportRow,
    LeaseTagMark,
    PriceIndexValue,
    ScheduleItem,
    lease_assets,
)
from backend.leasing.domain.lease_import import ImportState
from backend.leasing.domain.leases import BINDING, LeaseStatus
from backend.leasing.domain.schedule.escalation import EscalationKind
from backend.leasing.domain.schedule.settlement import BILLED_STATUSES, SCHEDULED, SETTLEMENT_STATUSES
from backend.org.db.models import Asset, Customer, Project


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


def _lease_search(value: str) -> ColumnElement[bool]:
    """Leases whose number, purpose, customer's name, an asset's code or a tag holds the text."""
    pattern = like_pattern(value)
    return or_(
        contains(Lease.number, Lease.purpose)(value),
        Lease.customer_id.in_(select(Customer.id).where(Customer.name.ilike(pattern, escape="\\"))),
        Lease.id.in_(
            select(lease_assets.c.lease_id)
            .join(Asset, Asset.id == lease_assets.c.asset_id)
            .where(Asset.code.ilike(pattern, escape="\\"))
        ),
        any_string_contains(Lease.tags, value),
    )


def _expiring(windows: Sequence[tuple[str, date, date]]) -> ColumnElement[bool]:
    """Running leases ending inside the window of their project's time zone: (zone, first day, last day)."""
    return and_(
        Lease.status.in_(sorted(BINDING)),
        or_(
            false(),
            *(
                and_(
                    Lease.project_id.in_(select(Project.id).where(Project.timezone == zone)),
                    Lease.ends_on >= first,
                    Lease.ends_on <= last,
                )
                for zone, first, last in windows
            ),
        ),
    )


class LeaseRepository(Repository[Lease]):
    """Leases, scoped by their project."""

    model = Lease
    entity_name = "Lease"
    filters = {
        "q": _lease_search,
        "template_id": equals(Lease.template_id),
        "expiring_within": _expiring,
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

    def ids_indexed(self, statuses: Sequence[LeaseStatus], series: str | None = None) -> list[int]:
        """Ids of the leases in the statuses with a CPI line in force (on one index series, or any)."""
        statement = (
            select(Lease.id)
            .join(ChargeLine, ChargeLine.lease_id == Lease.id)
            .where(
                Lease.status.in_(statuses),
                ChargeLine.escalation_kind == EscalationKind.CPI,
                ChargeLine.replaced_by_amendment_id.is_(None),
            )
        )
        if series is not None:
            statement = statement.where(ChargeLine.escalation_index == series)
        return list(self.session.scalars(statement.distinct().order_by(Lease.id)))

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

    def export_rows(self, scope: Scope, query: ListQuery, limit: int) -> list[Any]:
        """The leases of a list query as flat rows, in its order: id, number, customer, project, zone (the
        project's time zone), template, status, starts_on, ends_on, closed_on, account_manager (a name)."""
        matching = self.filtered(scope, query).with_only_columns(Lease.id)
        statement = (
            select(
                Lease.id,
                Lease.number,
                Customer.name.label("customer"),
                Project.name.label("project"),
                Project.timezone.label("zone"),
                ContractTemplate.name.label("template"),
                Lease.status,
                Lease.starts_on,
                Lease.ends_on,
                Lease.closed_on,
                User.display_name.label("account_manager"),
            )
            .join(Project, Project.id == Lease.project_id)
            .join(ContractTemplate, ContractTemplate.id == Lease.template_id)
            .outerjoin(Customer, Customer.id == Lease.customer_id)
            .outerjoin(User, User.id == Lease.account_manager_id)
            .where(Lease.id.in_(matching))
            .order_by(*self.ordering(query))
            .limit(limit)
        )
        return list(self.session.execute(statement))

    def asset_codes_of(self, lease_ids: Collection[int]) -> dict[int, list[str]]:
        """The codes of each lease's assets, in code order, by lease id."""
        found: dict[int, list[str]] = {}
        for chunk in chunks(lease_ids):
            statement = (
                select(lease_assets.c.lease_id, Asset.code)
                .join(Asset, Asset.id == lease_assets.c.asset_id)
                .where(lease_assets.c.lease_id.in_(chunk))
                .order_by(lease_assets.c.lease_id, Asset.code)
            )
            for lease_id, code in self.session.execute(statement):
                found.setdefault(lease_id, []).append(code)
        return found

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

    def current_of(self, lease_ids: Collection[int]) -> dict[int, list[Any]]:
        """The line versions in force (not replaced by an amendment) of many leases, by lease id; rows of
        charge_type, monthly_amount, starts_on, ends_on, frequency."""
        found: dict[int, list[Any]] = {}
        for chunk in chunks(lease_ids):
            statement = (
                select(
                    ChargeLine.lease_id,
                    ChargeLine.charge_type,
                    ChargeLine.monthly_amount,
                    ChargeLine.starts_on,
                    ChargeLine.ends_on,
                    ChargeLine.frequency,
                )
                .where(ChargeLine.lease_id.in_(chunk), ChargeLine.replaced_by_amendment_id.is_(None))
                .order_by(ChargeLine.lease_id, ChargeLine.id)
            )
            for row in self.session.execute(statement):
                found.setdefault(row.lease_id, []).append(row)
        return found


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

    @staticmethod
    def _kept(today: date) -> ColumnElement[bool]:
        """The SQL of `settlement.is_kept`: billed (issued, paid, or scheduled and overdue), settlements."""
        return or_(
            ScheduleItem.status.in_(sorted(BILLED_STATUSES | SETTLEMENT_STATUSES)),
            and_(ScheduleItem.status == SCHEDULED, ScheduleItem.due_date < today),
        )

    @staticmethod
    def _replaceable(today: date) -> ColumnElement[bool]:
        return and_(ScheduleItem.status == SCHEDULED, ScheduleItem.due_date >= today)

    def kept_of(self, lease_id: int, today: date) -> list[ScheduleItem]:
        """Items regeneration keeps as they are on `today`: billed periods and settlements."""
        statement = select(ScheduleItem).where(ScheduleItem.lease_id == lease_id, self._kept(today))
        return list(self.session.scalars(statement.order_by(ScheduleItem.period_start, ScheduleItem.id)))

    def kept_of_many(self, lease_ids: Sequence[int], today: date) -> dict[int, list[ScheduleItem]]:
        """Kept items of many leases, by lease id."""
        found: dict[int, list[ScheduleItem]] = {}
        for start in range(0, len(lease_ids), IN_CHUNK):
            statement = select(ScheduleItem).where(
                ScheduleItem.lease_id.in_(lease_ids[start : start + IN_CHUNK]), self._kept(today)
            )
            for row in self.session.scalars(statement.order_by(ScheduleItem.period_start, ScheduleItem.id)):
                found.setdefault(row.lease_id, []).append(row)
        return found

    def delete_unbilled_many(self, lease_ids: Sequence[int], today: date) -> None:
        """Drop the unbilled items of many leases before writing their regenerated ones."""
        for start in range(0, len(lease_ids), IN_CHUNK):
            self.session.execute(
                delete(ScheduleItem).where(
                    ScheduleItem.lease_id.in_(lease_ids[start : start + IN_CHUNK]), self._replaceable(today)
                )
            )

    def delete_unbilled(self, lease_id: int, today: date) -> None:
        """Drop the items not yet billed on `today`, before writing the regenerated ones."""
        self.session.execute(
            delete(ScheduleItem).where(ScheduleItem.lease_id == lease_id, self._replaceable(today))
        )

    def insert_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write many items with one executemany (no ORM objects)."""
        bulk_insert(self.session, ScheduleItem, rows)

    def unbilled_of(self, lease_id: int, today: date) -> list[ScheduleItem]:
        """A lease's items still to be billed on `today` (scheduled, not yet due), in schedule order."""
        statement = select(ScheduleItem).where(ScheduleItem.lease_id == lease_id, self._replaceable(today))
        return list(self.session.scalars(statement.order_by(ScheduleItem.period_start, ScheduleItem.id)))

    def move_due_dates(self, changes: Sequence[Mapping[str, Any]]) -> None:
        """Set the due date and provisional mark of items by id (rows of id, due_date, provisional)."""
        for change in changes:
            self.session.execute(
                update(ScheduleItem)
                .where(ScheduleItem.id == change["id"])
                .values(due_date=change["due_date"], provisional=change["provisional"])
            )


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

    def requested_between(self, lease_id: int, since: datetime, until: datetime) -> list[datetime]:
        """When each change of a lease was asked for in [since, until), oldest first; cancelled ones left out.

        Times rather than counts per year: the year a request falls in is the project's, not UTC's.
        """
        statement = (
            select(LeaseAmendment.created_at)
            .where(
                LeaseAmendment.lease_id == lease_id,
                LeaseAmendment.status != "cancelled",
                LeaseAmendment.created_at >= since,
                LeaseAmendment.created_at < until,
            )
            .order_by(LeaseAmendment.created_at)
        )
        return list(self.session.scalars(statement))


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


class CalendarYearRepository:
    """Official holiday arrangements entered as data, one row per calendar and year."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def of_code(self, code: str) -> list[HolidayCalendarYear]:
        """The entered years of one calendar, oldest first."""
        statement = select(HolidayCalendarYear).where(HolidayCalendarYear.code == code)
        return list(self.session.scalars(statement.order_by(HolidayCalendarYear.year)))

    def find(self, code: str, year: int) -> HolidayCalendarYear | None:
        """One entered year of a calendar."""
        statement = select(HolidayCalendarYear).where(
            HolidayCalendarYear.code == code, HolidayCalendarYear.year == year
        )
        return self.session.scalars(statement).first()

    def all(self) -> list[HolidayCalendarYear]:
        """Every entered year of every calendar."""
        statement = select(HolidayCalendarYear).order_by(HolidayCalendarYear.code, HolidayCalendarYear.year)
        return list(self.session.scalars(statement))

    def create(self, **values: Any) -> HolidayCalendarYear:
        """Stage a new year."""
        row = HolidayCalendarYear(**values)
        self.session.add(row)
        return row

    def delete(self, row: HolidayCalendarYear) -> None:
        """Stage a deletion."""
        self.session.delete(row)


class LeaseImportRepository:
    """Lease imports run by the worker, their staged rows, and the bulk reads and writes of an import."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, **values: Any) -> LeaseImport:
        """Stage a new import."""
        entry = LeaseImport(**values)
        self.session.add(entry)
        return entry

    def find(self, import_id: int) -> LeaseImport | None:
        """One import by id."""
        return self.session.get(LeaseImport, import_id)

    def claim(self, import_id: int | None, now: datetime) -> int | None:
        """Take a queued import (this one, or the oldest) for checking; None when there is none to take.

        The claim is a conditional update, so two workers never take the same import.
        """
        statement = select(LeaseImport.id).where(LeaseImport.state == ImportState.QUEUED)
        if import_id is not None:
            statement = statement.where(LeaseImport.id == import_id)
        candidate = self.session.scalar(statement.order_by(LeaseImport.id).limit(1))
        if candidate is None:
            return None
        won = self.session.execute(
            update(LeaseImport)
            .where(LeaseImport.id == candidate, LeaseImport.state == ImportState.QUEUED)
            .values(state=ImportState.CHECKING, started_at=now)
            .execution_options(synchronize_session=False)
        )
        return candidate if won.rowcount else None  # type: ignore[attr-defined]

    def set_progress(self, import_id: int, **values: Any) -> None:
        """Record how far an import got (state, phase, processed, total) without loading it."""
        self.session.execute(
            update(LeaseImport)
            .where(LeaseImport.id == import_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def stage_rows(self, import_id: int, rows: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Stage checked rows (row number, JSON-safe values) of an import."""
        insert_many(
            self.session,
            LeaseImportRow,
            [{"import_id": import_id, "row": row, "values": values} for row, values in rows],
        )

    def staged_rows(self, import_id: int) -> list[dict[str, Any]]:
        """The staged values of an import, in row order."""
        statement = (
            select(LeaseImportRow.values)
            .where(LeaseImportRow.import_id == import_id)
            .order_by(LeaseImportRow.row)
        )
        return list(self.session.scalars(statement))

    def discard_rows(self, import_id: int) -> None:
        """Drop the staged rows of an import (moved in, or refused)."""
        self.session.execute(delete(LeaseImportRow).where(LeaseImportRow.import_id == import_id))

    def customer_directory(self, scope: Scope) -> list[tuple[int, str]]:
        """(id, name) of every customer inside the scope, to match customer names against."""
        from backend.org.db.repositories import CustomerRepository

        clause = CustomerRepository(self.session).scope_clause(scope)
        statement = select(Customer.id, Customer.name).where(clause).order_by(Customer.id)
        return [(customer_id, name) for customer_id, name in self.session.execute(statement)]

    def binding_terms(self, asset_ids: Collection[int]) -> list[tuple[int, str, date, date]]:
        """(asset id, lease number, start, end) of every binding lease holding any of the assets."""
        found: list[tuple[int, str, date, date]] = []
        for chunk in chunks(asset_ids):
            statement = (
                select(
                    lease_assets.c.asset_id,
                    Lease.number,
                    Lease.starts_on,
                    func.coalesce(Lease.closed_on, Lease.ends_on),
                )
                .join(Lease, Lease.id == lease_assets.c.lease_id)
                .where(lease_assets.c.asset_id.in_(chunk), Lease.status.in_(BINDING))
            )
            found += [
                (a, number, starts, ends) for a, number, starts, ends in self.session.execute(statement)
            ]
        return found

    def insert_leases(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert leases by JSON-safe column values; their ids, in the order given."""
        if not rows:
            return []
        values = [_coerced(table_of(Lease), row) for row in rows]
        statement = insert(Lease).returning(Lease.id, sort_by_parameter_order=True)
        return list(self.session.scalars(statement, values))

    def insert_children(self, model: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many rows of a lease's child table (lease_assets, charge_lines, concessions,
        schedule_items) by JSON-safe column values, the fastest way the database takes them."""
        target: Any = {"lease_assets": lease_assets, **_CHILD_MODELS}[model]
        table = target if isinstance(target, Table) else table_of(target)
        coerced = [_coerced(table, row) for row in rows]
        if isinstance(target, Table):
            if coerced:
                self.session.execute(target.insert(), coerced)
            return
        insert_many(self.session, target, coerced)


_CHILD_MODELS: dict[str, Any] = {
    "charge_lines": ChargeLine,
    "concessions": Concession,
    "schedule_items": ScheduleItem,
}


def _coerced(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe values (ISO dates, decimal strings) as the table's column types take them."""
    return {name: _as_column(table.c[name].type, value) for name, value in row.items()}


def _as_column(kind: Any, value: Any) -> Any:
    if isinstance(value, str) and isinstance(kind, Date) and not isinstance(kind, DateTime):
        return date.fromisoformat(value)
    if isinstance(value, str) and isinstance(kind, DateTime | UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(value, str | int) and not isinstance(value, bool) and isinstance(kind, Numeric):
        return Decimal(value)
    return value


class LeaseTagMarkRepository:
    """Who set each tag of a lease, and with what authority."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def of_lease(self, lease_id: int) -> list[LeaseTagMark]:
        """A lease's traced tags, in the order they were set."""
        statement = select(LeaseTagMark).where(LeaseTagMark.lease_id == lease_id)
        return list(self.session.scalars(statement.order_by(LeaseTagMark.set_at, LeaseTagMark.id)))

    def add(self, **values: Any) -> LeaseTagMark:
        """Stage a mark."""
        mark = LeaseTagMark(**values)
        self.session.add(mark)
        return mark

    def add_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many marks at once (an import)."""
        insert_many(self.session, LeaseTagMark, rows)

    def delete(self, mark: LeaseTagMark) -> None:
        """Stage a mark's removal (its tag was taken off)."""
        self.session.delete(mark)
