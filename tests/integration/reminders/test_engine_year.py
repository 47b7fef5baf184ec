"""A year of the demo portfolio, day by day, as the worker runs the engine at 02:00 in each project (the
clock travels with time-machine): every tier fires once on its business day; reruns send nothing; a week
the worker was down is caught up, late; escalation and reassignment happen on their day."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from backend.core.db.database import Database
from backend.core.db.models import AuditEntry, User
from backend.core.domain.audit import Origin
from backend.core.services import users
from backend.core.services.context import Actor
from backend.core.services.scheduler import JobContext
from backend.demo.seed import seed_demo
from backend.leasing.domain.schedule.calendars import holiday_calendar
from backend.notify.db.models import Notification
from backend.reminders import jobs
from backend.reminders.db.models import ReminderTask
from backend.reminders.domain.dates import DateKind
from backend.reminders.domain.rules import TaskState
from tests.conftest import SYSTEM

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2026, 1, 1)
DAYS = 365
DOWN = range(130, 135)  # the worker was down these days (from the first; 11–15 May, working days)
DEACTIVATE_ON = 150
CN = holiday_calendar("CN")


def at_two(day: date) -> datetime:
    """02:00 in Shanghai on a day, as the worker's slot for the demo's projects."""
    return datetime.combine(day, time(2, 0), SHANGHAI).astimezone(UTC)


def run_on(db: Database, day: date) -> dict[str, Any]:
    """The engine's daily job, with the clock set to that day's slot."""
    with time_machine.travel(at_two(day), tick=False):
        return jobs.run_reminders(db.unit_of_work, JobContext.by_hand(datetime.now(UTC)))


def local_day(instant: datetime) -> date:
    return instant.astimezone(SHANGHAI).date()


def tasks_of(db: Database) -> list[Any]:
    with db.unit_of_work() as uow:
        assert uow.session is not None
        found = list(uow.session.scalars(select(ReminderTask).order_by(ReminderTask.id)))
        uow.session.expunge_all()
        return found


def deactivate_someone_with_open_tasks(db: Database, day: date) -> tuple[int, int]:
    """Deactivate the account manager holding the most open tasks; their manager (the demo's) stays."""
    with db.unit_of_work() as uow:
        assert uow.session is not None
        open_tasks = uow.session.scalars(select(ReminderTask).where(ReminderTask.state == TaskState.OPEN))
        counts: dict[int, int] = defaultdict(int)
        for task in open_tasks:
            counts[task.assignee_id] += 1
        people = {u.id: u for u in uow.session.scalars(select(User).where(User.id.in_(list(counts))))}
        owner_id = max((uid for uid in counts if people[uid].manager_id), key=lambda uid: counts[uid])
        manager_id = people[owner_id].manager_id
        assert manager_id is not None
    with db.unit_of_work() as uow, time_machine.travel(at_two(day) - timedelta(hours=5), tick=False):
        users.deactivate_user(owner_id, SYSTEM, datetime.now(UTC), uow)
    return owner_id, manager_id


def test_a_year_of_daily_runs_sends_each_tier_once_on_its_business_day(db: Database) -> None:
    with db.unit_of_work() as uow:
        seeded = seed_demo(1, Actor.system(Origin.CLI, "demo"), uow, today=FIRST_DAY)
    assert seeded is not None
    assert seeded.leases > 1_000

    reruns: list[dict[str, Any]] = []
    deactivated: tuple[int, int] | None = None
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        if offset in DOWN:
            continue
        if offset == DEACTIVATE_ON:
            deactivated = deactivate_someone_with_open_tasks(db, day)
        details = run_on(db, day)
        assert details["errors"] == []
        if offset % 30 == 0:
            reruns.append(run_on(db, day))
    tasks = tasks_of(db)
    reminders = [t for t in tasks if t.tier > 0]
    assert len(reminders) > 1_000

    # Reruns on the same day send nothing.
    assert [r["sent"] for r in reruns] == [0] * len(reruns)
    # Once per (lease, date kind, date, tier, recipient).
    keys = [(t.lease_id, t.date_kind, t.critical_date, t.tier, t.recipient_id) for t in reminders]
    assert len(keys) == len(set(keys))

    first = at_two(FIRST_DAY)
    down = {FIRST_DAY + timedelta(days=d) for d in DOWN}
    back_on = FIRST_DAY + timedelta(days=DOWN.stop)
    caught_up = 0
    for task in reminders:
        sent_on = local_day(task.sent_at)
        # Its day is a business day, and every day after it up to the rule's own day is not.
        assert CN.is_working_day(task.fire_on), task
        if task.sent_at == first:
            # The first run catches up what fell due before it (the demo's leases ran before the year).
            assert task.fire_on <= FIRST_DAY
            assert task.late == (task.fire_on < FIRST_DAY)
        elif task.fire_on in down:
            # Due while the worker was down: sent by the first run back, marked late, once.
            assert (sent_on, task.late) == (back_on, True), task
            caught_up += 1
        else:
            assert (sent_on, task.late) == (task.fire_on, False), task
    assert caught_up > 0

    nominal_days = _nominal_days(reminders)
    for task in reminders:
        nominal = nominal_days[task.id]
        between = [task.fire_on + timedelta(days=n) for n in range(1, (nominal - task.fire_on).days + 1)]
        assert nominal >= task.fire_on, task
        assert not any(CN.is_working_day(d) for d in between), task

    # Escalation: an open task passed on when the next tier fired for the same date, on that tier's day.
    by_date: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for task in reminders:
        by_date[(task.lease_id, task.date_kind, task.critical_date)].append(task)
    escalated = [t for t in reminders if t.state is TaskState.ESCALATED]
    assert escalated
    for task in escalated:
        later = [
            t.sent_at
            for t in by_date[(task.lease_id, task.date_kind, task.critical_date)]
            if t.tier > task.tier
        ]
        assert later, task
        assert task.escalated_at == min(later), task
    # Every lease-end date whose three tiers all came inside the year reached all three.
    three = [
        group
        for (_, kind, on), group in by_date.items()
        if kind is DateKind.LEASE_END
        and min(t.fire_on for t in group) > FIRST_DAY
        and on < date(2026, 12, 20)
    ]
    reached = [{t.tier for t in group} for group in three if 1 in {t.tier for t in group}]
    assert reached
    assert all(3 in tiers for tiers in reached)

    # Reassignment: the deactivated owner's open tasks moved to their manager the next morning, audited.
    assert deactivated is not None
    owner_id, manager_id = deactivated
    moved_day = FIRST_DAY + timedelta(days=DEACTIVATE_ON)
    assert not [t for t in tasks if t.assignee_id == owner_id and t.state is TaskState.OPEN]
    moved = [t for t in tasks if t.recipient_id == owner_id and t.assignee_id == manager_id]
    assert moved
    with db.unit_of_work() as uow:
        assert uow.session is not None
        audited = [
            (int(entity_id), local_day(occurred_at))
            for entity_id, occurred_at in uow.session.execute(
                select(AuditEntry.entity_id, AuditEntry.occurred_at).where(
                    AuditEntry.entity_type == "reminder_task",
                    AuditEntry.entity_id.in_([str(t.id) for t in moved]),
                )
            )
        ]
        told = set(
            uow.session.scalars(
                select(Notification.subject_id).where(
                    Notification.user_id == manager_id, Notification.kind == "task.reassigned"
                )
            )
        )
    assert sorted(audited) == sorted((t.id, moved_day) for t in moved)
    assert {t.id for t in moved} <= told


def _nominal_days(tasks: list[Any]) -> dict[int, date]:
    """Each task's own day by the default rules (days before its date), to check the rolling."""
    days_before = {
        (DateKind.LEASE_END, 1): 30,
        (DateKind.LEASE_END, 2): 15,
        (DateKind.LEASE_END, 3): 7,
        (DateKind.RENEWAL_NOTICE, 1): 30,
        (DateKind.RENEWAL_NOTICE, 2): 7,
        (DateKind.RENT_REVIEW, 1): 30,
        (DateKind.DEPOSIT_RETURN, 1): 7,
    }
    return {t.id: t.critical_date - timedelta(days=days_before[(t.date_kind, t.tier)]) for t in tasks}
