"""Reminders in SQL: what the engine reads in a few statements per run, tasks, rules, dates, feeds."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from backend.core.db.models import User
from backend.core.db.repositories import IN_CHUNK, Repository, equals, one_of
from backend.core.db.scoping import in_projects
from backend.core.domain.access import Scope
from backend.leasing.db.models import ChargeLine, ContractTemplate, Lease, LeaseTagMark
from backend.org.db.models import Customer, Project
from backend.reminders.db.models import CalendarFeed, CriticalDateEntry, ReminderRule, ReminderTask
from backend.reminders.domain.dates import DateKind
from backend.reminders.domain.rules import TaskState


def _overdue(days: Sequence[tuple[str, date]]) -> ColumnElement[bool]:
    """Open tasks past their due day in their project's time zone: (zone, that zone's today) pairs."""
    return and_(
        ReminderTask.state == TaskState.OPEN,
        or_(
            false(),
            *(
                and_(
                    ReminderTask.project_id.in_(select(Project.id).where(Project.timezone == zone)),
                    ReminderTask.due_on < today,
                )
                for zone, today in days
            ),
        ),
    )


class ReminderTaskRepository(Repository[ReminderTask]):
    """The engine's tasks, scoped by their lease's project."""

    model = ReminderTask
    entity_name = "Task"
    filters = {
        "state": one_of(ReminderTask.state),
        "lease_id": equals(ReminderTask.lease_id),
        "assignee_id": equals(ReminderTask.assignee_id),
        "project_id": equals(ReminderTask.project_id),
        "date_kind": one_of(ReminderTask.date_kind),
        "overdue_on": _overdue,
    }
    sortable = {
        "due_on": ReminderTask.due_on,
        "critical_date": ReminderTask.critical_date,
        "sent_at": ReminderTask.sent_at,
        "id": ReminderTask.id,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(ReminderTask.project_id, scope)

    def labels(self, tasks: Sequence[ReminderTask]) -> dict[str, dict[int, Any]]:
        """What a list of tasks shows beside its own columns: leases, projects, customers, people."""
        lease_ids = {t.lease_id for t in tasks} | {t.renewal_lease_id for t in tasks if t.renewal_lease_id}
        user_ids = {t.assignee_id for t in tasks} | {t.recipient_id for t in tasks}
        user_ids |= {t.acknowledged_by_id for t in tasks if t.acknowledged_by_id}
        leases: dict[int, Any] = {}
        for chunk in _chunks(lease_ids):
            statement = (
                select(
                    Lease.id,
                    Lease.number,
                    Project.name.label("project_name"),
                    Customer.name.label("customer"),
                )
                .join(Project, Project.id == Lease.project_id)
                .outerjoin(Customer, Customer.id == Lease.customer_id)
                .where(Lease.id.in_(chunk))
            )
            leases.update((row.id, row) for row in self.session.execute(statement))
        users: dict[int, Any] = {}
        for chunk in _chunks(user_ids):
            names = select(User.id, User.username, User.display_name).where(User.id.in_(chunk))
            users.update((row.id, row) for row in self.session.execute(names))
        return {"leases": leases, "users": users}

    def open_due_days(self, user_id: int) -> list[tuple[int, date]]:
        """The project and due day of each of a user's open tasks."""
        statement = select(ReminderTask.project_id, ReminderTask.due_on).where(
            ReminderTask.assignee_id == user_id, ReminderTask.state == TaskState.OPEN
        )
        return [(row[0], row[1]) for row in self.session.execute(statement)]

    def keys_from(self, project_ids: Collection[int] | None, first: date) -> set[tuple[Any, ...]]:
        """The (lease, date kind, date, tier, recipient) of every task about a date from `first` on: what
        the engine has sent already."""
        statement = select(
            ReminderTask.lease_id,
            ReminderTask.date_kind,
            ReminderTask.critical_date,
            ReminderTask.tier,
            ReminderTask.recipient_id,
        ).where(ReminderTask.critical_date >= first)
        if project_ids is not None:
            statement = statement.where(ReminderTask.project_id.in_(sorted(project_ids)))
        return {tuple(row) for row in self.session.execute(statement)}

    def of_leases(self, lease_ids: Collection[int]) -> list[ReminderTask]:
        """Every task of the leases, oldest first."""
        found: list[ReminderTask] = []
        for chunk in _chunks(lease_ids):
            statement = select(ReminderTask).where(ReminderTask.lease_id.in_(chunk))
            found += self.session.scalars(statement.order_by(ReminderTask.id))
        return found

    def open_of_inactive(self, project_ids: Collection[int] | None) -> list[ReminderTask]:
        """Open tasks whose assignee was deactivated."""
        statement = (
            select(ReminderTask)
            .join(User, User.id == ReminderTask.assignee_id)
            .where(ReminderTask.state == TaskState.OPEN, User.is_active.is_(False))
        )
        if project_ids is not None:
            statement = statement.where(ReminderTask.project_id.in_(sorted(project_ids)))
        return list(self.session.scalars(statement.order_by(ReminderTask.id)))

    def open_on_closed_leases(
        self, project_ids: Collection[int] | None, closed: Collection[str]
    ) -> list[ReminderTask]:
        """Open tasks of leases that stopped being live (not the deposit's, which outlives the lease)."""
        statement = (
            select(ReminderTask)
            .join(Lease, Lease.id == ReminderTask.lease_id)
            .where(
                ReminderTask.state == TaskState.OPEN,
                Lease.status.in_(sorted(closed)),
                ReminderTask.date_kind != DateKind.DEPOSIT_RETURN,
            )
        )
        if project_ids is not None:
            statement = statement.where(ReminderTask.project_id.in_(sorted(project_ids)))
        return list(self.session.scalars(statement))

    def open_in(self, project_ids: Collection[int] | None) -> list[ReminderTask]:
        """Every open reminder task (of the projects)."""
        statement = select(ReminderTask).where(ReminderTask.state == TaskState.OPEN, ReminderTask.tier > 0)
        if project_ids is not None:
            statement = statement.where(ReminderTask.project_id.in_(sorted(project_ids)))
        return list(self.session.scalars(statement))

    def stage_many(self, rows: Sequence[Mapping[str, Any]]) -> list[ReminderTask]:
        """Stage tasks; they get their ids at the next flush."""
        tasks = [ReminderTask(**row) for row in rows]
        self.session.add_all(tasks)
        return tasks

    def add_many(self, rows: Sequence[Mapping[str, Any]]) -> list[ReminderTask]:
        """Stage tasks and give them their ids."""
        tasks = [ReminderTask(**row) for row in rows]
        self.session.add_all(tasks)
        self.session.flush()
        return tasks


