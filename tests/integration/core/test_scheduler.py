"""The scheduler against a real database: one run per slot whatever the workers, takeover after a crash,
missed slots caught up in order, failures retried with backoff, given up and alerted."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from backend.core.db.database import Database
from backend.core.db.models import JobRun, JobSlot
from backend.core.domain.access import Permission
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.domain.scheduling import CatchUp, JobSpec, SlotState
from backend.core.services import scheduler
from backend.core.services.scheduler import JobContext, ScheduledJob, UnitOfWorkFactory
from backend.notify.db.models import Notification
from backend.notify.domain.notifications import NotificationKind
from backend.worker import Worker

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def rows(db: Database, model: type[Any]) -> list[Any]:
    with db.unit_of_work() as uow:
        assert uow.session is not None
        found = list(uow.session.query(model).order_by(model.id))
        uow.session.expunge_all()
        return found


def recording_job(name: str, cron: str, seen: list[JobContext], **spec: Any) -> ScheduledJob:
    def run(unit_of_work: UnitOfWorkFactory, context: JobContext) -> None:
        seen.append(context)

    return ScheduledJob(JobSpec(name, JobKind.SYNC_PRUNE, cron, owner=Permission.JOB_ADMIN, **spec), run)


# Catching up ------------------------------------------------------------------------------------


def test_a_worker_down_over_the_weekend_runs_saturdays_and_sundays_slots_once_each_in_order(
    db: Database,
) -> None:
    seen: list[JobContext] = []
    job = recording_job("probe.daily", "0 2 * * *", seen, timezone="Asia/Shanghai")
    clock = Clock(datetime(2026, 12, 4, 2, 30, tzinfo=SHANGHAI).astimezone(UTC))  # Friday 02:30
    worker = Worker(db.unit_of_work, [job], name="w1", clock=clock)

    assert [o.state for o in worker.run_due()] == [SlotState.SUCCEEDED]  # Friday's, and no history before
    clock.now = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI).astimezone(UTC)  # back on Monday morning
    outcomes = worker.run_due()
    again = worker.run_due()

    local_days = [c.slot_at.astimezone(SHANGHAI).strftime("%a %H:%M") for c in seen]
    assert local_days == ["Fri 02:00", "Sat 02:00", "Sun 02:00", "Mon 02:00"]
    assert [o.state for o in outcomes] == [SlotState.SUCCEEDED] * 3
    assert again == []  # a rerun finds nothing to do
    runs = rows(db, JobRun)
    assert [(r.job, r.status, r.attempt, r.worker) for r in runs] == [
        ("probe.daily", JobStatus.SUCCEEDED, 1, "w1")
    ] * 4
    assert all(r.started_at is not None and r.finished_at is not None for r in runs)


def test_an_hourly_sweep_runs_only_its_latest_missed_slot_and_records_the_others_skipped(
    db: Database,
) -> None:
    seen: list[JobContext] = []
    job = recording_job("probe.hourly", "0 * * * *", seen, catch_up=CatchUp.LATEST)
    clock = Clock(datetime(2026, 12, 4, 10, 5, tzinfo=UTC))
    worker = Worker(db.unit_of_work, [job], name="w1", clock=clock)
    worker.run_due()
    clock.now = datetime(2026, 12, 4, 15, 5, tzinfo=UTC)

    worker.run_due()

    assert [c.slot_at.hour for c in seen] == [10, 15]
    states = Counter(slot.state for slot in rows(db, JobSlot))
    assert states == {SlotState.SUCCEEDED: 2, SlotState.SKIPPED: 4}


def test_a_per_project_job_runs_at_its_hour_in_each_projects_time_zone(
    db: Database, make_region: Any, make_project: Any
) -> None:
    region = make_region()
    shanghai = make_project(region, timezone="Asia/Shanghai")
    london = make_project(region, timezone="Europe/London")
    seen: list[JobContext] = []
    job = recording_job("probe.nightly", "0 2 * * *", seen, per_project=True)
    # 2026-12-04 03:00 UTC: 11:00 in Shanghai (02:00 passed), 03:00 in London (02:00 just passed)
    clock = Clock(datetime(2026, 12, 4, 3, 0, tzinfo=UTC))

    Worker(db.unit_of_work, [job], clock=clock).run_due()

    by_project = {c.project_id: c.slot_at for c in seen}
    assert by_project == {
        shanghai.id: datetime(2026, 12, 3, 18, 0, tzinfo=UTC),
        london.id: datetime(2026, 12, 4, 2, 0, tzinfo=UTC),
    }
    assert {r.project_id for r in rows(db, JobRun)} == {shanghai.id, london.id}


# Failing ----------------------------------------------------------------------------------------


def test_a_failing_job_is_retried_with_backoff_then_gives_up_and_its_owners_hear_of_it(
    db: Database, make_user: Any
) -> None:
    admin = make_user("admin")
    calls: list[int] = []

    def broken(unit_of_work: UnitOfWorkFactory, context: JobContext) -> None:
        calls.append(context.attempt)
        raise RuntimeError("the bank's server said no")

    spec = JobSpec(
        "probe.broken", JobKind.SYNC_PRUNE, "0 2 * * *", owner=Permission.JOB_ADMIN, max_attempts=3
    )
    clock = Clock(datetime(2026, 12, 4, 2, 30, tzinfo=UTC))
    worker = Worker(db.unit_of_work, [ScheduledJob(spec, broken)], clock=clock)

    first = worker.run_due()
    too_soon = worker.run_due()
    for _ in range(2):
        clock.now += timedelta(hours=2)  # well past any backoff
        worker.run_due()

    assert [o.state for o in first] == [SlotState.FAILED]
    assert too_soon == []  # the next attempt waits for its backoff
    assert calls == [1, 2, 3]
    [slot] = rows(db, JobSlot)
    assert (slot.state, slot.attempts) == (SlotState.GAVE_UP, 3)
    assert "the bank's server said no" in (slot.error or "")
    runs = rows(db, JobRun)
    assert [(r.status, r.attempt) for r in runs] == [(JobStatus.FAILED, n) for n in (1, 2, 3)]
    assert all("RuntimeError: the bank's server said no" in (r.reason or "") for r in runs)
    alerts = [(n.user_id, n.kind, n.params["attempt"]) for n in rows(db, Notification)]
    assert alerts == [(admin.id, NotificationKind.JOB_FAILED, 1), (admin.id, NotificationKind.JOB_GAVE_UP, 3)]

    with db.unit_of_work() as uow:
        retried = scheduler.retry(runs[-1].id, uow, clock.now)
        assert retried.status is JobStatus.RETRIED
    calls.clear()
    worker.run_due()
    assert calls == [4]  # a person's retry runs the slot again at once


def test_a_run_that_reports_failures_alerts_its_owners_but_closes_its_slot(
    db: Database, make_user: Any
) -> None:
    admin = make_user("admin")

    def finds_problems(unit_of_work: UnitOfWorkFactory, context: JobContext) -> None:
        with unit_of_work() as uow:
            uow.job_runs.record(context.run_id, status=JobStatus.FAILED, reason="2 of 9 leases would fail")
            uow.commit()

    spec = JobSpec("probe.check", JobKind.SCHEDULE_DRY_RUN, "0 3 * * 1", owner=Permission.JOB_ADMIN)
    clock = Clock(datetime(2026, 12, 7, 4, 0, tzinfo=UTC))

    [outcome] = Worker(db.unit_of_work, [ScheduledJob(spec, finds_problems)], clock=clock).run_due()

    assert outcome.state is SlotState.SUCCEEDED
    [notification] = rows(db, Notification)
    assert (notification.user_id, notification.kind) == (admin.id, NotificationKind.JOB_FAILED)
    assert notification.params["reason"] == "2 of 9 leases would fail"
