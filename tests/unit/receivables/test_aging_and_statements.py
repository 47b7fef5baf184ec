"""Aging buckets aligned with the dunning tiers, and the statement of account's running balance."""

from datetime import date
from decimal import Decimal

import pytest

from backend.receivables.domain.aging import (
    AgingBucket,
    EntryKind,
    LedgerEntry,
    OpenAmount,
    aging,
    bucket_of,
    statement,
)

AS_OF = date(2026, 3, 31)


@pytest.mark.parametrize(
    ("due", "bucket"),
    [
        (date(2026, 4, 5), AgingBucket.CURRENT),
        (date(2026, 3, 31), AgingBucket.CURRENT),
        (date(2026, 3, 30), AgingBucket.DAYS_1_15),
        (date(2026, 3, 16), AgingBucket.DAYS_1_15),
        (date(2026, 3, 15), AgingBucket.DAYS_16_30),
        (date(2026, 3, 1), AgingBucket.DAYS_16_30),
        (date(2026, 2, 28), AgingBucket.DAYS_31_60),
        (date(2026, 1, 29), AgingBucket.DAYS_61_90),
        (date(2026, 1, 1), AgingBucket.DAYS_61_90),
        (date(2025, 12, 31), AgingBucket.DAYS_61_90),
        (date(2025, 12, 30), AgingBucket.OVER_90),
    ],
)
def test_days_past_due_fall_in_the_dunning_tiers_buckets(due: date, bucket: AgingBucket) -> None:
    assert bucket_of(due, AS_OF) is bucket


def test_aging_sums_open_amounts_per_customer_and_bucket() -> None:
    rows = aging(
        [
            OpenAmount(2, date(2026, 3, 20), Decimal("1200.00"), "CNY"),
            OpenAmount(2, date(2026, 3, 25), Decimal("800.50"), "CNY"),
            OpenAmount(2, date(2025, 11, 5), Decimal("30000.00"), "CNY"),
            OpenAmount(1, date(2026, 4, 5), Decimal("10000.00"), "CNY"),
        ],
        AS_OF,
    )
    assert [row.customer_id for row in rows] == [1, 2]
    assert rows[0].overdue == Decimal("0.00")
    assert rows[1].buckets[AgingBucket.DAYS_1_15] == Decimal("2000.50")
    assert rows[1].buckets[AgingBucket.OVER_90] == Decimal("30000.00")
    assert rows[1].total == Decimal("32000.50")


def test_a_statement_carries_earlier_documents_as_the_opening_balance() -> None:
    entries = [
        LedgerEntry(date(2026, 2, 20), EntryKind.CHARGE, "B-1", "rent", Decimal("10000.00"), 1),
        LedgerEntry(date(2026, 3, 5), EntryKind.PAYMENT, "P-1", "bank", Decimal("6000.00"), 1),
        LedgerEntry(date(2026, 3, 6), EntryKind.CREDIT_NOTE, "CN-1", "repair", Decimal("500.00"), 1),
        LedgerEntry(date(2026, 3, 20), EntryKind.REFUND, "R-1", "overpaid", Decimal("100.00"), 1),
        LedgerEntry(date(2026, 4, 1), EntryKind.CHARGE, "B-2", "rent", Decimal("10000.00"), 2),
    ]
    account = statement(entries, date(2026, 3, 1), date(2026, 3, 31))
    assert account.opening == Decimal("10000.00")
    assert [(line.debit, line.credit, line.balance) for line in account.lines] == [
        (Decimal("0.00"), Decimal("6000.00"), Decimal("4000.00")),
        (Decimal("0.00"), Decimal("500.00"), Decimal("3500.00")),
        (Decimal("100.00"), Decimal("0.00"), Decimal("3600.00")),
    ]
    assert account.closing == Decimal("3600.00")
