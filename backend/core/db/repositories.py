"""Repositories: scoped lookups and pages; users, devices, audit, approvals, job runs and events."""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar, cast

from psycopg.types.json import Json
from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    delete,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.functions import FunctionElement

from backend.core.db import deferred
from backend.core.db.base import Base, utcnow
from backend.core.db.models import (
    Approval,
    AuditEntry,
    Device,
    DomainEventRecord,
    JobRun,
    JobSlot,
    LoginAttempt,
    RoleAssignment,
    User,
)
from backend.core.db.scoping import holders_of, in_projects, projects_in
from backend.core.domain.access import Assignment, Permission, Role, Scope
from backend.core.domain.approvals import ApprovalKind, ApprovalStatus
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, NotFound, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.domain.scheduling import OPEN_STATES, SlotState
from backend.org.db.models import (
    Project,
)

M = TypeVar("M", bound=Base)
Filter = Callable[[Any], ColumnElement[bool]]
# Values per IN (...) lookup: well under every backend's bound-parameter limit.
IN_CHUNK = 1_000


def like_pattern(value: str) -> str:
    """A LIKE pattern finding the text anywhere, its own % and _ taken literally (escape character \\)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(*columns: InstrumentedAttribute[Any]) -> Filter:
    """Case-insensitive substring search over several text columns."""

    def clause(value: str) -> ColumnElement[bool]:
        pattern = like_pattern(value)
        return or_(*(column.ilike(pattern, escape="\\") for column in columns))

    return clause


class json_strings(FunctionElement[Any]):  # noqa: N801 - named like the SQL functions it stands for
    """The strings of a JSON array column, one row each, as a table-valued function."""

    name = "json_strings"
    inherit_cache = True


@compiles(json_strings, "sqlite")
def _json_strings_sqlite(element: json_strings, compiler: Any, **kw: Any) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(json_strings, "postgresql")
def _json_strings_postgresql(element: json_strings, compiler: Any, **kw: Any) -> str:
    # A JSON null or scalar would make the function fail for the whole query: it counts as no strings.
    column = compiler.process(element.clauses, **kw)
    array = f"CASE WHEN json_typeof({column}) = 'array' THEN {column} ELSE '[]'::json END"
    return f"json_array_elements_text({array})"


def any_string_contains(column: InstrumentedAttribute[Any], value: str) -> ColumnElement[bool]:
    """Whether any string in a JSON array column holds the text, case-insensitively."""
    strings = json_strings(column).table_valued("value")
    matching = strings.c.value.ilike(like_pattern(value), escape="\\")
    return exists(select(1).select_from(strings).where(matching))


def equals(column: InstrumentedAttribute[Any]) -> Filter:
    return lambda value: column == value


def _listed(value: Any) -> list[Any]:
    """A filter's value as a list: query strings give one value or several."""
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def one_of(column: InstrumentedAttribute[Any]) -> Filter:
    """Rows whose column holds the value, or one of the values."""
    return lambda value: column.in_(_listed(value))


def as_read_at(
    state: InstrumentedAttribute[Any], expires_at: InstrumentedAttribute[Any], pending: Any, expired: Any
) -> Filter:
    """A filter by state as readers see it at a time: a pending row whose time ran out counts as expired.

    Its value is `(states, now)`; nothing is written, the hourly expiry job persists what the filter infers.
    """

    def clause(value: Any) -> ColumnElement[bool]:
        states, now = value
        states = _listed(states)
        overdue = and_(state == pending, expires_at <= now)
        as_read = {
            pending: and_(state == pending, or_(expires_at.is_(None), expires_at > now)),
            expired: or_(state == expired, overdue),
        }
        return or_(false(), *(as_read.get(wanted, state == wanted) for wanted in states))

    return clause


def table_of(model: type[Any]) -> Table:
    """A mapped class's table, for Core statements over many rows (no ORM bookkeeping per row)."""
    return cast(Table, model.__table__)


