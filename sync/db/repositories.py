"""Sync storage: each device's applied sequence, rejected commands, the change log and the pull reads."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.core.db.base import utcnow
from backend.core.db.models import Device
from backend.core.db.scoping import projects_in
from backend.core.domain.access import Scope
from backend.field.db.models import Checklist, StatusChangeRequest, WorkOrder
from backend.field.domain.requests import RequestState, WorkOrderState
from backend.org.db.models import Asset, Project
from sync.db.models import DeviceSyncState, SyncChange, SyncRejection

# The snapshot's order; a cursor stores the position in this tuple, so only append to it.
ENTITIES = ("project", "checklist", "asset", "status_request", "work_order", "rejection")
MODELS: dict[str, type[Any]] = {
    "project": Project,
    "checklist": Checklist,
    "asset": Asset,
    "status_request": StatusChangeRequest,
    "work_order": WorkOrder,
    "rejection": SyncRejection,
}
_OF_PROJECT = ("asset", "status_request", "work_order")
_IN_CHUNK = 500


class SyncRepository:
    """What the sync engine reads and writes besides the business tables the services own."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # Push bookkeeping ----------------------------------------------------------------------------

    def ensure_state(self, device_id: int) -> None:
        """Create the device's sync state row if it has none (committed by the caller).

        An insert that skips an existing row, not a read then an insert: on SQLite a transaction that read
        first is refused "locked" at its first write when another writer committed in between, while one
        that writes first waits for the lock.
        """
        insert = postgresql_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(DeviceSyncState).values(
            device_id=device_id, last_applied_seq=0, projects=[], previous_projects=[], updated_at=utcnow()
        )
        statement = statement.on_conflict_do_nothing()
        self.session.execute(statement)

    def locked_state(self, device_id: int) -> DeviceSyncState:
        """The device's sync state, locked until the transaction ends (one push of a device at a time).

        A write comes first: PostgreSQL locks the row, and SQLite takes its write lock while the transaction
        holds no older read snapshot, so a concurrent writer makes it wait instead of failing "locked".
        """
        touch = (
            update(DeviceSyncState)
            .where(DeviceSyncState.device_id == device_id)
            .values(updated_at=DeviceSyncState.updated_at)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(touch)
        statement = (
            select(DeviceSyncState)
            .where(DeviceSyncState.device_id == device_id)
            .execution_options(populate_existing=True)
        )
        state = self.session.scalars(statement).first()
        if state is None:
            raise LookupError(device_id)
        return state

    def record_telemetry(
        self, device_id: int, when: datetime, app_version: str | None, pending: int | None
    ) -> None:
        """Note a push on the device with what the phone said about itself (a write first, see above)."""
        values: dict[str, Any] = {"last_sync_at": when}
        if app_version is not None:
            values["app_version"] = app_version
        if pending is not None:
            values["pending_count"] = pending
        statement = update(Device).where(Device.id == device_id).values(**values)
        self.session.execute(statement.execution_options(synchronize_session=False))

    def rejections_of(self, user_id: int, limit: int) -> Sequence[SyncRejection]:
        """A user's refused commands from all their devices, newest first."""
        statement = (
            select(SyncRejection)
            .where(SyncRejection.user_id == user_id)
            .order_by(SyncRejection.rejected_at.desc(), SyncRejection.id.desc())
            .limit(limit)
        )
        return self.session.scalars(statement).all()

    def count_rejections_of(self, user_id: int) -> int:
        """How many commands of a user were refused."""
        statement = select(func.count()).select_from(SyncRejection).where(SyncRejection.user_id == user_id)
        return int(self.session.scalar(statement) or 0)

    def record_rejection(self, **values: Any) -> SyncRejection:
        """Keep a rejected command with its reason."""
        rejection = SyncRejection(**values)
        self.session.add(rejection)
        return rejection

    # The change log ------------------------------------------------------------------------------

    def last_seq(self) -> int:
        """The newest committed server sequence (0 when nothing changed yet)."""
        return int(self.session.scalar(select(func.max(SyncChange.seq))) or 0)

    def horizon(self) -> int:
        """The newest sequence pruned from the log: a cursor below it cannot be followed (0: none pruned)."""
        oldest = self.session.scalar(select(func.min(SyncChange.seq)))
        return 0 if oldest is None else int(oldest) - 1

    def prune_older_than(self, cutoff: datetime, limit: int) -> int:
        """Delete up to `limit` of the oldest change rows written before cutoff, always keeping the newest."""
        newest = self.session.scalar(select(func.max(SyncChange.seq)))
        if newest is None:
            return 0
        doomed = (
            select(SyncChange.seq)
            .where(SyncChange.changed_at < cutoff, SyncChange.seq < newest)
            .order_by(SyncChange.seq)
            .limit(limit)
        )
        seqs = list(self.session.scalars(doomed))
        if seqs:
            self.session.execute(
                delete(SyncChange)
                .where(SyncChange.seq.in_(seqs))
                .execution_options(synchronize_session=False)
            )
        return len(seqs)

    def changes_after(self, seq: int, limit: int) -> Sequence[SyncChange]:
        """Change rows after a sequence, oldest first."""
        statement = select(SyncChange).where(SyncChange.seq > seq).order_by(SyncChange.seq).limit(limit)
        return self.session.scalars(statement).all()

    # Scope reads ---------------------------------------------------------------------------------

    def project_ids(self, scope: Scope) -> list[int]:
        """The ids of the projects a scope reaches."""
        return list(self.session.scalars(select(Project.id).where(projects_in(scope)).order_by(Project.id)))

    def _wanted(
        self, entity: str, projects: Collection[int], user_id: int, device_id: int
    ) -> ColumnElement[bool]:
        """Which rows of an entity the device receives."""
        if entity == "project":
            return Project.id.in_(projects)
        if entity == "checklist":
            return Checklist.active.is_(True)
        if entity == "asset":
            return Asset.project_id.in_(projects)
        if entity == "status_request":
            return StatusChangeRequest.project_id.in_(projects) & or_(
                StatusChangeRequest.state == RequestState.PENDING, StatusChangeRequest.applicant_id == user_id
            )
        if entity == "work_order":
            return WorkOrder.project_id.in_(projects) & or_(
                WorkOrder.assignee_id == user_id,
                WorkOrder.state.in_([WorkOrderState.OPEN, WorkOrderState.IN_PROGRESS]),
            )
        return SyncRejection.device_id == device_id

    def snapshot_page(
        self, entity: str, after_id: int, limit: int, projects: Collection[int], user_id: int, device_id: int
    ) -> Sequence[Any]:
        """The next rows of an entity in the device's scope, by id."""
        model = MODELS[entity]
        statement = (
            select(model)
            .where(model.id > after_id, self._wanted(entity, list(projects), user_id, device_id))
            .order_by(model.id)
            .limit(limit)
        )
        return self.session.scalars(statement).unique().all()

    def wanted_rows(
        self, entity: str, ids: Collection[int], projects: Collection[int], user_id: int, device_id: int
    ) -> dict[int, Any]:
        """Of the given ids, the rows that exist and the device receives, by id."""
        model = MODELS[entity]
        wanted = list(ids)
        found: dict[int, Any] = {}
        for start in range(0, len(wanted), _IN_CHUNK):
            statement = select(model).where(
                model.id.in_(wanted[start : start + _IN_CHUNK]),
                self._wanted(entity, list(projects), user_id, device_id),
            )
            found.update((row.id, row) for row in self.session.scalars(statement).unique())
        return found

    def of_projects(self, project_ids: Collection[int]) -> list[tuple[str, int]]:
        """(entity, id) of every asset, request and work order of the projects."""
        found: list[tuple[str, int]] = []
        for entity in _OF_PROJECT:
            model = MODELS[entity]
            statement = select(model.id).where(model.project_id.in_(list(project_ids))).order_by(model.id)
            found.extend((entity, row_id) for row_id in self.session.scalars(statement))
        return found
