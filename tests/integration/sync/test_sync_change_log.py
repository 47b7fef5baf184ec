"""The sync change log: written with every synced change, and committed in the order of its sequence."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from backend.core.domain.access import Scope
from backend.org.db.models import Asset
from backend.org.services import org
from sync.db import change_log
from sync.db.models import SyncChange
from tests.conftest import SYSTEM
from tests.support.locks import WAIT, impatient_database, wait_until_waiting_on_lock


def _rows(db: Any) -> list[tuple[int, str, int]]:
    with db.unit_of_work() as uow:
        statement = select(SyncChange.seq, SyncChange.entity, SyncChange.entity_id).order_by(SyncChange.seq)
        return [tuple(row) for row in uow.session.execute(statement)]


def test_a_service_change_and_its_log_row_commit_together_or_not_at_all(
    db: Any, make_region: Any, make_project: Any, make_asset: Any, run: Any
) -> None:
    asset = make_asset(make_project(make_region()))
    before = _rows(db)
    with db.unit_of_work() as uow:
        uow.assets.get(asset.id, Scope(everything=True)).name = "not kept"
        uow.flush()
        uow.rollback()
    assert _rows(db) == before
    run(org.update_asset, asset.id, {"name": "kept"}, SYSTEM)
    assert _rows(db)[-1][1:] == ("asset", asset.id)


def test_a_committing_writer_waits_for_the_ordering_lock_before_it_takes_a_sequence(
    backend: str, db: Any, database_url: str, make_region: Any, make_project: Any, make_asset: Any
) -> None:
    project = make_project(make_region())
    asset, other = make_asset(project), make_asset(project)
    writer_db = impatient_database(database_url)
    pid: list[int] = []
    started, blocked, released, finished = (threading.Event() for _ in range(4))
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            while True:
                try:
                    with writer_db.unit_of_work() as uow:
                        if backend == "postgresql":
                            pid.append(uow.session.scalar(text("SELECT pg_backend_pid()")))
                        started.set()
                        uow.assets.get(asset.id, Scope(everything=True)).name = "renamed"
                        uow.commit()
                    break
                except OperationalError as exc:  # SQLite: the holder has the write lock; wait for it
                    if backend != "sqlite" or "locked" not in str(exc) or blocked.is_set():
                        raise
                    blocked.set()
                    assert released.wait(WAIT), "the holder never let go"
            finished.set()
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
            finished.set()

    with db.engine.connect() as holder:  # another transaction in the middle of its commit
        if backend == "postgresql":
            holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": change_log._ADVISORY_KEY})
        else:  # SQLite orders writers by its database write lock, held from the first write to the commit
            holder.execute(update(Asset).where(Asset.id == other.id).values(name="held"))
        thread = threading.Thread(target=writer)
        thread.start()
        try:
            if backend == "postgresql":
                assert started.wait(WAIT)
                wait_until_waiting_on_lock(db, pid[0], finished)
            else:
                assert blocked.wait(WAIT) or finished.is_set(), "the writer neither committed nor waited"
            assert not finished.is_set(), f"the writer committed while the ordering lock was held: {failures}"
        finally:
            holder.rollback()
            released.set()
    thread.join(timeout=WAIT)
    writer_db.dispose()

    assert failures == []
    assert finished.is_set()
    assert _rows(db)[-1][1:] == ("asset", asset.id)


def test_a_reader_never_sees_a_lower_sequence_appear_behind_its_cursor(
    db: Any, make_region: Any, make_project: Any, make_asset: Any
) -> None:
    project = make_project(make_region())
    assets = [make_asset(project) for _ in range(4)]
    stop = threading.Event()
    failures: list[str] = []

    def write(asset_id: int) -> None:
        for n in range(25):
            try:
                with db.unit_of_work() as uow:
                    uow.assets.get(asset_id, Scope(everything=True)).name = f"round {n}"
                    uow.commit()
            except OperationalError:
                continue  # SQLite gives up on a busy write now and then; the order is what is checked

    def read() -> None:
        cursor, behind = 0, 0
        while not stop.is_set():
            rows = _rows(db)
            now_behind = sum(1 for seq, _entity, _id in rows if seq <= cursor)
            if now_behind != behind:
                failures.append(f"{now_behind - behind} change(s) appeared at or below cursor {cursor}")
            cursor = max((seq for seq, _entity, _id in rows), default=cursor)
            behind = sum(1 for seq, _entity, _id in rows if seq <= cursor)

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write, args=(asset.id,)) for asset in assets]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    stop.set()
    reader.join(timeout=30)
    assert failures == []
    assert sum(1 for _seq, entity, _id in _rows(db) if entity == "asset") >= 4
