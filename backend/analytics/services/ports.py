"""Storage port of analytics: the KPI families' sums and rows, snapshots and report runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from backend.analytics.domain.periods import Window
from backend.analytics.domain.sums import Family, Policy
from backend.core.domain.access import Scope


class Portfolio(Protocol):
    """The portfolio as the KPIs read it, per project and customer tier."""

    def sums(
        self,
        family: Family,
        columns: Sequence[str],
        window: Window,
        policy: Policy,
        scope: Scope,
        filters: Mapping[str, Any],
    ) -> dict[tuple[int, str], dict[str, Decimal]]:
        """Each column of a family summed per (project, customer tier)."""

    def rows(
        self,
        family: Family,
        columns: Sequence[str],
        window: Window,
        policy: Policy,
        scope: Scope,
        filters: Mapping[str, Any],
        tier: str | None = None,
    ) -> list[dict[str, Any]]:
        """The family's rows contributing to any of the columns."""

    def expiries_by_month(
        self, first: date, last: date, scope: Scope, filters: Mapping[str, Any]
    ) -> list[tuple[int, date, int]]:
        """(lease id, end date, units) of signed leases ending between two days."""

    def vacating(
        self, as_of: date, until: date, scope: Scope, filters: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """Leases in force expected to end after a day and by another."""

    def projects(self, scope: Scope, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The projects in the scope and filters with their grouping attributes."""

    def snapshot_versions(
        self, periods: Sequence[str], scope: Scope, filters: Mapping[str, Any]
    ) -> tuple[
        dict[str, dict[tuple[int, str], dict[str, Decimal]]],
        dict[str, dict[tuple[int, str], dict[str, Decimal]]],
    ]:
        """Per period, each project and tier's snapshot sums as first reported and as last restated."""

    def snapshots(
        self, periods: Sequence[str], scope: Scope, filters: Mapping[str, Any], first_version: bool
    ) -> dict[str, dict[tuple[int, str], dict[str, Decimal]]]:
        """Per period, each project and tier's snapshot sums (first or latest version)."""

    def snapshotted_periods(self, project_id: int) -> dict[str, int]:
        """The periods a project has snapshots of, with their latest version."""

    def add_snapshot(
        self,
        period: str,
        project_id: int,
        tier: str,
        version: int,
        as_of: date,
        sums: Mapping[str, Decimal],
        now: datetime,
    ) -> None:
        """Record a project's sums for a month."""

    def replace_live_cells(
        self,
        period: str,
        as_of: date,
        policy: str,
        cells: Mapping[tuple[int, str], Mapping[str, Decimal]],
        now: datetime,
    ) -> None:
        """Keep these as the running month's sums."""

    def live_cells(
        self,
        period: str,
        as_of: date,
        policy: str,
        not_before: datetime,
        scope: Scope,
        filters: Mapping[str, Any],
    ) -> tuple[dict[tuple[int, str], dict[str, Decimal]], datetime] | None:
        """The refreshed sums of the running month, when fresh enough."""

    def add_report(self, **values: Any) -> Any:
        """A report run, queued."""

    def report(self, report_id: int) -> Any | None:
        """One report run by id."""

    def reports_of(self, user_id: int, limit: int) -> list[Any]:
        """A user's report runs, newest first."""

    def claim_report(self, now: datetime) -> int | None:
        """Take the oldest queued report for generating."""

    def set_report_progress(self, report_id: int, done: int, total: int) -> None:
        """Record how many regions of a report are done."""

    def finish_report(self, report_id: int, state: Any, now: datetime, **values: Any) -> None:
        """Mark a report done or failed."""

    def report_of_period(self, user_id: int, period: str) -> Any | None:
        """A user's latest report for a period."""
