"""Repositories: scoped lookups, filtered and sorted pages, and the single scoping rule per table."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, delete, false, func, insert, or_, select, true, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from backend.core.db.models import AuditEntry, Device, LoginAttempt, RoleAssignment, User
from backend.db.base import Base
from backend.domain.access import Assignment, Scope
from backend.domain.errors import N_, NotFound, ValidationFailed
from backend.domain.listing import ListQuery
from backend.domain.org import AssetStatus
from backend.field.db.models import Photo
from backend.org.db.models import (
    Asset,
    Customer,
    CustomerBankAccount,
    CustomerContact,
    CustomerPayerName,
    Project,
    Region,
)

M = TypeVar("M", bound=Base)
Filter = Callable[[Any], ColumnElement[bool]]
# Values per IN (...) lookup: well under every backend's bound-parameter limit.
_IN_CHUNK = 1_000


def _contains(*columns: InstrumentedAttribute[Any]) -> Filter:
    """Case-insensitive substring search over several text columns."""

    def clause(value: str) -> ColumnElement[bool]:
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        return or_(*(column.ilike(pattern, escape="\\") for column in columns))

    return clause


def _equals(column: InstrumentedAttribute[Any]) -> Filter:
    return lambda value: column == value


def _one_of(column: InstrumentedAttribute[Any]) -> Filter:
    return column.in_


def _bulk_insert(session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows with one executemany; no objects enter the session."""
    if rows:
        # NULLs are sent rather than left out, so every row has the same columns and forms one batch.
        session.execute(insert(model).execution_options(render_nulls=True), [dict(row) for row in rows])


def projects_in(scope: Scope) -> ColumnElement[bool]:
    """The scoping rule for anything that belongs to a project, by the project's columns."""
    if scope.everything:
        return true()
    clauses = []
    if scope.region_ids:
        clauses.append(Project.region_id.in_(scope.region_ids))
    if scope.project_ids:
        clauses.append(Project.id.in_(scope.project_ids))
    return or_(*clauses) if clauses else false()


def regions_touched(scope: Scope) -> ColumnElement[bool]:
    """Regions a scope reaches in whole or in part (a project manager sees their project's region)."""
    if scope.everything:
        return true()
    project_regions = select(Project.region_id).where(Project.id.in_(scope.project_ids))
    return or_(Region.id.in_(scope.region_ids), Region.id.in_(project_regions))


