"""Amendments: regenerating a schedule keeps every billed period exactly as billed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from backend.leasing.domain.schedule import (
    NO_HOLIDAYS,
    BillingTerms,
    ChargeLine,
    ChargeType,
    Concession,
    DueRule,
    Frequency,
    ScheduleItem,
    ScheduleTotals,
    Timing,
    generate,
    rebase,
    summary,
)

START, END = date(2026, 1, 1), date(2026, 12, 31)
TERMS = BillingTerms(Frequency.QUARTERLY, Timing.PREPAID, DueRule())
RENT = ChargeLine("rent", ChargeType.RENT, Decimal("10000.00"), START, END)


def _schedule(lines: list[ChargeLine], concessions: list[Concession] | None = None) -> list[ScheduleItem]:
    return generate(START, END, TERMS, lines, concessions or [], NO_HOLIDAYS)


def test_a_rent_change_reaching_back_into_a_billed_quarter_leaves_that_quarter_as_billed() -> None:
    billed = _schedule([RENT])[:2]  # Q1 and Q2 invoiced
    amended = [
        ChargeLine("rent", ChargeType.RENT, Decimal("10000.00"), START, date(2026, 5, 31)),
        ChargeLine("rent.2", ChargeType.RENT, Decimal("12000.00"), date(2026, 6, 1), END),
    ]
    result = rebase(billed, _schedule(amended))
    assert [(item.line_key, item.period_start, str(item.amount)) for item in result] == [
        ("rent", date(2026, 1, 1), "30000.00"),
        ("rent", date(2026, 4, 1), "30000.00"),
        ("rent.2", date(2026, 7, 1), "36000.00"),
        ("rent.2", date(2026, 10, 1), "36000.00"),
    ]
    assert result[:2] == billed


def test_a_concession_added_in_a_billed_quarter_waits_for_a_credit_note() -> None:
    billed = _schedule([RENT])[:1]
    free = [Concession("goodwill", date(2026, 3, 1), date(2026, 4, 30))]
    result = rebase(billed, _schedule([RENT], free))
    assert [(item.line_key, item.period_start, str(item.amount)) for item in result] == [
        ("rent", date(2026, 1, 1), "30000.00"),
        ("rent", date(2026, 4, 1), "30000.00"),
        ("goodwill", date(2026, 4, 1), "-10000.00"),
        ("rent", date(2026, 7, 1), "30000.00"),
        ("rent", date(2026, 10, 1), "30000.00"),
    ]


def test_billed_items_an_early_termination_no_longer_produces_are_kept() -> None:
    billed = _schedule([RENT])[:3]
    early = date(2026, 6, 30)
    shortened = generate(START, early, TERMS, [replace(RENT, ends=early)], [], NO_HOLIDAYS)
    result = rebase(billed, shortened)
    assert result == billed
    assert summary(result) == ScheduleTotals(Decimal("90000.00"), Decimal(0), Decimal("90000.00"))


def test_a_new_charge_type_in_billed_periods_is_added() -> None:
    billed = _schedule([RENT])[:2]
    parking = ChargeLine("parking", ChargeType.PARKING, Decimal("500.00"), START, END)
    result = rebase(billed, _schedule([RENT, parking]))
    assert [(item.line_key, item.period_start) for item in result] == [
        ("parking", date(2026, 1, 1)),
        ("rent", date(2026, 1, 1)),
        ("parking", date(2026, 4, 1)),
        ("rent", date(2026, 4, 1)),
        ("parking", date(2026, 7, 1)),
        ("rent", date(2026, 7, 1)),
        ("parking", date(2026, 10, 1)),
        ("rent", date(2026, 10, 1)),
    ]


def test_rebasing_onto_nothing_billed_is_the_fresh_schedule() -> None:
    fresh = _schedule([RENT])
    assert rebase([], fresh) == fresh
