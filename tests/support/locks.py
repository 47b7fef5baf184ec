"""Forcing races without sleeps: see that another connection is blocked on a lock, on either database."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from backend.core.db.database import Database

WAIT = 30  # seconds any step of a race may take before the test gives up


def impatient_database(url: str) -> Database:
    """Another process on the same database whose SQLite connections give up on a lock at once instead of
    waiting for it: their "database is locked" is how a test sees that they are blocked (and then waits
    for an event before trying again). PostgreSQL connections are left as they are."""
    other = Database(url)
    if other.engine.dialect.name == "sqlite":

        def no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA busy_timeout = 0")

        event.listen(other.engine, "connect", no_busy_wait)
    return other


def wait_until_waiting_on_lock(db: Database, pid: int, gave_up: threading.Event) -> None:
    """Return once PostgreSQL shows backend `pid` waiting for a lock, or as soon as `gave_up` is set;
    fail after WAIT seconds."""
    statement = text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid")
    deadline = time.monotonic() + WAIT
    with db.engine.connect() as observer:
        while observer.scalar(statement, {"pid": pid}) != "Lock":
            observer.rollback()  # the statistics views are a snapshot per transaction
            assert time.monotonic() < deadline, f"backend {pid} never waited for a lock"
            if gave_up.wait(0.01):
                return


def wait_until_busy_waiting(native_thread_id: int, gave_up: threading.Event) -> None:
    """Return once the thread sleeps in SQLite's busy handler (a blocked write lock waits by sleeping and
    trying again), or as soon as `gave_up` is set; fail after WAIT seconds. Linux: read from /proc.

    Call it once the thread is known to be about to take the lock, e.g. from an event on its BEGIN IMMEDIATE:
    from then on the only sleep it does is the busy handler's.
    """
    wchan = Path(f"/proc/self/task/{native_thread_id}/wchan")
    deadline = time.monotonic() + WAIT
    while "nanosleep" not in wchan.read_text():
        assert time.monotonic() < deadline, f"thread {native_thread_id} never waited for the write lock"
        if gave_up.wait(0.001):
            return
