"""Aging by days past due, in the buckets the dunning tiers use, and the customer's statement of account."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")


class AgingBucket(enum.StrEnum):
    """Days past due, aligned with the dunning tiers (1–15 friendly, 16–30 formal, 31+ legal)."""

    CURRENT = "current"
    DAYS_1_15 = "1-15"
    DAYS_16_30 = "16-30"
    DAYS_31_60 = "31-60"
    DAYS_61_90 = "61-90"
    OVER_90 = "90+"


_UPPER_BOUNDS = (
    (0, AgingBucket.CURRENT),
    (15, AgingBucket.DAYS_1_15),
    (30, AgingBucket.DAYS_16_30),
    (60, AgingBucket.DAYS_31_60),
    (90, AgingBucket.DAYS_61_90),
)


def days_past_due(due_date: date, as_of: date) -> int:
    """Whole days since the due date (zero or less while not yet due)."""
    return (as_of - due_date).days


def bucket_of(due_date: date, as_of: date) -> AgingBucket:
    """The bucket an open amount falls in on a day."""
    days = days_past_due(due_date, as_of)
    for upper, bucket in _UPPER_BOUNDS:
        if days <= upper:
            return bucket
    return AgingBucket.OVER_90


@dataclass(frozen=True)
class OpenAmount:
    """What is still open of one charge, with its owner."""

    customer_id: int
    due_date: date
    open_amount: Decimal
    currency: str


@dataclass
class AgingRow:
    """One customer's open amounts by bucket, in one currency."""

    customer_id: int
    currency: str
    buckets: dict[AgingBucket, Decimal] = field(default_factory=lambda: dict.fromkeys(AgingBucket, ZERO))

    @property
    def total(self) -> Decimal:
        """Everything open."""
        return sum(self.buckets.values(), ZERO)

    @property
    def overdue(self) -> Decimal:
        """Everything past its due date."""
        return self.total - self.buckets[AgingBucket.CURRENT]


def aging(open_amounts: Iterable[OpenAmount], as_of: date) -> list[AgingRow]:
    """Open amounts summed per customer, currency and bucket, ordered by customer."""
    rows: dict[tuple[int, str], AgingRow] = {}
    for entry in open_amounts:
        if entry.open_amount <= 0:
            continue
        key = (entry.customer_id, entry.currency)
        row = rows.setdefault(key, AgingRow(entry.customer_id, entry.currency))
        row.buckets[bucket_of(entry.due_date, as_of)] += entry.open_amount
    return [rows[key] for key in sorted(rows)]


class EntryKind(enum.StrEnum):
    """A line of a statement of account."""

    CHARGE = "charge"
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"
    REFUND = "refund"


# A charge and a refund raise what the customer owes; a payment and a credit note lower it.
_SIGN = {EntryKind.CHARGE: 1, EntryKind.REFUND: 1, EntryKind.PAYMENT: -1, EntryKind.CREDIT_NOTE: -1}


@dataclass(frozen=True)
class LedgerEntry:
    """One document on the customer's account."""

    on: date
    kind: EntryKind
    reference: str
    description: str
    amount: Decimal
    document_id: int


@dataclass(frozen=True)
class StatementLine:
    """A statement line with the balance after it."""

    entry: LedgerEntry
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class StatementOfAccount:
    """What a customer owed at the start, each document in between, and what they owe at the end."""

    opening: Decimal
    lines: Sequence[StatementLine]
    closing: Decimal


def statement(entries: Iterable[LedgerEntry], start: date, end: date) -> StatementOfAccount:
    """The statement for a period: entries before `start` form the opening balance, later ones are dropped."""
    ordered = sorted(entries, key=lambda e: (e.on, list(EntryKind).index(e.kind), e.document_id))
    opening = sum((_SIGN[e.kind] * e.amount for e in ordered if e.on < start), ZERO)
    balance = opening
    lines = []
    for entry in ordered:
        if not start <= entry.on <= end:
            continue
        signed = _SIGN[entry.kind] * entry.amount
        balance += signed
        lines.append(
            StatementLine(
                entry=entry,
                debit=signed if signed > 0 else ZERO,
                credit=-signed if signed < 0 else ZERO,
                balance=balance,
            )
        )
    return StatementOfAccount(opening=opening, lines=lines, closing=balance)
