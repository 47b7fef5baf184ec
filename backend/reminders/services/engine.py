"""The reminder engine: every day (02:00 in each project), every tier whose day has come is sent once.

Idempotent per (lease, date kind, date, tier, recipient): the task row written with each reminder is the proof
of sending, so a rerun sends nothing twice and a run after missed days catches up (those reminders are
marked late). Tiers are read from the lease's template (or the defaults) and roll back to the previous
business day of the project's calendar. The same pass escalates, cancels and reassigns open tasks, and
drafts the renewal of an auto-renewing lease at its notice date.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from backend.core.domain.access import ROLE_PERMISSIONS, Role
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction, Origin
from backend.core.domain.errors import N_, DomainError
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain.tags import is_no_renewal
from backend.leasing.services import calendars, leases, tags
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services.notifications import Lookups, notify
from backend.reminders.domain.dates import (
    DEFAULT_DEPOSIT_RETURN_DAYS,
    KIND_NAMES,
    CriticalDate,
    DateKind,
    LeaseTerms,
    Step,
    derived_dates,
    first_review_from,
    manual_date,
    termination_noticed,
)
from backend.reminders.domain.plan import MAX_ROLL_DAYS, LeaseState, Planned, Reason, blockers, plan
from backend.reminders.domain.rules import ACCOUNT_MANAGER, TaskKind, TaskState, reminded
from backend.reminders.services.rules import Book, book

LIVE = ("signed", "active", "expiring")
CLOSED = ("renewed", "terminated", "ended")
RUNNING = ("active", "expiring")  # a lease that can be renewed
AUTO_RENEWAL_TIER = 0
SUBJECT = "reminder_task"
# An ended lease keeps its deposit-return date this long after its end.
DEPOSIT_WINDOW_DAYS = 120


@dataclass
class RunReport:
    """What one run did, as the run log shows it."""

    projects: int = 0
    leases: int = 0
    due: int = 0
    sent: int = 0
    late: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    escalated: int = 0
    reassigned: int = 0
    cancelled: int = 0
    auto_renewals: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    today: dict[int, str] = field(default_factory=dict)

    def skip(self, reason: Reason) -> None:
        """Count a tier not sent, by why."""
        self.skipped[reason.value] = self.skipped.get(reason.value, 0) + 1

    def as_details(self) -> dict[str, Any]:
        """The run's figures for the job run's details."""
        days = sorted(set(self.today.values()))
        return {
            "today": days[0] if len(days) == 1 else days,
            "projects": self.projects,
            "leases": self.leases,
            "due": self.due,
            "sent": self.sent,
            "late": self.late,
            "skipped": dict(sorted(self.skipped.items())),
            "escalated": self.escalated,
            "reassigned": self.reassigned,
            "cancelled": self.cancelled,
            "auto_renewals": self.auto_renewals,
            "errors": self.errors[:200],
        }


@dataclass(frozen=True)
class Project:
    """A project as the engine sees it: its day and its calendar."""

    id: int
    region_id: int
    today: date
    is_working: Callable[[date], bool]


@dataclass
class People:
    """Who can receive a project's reminders: role holders and those who may see the project."""

    by_role: dict[str, list[int]]
    visible: set[int]
    approvers: list[int]


@dataclass
class Lease:
    """One lease's row and everything the engine decides from it."""

    row: Any
    terms: LeaseTerms
    manual: list[CriticalDate]
    state: LeaseState
    successor: tuple[int, str, str] | None

    @functools.cached_property
    def dates(self) -> list[CriticalDate]:
        """Every critical date of the lease: from its terms, and entered."""
        return derived_dates(self.terms) + self.manual

    def may_be_due(self, today: date, horizon_days: int) -> bool:
        """Whether any of its dates can have a tier due today (cheap: most leases have none)."""
        ends_on, notice = self.terms.ends_on, self.terms.notice_period_days or 0
        last = today + timedelta(days=horizon_days)
        if ends_on is None:
            return False
        if any(today <= d.on <= last for d in self.manual):
            return True
        reviews = (first_review_from(step, today) for step in self.terms.steps)
        if any(on is not None and on <= min(last, ends_on) for on in reviews):
            return True
        # The end's tiers, the notice date's (before the end) and the deposit's return (after it).
        first = today - timedelta(days=DEFAULT_DEPOSIT_RETURN_DAYS)
        return first <= ends_on <= last + timedelta(days=notice)


