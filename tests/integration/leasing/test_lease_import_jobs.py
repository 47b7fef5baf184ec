"""Lease imports in the worker: queued, checked, staged in chunks and moved in at once, or left out whole."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select

from backend.core.db.database import Database
from backend.core.db.models import JobRun
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.services import scheduler
from backend.leasing import lease_import_job  # noqa: F401 - declares the job
from backend.leasing.db.models import Lease, LeaseImport, LeaseImportRow, ScheduleItem
from backend.leasing.domain.lease_import import ImportState
from backend.leasing.services import lease_import, lease_import_jobs
from backend.worker import Worker
from tests.support.lease_files import EN, NOW, SYSTEM, row, seed_world, xlsx


@pytest.fixture
def world(
    run: Any, make_region: Any, make_project: Any, make_asset: Any, make_customer: Any
) -> dict[str, Any]:
    """A region with one project, three units, a customer and an office contract template."""
    return seed_world(run, make_region, make_project, make_asset, make_customer)


def count(db: Database, model: Any, *where: Any) -> int:
    """Rows of a table, optionally filtered."""
    with db.unit_of_work() as uow:
        assert uow.session is not None
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def clock() -> Any:
    """A fixed clock: the import's steps all happen at NOW."""
    return NOW


def worker(db: Database) -> Worker:
    """A worker running only the lease import job, at NOW."""
    job = scheduler.REGISTRY[lease_import_jobs.JOB]
    return Worker(
        db.unit_of_work, [job], bookkeeping=partial(db.unit_of_work, writes=True), clock=lambda: NOW
    )


FILE = [EN, row("L-1"), row("L-2", asset="SH-01-1202", status="draft"), row("L-3", asset="SH-01-1203")]


def test_a_queued_commit_is_run_by_the_worker_at_once_and_leaves_no_staged_rows(
    world: Any, run: Any, db: Database
) -> None:
    entry = run(lease_import_jobs.queue, xlsx(FILE), "big.xlsx", True, SYSTEM, now=NOW)
    assert entry.state is ImportState.QUEUED
    assert entry.total == 3
    outcomes = worker(db).run_due()
    assert outcomes
    assert [outcome.error for outcome in outcomes] == [None] * len(outcomes)
    status = run(lease_import_jobs.status, entry.id, SYSTEM)
    assert (status["state"], status["processed"], status["total"]) == (ImportState.SUCCEEDED, 3, 3)
    report = status["report"]
    assert report.committed
    assert [lease.number for lease in report.leases] == ["L-1", "L-2", "L-3"]
    assert count(db, Lease) == 3
    assert count(db, ScheduleItem) == 12  # two signed leases, billed every two months for a year
    assert count(db, LeaseImportRow) == 0
    with db.unit_of_work() as uow:
        stored = uow.lease_imports.find(entry.id)
        assert stored.content is None
        job = uow.job_runs.find(status["job_run_id"])
        assert (job.kind, job.status, job.details["created"]) == (
            JobKind.LEASE_IMPORT,
            JobStatus.SUCCEEDED,
            3,
        )


def test_a_queued_preview_reports_and_writes_no_lease(world: Any, run: Any, db: Database) -> None:
    entry = run(lease_import_jobs.queue, xlsx(FILE), "big.xlsx", False, SYSTEM, now=NOW)
    report = lease_import_jobs.run_import(entry.id, db.unit_of_work, clock)
    assert report.ok
    assert not report.committed
    assert [lease.schedule_items for lease in report.leases] == [6, 6, 6]
    assert count(db, Lease) == 0
    assert run(lease_import_jobs.status, entry.id, SYSTEM)["state"] is ImportState.SUCCEEDED


def test_progress_is_told_by_phase_and_recorded_on_the_import(world: Any, run: Any, db: Database) -> None:
    entry = run(lease_import_jobs.queue, xlsx(FILE), "big.xlsx", True, SYSTEM, now=NOW)
    seen: list[tuple[str, int, int]] = []
    lease_import_jobs.run_import(entry.id, db.unit_of_work, clock, lambda *step: seen.append(step))
    assert seen[:3] == [("checking", 1, 3), ("checking", 2, 3), ("checking", 3, 3)]
    assert ("staging", 3, 3) in seen
    assert seen[-1] == ("moving", 1, 1)


def test_a_file_with_problems_fails_with_its_report_and_stages_nothing(
    world: Any, run: Any, db: Database
) -> None:
    data = xlsx([EN, row("L-1"), row("L-2", asset="SH-01-1202", frequency="每周")])
    entry = run(lease_import_jobs.queue, data, "x.xlsx", True, SYSTEM, now=NOW)
    report = lease_import_jobs.run_import(entry.id, db.unit_of_work, clock)
    assert [(p.row, p.column) for p in report.problems] == [(3, "frequency")]
    status = run(lease_import_jobs.status, entry.id, SYSTEM)
    assert status["state"] is ImportState.FAILED
    assert status["reason"] == "2 rows, 1 problems, 1 leases"
    assert count(db, Lease) == 0
    assert count(db, LeaseImportRow) == 0
    assert count(db, JobRun, JobRun.kind == JobKind.LEASE_IMPORT, JobRun.status == JobStatus.FAILED) == 1


def test_a_move_that_breaks_leaves_nothing_of_the_import_behind(
    world: Any, run: Any, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_move = lease_import.move

    def breaks(*args: Any, **kwargs: Any) -> None:
        real_move(*args, **kwargs)  # every row written, then the disk fills up
        raise OSError("disk full")

    monkeypatch.setattr(lease_import, "move", breaks)
    entry = run(lease_import_jobs.queue, xlsx(FILE), "big.xlsx", True, SYSTEM, now=NOW)
    with pytest.raises(OSError, match="disk full"):
        lease_import_jobs.run_import(entry.id, db.unit_of_work, clock)
    assert count(db, Lease) == 0
    assert count(db, ScheduleItem) == 0
    assert count(db, LeaseImportRow) == 0
    status = run(lease_import_jobs.status, entry.id, SYSTEM)
    assert (status["state"], status["reason"]) == (ImportState.FAILED, "OSError: disk full")


def test_an_import_runs_once_however_often_it_is_started(world: Any, run: Any, db: Database) -> None:
    entry = run(lease_import_jobs.queue, xlsx(FILE), "big.xlsx", False, SYSTEM, now=NOW)
    lease_import_jobs.run_import(entry.id, db.unit_of_work, clock)
    with pytest.raises(lease_import_jobs.Conflict, match="not waiting to run"):
        lease_import_jobs.run_import(entry.id, db.unit_of_work, clock)


def test_the_sweep_runs_imports_queued_without_a_wake_up(world: Any, run: Any, db: Database) -> None:
    entry = run(lease_import_jobs.queue, xlsx(FILE), "big.xlsx", False, SYSTEM, now=NOW, wake=False)
    assert lease_import_jobs.run_queued(db.unit_of_work, lambda: NOW + timedelta(minutes=1), None) == [
        entry.id
    ]
    assert count(db, LeaseImport, LeaseImport.state == ImportState.SUCCEEDED) == 1
