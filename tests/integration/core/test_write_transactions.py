"""Units of work that write: no other writer commits between their first read and their first write."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import select, update

from backend.org.db.models import Asset


def test_a_writer_that_reads_first_is_not_refused_when_another_writer_commits_meanwhile(
    db: Any, make_region: Any, make_project: Any, make_asset: Any
) -> None:
    project = make_project(make_region())
    mine, other = make_asset(project), make_asset(project)
    failures: list[BaseException] = []

    def other_writer() -> None:  # another request saving something while ours is still reading
        try:
            with db.unit_of_work(writes=True) as uow:
                uow.session.execute(update(Asset).where(Asset.id == other.id).values(name="theirs"))
                uow.commit()
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    with db.unit_of_work(writes=True) as uow:
        name = uow.session.scalar(select(Asset.name).where(Asset.id == mine.id))
        thread = threading.Thread(target=other_writer)
        thread.start()
        time.sleep(0.3)  # on SQLite it waits for our write lock; on PostgreSQL it has committed by now
        uow.session.execute(update(Asset).where(Asset.id == mine.id).values(name=f"{name} (ours)"))
        uow.commit()
    thread.join(timeout=30)

    assert failures == []
    with db.unit_of_work() as uow:
        rows = uow.session.execute(select(Asset.id, Asset.name).where(Asset.project_id == project.id))
        names = dict(rows.all())
    assert names == {mine.id: f"{mine.name} (ours)", other.id: "theirs"}