def project_today(now: datetime, timezone: str) -> date:
    """The business day in a project's time zone."""
    return now.astimezone(ZoneInfo(timezone)).date()


def projects_of(uow: UnitOfWork, now: datetime, project_id: int | None) -> list[Project]:
    """The projects a run covers, each with its own today and calendar."""
    zones = uow.projects.time_zones()
    chosen = [project_id] if project_id is not None else sorted(zones)
    found = []
    for pid in chosen:
        project = uow.projects.find(pid)
        if project is None:
            continue
        calendar = calendars.calendar_of(project.holiday_calendar)
        found.append(
            Project(
                project.id, project.region_id, project_today(now, project.timezone), calendar.is_working_day
            )
        )
    return found


def live_leases(
    uow: UnitOfWork,
    project_ids: Collection[int] | None,
    earliest: date,
    lease_ids: Collection[int] | None = None,
) -> list[Lease]:
    """The leases with dates to remind of, with their dates and state, from a handful of statements."""
    closed_since = earliest - timedelta(days=DEPOSIT_WINDOW_DAYS)
    rows = uow.reminders.lease_terms(project_ids, LIVE, closed_since, lease_ids)
    steps: dict[int, list[Step]] = {}
    for lease_id, anchor, every, until in uow.reminders.escalation_steps(project_ids, lease_ids):
        if anchor is not None:
            steps.setdefault(lease_id, []).append(Step(anchor, int(every), until))
    manual: dict[int, list[CriticalDate]] = {}
    for entry in uow.reminders.manual_dates(project_ids, lease_ids):
        manual.setdefault(entry.lease_id, []).append(
            manual_date(entry.lease_id, entry.kind, entry.on, entry.label, entry.id)
        )
    authority: dict[tuple[int, str], Any] = {
        (mark.lease_id, mark.tag): mark for mark in uow.reminders.tag_marks(lease_ids, project_ids)
    }
    successors = uow.reminders.renewal_successors(project_ids)
    found = []
    for row in rows:
        ends_on = row.closed_on if row.status == "terminated" and row.closed_on else row.ends_on
        terms = LeaseTerms(
            row.id,
            row.starts_on,
            ends_on,
            row.notice_period_days,
            row.deposit_amount,
            tuple(steps.get(row.id, ())),
        )
        state = _state(row, authority, successors.get(row.id))
        found.append(Lease(row, terms, manual.get(row.id, []), state, successors.get(row.id)))
    return found


def _state(
    row: Any, authority: Mapping[tuple[int, str], Any], successor: tuple[int, str, str] | None
) -> LeaseState:
    silencing = None
    by = None
    for tag in row.tags or []:
        mark = authority.get((row.id, tag))
        if is_no_renewal(tag) and mark is not None and mark.authorised:
            silencing, by = tag, mark.confirmed_by_id or mark.set_by_id
            break
    status = str(row.status)
    renewed = status == "renewed" or (
        successor is not None and successor[2] in ("signed", "active", "expiring")
    )
    return LeaseState(status, status in LIVE, renewed, silencing, str(by) if by is not None else None)


class Staff:
    """Every active user's role assignments, read once per run, answering per project who holds what."""

    def __init__(self, assignments: Iterable[Any]) -> None:
        # Indexed by what an assignment reaches: ("project", id), ("region", id), or everything.
        self._by_reach: dict[tuple[str, int | None], list[tuple[int, Role]]] = {}
        for row in assignments:
            if row.project_id is not None:
                reach = ("project", row.project_id)
            elif row.region_id is not None:
                reach = ("region", row.region_id)
            else:
                reach = ("everything", None)
            self._by_reach.setdefault(reach, []).append((row.user_id, Role(row.role)))

    def of(self, project_id: int, region_id: int) -> People:
        """A project's possible recipients: role holders over it, and everyone who may see it."""
        by_role: dict[str, list[int]] = {}
        visible: set[int] = set()
        reaching = [("project", project_id), ("region", region_id), ("everything", None)]
        for user_id, role in (held for reach in reaching for held in self._by_reach.get(reach, [])):
            holders = by_role.setdefault(role.value, [])
            if user_id not in holders:
                holders.append(user_id)
            if P.PROJECT_READ in ROLE_PERMISSIONS[role]:
                visible.add(user_id)
        approvers = (
            by_role.get("project_manager") or by_role.get("regional_manager") or by_role.get("director")
        )
        return People(
            {role: sorted(ids) for role, ids in by_role.items()},
            visible,
            sorted(u for u in approvers or [] if u in visible),
        )


