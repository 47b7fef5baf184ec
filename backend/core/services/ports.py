"""Storage ports of the shared use cases: users, devices, sign-in attempts, audit, approvals, jobs, events.

Each repository port lists exactly what the services call; rows stay `Any` (the mapped rows, or a fake's).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from backend.core.domain.access import Assignment, Permission, Role, Scope
from backend.core.domain.approvals import ApprovalKind
from backend.core.domain.listing import ListQuery


class Lookup(Protocol):
    """What the create/update/delete steps need of a repository: its entity's name, scoped get, uniqueness."""

    @property
    def entity_name(self) -> str:
        """The entity's name in messages ("Asset")."""

    def get(self, entity_id: int, scope: Scope) -> Any:
        """One row by id; out of scope is NotFound, like missing."""

    def taken(self, field: str, value: Any, exclude_id: int | None = None) -> bool:
        """Whether another row already holds this value (across all scopes)."""


class Users(Protocol):
    """People who sign in, with their role assignments."""

    def get(self, entity_id: int, scope: Scope) -> Any:
        """One user by id; out of scope is NotFound, like missing."""

    def find(self, entity_id: int) -> Any | None:
        """One user by id, unscoped."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of users within the scope, and the total."""

    def taken(self, field: str, value: Any, exclude_id: int | None = None) -> bool:
        """Whether another user already holds this value."""

    def create(self, **values: Any) -> Any:
        """Stage a new user."""

    def holders(self, permission: Permission, project_id: int | None) -> list[int]:
        """Active users holding a permission over a project (None: over every project)."""

    def holders_of_roles(self, roles: Sequence[Role]) -> list[int]:
        """Active users holding any of the roles, anywhere."""

    def assignments(self) -> list[Any]:
        """Every role assignment of every active user: user, role, region, project."""

    def people(self, user_ids: Collection[int]) -> dict[int, Any]:
        """Name, activity, manager and language of each user."""

    def by_username(self, username: str) -> Any | None:
        """The user with this login name."""

    def active_admin_count(self) -> int:
        """How many active users hold the administrator role."""

    def active_by_id(self, user_id: int) -> Any | None:
        """An active user by id."""

    def set_assignments(self, user: Any, assignments: Sequence[Assignment]) -> None:
        """Replace the user's roles."""

    def any_rows(self) -> bool:
        """Whether any user exists."""

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many users at once (seeding)."""

    def bulk_create_assignments(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert role assignments of many users at once (seeding)."""

    def ids_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        """Ids of the users whose unique `field` holds one of the values."""


class Devices(Protocol):
    """Phones bound to users by a bearer token."""

    def find(self, entity_id: int) -> Any | None:
        """One device by id, unscoped."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of devices within the scope, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a new device."""

    def by_token_hash(self, token_hash: str) -> Any | None:
        """The device holding a token, revoked or not."""

    def revoke_all_of(self, user_id: int, when: datetime, by_user_id: int | None) -> list[Any]:
        """Revoke every live device of a user; returns those revoked."""


class LoginAttempts(Protocol):
    """Password checks, counted for rate limiting."""

    def record(self, username: str, ip: str, succeeded: bool, when: datetime) -> None:
        """Remember one attempt."""

    def failures_since(
        self, since: datetime, *, username: str | None = None, ip: str | None = None
    ) -> list[datetime]:
        """Times of failed attempts since a moment, for one username or one address."""

    def succeeded_from(self, username: str, ip: str, since: datetime) -> bool:
        """Whether the username signed in from this address since a moment."""

    def forget_before(self, failures_before: datetime, successes_before: datetime) -> None:
        """Drop failures too old to count, and successes too old to vouch for an address."""


class AuditLog(Protocol):
    """The audit log: appended to, read back within scope."""

    def append(self, values: Mapping[str, Any]) -> None:
        """Collect one entry; written with the transaction's others as it commits."""

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many entries at once."""

    def changes_by(
        self, actor_user_id: int, subjects: Sequence[tuple[str, int]], since: datetime
    ) -> list[Any]:
        """The updates one person made to these entities (type, id) since a moment, oldest first."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of entries within the scope, and the total."""


class Approvals(Protocol):
    """Four-eyes approvals, scoped by project."""

    def get(self, entity_id: int, scope: Scope) -> Any:
        """One approval by id; out of scope is NotFound, like missing."""

    def find(self, entity_id: int) -> Any | None:
        """One approval by id, unscoped."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of approvals within the scope, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a new approval."""

    def overdue(self, now: datetime) -> Sequence[Any]:
        """Pending approvals, in every project, whose time ran out."""

    def deciders(self, permission: Permission, project_id: int, region_id: int) -> list[int]:
        """Active users who hold the deciding permission over a project."""

    def pending_for(self, kind: ApprovalKind, subject: tuple[str, int]) -> Any | None:
        """The pending approval of this kind on one subject (type, id), if any."""

    def approved_requests_of(
        self, requested_by_id: int, kind: ApprovalKind, subjects: Sequence[tuple[str, int]], since: datetime
    ) -> list[Any]:
        """Approvals of this kind one person asked for on these subjects, approved since a moment."""

    def lock(self, approval: Any) -> None:
        """Serialise concurrent decisions on one approval."""


class JobRuns(Protocol):
    """Recorded job runs."""

    def get(self, entity_id: int, scope: Scope) -> Any:
        """One run by id; out of scope is NotFound, like missing."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of runs within the scope, and the total."""

    def find(self, entity_id: int) -> Any | None:
        """One run by id, unscoped."""

    def create(self, **values: Any) -> Any:
        """Stage a new run."""

    def record(self, run_id: int | None, **values: Any) -> Any:
        """Fill in the run a worker opened for this job (keeping its start), or stage a new one."""

    def of_slot(self, slot_id: int) -> list[Any]:
        """Every run of one slot, oldest first."""


class JobSlots(Protocol):
    """The slots of scheduled jobs, claimed by one worker at a time."""

    def latest(self, jobs: Collection[str]) -> dict[tuple[str, str], datetime]:
        """The latest recorded slot of each (job, scope)."""

    def add_missing(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Record slots not recorded yet; returns how many were new."""

    def claim(
        self, jobs: Collection[str], worker: str, token: str, now: datetime, lease_until: datetime
    ) -> Any | None:
        """Claim the oldest due slot (or one whose claim lapsed), or None."""

    def renew(self, slot_id: int, token: str, lease_until: datetime) -> bool:
        """Extend a claim this worker still holds."""

    def release(self, slot_id: int, token: str, **values: Any) -> bool:
        """End a claim this worker still holds, with the slot's outcome."""

    def find(self, slot_id: int) -> Any | None:
        """One slot by id."""

    def reopen(self, slot: Any, now: datetime) -> None:
        """Make a slot due again at once."""

    def recent(self, jobs: Collection[str], limit: int) -> list[Any]:
        """The newest slots of these jobs."""

    def counts(self, jobs: Collection[str]) -> dict[tuple[str, Any], int]:
        """How many slots of each job stand in each state."""


class DomainEvents(Protocol):
    """The append-only log of domain events."""

    def append(self, name: str, payload: dict[str, Any], project_id: int | None) -> None:
        """Record one event in the current transaction."""
