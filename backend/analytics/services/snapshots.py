"""Monthly snapshots: each closed month's sums as first computed, and a restatement when data changes later.

The job looks at the last twelve closed months every night. A month without a snapshot gets its first
version; a month whose sums have changed since (a payment entered late, a lease corrected) gets a new
version, complete per project, so the dashboard can show what was reported and what it is restated to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from backend.analytics.domain import sums as rules
from backend.analytics.domain.periods import month_of, months_ending, shifted
from backend.analytics.services.portfolio import live_cells
from backend.core.domain.access import Scope
from backend.core.services.unit_of_work import UnitOfWork

MONTHS_KEPT_CURRENT = 12
EVERYTHING = Scope(everything=True)
# Sums closer than this are the same (the vacancy loss divides, and travels as text).
TOLERANCE = Decimal("0.005")


@dataclass
class SnapshotReport:
    """What a snapshot run wrote: months snapshotted for the first time, and restated ones."""

    first: dict[str, int] = field(default_factory=dict)  # period -> projects
    restated: dict[str, int] = field(default_factory=dict)


def _same(a: rules.Sums, b: rules.Sums) -> bool:
    return all(abs(a.get(k, rules.ZERO) - b.get(k, rules.ZERO)) < TOLERANCE for k in a.keys() | b.keys())


def write_snapshots(uow: UnitOfWork, today: date, policy: rules.Policy, now: datetime) -> SnapshotReport:
    """Snapshot every closed month of the last twelve that has none, and restate those whose sums moved."""
    report = SnapshotReport()
    last_closed = shifted(month_of(today), -1, today).period
    for window in months_ending(last_closed, MONTHS_KEPT_CURRENT, today):
        cells = live_cells(window, policy, EVERYTHING, {}, uow)
        latest = uow.portfolio.snapshots([window.period], EVERYTHING, {}, first_version=False).get(
            window.period, {}
        )
        by_project: dict[int, dict[str, rules.Sums]] = {}
        for (project_id, tier), sums in cells.items():
            by_project.setdefault(project_id, {})[tier] = sums
        before: dict[int, dict[str, rules.Sums]] = {}
        for (project_id, tier), sums in latest.items():
            before.setdefault(project_id, {})[tier] = sums
        for project_id in sorted(by_project.keys() | before.keys()):
            now_tiers, then_tiers = by_project.get(project_id, {}), before.get(project_id, {})
            if project_id in before and all(
                _same(now_tiers.get(t, {}), then_tiers.get(t, {}))
                for t in now_tiers.keys() | then_tiers.keys()
            ):
                continue
            version = uow.portfolio.snapshotted_periods(project_id).get(window.period, 0) + 1
            for tier in sorted(now_tiers.keys() | then_tiers.keys()):
                sums = now_tiers.get(tier) or dict.fromkeys(then_tiers[tier], rules.ZERO)
                uow.portfolio.add_snapshot(window.period, project_id, tier, version, window.as_of, sums, now)
            target = report.first if version == 1 else report.restated
            target[window.period] = target.get(window.period, 0) + 1
    uow.commit()
    return report