def people_of(uow: UnitOfWork, project_id: int, region_id: int) -> People:
    """One project's possible recipients."""
    return Staff(uow.users.assignments()).of(project_id, region_id)


def recipients(roles: Iterable[str], lease_row: Any, people: People) -> list[int]:
    """The active users a tier names for one lease, among those who may see its project."""
    found: list[int] = []
    for role in roles:
        if role == ACCOUNT_MANAGER:
            ids = [lease_row.account_manager_id] if lease_row.account_manager_id else []
        else:
            ids = people.by_role.get(role, [])
        found += [i for i in ids if i in people.visible and i not in found]
    return found


def run(
    uow: UnitOfWork,
    now: datetime,
    project_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    run_id: int | None = None,
) -> RunReport:
    """One engine run over every project (or one): send what is due, escalate, cancel, reassign, renew.

    What it reads comes in a few statements for the whole run; each project's sending is then its own
    transaction, so a failure in one never holds back the others' reminders.
    """
    report = RunReport()
    projects = projects_of(uow, now, project_id)
    if not projects:
        return report
    scope = [project_id] if project_id is not None else None
    rules = book(uow)
    horizon = rules.horizon_days() + MAX_ROLL_DAYS
    earliest = min(p.today for p in projects)
    by_project: dict[int, list[Lease]] = {}
    for lease in live_leases(uow, scope, earliest):
        by_project.setdefault(lease.row.project_id, []).append(lease)
    sending = Sending(
        uow.reminder_tasks.keys_from(scope, earliest - timedelta(days=DEPOSIT_WINDOW_DAYS)),
        _open_by_date(uow.reminder_tasks.open_in(scope)),
    )
    staff = Staff(uow.users.assignments())
    actor = Actor.system(Origin.JOB, "reminders")
    for index, project in enumerate(projects, 1):
        report.today[project.id] = project.today.isoformat()
        items = by_project.get(project.id, [])
        report.leases += len(items)
        people = staff.of(project.id, project.region_id)
        for lease in items:
            if lease.may_be_due(project.today, horizon):
                _handle(uow, lease, project, people, rules, horizon, sending, actor, now, report, run_id)
        report.cancelled += _cancel_moved(items, sending)
        sending.flush(uow, project.id, now)
        uow.commit()
        report.projects += 1
        if progress is not None:
            progress(index, len(projects))
    report.cancelled += _cancel_closed(uow, scope)
    report.reassigned += reassign_orphans(uow, scope, actor, now)
    uow.commit()
    return report


def _handle(
    uow: UnitOfWork,
    lease: Lease,
    project: Project,
    people: People,
    rules: Book,
    horizon: int,
    sending: Sending,
    actor: Actor,
    now: datetime,
    report: RunReport,
    run_id: int | None,
) -> None:
    """One lease: its reminders due today, and its automatic renewal when it reached the notice date."""
    _remind(uow, lease, project, people, rules, horizon, sending, now, report, run_id)
    if _renews_today(lease, project.today):
        try:
            with uow.nested():
                _auto_renew(uow, lease, project, people, sending.sent, actor, now, report, run_id)
        except DomainError as exc:
            report.errors.append({"lease": lease.row.number, "message": str(exc)})


def due_tiers(lease: Lease, project: Project, rules: Book, horizon_days: int) -> list[Planned]:
    """The tiers of a lease's reminded dates that are due today (a date further off than any tier reaches,
    or already past, has none)."""
    today, found = project.today, []
    last = today + timedelta(days=horizon_days)
    for critical in lease.dates:
        if reminded(critical.kind) and today <= critical.on <= last:
            tiers = plan(critical, rules.tiers(lease.row.template_id, critical.kind), project.is_working)
            found += [planned for planned in tiers if planned.is_due(today)]
    return found


