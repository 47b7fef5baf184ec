"""Pauses of dunning: a promise to pay, a grace period a second person approved, a dispute over some bills."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from backend.core.domain.errors import N_, Message, ValidationFailed

MAX_PROMISE_DAYS = 60
MAX_GRACE_DAYS = 30


class PromiseState(enum.StrEnum):
    """A promise to pay: waiting for its day, kept (paid in time), broken (its day passed), withdrawn."""

    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class GraceState(enum.StrEnum):
    """A grace period: asked for, approved by a second person, or refused."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class DisputeState(enum.StrEnum):
    """A dispute over bills: open (no dunning, no late fee on them) or resolved."""

    OPEN = "open"
    RESOLVED = "resolved"


def check_promise(promised_on: date, amount: Decimal, overdue: Decimal, today: date) -> None:
    """A promise names a day from today within 60 days and an amount no larger than what is overdue."""
    problems: dict[str, list[str]] = {}
    if promised_on < today:
        problems["promised_on"] = [N_("Must be today or later.")]
    elif (promised_on - today).days > MAX_PROMISE_DAYS:
        problems["promised_on"] = [
            Message(
                N_("Must be within %(days)s days; open a grace period or a case instead."),
                days=MAX_PROMISE_DAYS,
            )
        ]
    if amount <= 0:
        problems["amount"] = [N_("Must be an amount greater than zero.")]
    elif amount > overdue:
        problems["amount"] = [
            Message(N_("Must be at most what is overdue (%(overdue)s)."), overdue=f"{overdue:,.2f}")
        ]
    if problems:
        raise ValidationFailed(problems)


def promise_outcome(promised_on: date, amount: Decimal, paid_since: Decimal, today: date) -> PromiseState:
    """An open promise on a day: kept once the amount has arrived, broken once its day passed without it."""
    if paid_since >= amount:
        return PromiseState.KEPT
    if today > promised_on:
        return PromiseState.BROKEN
    return PromiseState.OPEN


def check_grace(days: int) -> None:
    """A grace period lasts one to 30 days."""
    if not 1 <= days <= MAX_GRACE_DAYS:
        raise ValidationFailed.single(
            "days", Message(N_("Must be between 1 and %(max)s days."), max=MAX_GRACE_DAYS)
        )


@dataclass(frozen=True)
class Pause:
    """Why a customer is not chased today, and until when (inclusive)."""

    kind: str  # promise, grace
    until: date
    record_id: int


def active_pause(
    promises: list[tuple[int, date]], graces: list[tuple[int, date]], today: date
) -> Pause | None:
    """The pause holding a customer on a day: an open promise or an approved grace period, the longest."""
    found = [Pause("promise", until, rid) for rid, until in promises if until >= today]
    found += [Pause("grace", until, rid) for rid, until in graces if until >= today]
    return max(found, key=lambda pause: (pause.until, pause.kind), default=None)
