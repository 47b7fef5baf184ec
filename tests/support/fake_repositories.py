"""The in-memory repositories of the fake unit of work: what their SQL counterparts do, in Python.

Each scopes rows by the rule `backend/core/db/scoping.py` states in SQL and answers the lookups the
services make; none decides anything a service decides.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, ClassVar

from backend.core.domain.access import ROLE_PERMISSIONS, Permission, Scope
from backend.core.domain.approvals import ApprovalStatus
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, NotFound, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.field.domain.requests import RequestState
from backend.leasing.domain.leases import BINDING
from backend.leasing.domain.schedule.settlement import is_kept
from backend.notify.domain.outbox import Recipient
from backend.notify.domain.web_push import PushTarget
from backend.org.domain.org import AssetStatus, AssetType
from tests.support import fake_rows as rows
from tests.support.fake_rows import Row

if TYPE_CHECKING:
    from tests.support.fake_uow import Store


# Scoping, as backend/core/db/scoping.py words it in SQL -----------------------------------------


def project_in(store: Store, project_id: int | None, scope: Scope) -> bool:
    """Whether a project lies inside the scope (the rule of `projects_in`)."""
    if scope.everything:
        return True
    project = store.find("projects", project_id)
    return project is not None and scope.covers_project(project.id, project.region_id)


def holds(user: Any, permission: Permission, project_id: int, region_id: int) -> bool:
    """Whether an active user holds a permission over a project (the rule of `holders_of`)."""
    return user.is_active and any(
        permission in ROLE_PERMISSIONS[a.role]
        and (
            a.project_id == project_id
            or a.region_id == region_id
            or (a.project_id is None and a.region_id is None)
        )
        for a in user.role_assignments
    )


def equals(name: str) -> Callable[[Any, Any], bool]:
    return lambda row, value: getattr(row, name) == value


def one_of(name: str) -> Callable[[Any, Any], bool]:
    return lambda row, value: getattr(row, name) in value


def as_read_at(state: str, expires_at: str, pending: Any, expired: Any) -> Callable[[Any, Any], bool]:
    """The SQL filter of that name: by state as read at a time (an overdue pending row reads expired)."""

    def matches(row: Any, value: Any) -> bool:
        states, now = value
        current, expiry = getattr(row, state), getattr(row, expires_at)
        overdue = current == pending and expiry is not None and expiry <= now
        return (expired if overdue else current) in states

    return matches


# Repositories -----------------------------------------------------------------------------------


class Table:
    """Scoped access to one table, as `backend.core.db.repositories.Repository` gives it."""

    row: ClassVar[type[Row]]
    entity_name: ClassVar[str]
    filters: ClassVar[Mapping[str, Callable[[Any, Any], bool]]] = {}
    sortable: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, store: Store) -> None:
        self.store = store

    def in_scope(self, row: Any, scope: Scope) -> bool:
        """Whether a row lies inside the scope."""
        raise NotImplementedError

    def all(self) -> list[Any]:
        return self.store.rows(self.row.table)

    def scoped(self, scope: Scope) -> list[Any]:
        return [row for row in self.all() if self.in_scope(row, scope)]

    def get(self, entity_id: int, scope: Scope) -> Any:
        for row in self.scoped(scope):
            if row.id == entity_id:
                return row
        raise NotFound(self.entity_name)

    def find(self, entity_id: int) -> Any | None:
        return self.store.find(self.row.table, entity_id)

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        found = [
            row
            for row in self.scoped(scope)
            if all(
                self.filters[name](row, value)
                for name, value in query.filters.items()
                if value is not None and name in self.filters
            )
        ]
        for key in reversed(query.sort):
            if key.field not in self.sortable:
                raise ValidationFailed.single("sort", N_("Unknown sort field."))
            found.sort(key=lambda row, field=key.field: getattr(row, field), reverse=key.descending)
        return found[query.offset : query.offset + query.page_size], len(found)

    def count(self, scope: Scope, query: ListQuery) -> int:
        return self.page(scope, query)[1]

    def taken(self, field: str, value: Any, exclude_id: int | None = None) -> bool:
        return any(getattr(row, field) == value and row.id != exclude_id for row in self.all())

    def create(self, **values: Any) -> Any:
        return self.store.add(self.row(**values))

    def delete(self, entity: Any) -> None:
        self.store.delete(entity)


class ProjectScoped(Table):
    """A table whose rows carry their project's id."""

    def in_scope(self, row: Any, scope: Scope) -> bool:
        return project_in(self.store, row.project_id, scope)


class Projects(Table):
    """Projects (sites)."""

    row = rows.Project
    entity_name = "Project"

    def in_scope(self, row: Any, scope: Scope) -> bool:
        return scope.covers_project(row.id, row.region_id)

    def time_zones(self) -> dict[int, str]:
        return {row.id: row.timezone for row in sorted(self.all(), key=lambda row: row.id)}