@dataclass
class Sending:
    """What one run keeps while it goes: the keys sent, the open tasks by date, people's names, the
    notifications to stage once the project's new tasks have their ids, and what staging reads."""

    sent: set[tuple[Any, ...]]
    open_by_date: dict[tuple[Any, ...], list[Any]]
    names: dict[int, str] = field(default_factory=dict)
    pending: list[tuple[Any, dict[str, Any], tuple[str, ...], bool, People]] = field(default_factory=list)
    lookups: Lookups = field(default_factory=Lookups)

    @functools.cached_property
    def open_dates_of(self) -> dict[int, list[tuple[Any, ...]]]:
        """The dates each lease had open tasks about when the run began."""
        found: dict[int, list[tuple[Any, ...]]] = {}
        for key in list(self.open_by_date):
            found.setdefault(key[0], []).append(key)
        return found

    def name_of(self, uow: UnitOfWork, user_ids: Collection[int]) -> str:
        """The names of some users, read once per run."""
        missing = [u for u in user_ids if u not in self.names]
        if missing:
            for uid, row in uow.users.people(missing).items():
                self.names[uid] = row.display_name or row.username
        return ", ".join(sorted(self.names.get(u, str(u)) for u in user_ids))

    def flush(self, uow: UnitOfWork, project_id: int, now: datetime) -> None:
        """Give the new tasks their ids and stage each one's notification (one write for the project)."""
        if not self.pending:
            return
        uow.flush()
        for task, params, channels, shared, people in self.pending:
            notify(
                uow,
                [task.assignee_id],
                NotificationKind.REMINDER_DUE,
                params,
                project_id=project_id,
                subject=(SUBJECT, task.id),
                now=now,
                channels=channels,
                shared=shared,
                visible=people.visible,
                lookups=self.lookups,
            )
        self.pending.clear()


def _remind(
    uow: UnitOfWork,
    lease: Lease,
    project: Project,
    people: People,
    rules: Book,
    horizon: int,
    sending: Sending,
    now: datetime,
    report: RunReport,
    run_id: int | None,
) -> None:
    today, sent = project.today, sending.sent
    for planned in due_tiers(lease, project, rules, horizon):
        report.due += 1
        stopped = blockers(planned.critical.kind, lease.state)
        if stopped:
            report.skip(stopped[0])
            continue
        names = recipients(planned.tier.roles, lease.row, people)
        if not names:
            report.skip(Reason.NO_RECIPIENT)
            continue
        key = (lease.row.id, planned.critical.kind, planned.critical.on, planned.tier.number)
        fresh = [user_id for user_id in names if (*key, user_id) not in sent]
        if not fresh:
            continue
        first_firing = not any((*key, user_id) in sent for user_id in names)
        late = planned.fire_on < today
        tasks = uow.reminder_tasks.stage_many(
            [
                {
                    "kind": TaskKind.REMINDER,
                    "lease_id": lease.row.id,
                    "project_id": project.id,
                    "date_kind": planned.critical.kind,
                    "critical_date": planned.critical.on,
                    "tier": planned.tier.number,
                    "tier_count": planned.tier_count,
                    "recipient_id": user_id,
                    "assignee_id": user_id,
                    "fire_on": planned.fire_on,
                    "due_on": planned.due_on,
                    "sent_at": now,
                    "late": late,
                    "ack_required": planned.tier.ack_required,
                    "state": TaskState.OPEN,
                    "run_id": run_id,
                }
                for user_id in fresh
            ]
        )
        opened = sending.open_by_date.setdefault(key[:3], [])
        escalated = escalate(opened, planned, now)
        opened += tasks
        report.escalated += len(escalated)
        previous = sending.name_of(uow, {t.assignee_id for t in escalated}) if escalated else ""
        params = _params(lease, planned, today, late, previous)
        for position, task in enumerate(tasks):
            sending.pending.append(
                (task, params, planned.tier.channels, first_firing and position == 0, people)
            )
            sent.add((*key, task.recipient_id))
        report.sent += len(tasks)
        if late:
            report.late += len(tasks)


