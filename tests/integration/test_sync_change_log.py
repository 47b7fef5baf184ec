"""The sync change log: written with every synced change, and committed in the order of its sequence."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from backend.db.models.sync import SyncChange
from backend.domain.access import Scope
from backend.services import org
from tests.conftest import SYSTEM


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


def test_a_later_writer_waits_so_a_lower_sequence_never_commits_after_a_higher_one(
    backend: str, db: Any, make_region: Any, make_project: Any, make_asset: Any
) -> None:
    project = make_project(make_region())
    first_asset, second_asset = make_asset(project), make_asset(project)
    finished: list[float] = []
    refused: list[OperationalError] = []

    def later_writer() -> None:
        try:
            with db.unit_of_work() as uow:
                uow.assets.get(second_asset.id, Scope(everything=True)).name = "second"
                uow.commit()
        except OperationalError as exc:
            refused.append(exc)
        finished.append(time.monotonic())

    with db.unit_of_work() as early:
        early.assets.get(first_asset.id, Scope(everything=True)).name = "first"
        early.flush()  # appends its change row: this transaction now holds the ordering lock
        writer = threading.Thread(target=later_writer)
        writer.start()
        time.sleep(0.5)
        held_back = not finished  # the later writer waits until the earlier one ends (or, SQLite, gives up)
        early.commit()
        committed = time.monotonic()
    writer.join(timeout=30)

    seqs = {entity_id: seq for seq, entity, entity_id in _rows(db) if entity == "asset"}
    if backend == "sqlite" and refused:
        # SQLite refuses a write from a read snapshot older than a pending write: it never commits late.
        assert "locked" in str(refused[0])
        assert second_asset.id not in seqs or seqs[second_asset.id] < seqs[first_asset.id]
        return
    assert held_back
    assert finished[0] >= committed
    assert seqs[first_asset.id] < seqs[second_asset.id]
