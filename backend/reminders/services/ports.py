"""Storage ports of the reminders: what the engine reads, tasks, rules, entered dates, calendar feeds."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.core.services.ports import Lookup
from backend.reminders.domain.dates import DateKind


class ReminderTasks(Lookup, Protocol):
    """The engine's tasks, scoped by their lease's project."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of tasks within the scope and filters, and the total."""

    def labels(self, tasks: Sequence[Any]) -> dict[str, dict[int, Any]]:
        """Leases (number, project, customer) and people (names) the tasks name."""

    def open_due_days(self, user_id: int) -> list[tuple[int, date]]:
        """The project and due day of each of a user's open tasks."""

    def keys_from(self, project_ids: Collection[int] | None, first: date) -> set[tuple[Any, ...]]:
        """The (lease, date kind, date, tier, recipient) of every task about a date from `first` on."""

    def of_leases(self, lease_ids: Collection[int]) -> list[Any]:
        """Every task of the leases, oldest first."""

    def open_of_inactive(self, project_ids: Collection[int] | None) -> list[Any]:
        """Open tasks whose assignee was deactivated."""

    def open_on_closed_leases(
        self, project_ids: Collection[int] | None, closed: Collection[str]
    ) -> list[Any]:
        """Open tasks of leases that stopped being live (the deposit's excepted)."""

    def open_in(self, project_ids: Collection[int] | None) -> list[Any]:
        """Every open reminder task (of the projects)."""

    def stage_many(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Stage tasks; they get their ids at the next flush."""

    def add_many(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Stage tasks and give them their ids."""


class Reminders(Protocol):
    """What the engine reads about leases, and the rules, entered dates and calendar feeds."""

    def lease_terms(
        self,
        project_ids: Collection[int] | None,
        live: Collection[str],
        closed_since: date,
        lease_ids: Collection[int] | None = None,
    ) -> list[Any]:
        """Leases with dates still to remind of (or the leases named), plain columns."""

    def escalation_steps(
        self, project_ids: Collection[int] | None, lease_ids: Collection[int] | None = None
    ) -> list[Any]:
        """The escalation rule of every charge line in force that has one."""

    def tag_marks(self, lease_ids: Collection[int] | None, project_ids: Collection[int] | None) -> list[Any]:
        """Who set each traced tag of the leases, with their authority."""

    def renewal_successors(self, project_ids: Collection[int] | None) -> dict[int, tuple[int, str, str]]:
        """Each lease's renewal by the lease it renews: (id, number, status)."""

    def rules(self, template_ids: Collection[int] | None = None) -> list[Any]:
        """Stored rules (of some templates)."""

    def rule(self, template_id: int, kind: DateKind) -> Any | None:
        """A template's stored rule for a date kind."""

    def add_rule(self, **values: Any) -> Any:
        """Stage a rule."""

    def delete_rule(self, rule: Any) -> None:
        """Stage a rule's removal."""

    def manual_dates(
        self, project_ids: Collection[int] | None, lease_ids: Collection[int] | None = None
    ) -> list[Any]:
        """Dates entered by hand (for the projects, or the leases)."""

    def manual_date(self, entry_id: int) -> Any | None:
        """One entered date."""

    def add_manual_date(self, **values: Any) -> Any:
        """Stage an entered date."""

    def delete_manual_date(self, entry: Any) -> None:
        """Stage an entered date's removal."""

    def dated_leases(self, scope: Scope, first: date, live: Collection[str]) -> list[Any]:
        """Live leases of the scope with their dates' inputs."""

    def feed_of(self, user_id: int) -> Any | None:
        """A user's calendar feed."""

    def feed_by_digest(self, digest: str) -> Any | None:
        """The feed a token opens."""

    def replace_feed(self, user_id: int, digest: str, now: datetime) -> Any:
        """A new feed for the user; the old token stops working."""

    def drop_feed(self, user_id: int) -> int:
        """Revoke the user's feed."""