def escalate(opened: list[Any], planned: Planned, now: datetime) -> list[Any]:
    """Open tasks of the date's earlier tiers pass to this tier's recipients: they are closed as escalated,
    and this tier's message says whose task it takes over."""
    found = [t for t in opened if t.state is TaskState.OPEN and 0 < t.tier < planned.tier.number]
    for task in found:
        task.state = TaskState.ESCALATED
        task.escalated_at = now
        task.closed_reason = f"tier {planned.tier.number}"
    return found


def _open_by_date(tasks: Iterable[Any]) -> dict[tuple[Any, ...], list[Any]]:
    """Open reminder tasks by (lease, date kind, date): what a later tier of the same date takes over."""
    found: dict[tuple[Any, ...], list[Any]] = {}
    for task in tasks:
        found.setdefault((task.lease_id, task.date_kind, task.critical_date), []).append(task)
    return found


def _params(lease: Lease, planned: Planned, today: date, late: bool, previous: str) -> dict[str, Any]:
    """A reminder's parameters: the date kind and the late and escalation notes translated per reader."""
    return {
        "kind": {"message": KIND_NAMES[planned.critical.kind]},
        "lease": lease.row.number,
        "customer": lease.row.customer_name or "—",
        "date": planned.critical.on.isoformat(),
        "days": (planned.critical.on - today).days,
        "tier": planned.tier.number,
        "tiers": planned.tier_count,
        "late": {"message": LATE_NOTE, "params": {"day": planned.fire_on.isoformat()}} if late else "",
        "escalated": {"message": ESCALATED_NOTE, "params": {"previous": previous}} if previous else "",
    }


LATE_NOTE = N_(" (sent late: it was due on %(day)s)")
ESCALATED_NOTE = N_("; unacknowledged by %(previous)s, it is now yours")


def notice_day(lease: Lease) -> date | None:
    """The day an automatic renewal is drafted: the notice date, or the end when there is no notice period."""
    notice = next((d for d in lease.dates if d.kind is DateKind.RENEWAL_NOTICE), None)
    return notice.on if notice is not None else lease.terms.ends_on


def _renews_today(lease: Lease, today: date) -> bool:
    """Whether an auto-renewing lease reached its notice date without a termination notice or a renewal."""
    row, notice_on = lease.row, notice_day(lease)
    if not row.auto_renew or lease.state.status not in RUNNING or lease.state.renewed or lease.successor:
        return False
    if lease.state.silencing_tag is not None or lease.terms.ends_on is None or notice_on is None:
        return False
    return notice_on <= today <= lease.terms.ends_on and not termination_noticed(lease.dates, today)


def _auto_renew(
    uow: UnitOfWork,
    lease: Lease,
    project: Project,
    people: People,
    sent: set[tuple[Any, ...]],
    actor: Actor,
    now: datetime,
    report: RunReport,
    run_id: int | None,
) -> None:
    """Draft the renewal (through the same use case a person calls; its commit is only a flush here) and
    give the project's approvers a task to check and sign it: nothing is signed by the engine."""
    row, today = lease.row, project.today
    notice_on = notice_day(lease)
    assert notice_on is not None
    assert lease.terms.ends_on is not None
    approvers = people.approvers
    if not approvers:
        report.skip(Reason.NO_RECIPIENT)
        return
    renewal = leases.renew_lease(row.id, {}, actor, uow)
    tags.copy_marks(uow, row.id, renewal)
    tasks = uow.reminder_tasks.add_many(
        [
            {
                "kind": TaskKind.AUTO_RENEWAL,
                "lease_id": row.id,
                "project_id": project.id,
                "date_kind": DateKind.RENEWAL_NOTICE,
                "critical_date": notice_on,
                "tier": AUTO_RENEWAL_TIER,
                "tier_count": 0,
                "recipient_id": user_id,
                "assignee_id": user_id,
                "fire_on": notice_on,
                "due_on": lease.terms.ends_on,
                "sent_at": now,
                "late": notice_on < today,
                "ack_required": False,
                "state": TaskState.OPEN,
                "renewal_lease_id": renewal.id,
                "run_id": run_id,
            }
            for user_id in approvers
        ]
    )
    for task in tasks:
        notify(
            uow,
            [task.assignee_id],
            NotificationKind.RENEWAL_DRAFTED,
            {"lease": row.number, "renewal": renewal.number, "date": notice_on.isoformat()},
            project_id=project.id,
            subject=(SUBJECT, task.id),
            now=now,
        )
        sent.add((row.id, DateKind.RENEWAL_NOTICE, notice_on, AUTO_RENEWAL_TIER, task.recipient_id))
    lease.successor = (renewal.id, renewal.number, "draft")
    report.auto_renewals += 1


