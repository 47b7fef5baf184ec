"""Lease imports run in the worker: queued with their file, checked, staged in chunks, moved in at once.

An import is queued by the API (large files, or when asked) or by the CLI, and woken at once: a slot of the
`leases.import` job is made due now, as a retry does. The worker checks the file in a reading transaction,
recording its progress in short ones; a commit then stages the checked rows chunk by chunk and moves them
in with one short transaction. Whatever fails leaves none of the import's leases behind, and its staged rows
are discarded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from backend.adapters import spreadsheets
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import Origin
from backend.core.domain.errors import N_, Conflict, NotFound
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.domain.scheduling import SlotState
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.core.services.scheduler import UnitOfWorkFactory
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain.lease_import import ImportState
from backend.leasing.services import lease_import
from backend.leasing.services.lease_import import ImportReport

log = logging.getLogger(__name__)
JOB = "leases.import"
# Files of more rows than this are imported in the worker even when the request did not ask for it.
SYNC_MAX_ROWS = 500
STAGE_CHUNK = 500
PROGRESS_EVERY = 250  # rows between two progress records
Clock = Callable[[], datetime]
# (phase, done, total): "checking" counts rows read and checked, "staging" rows staged, "moving" is one step.
PhaseProgress = Callable[[str, int, int], None]


def submit(
    data: bytes, filename: str, commit: bool, background: bool, actor: Actor, uow: UnitOfWork, now: datetime
) -> ImportReport | Any:
    """Answer a small file at once (its report); queue a large one, or any when asked (its import)."""
    actor.require(P.LEASE_WRITE)
    rows = len(spreadsheets.read_table(data, filename)) - 1
    if background or rows > SYNC_MAX_ROWS:
        return queue(data, filename, commit, actor, uow, now)
    use_case = lease_import.commit if commit else lease_import.preview
    return use_case(data, filename, actor, uow, now)


def queue(
    data: bytes, filename: str, commit: bool, actor: Actor, uow: UnitOfWork, now: datetime, wake: bool = True
) -> Any:
    """Keep the file for the worker; with `wake` a slot of the import job is due now: a worker starts it."""
    actor.require(P.LEASE_WRITE)
    rows = len(spreadsheets.read_table(data, filename)) - 1  # refuses another type or size now
    entry = uow.lease_imports.create(
        filename=filename, commit=commit, state=ImportState.QUEUED, total=rows, processed=0, content=data,
        requested_by_id=actor.user_id, requested_by_name=actor.name, created_at=now,
    )  # fmt: skip
    uow.flush()
    if wake:
        slot = {
            "job": JOB, "scope_key": f"import:{entry.id}", "slot_at": now, "state": SlotState.DUE,
            "next_attempt_at": now, "attempts": 0, "created_at": now,
        }  # fmt: skip
        uow.job_slots.add_missing([slot])
    uow.commit()
    return entry


def status(import_id: int, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """An import as its requester (or head office) sees it: state, progress and, once done, its report."""
    entry = _visible(import_id, actor, uow)
    report = ImportReport.from_json(entry.report) if entry.report else None
    names = ("id", "filename", "commit", "state", "phase", "processed", "total", "reason", "job_run_id")
    return {name: getattr(entry, name) for name in names} | {
        "created_at": entry.created_at,
        "started_at": entry.started_at,
        "finished_at": entry.finished_at,
        "report": report,
    }


def _visible(import_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    scope = actor.require(P.LEASE_WRITE)
    entry = uow.lease_imports.find(import_id)
    if entry is None or not (scope.everything or entry.requested_by_id == actor.user_id):
        raise NotFound("Lease import")
    return entry


def run_queued(unit_of_work: UnitOfWorkFactory, clock: Clock, run_id: int | None) -> list[int]:
    """The worker's job: run every queued import, oldest first; records the job's run with their ids."""
    started = clock()
    done = []
    while (import_id := _claim(None, unit_of_work, clock())) is not None:
        run_import(import_id, unit_of_work, clock, claimed=True)
        done.append(import_id)
    with unit_of_work() as uow:
        uow.job_runs.record(
            run_id, kind=JobKind.LEASE_IMPORT, status=JobStatus.SUCCEEDED, details={"imports": done},
            started_at=started, finished_at=clock(),
        )  # fmt: skip
        uow.commit()
    return done


def _claim(import_id: int | None, unit_of_work: UnitOfWorkFactory, now: datetime) -> int | None:
    with unit_of_work() as uow:
        claimed = uow.lease_imports.claim(import_id, now)
        uow.commit()
    return claimed


def run_import(
    import_id: int,
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    progress: PhaseProgress | None = None,
    *,
    actor: Actor | None = None,
    claimed: bool = False,
) -> ImportReport:
    """Check (and with `commit`, move in) one queued import; the report is kept on the import.

    `actor` defaults to the requester, with the permissions they hold now. Raises when the import is not
    queued any more, or when it broke (it is then marked failed, and nothing of it is kept).
    """
    if not claimed and _claim(import_id, unit_of_work, clock()) is None:
        raise Conflict(N_("This import is not waiting to run: it ran already, or runs now."))
    try:
        return _run(import_id, unit_of_work, clock, progress, actor)
    except Exception as exc:
        log.exception("lease import %s broke", import_id)
        with unit_of_work() as uow:
            uow.lease_imports.discard_rows(import_id)
            uow.lease_imports.set_progress(
                import_id, state=ImportState.FAILED, phase=None, content=None, finished_at=clock(),
                reason=f"{type(exc).__name__}: {exc}"[:2000],
            )  # fmt: skip
            uow.commit()
        raise


def _run(
    import_id: int,
    unit_of_work: UnitOfWorkFactory,
    clock: Clock,
    progress: PhaseProgress | None,
    actor: Actor | None,
) -> ImportReport:
    now = clock()
    recorder = _Recorder(import_id, unit_of_work, progress)
    with unit_of_work() as uow:
        entry = uow.lease_imports.find(import_id)
        if entry is None:
            raise NotFound("Lease import")
        data, filename, commit = entry.content or b"", entry.filename, entry.commit
        actor = actor or _requester(entry, uow)
        checked = lease_import.check(data, filename, actor, uow, now, recorder.checking)
        uow.rollback()
    report = checked.report
    if commit and report.ok:
        for start in range(0, len(checked.drafts), STAGE_CHUNK):
            chunk = checked.drafts[start : start + STAGE_CHUNK]
            with unit_of_work() as uow:
                uow.lease_imports.stage_rows(import_id, [(draft["row"], draft) for draft in chunk])
                uow.lease_imports.set_progress(import_id, phase="staging", processed=start + len(chunk))
                uow.commit()
            recorder.tell("staging", start + len(chunk), len(checked.drafts))
        recorder.tell("moving", 0, 1)
        with unit_of_work() as uow:
            # A write first: on SQLite the transaction holds the write lock from here, for a few seconds.
            uow.lease_imports.set_progress(import_id, state=ImportState.COMMITTING, phase="moving")
            lease_import.move(uow.lease_imports.staged_rows(import_id), report, actor, uow, clock())
            if report.ok:
                uow.lease_imports.discard_rows(import_id)
                _finish(import_id, report, uow, clock())
                uow.commit()
                recorder.tell("moving", 1, 1)
                return report
            uow.rollback()
    with unit_of_work() as uow:
        uow.lease_imports.discard_rows(import_id)
        if commit and not report.ok:
            report.job_run_id = lease_import.job_run(report, actor, uow, now).id
        _finish(import_id, report, uow, clock())
        uow.commit()
    return report


def _requester(entry: Any, uow: UnitOfWork) -> Actor:
    """Who queued the import, with the permissions they hold now (the system for a CLI import)."""
    if entry.requested_by_id is None:
        return Actor.system(Origin.JOB, "lease-import")
    user = uow.users.find(entry.requested_by_id)
    if user is None or not user.is_active:
        raise Conflict(N_("The user who queued this import is no longer active."))
    return Actor(auth.principal_of(user), Origin.JOB, request_id=f"lease-import:{entry.id}")


def _finish(import_id: int, report: ImportReport, uow: UnitOfWork, now: datetime) -> None:
    state = ImportState.SUCCEEDED if report.ok else ImportState.FAILED
    uow.lease_imports.set_progress(
        import_id, state=state, phase=None, processed=report.rows, report=report.as_json(), content=None,
        job_run_id=report.job_run_id, reason=None if report.ok else report.summary(), finished_at=now,
    )  # fmt: skip


class _Recorder:
    """Progress told to the caller at every step, and recorded on the import every few hundred rows."""

    def __init__(
        self, import_id: int, unit_of_work: UnitOfWorkFactory, progress: PhaseProgress | None
    ) -> None:
        self.import_id, self.unit_of_work, self.progress = import_id, unit_of_work, progress
        self.recorded = 0

    def checking(self, done: int, total: int) -> None:
        """A row was checked."""
        if done >= total or done - self.recorded >= PROGRESS_EVERY:
            self.recorded = done
            with self.unit_of_work() as uow:
                uow.lease_imports.set_progress(self.import_id, phase="checking", processed=done, total=total)
                uow.commit()
        self.tell("checking", done, total)

    def tell(self, phase: str, done: int, total: int) -> None:
        """Tell the caller (the CLI's progress bar)."""
        if self.progress is not None:
            self.progress(phase, done, total)
