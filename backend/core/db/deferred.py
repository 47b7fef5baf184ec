"""Rows written at commit: collected in the session while its transaction runs, one INSERT per table.

For append-only rows that nothing reads back inside the transaction writing them (audit entries, in-app
notifications, the sync change log): collecting them and writing each table's rows in one statement just
before the commit saves a round trip per row. A savepoint that rolls back drops what was collected inside it;
a transaction that ends (committed or rolled back) keeps nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

Writer = Callable[[Session, list[Any]], None]

_PENDING = "leasekeeper.deferred"
_MARKS = "leasekeeper.deferred_marks"
_writers: dict[str, Writer] = {}
_last: dict[str, Writer] = {}


def writer(key: str, write: Writer, last: bool = False) -> None:
    """Declare how the rows collected under `key` are written (`last`: after every other kind)."""
    (_last if last else _writers)[key] = write


def inserts(model: type[Any]) -> Writer:
    """A writer inserting the collected column values into the model's table, in one statement."""

    def write(session: Session, rows: list[Any]) -> None:
        session.connection().execute(insert(model), rows)

    return write


def _pending(session: Session) -> dict[str, list[Any]]:
    pending: dict[str, list[Any]] = session.info.setdefault(_PENDING, {})
    return pending


def add(session: Session, key: str, rows: list[Any]) -> None:
    """Collect rows of one kind for the session's transaction; they are written when it commits."""
    if key not in _writers and key not in _last:
        raise KeyError(f"no writer for deferred rows {key!r}")
    _pending(session).setdefault(key, []).extend(rows)


def _before_commit(session: Session) -> None:
    # A savepoint's release keeps its rows for the enclosing transaction; only the real commit writes them.
    if session.in_nested_transaction():
        return
    session.flush()  # a flush may collect more (the change log)
    pending = session.info.pop(_PENDING, {})
    for key, write in (*_writers.items(), *_last.items()):
        rows = pending.get(key)
        if rows:
            write(session, rows)


def _after_transaction_create(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        counts = {key: len(rows) for key, rows in _pending(session).items()}
        session.info.setdefault(_MARKS, {})[id(transaction)] = counts


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    # A savepoint rolled back: drop what it collected. (SQLAlchemy ends the transaction before this event,
    # so the mark is kept until here.)
    if not previous.nested:
        return
    marks: Mapping[str, int] | None = session.info.get(_MARKS, {}).pop(id(previous), None)
    if marks is None:  # a savepoint begun before this module was listening: drop nothing
        return
    pending = _pending(session)
    for key in list(pending):
        del pending[key][marks.get(key, 0) :]


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        # Committed (nothing is left) or rolled back: nothing collected may outlive the transaction.
        session.info.pop(_PENDING, None)
        session.info.pop(_MARKS, None)


def register(factory: sessionmaker[Session]) -> None:
    """Write the deferred rows of every session of this factory when its transaction commits."""
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_transaction_create", _after_transaction_create)
    event.listen(factory, "after_soft_rollback", _after_soft_rollback)
    event.listen(factory, "after_transaction_end", _after_transaction_end)