class Assets(ProjectScoped):
    """Assets; the status moves by compare-and-set on its version."""

    row = rows.Asset
    entity_name = "Asset"

    def set_status(self, asset: Any, status: AssetStatus, from_version: int) -> bool:
        if asset.status_version != from_version:
            return False
        asset.status, asset.status_version = status, from_version + 1
        return True


class AuditLog(Table):
    """The audit log."""

    row = rows.AuditEntry
    entity_name = "Audit entry"

    def bulk_create(self, values: Sequence[Mapping[str, Any]]) -> None:
        for row in values:
            self.create(**row)

    def append(self, values: Mapping[str, Any]) -> None:
        self.create(**values)

    def changes_by(
        self, actor_user_id: int, subjects: Sequence[tuple[str, int]], since: datetime
    ) -> list[Any]:
        wanted = {(kind, str(entity_id)) for kind, entity_id in subjects}
        return [
            row
            for row in self.all()
            if row.actor_user_id == actor_user_id
            and row.action is AuditAction.UPDATE
            and (row.entity_type, str(row.entity_id)) in wanted
            and row.occurred_at >= since
        ]


class Users:
    """Who holds what, through the users' role assignments."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def holders(self, permission: Permission, project_id: int | None) -> list[int]:
        users = self.store.rows(rows.User.table)
        if project_id is None:
            return sorted(u.id for u in users if holds(u, permission, -1, -1))
        project = self.store.find("projects", project_id)
        if project is None:
            return []
        return sorted(u.id for u in users if holds(u, permission, project.id, project.region_id))

    def holders_of_roles(self, roles: Any) -> list[int]:
        users = self.store.rows(rows.User.table)
        return sorted(u.id for u in users if u.is_active and any(a.role in roles for a in u.role_assignments))


class Approvals(ProjectScoped):
    """Four-eyes approvals; deciders are found through the users' role assignments."""

    row = rows.Approval
    entity_name = "Approval"
    filters = {
        "status": one_of("status"),
        "status_at": as_read_at("status", "expires_at", ApprovalStatus.PENDING, ApprovalStatus.EXPIRED),
    }

    def overdue(self, now: datetime) -> Sequence[Any]:
        pending = (row for row in self.all() if row.status is ApprovalStatus.PENDING)
        return [row for row in pending if row.expires_at is not None and row.expires_at <= now]

    def deciders(self, permission: Permission, project_id: int, region_id: int) -> list[int]:
        users = self.store.rows(rows.User.table)
        return sorted(user.id for user in users if holds(user, permission, project_id, region_id))

    def pending_for(self, kind: Any, subject: tuple[str, int]) -> Any:
        return next(
            (
                row
                for row in self.all()
                if (row.kind, row.subject_type, row.subject_id) == (kind, *subject)
                and row.status is ApprovalStatus.PENDING
            ),
            None,
        )

    def approved_requests_of(
        self, requested_by_id: int, kind: Any, subjects: Sequence[tuple[str, int]], since: datetime
    ) -> list[Any]:
        found = [
            row
            for row in self.all()
            if row.requested_by_id == requested_by_id
            and row.kind == kind
            and row.status is ApprovalStatus.APPROVED
            and row.decided_at is not None
            and row.decided_at >= since
            and (row.subject_type, row.subject_id) in set(subjects)
        ]
        return sorted(found, key=lambda row: row.decided_at)

    def lock(self, approval: Any) -> None:
        """Nothing to serialise in memory."""


class JobRuns(Table):
    """Recorded job runs; runs without a project are seen by head office only."""

    row = rows.JobRun
    entity_name = "Job run"

    def in_scope(self, row: Any, scope: Scope) -> bool:
        if scope.everything:
            return True
        return row.project_id is not None and project_in(self.store, row.project_id, scope)

    def record(self, run_id: int | None, **values: Any) -> Any:
        run = self.find(run_id) if run_id is not None else None
        if run is None:
            return self.create(**values)
        values.pop("started_at", None)
        for name, value in values.items():
            setattr(run, name, value)
        return run