def insert_many(session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows the fastest way each database takes them: an executemany on SQLite, COPY on
    PostgreSQL (psycopg sends an executemany row by row). Every column a row needs must be given: COPY
    applies no Python-side defaults."""
    if not rows:
        return
    table = table_of(model)
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), [dict(row) for row in rows])
        return
    columns = list(rows[0])
    cursor = session.connection().connection.cursor()
    names = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([_copyable(row[name]) for name in columns])


def _copyable(value: Any) -> Any:
    """A value as COPY takes it: enums by value, JSON containers wrapped for psycopg."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict | list):
        return Json(value)
    return value


def bulk_insert(session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows with one executemany; no objects enter the session."""
    if rows:
        # NULLs are sent rather than left out, so every row has the same columns and forms one batch.
        session.execute(insert(model).execution_options(render_nulls=True), [dict(row) for row in rows])


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

    def in_scope(self, row: M, scope: Scope) -> bool | None:
        """Whether a loaded row lies inside the scope, where that can be told without a query (else None)."""
        return None

    def get(self, entity_id: int, scope: Scope) -> M:
        """One row by id; out of scope is indistinguishable from missing.

        A row this transaction loaded already is taken as it is when the scope can be checked on it.
        """
        loaded = self.session.identity_map.get(identity_key(self.model, entity_id))
        if loaded is not None and loaded not in self.session.deleted and self.in_scope(loaded, scope):
            return loaded  # type: ignore[no-any-return]
        row = self.session.scalars(self.scoped(scope).where(self.model.id == entity_id)).first()
        if row is None:
            raise NotFound(self.entity_name)
        return row

    def find(self, entity_id: int) -> M | None:
        """One row by id, unscoped: for services that check scope themselves."""
        return self.session.get(self.model, entity_id)

    def filtered(self, scope: Scope, query: ListQuery) -> Select[M]:
        """A select of the rows inside the scope that pass the query's filters (unordered)."""
        statement = self.scoped(scope)
        for name, value in query.filters.items():
            if value is not None and name in self.filters:
                statement = statement.where(self.filters[name](value))
        return statement

    def ordering(self, query: ListQuery) -> list[ColumnElement[Any]]:
        """The query's sort order, ending on the id so that equal rows keep one order."""
        order: list[ColumnElement[Any]] = []
        for key in query.sort:
            column = self.sortable.get(key.field)
            if column is None:
                raise ValidationFailed.single("sort", N_("Unknown sort field."))
            order.append(column.desc() if key.descending else column.asc())
        order.append(self.model.id.asc())
        return order

    def count(self, scope: Scope, query: ListQuery) -> int:
        """How many rows inside the scope pass the query's filters."""
        statement = self.filtered(scope, query)
        return self.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[M], int]:
        """The requested page and the total count, both within the scope and the filters."""
        statement = self.filtered(scope, query)
        total = self.count(scope, query)
        order = self.ordering(query)
        rows = self.session.scalars(statement.order_by(*order).limit(query.page_size).offset(query.offset))
        return rows.unique().all(), total

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
        bulk_insert(self.session, self.model, rows)

    def any_rows(self) -> bool:
        """Whether the table holds at least one row, across all scopes."""
        return self.session.scalar(select(self.model.id).limit(1)) is not None

    def ids_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        """Ids of the rows whose unique `field` holds one of the values, keyed by that value."""
        column = getattr(self.model, field)
        wanted = list(values)
        found: dict[Any, int] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            statement = select(column, self.model.id).where(column.in_(wanted[start : start + IN_CHUNK]))
            found.update((value, row_id) for value, row_id in self.session.execute(statement))
        return found

    def by_values(self, field: str, values: Collection[Any], scope: Scope) -> dict[Any, M]:
        """Rows inside the scope whose unique `field` holds one of the values, keyed by that value."""
        column = getattr(self.model, field)
        wanted = list(values)
        found: dict[Any, M] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            statement = self.scoped(scope).where(column.in_(wanted[start : start + IN_CHUNK]))
            found.update((getattr(row, field), row) for row in self.session.scalars(statement).unique())
        return found


class UserRepository(Repository[User]):
    """Users; visible to holders of user:read within their scope's regions and projects."""

    model = User
    entity_name = "User"
    filters = {
        "q": contains(User.username, User.display_name, User.email),
        "is_active": equals(User.is_active),
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

    def holders(self, permission: Permission, project_id: int | None) -> list[int]:
        """Active users holding a permission over a project (None: over every project, head office)."""
        if project_id is None:
            return holders_of(self.session, permission, None, None)
        project = self.session.get(Project, project_id)
        if project is None:
            return []
        return holders_of(self.session, permission, project.id, project.region_id)

    def holders_of_roles(self, roles: Sequence[Role]) -> list[int]:
        """Active users holding any of the roles, anywhere."""
        statement = (
            select(RoleAssignment.user_id)
            .join(User, User.id == RoleAssignment.user_id)
            .where(User.is_active.is_(True), RoleAssignment.role.in_(list(roles)))
            .distinct()
        )
        return sorted(self.session.scalars(statement))

    def assignments(self) -> list[Any]:
        """Every role assignment of every active user: user, role, region, project (one read per run)."""
        statement = (
            select(
                RoleAssignment.user_id,
                RoleAssignment.role,
                RoleAssignment.region_id,
                RoleAssignment.project_id,
            )
            .join(User, User.id == RoleAssignment.user_id)
            .where(User.is_active.is_(True))
        )
        return list(self.session.execute(statement))

    def people(self, user_ids: Collection[int]) -> dict[int, Any]:
        """Name, activity and manager of each user, for messages and reassignment."""
        wanted = sorted(set(user_ids))
        found: dict[int, Any] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            statement = select(
                User.id, User.username, User.display_name, User.is_active, User.manager_id, User.locale
            ).where(User.id.in_(wanted[start : start + IN_CHUNK]))
            found.update((row.id, row) for row in self.session.execute(statement))
        return found

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
        bulk_insert(self.session, RoleAssignment, rows)

    def active_admin_count(self) -> int:
        """How many active users hold the administrator role."""
        statement = (
            select(func.count(func.distinct(User.id)))
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(User.is_active.is_(True), RoleAssignment.role == Role.ADMIN)
        )
        return int(self.session.scalar(statement) or 0)

    def active_by_id(self, user_id: int) -> User | None:
        """An active user by id, for authenticating a session."""
        user = self.session.get(User, user_id)
        return user if user is not None and user.is_active else None


class DeviceRepository(Repository[Device]):
    """Phones bound to users."""

    model = Device
    entity_name = "Device"
    filters = {
        "user_id": equals(Device.user_id),
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

    def succeeded_from(self, username: str, ip: str, since: datetime) -> bool:
        """Whether the username signed in from this address since a moment."""
        statement = select(LoginAttempt.id).where(
            LoginAttempt.username == username,
            LoginAttempt.ip == ip,
            LoginAttempt.succeeded.is_(True),
            LoginAttempt.attempted_at >= since,
        )
        return self.session.scalars(statement.limit(1)).first() is not None

    def forget_before(self, failures_before: datetime, successes_before: datetime) -> None:
        """Drop failures too old to count, and successes too old to vouch for an address."""
        self.session.execute(
            delete(LoginAttempt).where(
                or_(
                    and_(LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at < failures_before),
                    LoginAttempt.attempted_at < successes_before,
                )
            )
        )


class AuditRepository(Repository[AuditEntry]):
    """The audit log: append and read, never change."""

    model = AuditEntry
    entity_name = "Audit entry"
    filters = {
        "entity_type": equals(AuditEntry.entity_type),
        "entity_id": equals(AuditEntry.entity_id),
        "actor_user_id": equals(AuditEntry.actor_user_id),
        "action": equals(AuditEntry.action),
        "origin": equals(AuditEntry.origin),
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

    def append(self, values: Mapping[str, Any]) -> None:
        """Collect one entry; the transaction's entries are written in one statement as it commits."""
        deferred.add(self.session, AUDIT_ROWS, [{"occurred_at": utcnow(), **values}])

    def changes_by(
        self, actor_user_id: int, subjects: Sequence[tuple[str, int]], since: datetime
    ) -> list[AuditEntry]:
        """The updates one person made to these entities (type, id) since a moment, oldest first."""
        if not subjects:
            return []
        statement = select(AuditEntry).where(
            AuditEntry.actor_user_id == actor_user_id,
            AuditEntry.action == AuditAction.UPDATE,
            AuditEntry.occurred_at >= since,
            or_(
                *(
                    and_(AuditEntry.entity_type == kind, AuditEntry.entity_id == str(entity_id))
                    for kind, entity_id in subjects
                )
            ),
        )
        return list(self.session.scalars(statement.order_by(AuditEntry.occurred_at)))


AUDIT_ROWS = "audit_log"
deferred.writer(AUDIT_ROWS, deferred.inserts(AuditEntry))


class ApprovalRepository(Repository[Approval]):
    """Four-eyes approvals, scoped by project."""

    model = Approval
    entity_name = "Approval"
    filters = {
        "status": one_of(Approval.status),
        "status_at": as_read_at(
            Approval.status, Approval.expires_at, ApprovalStatus.PENDING, ApprovalStatus.EXPIRED
        ),
        "kind": equals(Approval.kind),
        "project_id": equals(Approval.project_id),
        "requested_by_id": equals(Approval.requested_by_id),
        "subject_id": equals(Approval.subject_id),
    }
    sortable = {"requested_at": Approval.requested_at, "status": Approval.status}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(Approval.project_id, scope)

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._deciders: dict[tuple[Permission, int, int], list[int]] = {}

    def deciders(self, permission: Permission, project_id: int, region_id: int) -> list[int]:
        """Active users who hold the deciding permission over a project (looked up once a transaction)."""
        key = (permission, project_id, region_id)
        if key not in self._deciders:
            self._deciders[key] = holders_of(self.session, permission, project_id, region_id)
        return list(self._deciders[key])

    def overdue(self, now: datetime) -> Sequence[Approval]:
        """Pending approvals, in every project, whose time ran out."""
        statement = select(Approval).where(
            Approval.status == ApprovalStatus.PENDING, Approval.expires_at <= now
        )
        return self.session.scalars(statement.order_by(Approval.id)).all()

    def pending_for(self, kind: ApprovalKind, subject: tuple[str, int]) -> Approval | None:
        """The pending approval of this kind on one subject (type, id), if any."""
        statement = select(Approval).where(
            Approval.kind == kind,
            Approval.subject_type == subject[0],
            Approval.subject_id == subject[1],
            Approval.status == ApprovalStatus.PENDING,
        )
        return self.session.scalars(statement.limit(1)).first()

    def approved_requests_of(
        self, requested_by_id: int, kind: ApprovalKind, subjects: Sequence[tuple[str, int]], since: datetime
    ) -> list[Approval]:
        """Approvals of this kind one person asked for on these subjects and that were approved since a
        moment, oldest first."""
        if not subjects:
            return []
        statement = select(Approval).where(
            Approval.requested_by_id == requested_by_id,
            Approval.kind == kind,
            Approval.status == ApprovalStatus.APPROVED,
            Approval.decided_at >= since,
            or_(*(and_(Approval.subject_type == t, Approval.subject_id == i) for t, i in subjects)),
        )
        return list(self.session.scalars(statement.order_by(Approval.decided_at)))

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
        "kind": equals(JobRun.kind),
        "status": one_of(JobRun.status),
        "subject_id": equals(JobRun.subject_id),
        "project_id": equals(JobRun.project_id),
    }
    sortable = {"started_at": JobRun.started_at, "finished_at": JobRun.finished_at}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        return JobRun.project_id.in_(select(Project.id).where(projects_in(scope)))

    def record(self, run_id: int | None, **values: Any) -> JobRun:
        """Fill in the run a worker opened for this job (keeping its start), or stage a new one."""
        run = self.session.get(JobRun, run_id) if run_id is not None else None
        if run is None:
            return self.create(**values)
        values.pop("started_at", None)
        for name, value in values.items():
            setattr(run, name, value)
        return run

    def of_slot(self, slot_id: int) -> list[JobRun]:
        """Every run of one slot, oldest first."""
        statement = select(JobRun).where(JobRun.slot_id == slot_id).order_by(JobRun.id)
        return list(self.session.scalars(statement))


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


def chunks(values: Collection[Any]) -> list[list[Any]]:
    wanted = list(values)
    return [wanted[start : start + IN_CHUNK] for start in range(0, len(wanted), IN_CHUNK)]


class JobSlotRepository:
    """The slots of scheduled jobs: recorded once each, claimed by one worker at a time."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def latest(self, jobs: Collection[str]) -> dict[tuple[str, str], datetime]:
        """The latest recorded slot of each (job, scope)."""
        statement = (
            select(JobSlot.job, JobSlot.scope_key, func.max(JobSlot.slot_at))
            .where(JobSlot.job.in_(sorted(jobs)))
            .group_by(JobSlot.job, JobSlot.scope_key)
        )
        return {(job, scope): at for job, scope, at in self.session.execute(statement)}

    def add_missing(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Record slots; one another worker recorded already is left as it is. Returns how many were new."""
        if not rows:
            return 0
        dialect = self.session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        statement = (
            module.insert(JobSlot)
            .on_conflict_do_nothing(index_elements=["job", "scope_key", "slot_at"])
            .returning(JobSlot.id)
        )
        return len(self.session.execute(statement, list(rows)).all())

    def claim(
        self, jobs: Collection[str], worker: str, token: str, now: datetime, lease_until: datetime
    ) -> JobSlot | None:
        """Claim the oldest slot that is due (or whose claim lapsed) for this worker, or None.

        A slot waits while an earlier slot of the same job and scope is still open, so missed slots run in
        order. On PostgreSQL the candidate row is locked and rows other workers hold are skipped; on both
        databases the claim itself is a conditional update, so only one worker can win it.
        """
        earlier = aliased(JobSlot)
        blocked = (
            select(earlier.id)
            .where(
                earlier.job == JobSlot.job,
                earlier.scope_key == JobSlot.scope_key,
                earlier.slot_at < JobSlot.slot_at,
                earlier.state.in_([SlotState.DUE, SlotState.FAILED, SlotState.RUNNING]),
            )
            .exists()
        )
        claimable = or_(
            and_(JobSlot.state.in_(sorted(OPEN_STATES)), JobSlot.next_attempt_at <= now),
            and_(JobSlot.state == SlotState.RUNNING, JobSlot.lease_until < now),
        )
        candidate = self.session.scalars(
            select(JobSlot)
            .where(JobSlot.job.in_(sorted(jobs)), claimable, ~blocked)
            .order_by(JobSlot.slot_at, JobSlot.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=JobSlot)
        ).first()
        if candidate is None:
            return None
        seen = (candidate.state, candidate.claim_token)
        won = self.session.execute(
            update(JobSlot)
            .where(
                JobSlot.id == candidate.id,
                JobSlot.state == seen[0],
                JobSlot.claim_token.is_(None) if seen[1] is None else JobSlot.claim_token == seen[1],
            )
            .values(
                state=SlotState.RUNNING,
                claimed_by=worker,
                claim_token=token,
                lease_until=lease_until,
                attempts=JobSlot.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if not won.rowcount:  # type: ignore[attr-defined]
            return None
        self.session.refresh(candidate)
        candidate.previous_state = seen[0]  # type: ignore[attr-defined]
        return candidate

    def renew(self, slot_id: int, token: str, lease_until: datetime) -> bool:
        """Extend a claim this worker still holds; False once it lost it."""
        result = self.session.execute(
            update(JobSlot)
            .where(JobSlot.id == slot_id, JobSlot.claim_token == token, JobSlot.state == SlotState.RUNNING)
            .values(lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def release(self, slot_id: int, token: str, **values: Any) -> bool:
        """End a claim this worker still holds, setting the slot's outcome; False once it lost it."""
        result = self.session.execute(
            update(JobSlot)
            .where(JobSlot.id == slot_id, JobSlot.claim_token == token, JobSlot.state == SlotState.RUNNING)
            .values(lease_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def find(self, slot_id: int) -> JobSlot | None:
        """One slot by id."""
        return self.session.get(JobSlot, slot_id)

    def reopen(self, slot: JobSlot, now: datetime) -> None:
        """Make a finished or given-up slot due again at once (a person asked for a retry)."""
        slot.state = SlotState.DUE
        slot.next_attempt_at = now
        slot.claimed_by = slot.claim_token = None
        slot.lease_until = None
        slot.finished_at = None

    def recent(self, jobs: Collection[str], limit: int) -> list[JobSlot]:
        """The newest slots of these jobs, newest first."""
        statement = (
            select(JobSlot)
            .where(JobSlot.job.in_(sorted(jobs)))
            .order_by(JobSlot.slot_at.desc(), JobSlot.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def counts(self, jobs: Collection[str]) -> dict[tuple[str, SlotState], int]:
        """How many slots of each job stand in each state."""
        statement = (
            select(JobSlot.job, JobSlot.state, func.count())
            .where(JobSlot.job.in_(sorted(jobs)))
            .group_by(JobSlot.job, JobSlot.state)
        )
        return {(job, state): count for job, state, count in self.session.execute(statement)}
