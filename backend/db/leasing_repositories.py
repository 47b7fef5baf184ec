"""Repositories for leases, their schedules and amendments, approvals, job runs and notifications."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, delete, false, func, select, true, update
from sqlalchemy.orm import InstrumentedAttribute, Session, lazyload

from backend.core.db.models import Approval, DomainEventRecord, JobRun, RoleAssignment, User
from backend.db.repositories import (
    _IN_CHUNK,
    Repository,
    _bulk_insert,
    _contains,
    _equals,
    _one_of,
    projects_in,
)
from backend.domain.access import ROLE_PERMISSIONS, Permission, Scope
from backend.domain.leases import BINDING, LeaseStatus
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
from backend.notify.db.models import Notification
from backend.org.db.models import Asset, Project

BILLED_STATUSES = ("issued", "paid")


def _in_projects(column: InstrumentedAttribute[int], scope: Scope) -> ColumnElement[bool]:
    """Rows whose project column lies inside the scope."""
    if scope.everything:
        return true()
    return column.in_(select(Project.id).where(projects_in(scope)))


class TemplateRepository(Repository[ContractTemplate]):
    """Contract templates: shared by every project, read by anyone who works with leases."""

    model = ContractTemplate
    entity_name = "Contract template"
    filters = {
        "q": _contains(ContractTemplate.code, ContractTemplate.name),
        "contract_type": _equals(ContractTemplate.contract_type),
        "is_active": _equals(ContractTemplate.is_active),
    }
    sortable = {"code": ContractTemplate.code, "name": ContractTemplate.name}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return false() if scope.is_empty else true()


class LeaseRepository(Repository[Lease]):
    """Leases, scoped by their project."""

    model = Lease
    entity_name = "Lease"
    filters = {
        "q": _contains(Lease.number, Lease.purpose),
        "project_id": _equals(Lease.project_id),
        "customer_id": _equals(Lease.customer_id),
        "status": _one_of(Lease.status),
        "account_manager_id": _equals(Lease.account_manager_id),
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
        return _in_projects(Lease.project_id, scope)

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

    def ids_in(self, statuses: Sequence[LeaseStatus]) -> list[int]:
        """Ids of every lease in one of the statuses, all scopes, in id order."""
        return list(
            self.session.scalars(select(Lease.id).where(Lease.status.in_(statuses)).order_by(Lease.id))
        )

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
        _bulk_insert(self.session, ChargeLine, rows)

    def bulk_create_concessions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many concessions at once (seeding); each row names its lease_id."""
        _bulk_insert(self.session, Concession, rows)

    def next_series(self, lease: Lease) -> int:
        """A series number not yet used on the lease."""
        return max((line.series for line in lease.charge_lines), default=0) + 1