class Repository(Generic[M]):
    """Scoped access to one table: `scoped()` is the only way callers read rows."""

    model: ClassVar[type[Any]]
    entity_name: ClassVar[str]
    filters: ClassVar[dict[str, Filter]] = {}
    sortable: ClassVar[dict[str, InstrumentedAttribute[Any]]] = {}

    def __init__(self, session: Session) -> None:
        self.session = session

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        """Rows of this table inside the scope."""
        raise NotImplementedError

    def scoped(self, scope: Scope) -> Select[M]:
        """A select of the rows the scope reaches."""
        return select(self.model).where(self.scope_clause(scope))

    def get(self, entity_id: int, scope: Scope) -> M:
        """One row by id; out of scope is indistinguishable from missing."""
        row = self.session.scalars(self.scoped(scope).where(self.model.id == entity_id)).first()
        if row is None:
            raise NotFound(self.entity_name)
        return row

    def find(self, entity_id: int) -> M | None:
        """One row by id, unscoped: for services that check scope themselves."""
        return self.session.get(self.model, entity_id)

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[M], int]:
        """The requested page and the total count, both within the scope and the filters."""
        statement = self.scoped(scope)
        for name, value in query.filters.items():
            if value is not None and name in self.filters:
                statement = statement.where(self.filters[name](value))
        total = self.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        order = []
        for key in query.sort:
            column = self.sortable.get(key.field)
            if column is None:
                raise ValidationFailed.single("sort", N_("Unknown sort field."))
            order.append(column.desc() if key.descending else column.asc())
        order.append(self.model.id.asc())
        rows = self.session.scalars(statement.order_by(*order).limit(query.page_size).offset(query.offset))
        return rows.unique().all(), total or 0

    def taken(self, field: str, value: Any, exclude_id: int | None = None) -> bool:
        """Whether another row already holds this value (checked across all scopes)."""
        statement = select(self.model.id).where(getattr(self.model, field) == value)
        if exclude_id is not None:
            statement = statement.where(self.model.id != exclude_id)
        return self.session.scalar(statement.limit(1)) is not None

    def create(self, **values: Any) -> M:
        """Stage a new row built from column values."""
        entity: M = self.model(**values)
        self.session.add(entity)
        return entity

    def delete(self, entity: M) -> None:
        """Stage a deletion."""
        self.session.delete(entity)

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many rows at once by column values (seeding); ids are left to the database."""
        _bulk_insert(self.session, self.model, rows)

    def any_rows(self) -> bool:
        """Whether the table holds at least one row, across all scopes."""
        return self.session.scalar(select(self.model.id).limit(1)) is not None

    def ids_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        """Ids of the rows whose unique `field` holds one of the values, keyed by that value."""
        column = getattr(self.model, field)
        wanted = list(values)
        found: dict[Any, int] = {}
        for start in range(0, len(wanted), _IN_CHUNK):
            statement = select(column, self.model.id).where(column.in_(wanted[start : start + _IN_CHUNK]))
            found.update((value, row_id) for value, row_id in self.session.execute(statement))
        return found

    def by_values(self, field: str, values: Collection[Any], scope: Scope) -> dict[Any, M]:
        """Rows inside the scope whose unique `field` holds one of the values, keyed by that value."""
        column = getattr(self.model, field)
        wanted = list(values)
        found: dict[Any, M] = {}
        for start in range(0, len(wanted), _IN_CHUNK):
            statement = self.scoped(scope).where(column.in_(wanted[start : start + _IN_CHUNK]))
            found.update((getattr(row, field), row) for row in self.session.scalars(statement).unique())
        return found


class RegionRepository(Repository[Region]):
    """Regions."""

    model = Region
    entity_name = "Region"
    filters = {"q": _contains(Region.code, Region.name), "code": _equals(Region.code)}
    sortable = {"code": Region.code, "name": Region.name, "created_at": Region.created_at}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return regions_touched(scope)

    def has_dependents(self, region_id: int) -> bool:
        """Whether projects, customers or role assignments still point at the region."""
        return any(
            self.session.scalar(select(column).where(column == region_id).limit(1)) is not None
            for column in (Project.region_id, Customer.region_id, RoleAssignment.region_id)
        )


class ProjectRepository(Repository[Project]):
    """Projects (sites)."""

    model = Project
    entity_name = "Project"
    filters = {
        "q": _contains(Project.code, Project.name, Project.city),
        "region_id": _equals(Project.region_id),
        "city": _equals(Project.city),
        "category": _equals(Project.category),
    }
    sortable = {
        "code": Project.code,
        "name": Project.name,
        "city": Project.city,
        "category": Project.category,
        "created_at": Project.created_at,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return projects_in(scope)

    def has_dependents(self, project_id: int) -> bool:
        """Whether role assignments still point at the project."""
        statement = select(RoleAssignment.id).where(RoleAssignment.project_id == project_id).limit(1)
        return self.session.scalar(statement) is not None

    def by_code(self, code: str, scope: Scope) -> Project:
        """One project by its code; out of scope is indistinguishable from missing."""
        row = self.session.scalars(self.scoped(scope).where(Project.code == code)).first()
        if row is None:
            raise NotFound(self.entity_name)
        return row


class AssetRepository(Repository[Asset]):
    """Assets: space units and equipment items."""

    model = Asset
    entity_name = "Asset"
    filters = {
        "q": _contains(Asset.code, Asset.name, Asset.serial_number),
        "project_id": _equals(Asset.project_id),
        "region_id": lambda value: Asset.project_id.in_(select(Project.id).where(Project.region_id == value)),
        "kind": _equals(Asset.kind),
        "asset_type": _equals(Asset.asset_type),
        "status": _one_of(Asset.status),
        "floor": _equals(Asset.floor),
        "min_area_m2": lambda value: Asset.area_m2 >= value,
        "max_area_m2": lambda value: Asset.area_m2 <= value,
    }
    sortable = {
        "code": Asset.code,
        "name": Asset.name,
        "status": Asset.status,
        "area_m2": Asset.area_m2,
        "floor": Asset.floor,
        "asset_type": Asset.asset_type,
        "created_at": Asset.created_at,
        "updated_at": Asset.updated_at,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        return Asset.project_id.in_(select(Project.id).where(projects_in(scope)))

    def count_in_project(self, project_id: int) -> int:
        """How many assets a project holds (deletion is refused while any remain)."""
        return self.session.scalar(select(func.count()).where(Asset.project_id == project_id)) or 0

    def in_project(self, project_id: int, statuses: Collection[Any], scope: Scope) -> Sequence[Asset]:
        """A project's assets within the scope, by code; only the given statuses when any are given."""
        statement = self.scoped(scope).where(Asset.project_id == project_id)
        if statuses:
            statement = statement.where(Asset.status.in_(list(statuses)))
        return self.session.scalars(statement.order_by(Asset.code)).unique().all()

    def by_codes(self, codes: Collection[str], scope: Scope) -> dict[str, Asset]:
        """The assets within the scope holding one of the codes, keyed by code."""
        wanted = list(codes)
        found: dict[str, Asset] = {}
        for start in range(0, len(wanted), _IN_CHUNK):
            statement = self.scoped(scope).where(Asset.code.in_(wanted[start : start + _IN_CHUNK]))
            found.update((asset.code, asset) for asset in self.session.scalars(statement).unique())
        return found

    def set_status(self, asset: Asset, status: AssetStatus, from_version: int) -> bool:
        """Move the asset to a status only if its status version is still `from_version` (compare-and-set)."""
        result = self.session.execute(
            update(Asset)
            .where(Asset.id == asset.id, Asset.status_version == from_version)
            .values(status=status, status_version=from_version + 1)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        self.session.refresh(asset)
        return True


class CustomerRepository(Repository[Customer]):
    """Customers; a customer is seen by everyone whose scope touches its region."""

    model = Customer
    entity_name = "Customer"
    filters = {
        "q": _contains(Customer.code, Customer.name, Customer.registration_number),
        "region_id": _equals(Customer.region_id),
        "kind": _equals(Customer.kind),
        "tier": _equals(Customer.tier),
        "payer": lambda value: or_(
            Customer.id.in_(select(CustomerPayerName.customer_id).where(CustomerPayerName.name == value)),
            Customer.id.in_(
                select(CustomerBankAccount.customer_id).where(CustomerBankAccount.account_number == value)
            ),
        ),
    }
    sortable = {
        "code": Customer.code,
        "name": Customer.name,
        "tier": Customer.tier,
        "created_at": Customer.created_at,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        return Customer.region_id.in_(select(Region.id).where(regions_touched(scope)))

    def replace_children(self, customer: Customer, children: dict[str, list[dict[str, Any]]]) -> None:
        """Replace whole child lists (contacts, bank accounts, payer names) that are given."""
        if "contacts" in children:
            customer.contacts = [CustomerContact(**values) for values in children["contacts"]]
        if "bank_accounts" in children:
            customer.bank_accounts = [CustomerBankAccount(**values) for values in children["bank_accounts"]]
        if "payer_names" in children:
            customer.payer_names = [CustomerPayerName(**values) for values in children["payer_names"]]

    def bulk_create_children(
        self,
        contacts: Sequence[Mapping[str, Any]],
        bank_accounts: Sequence[Mapping[str, Any]],
        payer_names: Sequence[Mapping[str, Any]],
    ) -> None:
        """Insert child rows of many customers at once (seeding); each row names its customer_id."""
        _bulk_insert(self.session, CustomerContact, contacts)
        _bulk_insert(self.session, CustomerBankAccount, bank_accounts)
        _bulk_insert(self.session, CustomerPayerName, payer_names)


class UserRepository(Repository[User]):
    """Users; visible to holders of user:read within their scope's regions and projects."""

    model = User
    entity_name = "User"
    filters = {
        "q": _contains(User.username, User.display_name, User.email),
        "is_active": _equals(User.is_active),
        "role": lambda value: User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.role == value)),
    }
    sortable = {"username": User.username, "display_name": User.display_name, "created_at": User.created_at}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        in_scope = select(RoleAssignment.user_id).where(
            or_(
                RoleAssignment.region_id.in_(scope.region_ids),
                RoleAssignment.project_id.in_(select(Project.id).where(projects_in(scope))),
            )
        )
        return User.id.in_(in_scope)

    def by_username(self, username: str) -> User | None:
        """The user with this login name (names are stored lower-case)."""
        return self.session.scalars(select(User).where(User.username == username.strip().lower())).first()

    def set_assignments(self, user: User, assignments: Sequence[Assignment]) -> None:
        """Replace the user's roles, keeping rows that stay (their unique key forbids re-inserts)."""
        existing = {Assignment(r.role, r.region_id, r.project_id): r for r in user.role_assignments}
        user.role_assignments = [
            existing.get(a) or RoleAssignment(role=a.role, region_id=a.region_id, project_id=a.project_id)
            for a in assignments
        ]

    def bulk_create_assignments(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert role assignments of many users at once (seeding); each row names its user_id."""
        _bulk_insert(self.session, RoleAssignment, rows)

    def active_by_id(self, user_id: int) -> User | None:
        """An active user by id, for authenticating a session."""
        user = self.session.get(User, user_id)
        return user if user is not None and user.is_active else None


class DeviceRepository(Repository[Device]):
    """Phones bound to users."""

    model = Device
    entity_name = "Device"
    filters = {
        "user_id": _equals(Device.user_id),
        "revoked": lambda v: Device.revoked_at.is_not(None) if v else Device.revoked_at.is_(None),
    }
    sortable = {"created_at": Device.created_at, "last_seen_at": Device.last_seen_at, "name": Device.name}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        # Devices are personal: only device:admin (global) lists other people's devices.
        return true() if scope.everything else false()

    def owned_by(self, user_id: int) -> Select[Device]:
        """A select of one user's devices."""
        return select(Device).where(Device.user_id == user_id)

    def by_token_hash(self, token_hash: str) -> Device | None:
        """The device holding a token, revoked or not."""
        return self.session.scalars(select(Device).where(Device.token_hash == token_hash)).first()

    def revoke_all_of(self, user_id: int, when: datetime, by_user_id: int | None) -> list[Device]:
        """Revoke every live device of a user; returns those revoked."""
        devices = self.session.scalars(
            select(Device).where(Device.user_id == user_id, Device.revoked_at.is_(None))
        ).all()
        for device in devices:
            device.revoked_at = when
            device.revoked_by_id = by_user_id
        return list(devices)


class LoginAttemptRepository:
    """Password checks, counted for rate limiting."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, username: str, ip: str, succeeded: bool, when: datetime) -> None:
        """Remember one attempt."""
        self.session.add(LoginAttempt(username=username, ip=ip, succeeded=succeeded, attempted_at=when))

    def failures_since(
        self, since: datetime, *, username: str | None = None, ip: str | None = None
    ) -> list[datetime]:
        """Times of failed attempts since a moment, for one username or one address."""
        statement = select(LoginAttempt.attempted_at).where(
            LoginAttempt.attempted_at >= since, LoginAttempt.succeeded.is_(False)
        )
        if username is not None:
            statement = statement.where(LoginAttempt.username == username)
        if ip is not None:
            statement = statement.where(LoginAttempt.ip == ip)
        return list(self.session.scalars(statement.order_by(LoginAttempt.attempted_at)))

    def forget_before(self, before: datetime) -> None:
        """Drop attempts too old to matter."""
        self.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < before))


class AuditRepository(Repository[AuditEntry]):
    """The audit log: append and read, never change."""

    model = AuditEntry
    entity_name = "Audit entry"
    filters = {
        "entity_type": _equals(AuditEntry.entity_type),
        "entity_id": _equals(AuditEntry.entity_id),
        "actor_user_id": _equals(AuditEntry.actor_user_id),
        "action": _equals(AuditEntry.action),
        "origin": _equals(AuditEntry.origin),
        "since": lambda value: AuditEntry.occurred_at >= value,
        "until": lambda value: AuditEntry.occurred_at < value,
    }
    sortable = {"occurred_at": AuditEntry.occurred_at}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        return or_(
            AuditEntry.region_id.in_(scope.region_ids),
            AuditEntry.project_id.in_(select(Project.id).where(projects_in(scope))),
        )


class PhotoRepository(Repository[Photo]):
    """Photos, seen by whoever sees their asset's project."""

    model = Photo
    entity_name = "Photo"

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        in_scope = select(Asset.id).join(Project, Asset.project_id == Project.id).where(projects_in(scope))
        return Photo.asset_id.in_(in_scope)

    def by_sha256(self, sha256: str, scope: Scope) -> Photo:
        """The photo with this content hash; out of scope is indistinguishable from missing."""
        row = self.session.scalars(self.scoped(scope).where(Photo.sha256 == sha256)).first()
        if row is None:
            raise NotFound(self.entity_name)
        return row

    def any_of_asset(self, asset_id: int) -> bool:
        """Whether the asset has any photo."""
        return self.session.scalar(select(Photo.id).where(Photo.asset_id == asset_id).limit(1)) is not None

    def find_by_sha256(self, sha256: str) -> Photo | None:
        """The photo with this content hash, unscoped: for the upload's duplicate check."""
        return self.session.scalars(select(Photo).where(Photo.sha256 == sha256)).first()

    def stored_hashes(self, hashes: Collection[str]) -> set[str]:
        """Which of the hashes already have a photo (the rest are evidence still pending)."""
        wanted = list(hashes)
        found: set[str] = set()
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            found.update(self.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(chunk))))
        return found