class ReminderRepository:
    """What one engine run reads about leases, and the rules, dates and feeds of the reminders."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- what the engine reads, in one statement each ---

    def lease_terms(
        self,
        project_ids: Collection[int] | None,
        live: Collection[str],
        closed_since: date,
        lease_ids: Collection[int] | None = None,
    ) -> list[Any]:
        """Leases with dates still to remind of: live ones, and ended or terminated ones closed since
        `closed_since` (their deposit comes back after the end); or the leases named, whatever their
        status. One row each, plain columns."""
        notice = func.coalesce(Lease.notice_period_days, ContractTemplate.notice_period_days)
        statement = (
            select(
                Lease.id,
                Lease.number,
                Lease.project_id,
                Lease.template_id,
                Lease.status,
                Lease.starts_on,
                Lease.ends_on,
                Lease.closed_on,
                notice.label("notice_period_days"),
                Lease.deposit_amount,
                Lease.auto_renew,
                Lease.account_manager_id,
                Lease.tags,
                Customer.name.label("customer_name"),
            )
            .join(ContractTemplate, ContractTemplate.id == Lease.template_id)
            .outerjoin(Customer, Customer.id == Lease.customer_id)
            .where(Lease.ends_on.isnot(None))
        )
        if lease_ids is not None:
            statement = statement.where(Lease.id.in_(sorted(lease_ids)))
        else:
            statement = statement.where(
                or_(
                    Lease.status.in_(sorted(live)),
                    and_(
                        Lease.status.in_(["ended", "terminated"]),
                        func.coalesce(Lease.closed_on, Lease.ends_on) >= closed_since,
                    ),
                )
            )
        if project_ids is not None:
            statement = statement.where(Lease.project_id.in_(sorted(project_ids)))
        return list(self.session.execute(statement.order_by(Lease.id)))

    def escalation_steps(
        self, project_ids: Collection[int] | None, lease_ids: Collection[int] | None = None
    ) -> list[Any]:
        """The escalation rule of every charge line in force that has one."""
        statement = (
            select(
                ChargeLine.lease_id,
                func.coalesce(ChargeLine.escalation_anchor, ChargeLine.starts_on, Lease.starts_on).label(
                    "anchor"
                ),
                ChargeLine.escalation_every_months,
                ChargeLine.ends_on,
            )
            .join(Lease, Lease.id == ChargeLine.lease_id)
            .where(
                ChargeLine.replaced_by_amendment_id.is_(None),
                ChargeLine.escalation_kind.isnot(None),
                ChargeLine.escalation_every_months.isnot(None),
            )
        )
        if lease_ids is not None:
            statement = statement.where(ChargeLine.lease_id.in_(sorted(lease_ids)))
        if project_ids is not None:
            statement = statement.where(Lease.project_id.in_(sorted(project_ids)))
        return list(self.session.execute(statement))

    def tag_marks(self, lease_ids: Collection[int] | None, project_ids: Collection[int] | None) -> list[Any]:
        """Who set each traced tag of the leases (of the projects), with their authority."""
        statement = select(LeaseTagMark)
        if project_ids is not None:
            statement = statement.join(Lease, Lease.id == LeaseTagMark.lease_id).where(
                Lease.project_id.in_(sorted(project_ids))
            )
        if lease_ids is not None:
            statement = statement.where(LeaseTagMark.lease_id.in_(sorted(lease_ids)))
        return list(self.session.scalars(statement))

    def renewal_successors(self, project_ids: Collection[int] | None) -> dict[int, tuple[int, str, str]]:
        """Each lease's renewal (drafted or signed) by the lease it renews: (id, number, status)."""
        statement = select(Lease.renewed_from_id, Lease.id, Lease.number, Lease.status).where(
            Lease.renewed_from_id.isnot(None)
        )
        if project_ids is not None:
            statement = statement.where(Lease.project_id.in_(sorted(project_ids)))
        found: dict[int, tuple[int, str, str]] = {}
        for source, lease_id, number, status in self.session.execute(statement.order_by(Lease.id)):
            if source is not None:
                found[source] = (lease_id, number, str(status))
        return found

    # --- rules ---

    def rules(self, template_ids: Collection[int] | None = None) -> list[ReminderRule]:
        """Stored rules (of some templates)."""
        statement = select(ReminderRule)
        if template_ids is not None:
            statement = statement.where(ReminderRule.template_id.in_(sorted(template_ids)))
        return list(self.session.scalars(statement.order_by(ReminderRule.template_id, ReminderRule.id)))

    def rule(self, template_id: int, kind: DateKind) -> ReminderRule | None:
        """A template's stored rule for a date kind."""
        statement = select(ReminderRule).where(
            ReminderRule.template_id == template_id, ReminderRule.date_kind == kind
        )
        return self.session.scalars(statement).first()

    def add_rule(self, **values: Any) -> ReminderRule:
        """Stage a rule."""
        rule = ReminderRule(**values)
        self.session.add(rule)
        return rule

    def delete_rule(self, rule: ReminderRule) -> None:
        """Stage a rule's removal."""
        self.session.delete(rule)

    # --- manual critical dates ---

    def manual_dates(
        self, project_ids: Collection[int] | None, lease_ids: Collection[int] | None = None
    ) -> list[CriticalDateEntry]:
        """Dates entered by hand (for the projects, or for the leases)."""
        statement = select(CriticalDateEntry)
        if project_ids is not None:
            statement = statement.join(Lease, Lease.id == CriticalDateEntry.lease_id).where(
                Lease.project_id.in_(sorted(project_ids))
            )
        if lease_ids is not None:
            statement = statement.where(CriticalDateEntry.lease_id.in_(sorted(lease_ids)))
        return list(self.session.scalars(statement.order_by(CriticalDateEntry.on, CriticalDateEntry.id)))

    def manual_date(self, entry_id: int) -> CriticalDateEntry | None:
        """One entered date."""
        return self.session.get(CriticalDateEntry, entry_id)

    def add_manual_date(self, **values: Any) -> CriticalDateEntry:
        """Stage an entered date."""
        entry = CriticalDateEntry(**values)
        self.session.add(entry)
        return entry

    def delete_manual_date(self, entry: CriticalDateEntry) -> None:
        """Stage an entered date's removal."""
        self.session.delete(entry)

    def dated_leases(self, scope: Scope, first: date, live: Collection[str]) -> list[Any]:
        """Live leases of the scope with their dates' inputs, for listings and feeds."""
        notice = func.coalesce(Lease.notice_period_days, ContractTemplate.notice_period_days)
        statement = (
            select(
                Lease.id,
                Lease.number,
                Lease.project_id,
                Lease.starts_on,
                Lease.ends_on,
                Lease.closed_on,
                notice.label("notice_period_days"),
                Lease.deposit_amount,
                Project.name.label("project_name"),
            )
            .join(ContractTemplate, ContractTemplate.id == Lease.template_id)
            .join(Project, Project.id == Lease.project_id)
            .where(
                in_projects(Lease.project_id, scope), Lease.status.in_(sorted(live)), Lease.ends_on >= first
            )
        )
        return list(self.session.execute(statement.order_by(Lease.number)))

    # --- calendar feeds ---

    def feed_of(self, user_id: int) -> CalendarFeed | None:
        """A user's calendar feed."""
        return self.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user_id)).first()

    def feed_by_digest(self, digest: str) -> CalendarFeed | None:
        """The feed a token opens."""
        return self.session.scalars(select(CalendarFeed).where(CalendarFeed.token_digest == digest)).first()

    def replace_feed(self, user_id: int, digest: str, now: datetime) -> CalendarFeed:
        """A new feed for the user; the old token stops working."""
        self.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
        feed = CalendarFeed(user_id=user_id, token_digest=digest, created_at=now)
        self.session.add(feed)
        return feed

    def drop_feed(self, user_id: int) -> int:
        """Revoke the user's feed; how many were revoked."""
        result = self.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
        return int(getattr(result, "rowcount", 0) or 0)


def _chunks(values: Collection[Any]) -> list[list[Any]]:
    ordered = sorted(values)
    return [ordered[start : start + IN_CHUNK] for start in range(0, len(ordered), IN_CHUNK)]
