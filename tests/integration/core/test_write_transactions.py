"""Units of work that write: no other writer commits between their first read and their first write."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from backend.org.db.models import Asset
from tests.support.locks import WAIT, impatient_database


def test_a_writer_that_reads_first_is_not_refused_when_another_writer_commits_meanwhile(
    backend: str, db: Any, database_url: str, make_region: Any, make_project: Any, make_asset: Any
) -> None:
    project = make_project(make_region())
    mine, other = make_asset(project), make_asset(project)
    other_db = impatient_database(database_url)
    progressed = threading.Event()  # the other writer committed, or found itself blocked by us
    blocked, committed, ours_done = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def other_writer() -> None:  # another request saving something while ours is still reading
        try:
            while True:
                try:
                    with other_db.unit_of_work(writes=True) as uow:
                        uow.session.execute(update(Asset).where(Asset.id == other.id).values(name="theirs"))
                        uow.commit()
                    break
                except OperationalError as exc:  # SQLite's write lock is ours: wait until we let go
                    if "locked" not in str(exc) or blocked.is_set():
                        raise
                    blocked.set()
                    progressed.set()
                    assert ours_done.wait(WAIT), "our writer never committed"
            committed.set()
            progressed.set()
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
            progressed.set()

    try:
        with db.unit_of_work(writes=True) as uow:
            name = uow.session.scalar(select(Asset.name).where(Asset.id == mine.id))
            thread = threading.Thread(target=other_writer)
            thread.start()
            assert progressed.wait(WAIT), "the other writer neither committed nor waited for us"
            if backend == "sqlite":
                # Our unit of work holds the write lock since its first read: the other one cannot commit.
                assert (blocked.is_set(), committed.is_set()) == (True, False)
            else:  # PostgreSQL lets a writer of another row commit; ours must still go through
                assert committed.is_set()
            uow.session.execute(update(Asset).where(Asset.id == mine.id).values(name=f"{name} (ours)"))
            uow.commit()
        ours_done.set()
        thread.join(timeout=WAIT)
    finally:
        ours_done.set()
        other_db.dispose()

    assert failures == []
    assert committed.is_set()
    with db.unit_of_work() as uow:
        rows = uow.session.execute(select(Asset.id, Asset.name).where(Asset.project_id == project.id))
        names = dict(rows.all())
    assert names == {mine.id: f"{mine.name} (ours)", other.id: "theirs"}
