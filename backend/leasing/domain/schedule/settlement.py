"""Billed periods and their settlement: what regeneration keeps, and the differences it must settle.

One rule says when a period is billed: the billing run issued it (`issued`, then `paid`), or, until it
does, the period's due date has passed. A billed item is never rewritten. When new terms (an amendment,
an index correction) produce a different amount for dates already billed, the difference becomes an
adjustment item: negative ones become credit notes, positive ones adjustment charges, at the next billing
run. Adjustments are cumulative: a second change to the same billed period settles only what the first
one did not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from backend.leasing.domain.schedule.engine import sort_key
from backend.leasing.domain.schedule.terms import ChargeType, ScheduleItem

SCHEDULED = "scheduled"
ISSUED = "issued"
PAID = "paid"
WRITTEN_OFF = "written_off"
ADJUSTMENT = "adjustment"
BILLED_STATUSES = frozenset({ISSUED, PAID})
"""Statuses the billing run gives: billed whatever the date."""
SETTLEMENT_STATUSES = frozenset({WRITTEN_OFF, ADJUSTMENT})
"""Items amendments record against billed money; never regenerated, never a period of their own."""


def counts_as_billed(status: str, due_date: date, today: date) -> bool:
    """Whether an item's period is billed: issued by the billing run, or due before `today` until it is."""
    return status in BILLED_STATUSES or (status == SCHEDULED and due_date < today)


def is_kept(status: str, due_date: date, today: date) -> bool:
    """Whether regeneration keeps an item as it is: billed periods and settlements."""
    return status in SETTLEMENT_STATUSES or counts_as_billed(status, due_date, today)


@dataclass(frozen=True)
class Difference:
    """Dates of one charge type already billed, what was billed (with earlier adjustments), and what the
    current terms make of the same dates."""

    charge_type: ChargeType
    period_start: date
    period_end: date
    billed: Decimal
    fresh: Decimal

    @property
    def amount(self) -> Decimal:
        """What is still to settle: positive is owed by the tenant (debit), negative owed to them (credit)."""
        return self.fresh - self.billed


@dataclass(frozen=True)
class Settlement:
    """Regeneration against what is billed: the fresh items to write and the billed dates' differences."""

    items: list[ScheduleItem]
    differences: list[Difference]

    @property
    def adjustments(self) -> list[Difference]:
        """The differences that are not zero: each becomes an adjustment item."""
        return [d for d in self.differences if d.amount]


@dataclass
class _Cluster:
    charge_type: ChargeType
    start: date
    end: date
    billed: Decimal
    fresh: Decimal

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end


def settle(
    billed: Sequence[ScheduleItem], adjustments: Iterable[ScheduleItem], fresh: Sequence[ScheduleItem]
) -> Settlement:
    """Keep what is billed; write the fresh items outside it; settle the rest as differences.

    Billed items of one charge type whose dates overlap form one cluster (a period's charge and its
    concessions). A fresh item overlapping a cluster is not written: its amount counts towards the
    cluster's fresh total (a fresh item reaching two clusters joins them). Earlier adjustments of the
    charge type count towards the billed total of the cluster they overlap. Nothing is lost: billed +
    adjustments + written fresh items = every fresh item, cluster by cluster.
    """
    clusters: list[_Cluster] = []
    for item in sorted(billed, key=lambda i: (i.charge_type.value, i.period_start, i.period_end)):
        last = clusters[-1] if clusters else None
        if last is not None and last.charge_type is item.charge_type and item.period_start <= last.end:
            last.end = max(last.end, item.period_end)
            last.billed += item.amount
        else:
            clusters.append(
                _Cluster(item.charge_type, item.period_start, item.period_end, item.amount, Decimal(0))
            )
    written: list[ScheduleItem] = []
    for item in fresh:
        hit = [
            c
            for c in clusters
            if c.charge_type is item.charge_type and c.overlaps(item.period_start, item.period_end)
        ]
        if not hit:
            written.append(item)
            continue
        target = hit[0]
        for other in hit[1:]:
            target.start, target.end = min(target.start, other.start), max(target.end, other.end)
            target.billed += other.billed
            target.fresh += other.fresh
            clusters.remove(other)
        target.start = min(target.start, item.period_start)
        target.end = max(target.end, item.period_end)
        target.fresh += item.amount
    for item in adjustments:
        hit = [
            c
            for c in clusters
            if c.charge_type is item.charge_type and c.overlaps(item.period_start, item.period_end)
        ]
        if hit:
            hit[0].billed += item.amount
    differences = [
        Difference(c.charge_type, c.start, c.end, c.billed, c.fresh)
        for c in sorted(clusters, key=lambda c: (c.start, c.charge_type.value))
    ]
    return Settlement(sorted(written, key=sort_key), differences)


def rebase(billed: Sequence[ScheduleItem], fresh: Sequence[ScheduleItem]) -> list[ScheduleItem]:
    """The schedule after new terms: every billed item unchanged, and the fresh items outside them.

    A fresh item overlapping a billed item of the same charge type is not kept, even if the change altered
    its amount or added a concession in it: `settle` works out the difference, settled by credit or debit
    adjustments, not by editing the schedule. Billed items the terms no longer produce (e.g. after an early
    termination) are kept too.
    """
    return sorted([*billed, *settle(billed, (), fresh).items], key=sort_key)