def _cancel_moved(items: Iterable[Lease], sending: Sending) -> int:
    """Open reminders about a date a lease no longer has (an amendment moved its end, a review or an
    entered date went away) are closed: the new date gets its own."""
    cancelled = 0
    for lease in items:
        for key in sending.open_dates_of.get(lease.row.id, []):
            _lease_id, kind, on = key
            if any(d.kind is kind and d.on == on for d in lease.dates):
                continue
            cancelled += _cancel_open(sending.open_by_date[key])
    return cancelled


def _cancel_open(tasks: Iterable[Any]) -> int:
    cancelled = 0
    for task in tasks:
        if task.state is TaskState.OPEN:
            task.state = TaskState.CANCELLED
            task.closed_reason = "date changed"
            cancelled += 1
    return cancelled


def _cancel_closed(uow: UnitOfWork, project_ids: Collection[int] | None) -> int:
    """Open reminders of leases renewed, terminated or ended are closed: nothing is left to act on (the
    deposit's return outlives the lease, and an automatic renewal's task waits for its signature)."""
    found = [
        task
        for task in uow.reminder_tasks.open_on_closed_leases(project_ids, CLOSED)
        if task.kind is TaskKind.REMINDER
    ]
    for task in found:
        task.state = TaskState.CANCELLED
        task.closed_reason = "lease closed"
    return len(found)


def reassign_orphans(
    uow: UnitOfWork, project_ids: Collection[int] | None, actor: Actor, now: datetime
) -> int:
    """A deactivated person's open tasks move to their manager (when active), each move audited and the
    manager told. Returns how many moved; a task whose owner has no active manager stays and is counted in
    the explanation."""
    moved = 0
    orphans = uow.reminder_tasks.open_of_inactive(project_ids)
    if not orphans:
        return 0
    owners = uow.users.people({t.assignee_id for t in orphans})
    managers = uow.users.people({o.manager_id for o in owners.values() if o.manager_id})
    for task in orphans:
        owner = owners.get(task.assignee_id)
        manager = managers.get(owner.manager_id) if owner is not None and owner.manager_id else None
        if manager is None or not manager.is_active:
            continue
        previous = owner.display_name or owner.username if owner is not None else "—"
        hand_over(uow, task, manager.id, previous, {"message": DEACTIVATED_NOTE}, actor, now)
        moved += 1
    return moved


DEACTIVATED_NOTE = N_("their account was deactivated")


def hand_over(
    uow: UnitOfWork,
    task: Any,
    assignee_id: int,
    previous: str,
    reason: str | dict[str, Any],
    actor: Actor,
    now: datetime,
) -> None:
    """Give an open task to someone else: audited (with the reason), and the new owner is told."""
    before = task.assignee_id
    task.assignee_id = assignee_id
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "reminder_task",
        task.id,
        before={"assignee_id": before},
        after={
            "assignee_id": assignee_id,
            "reason": reason if isinstance(reason, str) else reason["message"],
        },
        project_id=task.project_id,
    )
    notify(
        uow,
        [assignee_id],
        NotificationKind.TASK_REASSIGNED,
        {
            "lease": _lease_number(uow, task.lease_id),
            "kind": {"message": KIND_NAMES[task.date_kind]},
            "date": task.critical_date.isoformat(),
            "previous": previous,
            "reason": reason,
        },
        project_id=task.project_id,
        subject=(SUBJECT, task.id),
        now=now,
    )


def _lease_number(uow: UnitOfWork, lease_id: int) -> str:
    lease = uow.leases.find(lease_id)
    return lease.number if lease is not None else str(lease_id)
