"""Billing rules: when a schedule item is billable, how items form a charge, how bills are numbered."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from backend.receivables.domain.ledger import ChargeKind

DEFAULT_LEAD_DAYS = 15
MAX_LEAD_DAYS = 90


@dataclass(frozen=True)
class BillableItem:
    """A schedule item not yet billed, as the run sees it."""

    id: int
    lease_id: int
    charge_type: str
    period_start: date
    period_end: date
    due_date: date
    amount: Decimal
    is_concession: bool


@dataclass(frozen=True)
class ChargeDraft:
    """One charge to issue: the items of one lease, charge type, period and due date, net of concessions."""

    lease_id: int
    kind: ChargeKind
    period_start: date
    period_end: date
    due_date: date
    gross: Decimal
    concessions: Decimal
    item_ids: tuple[int, ...]

    @property
    def amount(self) -> Decimal:
        """What the customer owes: gross less concessions (never below zero)."""
        return max(self.gross - self.concessions, Decimal("0.00"))


def billable_from(due_date: date, lead_days: int) -> date:
    """The first day an item may be billed: `lead_days` before it falls due."""
    return due_date - timedelta(days=lead_days)


def is_billable(due_date: date, lead_days: int, today: date) -> bool:
    """Whether the run of `today` issues an item falling due on `due_date`."""
    return billable_from(due_date, lead_days) <= today


def drafts(items: Iterable[BillableItem]) -> list[ChargeDraft]:
    """Group billable items into charges: gross and concession items of one period form one bill.

    A fully free period (concessions equal to the gross) yields a draft of amount zero, which the run marks
    billed without issuing a charge.
    """
    groups: dict[tuple[date, int, str, date], list[BillableItem]] = {}
    for item in items:
        key = (item.due_date, item.lease_id, item.charge_type, item.period_start)
        groups.setdefault(key, []).append(item)
    found = []
    # Bills are numbered in the order they fall due.
    for (due_date, lease_id, charge_type, period_start), members in sorted(groups.items()):
        gross = sum((i.amount for i in members if not i.is_concession), Decimal("0.00"))
        concessions = sum((i.amount for i in members if i.is_concession), Decimal("0.00"))
        found.append(
            ChargeDraft(
                lease_id=lease_id,
                kind=ChargeKind(charge_type),
                period_start=period_start,
                period_end=max(i.period_end for i in members),
                due_date=due_date,
                gross=gross,
                concessions=concessions,
                item_ids=tuple(sorted(i.id for i in members)),
            )
        )
    return found


def document_number(prefix: str, project_code: str, issued_on: date, sequence: int) -> str:
    """A bill or credit note number: per project and month, gapless (`SH-LJZ-202603-0007`)."""
    head = f"{prefix}-" if prefix else ""
    return f"{head}{project_code}-{issued_on:%Y%m}-{sequence:04d}"


def period_key(issued_on: date) -> str:
    """The numbering period of a document issued on a day: its month."""
    return f"{issued_on:%Y%m}"


def sequence_numbers(last: int, count: int) -> Sequence[int]:
    """The next `count` numbers after `last`, with no gap."""
    return range(last + 1, last + count + 1)