class ScheduleRepository(Repository[ScheduleItem]):
    """Schedule items (receivables to be), scoped by project."""

    model = ScheduleItem
    entity_name = "Schedule item"
    filters = {
        "lease_id": _equals(ScheduleItem.lease_id),
        "project_id": _equals(ScheduleItem.project_id),
        "charge_type": _equals(ScheduleItem.charge_type),
        "status": _one_of(ScheduleItem.status),
        "due_from": lambda value: ScheduleItem.due_date >= value,
        "due_to": lambda value: ScheduleItem.due_date <= value,
    }
    sortable = {
        "due_date": ScheduleItem.due_date,
        "period_start": ScheduleItem.period_start,
        "amount": ScheduleItem.amount,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return _in_projects(ScheduleItem.project_id, scope)

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
        for start in range(0, len(lease_ids), _IN_CHUNK):
            statement = select(ScheduleItem).where(
                ScheduleItem.lease_id.in_(lease_ids[start : start + _IN_CHUNK]),
                ScheduleItem.status.in_(BILLED_STATUSES),
            )
            for row in self.session.scalars(statement.order_by(ScheduleItem.period_start, ScheduleItem.id)):
                found.setdefault(row.lease_id, []).append(row)
        return found

    def delete_unbilled_many(self, lease_ids: Sequence[int]) -> None:
        """Drop the unbilled items of many leases before writing their regenerated ones."""
        for start in range(0, len(lease_ids), _IN_CHUNK):
            self.session.execute(
                delete(ScheduleItem).where(
                    ScheduleItem.lease_id.in_(lease_ids[start : start + _IN_CHUNK]),
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
        _bulk_insert(self.session, ScheduleItem, rows)


class AmendmentRepository(Repository[LeaseAmendment]):
    """Lease amendments, scoped by their lease's project."""

    model = LeaseAmendment
    entity_name = "Amendment"
    filters = {"lease_id": _equals(LeaseAmendment.lease_id), "status": _one_of(LeaseAmendment.status)}
    sortable = {"version": LeaseAmendment.version, "created_at": LeaseAmendment.created_at}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        return LeaseAmendment.lease_id.in_(select(Lease.id).where(_in_projects(Lease.project_id, scope)))

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
    filters = {"domain": _equals(CodeAlias.domain), "q": _contains(CodeAlias.alias)}
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


class ApprovalRepository(Repository[Approval]):
    """Four-eyes approvals, scoped by project."""

    model = Approval
    entity_name = "Approval"
    filters = {
        "status": _one_of(Approval.status),
        "kind": _equals(Approval.kind),
        "project_id": _equals(Approval.project_id),
        "requested_by_id": _equals(Approval.requested_by_id),
        "subject_id": _equals(Approval.subject_id),
    }
    sortable = {"requested_at": Approval.requested_at, "status": Approval.status}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return _in_projects(Approval.project_id, scope)

    def deciders(self, permission: Permission, project_id: int, region_id: int) -> list[int]:
        """Active users who hold the deciding permission over a project."""
        return holders_of(self.session, permission, project_id, region_id)

    def lock(self, approval: Approval) -> None:
        """Serialise concurrent decisions on one approval."""
        self.session.execute(
            update(Approval).where(Approval.id == approval.id).values(status=Approval.status)
        )
        self.session.refresh(approval)


class JobRunRepository(Repository[JobRun]):
    """Recorded job runs; runs without a project are seen by head office only."""

    model = JobRun
    entity_name = "Job run"
    filters = {
        "kind": _equals(JobRun.kind),
        "status": _one_of(JobRun.status),
        "subject_id": _equals(JobRun.subject_id),
        "project_id": _equals(JobRun.project_id),
    }
    sortable = {"started_at": JobRun.started_at, "finished_at": JobRun.finished_at}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        return JobRun.project_id.in_(select(Project.id).where(projects_in(scope)))


class NotificationRepository:
    """Each user's in-app inbox."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Stage notifications (one per recipient)."""
        for row in rows:
            self.session.add(Notification(**row))

    def page(
        self, user_id: int, unread_only: bool, limit: int, offset: int
    ) -> tuple[list[Notification], int]:
        """A page of one user's notifications, newest first, and the total."""
        statement = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            statement = statement.where(Notification.read_at.is_(None))
        total = self.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        rows = self.session.scalars(
            statement.order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list(rows), total

    def get_own(self, user_id: int, notification_id: int) -> Notification | None:
        """One of the user's notifications."""
        statement = select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
        return self.session.scalars(statement).first()

    def mark_all_read(self, user_id: int, when: datetime) -> int:
        """Mark every unread notification of a user read; returns how many."""
        result = self.session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=when)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class DomainEventRepository:
    """The append-only log of domain events."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, name: str, payload: dict[str, Any], project_id: int | None) -> None:
        """Record one event in the current transaction."""
        self.session.add(DomainEventRecord(name=name, payload=payload, project_id=project_id))

    def named(self, name: str) -> list[DomainEventRecord]:
        """Every recorded event of one name, oldest first."""
        statement = select(DomainEventRecord).where(DomainEventRecord.name == name)
        return list(self.session.scalars(statement.order_by(DomainEventRecord.id)))


def holders_of(session: Session, permission: Permission, project_id: int, region_id: int) -> list[int]:
    """Ids of active users holding a permission over a project (globally, by region or by project)."""
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
    statement = (
        select(RoleAssignment.user_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            User.is_active.is_(True),
            RoleAssignment.role.in_(roles),
            (RoleAssignment.project_id == project_id)
            | (RoleAssignment.region_id == region_id)
            | (RoleAssignment.project_id.is_(None) & RoleAssignment.region_id.is_(None)),
        )
        .distinct()
    )
    return sorted(session.scalars(statement))
