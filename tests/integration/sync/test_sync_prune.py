"""Pruning the sync change log: old rows go, the newest stays, and phones behind the horizon start over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from backend.cli import main
from backend.core.domain.errors import Forbidden, ValidationFailed
from backend.core.domain.jobs import JobKind
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.org.services import org
from sync import prune as sync_log
from sync.db.models import SyncChange
from tests.conftest import SYSTEM

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _seqs(db: Any) -> list[int]:
    with db.engine.connect() as connection:
        return list(connection.scalars(select(SyncChange.seq).order_by(SyncChange.seq)))


def _age_all(db: Any, days: int) -> None:
    with db.engine.begin() as connection:
        connection.execute(update(SyncChange).values(changed_at=NOW - timedelta(days=days)))


def test_rows_older_than_the_kept_days_are_removed_the_newest_stays_and_the_run_is_recorded(
    db: Any, run: Any, make_region: Any, make_project: Any, make_asset: Any
) -> None:
    project = make_project(make_region())
    assets = [make_asset(project) for _ in range(3)]
    _age_all(db, 100)
    run(org.update_asset, assets[0].id, {"name": "recent"}, SYSTEM)
    with db.engine.begin() as connection:
        connection.execute(
            update(SyncChange)
            .where(SyncChange.seq == max(_seqs(db)))
            .values(changed_at=NOW - timedelta(days=1))
        )
    before = _seqs(db)
    progress: list[int] = []

    job = run(sync_log.prune, 30, SYSTEM, now=NOW, progress=progress.append)

    assert _seqs(db) == before[-1:]
    assert job.kind is JobKind.SYNC_PRUNE
    assert job.details == {"removed": len(before) - 1, "keep_days": 30, "horizon": before[-1] - 1}
    assert progress == [len(before) - 1]
    _age_all(db, 100)
    assert run(sync_log.prune, 30, SYSTEM, now=NOW).details["removed"] == 0  # the newest row always stays


def test_pruning_keeps_a_week_at_least_and_is_an_administrators_task(
    run: Any, make_user: Any, make_region: Any, make_project: Any
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        run(sync_log.prune, 3, SYSTEM, now=NOW)
    assert refused.value.fields == {"keep_days": ["Keep at least 7 days of changes."]}
    manager = make_user("project_manager", project_id=make_project(make_region()).id)
    with pytest.raises(Forbidden):
        run(sync_log.prune, 30, Actor(auth.principal_of(manager), SYSTEM.origin), now=NOW)


def test_the_prune_command_reports_what_it_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    done = runner.invoke(main, ["sync", "prune", "--keep-days", "30"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == (
        "0 change-log rows older than 30 days removed; cursors up to 0 must start over (job run 1)."
    )
    refused = runner.invoke(main, ["sync", "prune", "--keep-days", "2"])
    assert refused.exit_code == 2
    assert "--keep-days" in refused.output
