"""The sync change log: every change of a synced entity appends a row in the same transaction.

Registered on every session factory, so no service can forget it: ORM flushes (new, changed, deleted
objects) and ORM-enabled bulk UPDATE/DELETE/INSERT statements on the tracked models are both seen.

The rows are collected in the session while the transaction runs and written in one statement just before
it commits (`backend.core.db.deferred`). A savepoint that rolls back drops the rows collected inside it; a
transaction that rolls back drops them all.

Ordering: a pull reads `seq > cursor`, so a change must never become visible after a higher seq did. On
PostgreSQL the committing transaction takes one transaction-level advisory lock right before it writes its
rows, held until the commit ends: sequence numbers are therefore handed out and committed in the same order,
and writers are serialised only over that last insert and their commit (other writes are unaffected). On
SQLite the database write lock, held from the first write to the commit, gives the same guarantee. A
watermark ("read only below the oldest open transaction") would allow more concurrency but needs
`pg_snapshot_xmin` bookkeeping per row; the lock is simple and held briefly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, inspect, select, text
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from backend.core.db import deferred
from backend.field.db.models import Checklist, ChecklistItem, StatusChangeRequest, WorkOrder
from backend.org.db.models import Asset, Project
from sync.db.models import SyncChange, SyncRejection

# A fixed key for pg_advisory_xact_lock: "LKSYNC" in ASCII.
_ADVISORY_KEY = 0x4C4B53594E43
REFRESH = "refresh"


_ENTITY_OF: dict[type[Any], tuple[str, Any, Any]] = {
    Asset: ("asset", Asset.id, Asset.project_id),
    Project: ("project", Project.id, Project.id),
    StatusChangeRequest: ("status_request", StatusChangeRequest.id, StatusChangeRequest.project_id),
    WorkOrder: ("work_order", WorkOrder.id, WorkOrder.project_id),
    Checklist: ("checklist", Checklist.id, None),
    ChecklistItem: ("checklist", ChecklistItem.checklist_id, None),
}


def _entry(obj: Any) -> tuple[str, int, int | None] | None:
    """(entity, id, project id) of a tracked object; None for the rest."""
    if isinstance(obj, SyncRejection):
        return "rejection", obj.id, None
    tracked = _ENTITY_OF.get(type(obj))
    if tracked is None:
        return None
    entity, id_column, project_column = tracked
    project_id = getattr(obj, project_column.key) if project_column is not None else None
    return entity, getattr(obj, id_column.key), project_id


KEY = "sync_changes"
Row = tuple[str, int, int | None, str]


def append(session: Session, rows: Iterable[Row]) -> None:
    """Collect change rows for the session's transaction; they are written when it commits."""
    deferred.add(session, KEY, list(rows))


def _write(session: Session, rows: list[Row]) -> None:
    """Write the collected rows in one statement, taking the ordering lock first; the commit follows."""
    now = datetime.now(UTC)
    values = [
        {"entity": entity, "entity_id": entity_id, "project_id": project_id, "op": op, "changed_at": now}
        for entity, entity_id, project_id, op in dict.fromkeys(rows)
    ]
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})
    connection.execute(insert(SyncChange), values)


# Last: the ordering lock is then held only over this insert and the commit.
deferred.writer(KEY, _write, last=True)


def _former_projects(obj: Any, current: int | None) -> list[int]:
    """The project ids a tracked object had before this flush, when the flush moves it."""
    tracked = _ENTITY_OF.get(type(obj))
    if tracked is None or tracked[2] is None or isinstance(obj, Project):
        return []
    history = inspect(obj).attrs[tracked[2].key].history
    return [old for old in history.deleted if old is not None and old != current]


def _after_flush(session: Session, _context: Any) -> None:
    rows: list[Row] = []
    for obj in session.new:
        entry = _entry(obj)
        if entry is not None:
            rows.append((*entry, "upsert"))
    for obj in session.dirty:
        entry = _entry(obj)
        if entry is not None and session.is_modified(obj, include_collections=False):
            rows.append((*entry, "upsert"))
            # Moved to another project: phones of the old one must hear of it too (it leaves their scope).
            rows.extend((entry[0], entry[1], old, "upsert") for old in _former_projects(obj, entry[2]))
    for obj in session.deleted:
        entry = _entry(obj)
        if entry is not None:
            # A deleted checklist item changes its checklist; the checklist itself still exists.
            rows.append((*entry, "upsert" if isinstance(obj, ChecklistItem) else "delete"))
    append(session, rows)


def _tracked(state: ORMExecuteState) -> tuple[str, Any, Any] | None:
    mapper = state.bind_mapper
    if mapper is None:
        return None
    return _ENTITY_OF.get(mapper.class_)


def _on_execute(state: ORMExecuteState) -> Any:
    """Bulk statements bypass the flush: log the rows they touch, or for an INSERT their projects."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return None
    tracked = _tracked(state)
    if tracked is None:
        return None
    entity, id_column, project_column = tracked
    if state.is_insert:
        result = state.invoke_statement()
        params = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
        projects = {row.get("project_id") for row in params if isinstance(row, dict)}
        append(
            state.session, [("project", p or 0, p, REFRESH) for p in sorted(projects, key=lambda p: p or 0)]
        )
        return result
    where = getattr(state.statement, "whereclause", None)
    columns = [id_column, project_column] if project_column is not None else [id_column]
    statement = select(*columns) if where is None else select(*columns).where(where)
    touched = state.session.execute(statement).all()
    result = state.invoke_statement()
    if touched and getattr(result, "rowcount", 1) != 0:
        op = "delete" if state.is_delete and entity != "checklist" else "upsert"
        append(state.session, [(entity, row[0], row[1] if len(row) > 1 else None, op) for row in touched])
    return result


def register(factory: sessionmaker[Session]) -> None:
    """Log every synced change made through sessions of this factory (written by `deferred` at commit)."""
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _on_execute)
