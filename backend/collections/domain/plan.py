"""One customer in one dunning run: which overdue bills count, which tier they reach, and what to do today."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from backend.collections.domain.pauses import Pause
from backend.collections.domain.tiers import DunningTier, Thresholds, next_tier, overdue_days, tier_for

ZERO = Decimal("0.00")


class Action(enum.StrEnum):
    """What the run does for a customer."""

    NOTHING = "nothing"  # nothing overdue, or nothing due to be said today
    CLEARED = "cleared"  # was in dunning, nothing is overdue any more
    HELD = "held"  # money from them waits unmatched on a statement: a person looks first
    PAUSED = "paused"  # a promise to pay or an approved grace period runs
    NOTICE = "notice"  # a grouped message on the tier's channels
    TASK = "task"  # a key account: their account manager writes personally
    CASE = "case"  # handed over to legal: a case is opened


class Step(enum.StrEnum):
    """Which message of a tier: the first one on entering it, or a follow-up while it lasts."""

    FIRST = "first"
    FOLLOW_UP = "follow_up"


@dataclass(frozen=True)
class OverdueBill:
    """An open bill of the customer past its due date, as dunning sees it."""

    charge_id: int
    number: str
    lease_id: int | None
    due_date: date
    open_amount: Decimal
    currency: str
    disputed: bool = False


@dataclass(frozen=True)
class Standing:
    """What the previous runs left: the tier, since when, the last message's day, an open case."""

    tier: DunningTier = DunningTier.NONE
    last_notice_on: date | None = None
    case_open: bool = False


@dataclass(frozen=True)
class Situation:
    """Everything the rules need about one customer on one day."""

    customer_id: int
    bills: Sequence[OverdueBill]
    standing: Standing
    key_account: bool = False
    pause: Pause | None = None
    held_by_lines: Sequence[int] = ()


@dataclass(frozen=True)
class Decision:
    """The run's decision for a customer, with the bills it is about and why."""

    customer_id: int
    action: Action
    tier: DunningTier
    previous: DunningTier
    step: Step | None
    bills: tuple[OverdueBill, ...]
    oldest_days: int
    totals: dict[str, Decimal] = field(default_factory=dict)
    reason: str = ""

    @property
    def speaks(self) -> bool:
        """Whether the customer (or their account manager, or legal) hears from us today."""
        return self.action in (Action.NOTICE, Action.TASK, Action.CASE)


def decide(  # noqa: PLR0911 - a return per rule
    situation: Situation, today: date, thresholds: Thresholds, by_hand: bool = False
) -> Decision:
    """The rules of one run for one customer, in order: nothing overdue, held, paused, one tier step.

    `by_hand`: a collector sends the tier's message now (the workbench's one click), without waiting for
    the repeat days; everything else holds as in the daily run.
    """
    standing = situation.standing
    chased = tuple(
        sorted(
            (
                bill
                for bill in situation.bills
                if not bill.disputed
                and bill.open_amount > 0
                and overdue_days(bill.due_date, today, thresholds) > 0
            ),
            key=lambda bill: (bill.due_date, bill.charge_id),
        )
    )
    oldest = overdue_days(chased[0].due_date, today, thresholds) if chased else 0
    totals: dict[str, Decimal] = {}
    for bill in chased:
        totals[bill.currency] = totals.get(bill.currency, ZERO) + bill.open_amount

    def decision(action: Action, tier: DunningTier, step: Step | None, reason: str) -> Decision:
        return Decision(
            situation.customer_id, action, tier, standing.tier, step, chased, oldest, totals, reason
        )

    if not chased:
        action = Action.CLEARED if standing.tier > DunningTier.NONE else Action.NOTHING
        return decision(action, DunningTier.NONE, None, "nothing_overdue")
    if situation.held_by_lines:
        return decision(Action.HELD, standing.tier, None, "unmatched_payment")
    if situation.pause is not None:
        return decision(Action.PAUSED, standing.tier, None, situation.pause.kind)
    tier = next_tier(standing.tier, tier_for(oldest, thresholds))
    if tier > standing.tier:
        if tier is DunningTier.LEGAL:
            return decision(Action.CASE, tier, Step.FIRST, "tier_up")
        return decision(Action.TASK if situation.key_account else Action.NOTICE, tier, Step.FIRST, "tier_up")
    if tier is DunningTier.LEGAL:
        # Legal owns the customer now: the case's next step, not another letter.
        if not standing.case_open:
            return decision(Action.CASE, tier, Step.FIRST, "case_reopened")
        return decision(Action.NOTHING, tier, None, "with_legal")
    due = (
        by_hand
        or standing.last_notice_on is None
        or (today - standing.last_notice_on).days >= thresholds.repeat_days
    )
    if not due:
        return decision(Action.NOTHING, tier, None, "recently_told")
    step = Step.FIRST if standing.last_notice_on is None else Step.FOLLOW_UP
    return decision(Action.TASK if situation.key_account else Action.NOTICE, tier, step, "repeat")