class DomainEvents:
    """The append-only log of domain events."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def append(self, name: str, payload: dict[str, Any], project_id: int | None) -> None:
        self.store.add(rows.DomainEventRecord(name=name, payload=payload, project_id=project_id))


class Deliveries:
    """The delivery outbox: notifications and their deliveries are stored as the transaction's rows."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def recipients(self, user_ids: Sequence[int]) -> dict[int, Any]:
        wanted = set(user_ids)
        users = [u for u in self.store.rows(rows.User.table) if u.id in wanted and u.is_active]
        subscriptions = self.store.rows(rows.PushSubscription.table)
        return {
            u.id: Recipient(
                u.id,
                u.display_name,
                u.locale,
                u.email,
                None,
                tuple(s.id for s in subscriptions if s.user_id == u.id and s.disabled_at is None),
            )
            for u in users
        }

    def shared_endpoints(self, project_id: int | None) -> tuple[int | None, list[Any]]:
        return None, []

    def stage(
        self, notification_rows: Sequence[Mapping[str, Any]], shared: Sequence[Mapping[str, Any]]
    ) -> None:
        for values in notification_rows:
            notification = self.store.add(
                rows.Notification(**{k: v for k, v in values.items() if k != "deliveries"})
            )
            for delivery in values.get("deliveries", ()):
                self.store.add(rows.Delivery(notification_id=notification.id, **delivery))
        for delivery in shared:
            self.store.add(rows.Delivery(**delivery))


class PushSubscriptions:
    """Each user's push endpoints."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def targets(self, user_ids: Iterable[int]) -> list[PushTarget]:
        wanted = set(user_ids)
        active = {u.id: u for u in self.store.rows(rows.User.table) if u.id in wanted and u.is_active}
        return [
            PushTarget(s.id, s.endpoint, s.p256dh, s.auth, active[s.user_id].locale)
            for s in self.store.rows(rows.PushSubscription.table)
            if s.user_id in active and s.disabled_at is None
        ]


class StatusRequests(ProjectScoped):
    """Status change requests."""

    row = rows.StatusChangeRequest
    entity_name = "Status change request"
    filters = {
        "project_id": equals("project_id"),
        "asset_id": equals("asset_id"),
        "state": one_of("state"),
        "state_at": as_read_at("state", "expires_at", RequestState.PENDING, RequestState.EXPIRED),
        "applicant_id": equals("applicant_id"),
        "conflict": equals("conflict"),
        "not_filed_by": lambda row, user_id: row.applicant_id is None or row.applicant_id != user_id,
    }
    sortable = frozenset({"submitted_at", "expires_at", "state"})

    def open_for(self, asset_id: int) -> Any | None:
        pending = (r for r in self.all() if r.asset_id == asset_id and r.state is RequestState.PENDING)
        return next(pending, None)

    def overdue(self, now: datetime, scope: Scope) -> Sequence[Any]:
        return [r for r in self.scoped(scope) if r.state is RequestState.PENDING and r.expires_at <= now]

    def lock(self, request: Any) -> None:
        """Nothing to serialise in memory."""

    def reload_people(self, request: Any) -> None:
        """Rows read their people from the store each time."""


class GpsFixes(Table):
    """GPS fixes; read by head office only."""

    row = rows.GpsFix
    entity_name = "GPS fix"

    def in_scope(self, row: Any, scope: Scope) -> bool:
        return scope.everything

    def earlier(
        self, device_id: int | None, user_id: int | None, before: datetime, limit: int = 20
    ) -> list[Any]:
        if device_id is not None:
            mine = [f for f in self.all() if f.device_id == device_id]
        elif user_id is not None:
            mine = [f for f in self.all() if f.user_id == user_id and f.device_id is None]
        else:
            return []
        earlier = sorted((f for f in mine if f.captured_at < before), key=lambda f: (f.captured_at, f.id))
        return earlier[-limit:]


class Photos(Table):
    """Photos, seen by whoever sees their asset's project."""

    row = rows.Photo
    entity_name = "Photo"

    def in_scope(self, row: Any, scope: Scope) -> bool:
        return project_in(self.store, row.asset.project_id, scope)

    def stored_on(self, hashes: Collection[str]) -> set[tuple[str, int]]:
        return set(self.received_on(hashes))

    def received_on(self, hashes: Collection[str]) -> dict[tuple[str, int], datetime]:
        wanted = set(hashes)
        return {(p.sha256, p.asset_id): p.created_at for p in self.all() if p.sha256 in wanted}


class Checklists(Table):
    """Checklist versions, shared by every project."""

    row = rows.Checklist
    entity_name = "Checklist"

    def in_scope(self, row: Any, scope: Scope) -> bool:
        return True

    def active_for(self, asset_type: AssetType, exclude_code: str | None = None) -> Any | None:
        active = (c for c in self.all() if c.asset_type == asset_type and c.active and c.code != exclude_code)
        return next(active, None)


class Inspections(ProjectScoped):
    """Inspections with their answers."""

    row = rows.Inspection
    entity_name = "Inspection"

    def create_with_answers(self, values: Mapping[str, Any], answers: Sequence[Mapping[str, Any]]) -> Any:
        return self.create(**values, answers=[rows.InspectionAnswer(**answer) for answer in answers])

    def earlier_fixes_of_device(self, device_id: int, before: datetime, limit: int = 20) -> list[Any]:
        mine = [
            i
            for i in self.all()
            if i.device_id == device_id and i.captured_at <= before and i.latitude is not None
        ]
        return sorted(mine, key=lambda i: (i.captured_at, i.id))[-limit:]


class Leases(ProjectScoped):
    """Leases."""

    row = rows.Lease
    entity_name = "Lease"

    def lock(self, lease: Any) -> None:
        """Nothing to serialise in memory."""

    def binding_overlaps(
        self, asset_ids: Sequence[int], starts_on: date, ends_on: date, exclude_id: int | None
    ) -> list[tuple[str, str]]:
        return [
            (lease.number, asset.code)
            for lease in self.all()
            if lease.id != exclude_id
            and lease.status in BINDING
            and lease.starts_on <= ends_on
            and (lease.closed_on or lease.ends_on) >= starts_on
            for asset in lease.assets
            if asset.id in asset_ids
        ]

    def export_rows(self, scope: Scope, query: ListQuery, limit: int) -> list[Any]:
        found, _total = self.page(scope, dataclasses.replace(query, page=1, page_size=limit))

        def name(table: str, row_id: int | None, attribute: str = "name") -> str | None:
            return getattr(self.store.find(table, row_id), attribute, None)

        return [
            SimpleNamespace(
                id=lease.id,
                number=lease.number,
                customer=name("customers", lease.customer_id),
                project=lease.project.name,
                zone=lease.project.timezone,
                template=name("contract_templates", lease.template_id),
                status=lease.status,
                starts_on=lease.starts_on,
                ends_on=lease.ends_on,
                closed_on=lease.closed_on,
                account_manager=name("users", lease.account_manager_id, "display_name"),
            )
            for lease in found
        ]

    def asset_codes_of(self, lease_ids: Collection[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for lease_id in lease_ids:
            lease = self.store.find("leases", lease_id)
            if lease is not None and lease.assets:
                found[lease_id] = sorted(asset.code for asset in lease.assets)
        return found


class ChargeLines:
    """Charge line versions and concessions, held by their lease."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, lease: Any, **values: Any) -> Any:
        line = self.store.add(rows.ChargeLine(**values))
        lease.charge_lines.append(line)
        return line

    def add_concession(self, lease: Any, **values: Any) -> Any:
        concession = self.store.add(rows.Concession(**values))
        lease.concessions.append(concession)
        return concession

    def next_series(self, lease: Any) -> int:
        return max((line.series for line in lease.charge_lines), default=0) + 1

    def current_of(self, lease_ids: Collection[int]) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = {}
        for lease_id in lease_ids:
            lease = self.store.find("leases", lease_id)
            if lease is not None and lease.current_lines:
                found[lease_id] = sorted(lease.current_lines, key=lambda line: line.id)
        return found


class Schedules(ProjectScoped):
    """Schedule items; issued and paid ones are billed."""

    row = rows.ScheduleItem
    entity_name = "Schedule item"

    def of_lease(self, lease_id: int) -> list[Any]:
        mine = [item for item in self.all() if item.lease_id == lease_id]
        return sorted(mine, key=lambda i: (i.period_start, i.charge_type, i.id))

    def kept_of(self, lease_id: int, today: date) -> list[Any]:
        kept = [i for i in self.all() if i.lease_id == lease_id and is_kept(i.status, i.due_date, today)]
        return sorted(kept, key=lambda i: (i.period_start, i.id))

    def delete_unbilled(self, lease_id: int, today: date) -> None:
        for item in self.all():
            if item.lease_id == lease_id and not is_kept(item.status, item.due_date, today):
                self.delete(item)

    def insert_rows(self, values: Sequence[Mapping[str, Any]]) -> None:
        for row in values:
            self.create(**row)


class Amendments(Table):
    """Lease amendments, seen by whoever sees their lease's project."""

    row = rows.LeaseAmendment
    entity_name = "Amendment"

    def in_scope(self, row: Any, scope: Scope) -> bool:
        return project_in(self.store, row.lease.project_id, scope)

    def next_version(self, lease_id: int) -> int:
        return max((a.version for a in self.all() if a.lease_id == lease_id), default=1) + 1

    def open_for(self, lease_id: int) -> Any | None:
        waiting = (a for a in self.all() if a.lease_id == lease_id and a.status == "pending_approval")
        return next(waiting, None)


class CodeAliases:
    """The editable alias table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def mapping(self, domain: str) -> dict[str, str]:
        return {a.alias: a.canonical for a in self.store.rows(rows.CodeAlias.table) if a.domain == domain}


class PriceIndexes:
    """Monthly price index values."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def series(self, code: str) -> dict[date, Decimal]:
        return {v.month: v.value for v in self.store.rows(rows.PriceIndexValue.table) if v.series == code}
