"""Bad schedule input is refused as a whole, naming every offending field; never a partial schedule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.core.domain.errors import ValidationFailed
from backend.leasing.domain.schedule import (
    NO_HOLIDAYS,
    BillingTerms,
    ChargeLine,
    ChargeType,
    Concession,
    DueRule,
    Frequency,
    ScheduleError,
    Timing,
    generate,
    holiday_calendar,
    periods,
)

START, END = date(2026, 1, 1), date(2026, 12, 31)
TERMS = BillingTerms(Frequency.MONTHLY, Timing.PREPAID, DueRule())
RENT = ChargeLine("rent", ChargeType.RENT, Decimal("1000.00"), START, END)


def _refusal(
    lines: list[ChargeLine],
    concessions: list[Concession] | None = None,
    terms: BillingTerms = TERMS,
    term: tuple[date, date] = (START, END),
) -> dict[str, list[str]]:
    with pytest.raises(ScheduleError) as refused:
        generate(term[0], term[1], terms, lines, concessions or [], NO_HOLIDAYS)
    assert isinstance(refused.value, ValidationFailed)
    assert refused.value.status == 422
    return refused.value.fields


def test_a_term_ending_before_it_starts_is_refused() -> None:
    assert _refusal([RENT], term=(END, START)) == {
        "term_end": ["Ends before it starts."],
        "lines[0].starts": ["Starts before the lease term."],
        "lines[0].ends": ["Ends after the lease term."],
    }
    with pytest.raises(ScheduleError) as refused:
        periods(END, START, TERMS)
    assert refused.value.fields == {"term_end": ["Ends before it starts."]}


def test_a_one_day_term_is_one_prorated_period() -> None:
    [period] = periods(date(2026, 3, 1), date(2026, 3, 1), TERMS)
    assert period.months == Decimal("0.032258")


def test_a_schedule_needs_at_least_one_line() -> None:
    assert _refusal([]) == {"lines": ["Give at least one charge line."]}


def test_lines_outside_the_term_backwards_or_negative_are_refused_together() -> None:
    lines = [
        ChargeLine("early", ChargeType.RENT, Decimal(1), date(2025, 12, 1), date(2026, 1, 31)),
        ChargeLine("late", ChargeType.PARKING, Decimal(1), date(2026, 12, 1), date(2027, 1, 31)),
        ChargeLine("backwards", ChargeType.OTHER, Decimal(1), date(2026, 5, 1), date(2026, 4, 1)),
        ChargeLine("negative", ChargeType.SERVICE_FEE, Decimal(-5), START, END),
        ChargeLine("nan", ChargeType.SERVICE_FEE, Decimal("NaN"), START, END),
    ]
    fields = _refusal(lines)
    assert fields["lines[0].starts"] == ["Starts before the lease term."]
    assert fields["lines[1].ends"] == ["Ends after the lease term."]
    assert fields["lines[2].ends"] == ["Ends before it starts."]
    assert fields["lines[3].monthly_amount"] == [
        "Must be a finite amount, zero or more and below one trillion."
    ]
    assert fields["lines[4].monthly_amount"] == [
        "Must be a finite amount, zero or more and below one trillion."
    ]


def test_overlapping_versions_of_the_same_charge_type_are_refused() -> None:
    lines = [
        ChargeLine("rent", ChargeType.RENT, Decimal(1), START, date(2026, 6, 30)),
        ChargeLine("parking", ChargeType.PARKING, Decimal(1), START, END),
        ChargeLine("rent.2", ChargeType.RENT, Decimal(2), date(2026, 6, 30), END),
    ]
    assert _refusal(lines) == {"lines[2].starts": ["Overlaps another entry of the same charge type."]}


def test_duplicate_and_blank_keys_are_refused() -> None:
    lines = [
        RENT,
        ChargeLine("rent", ChargeType.PARKING, Decimal(1), START, END),
        ChargeLine(" ", ChargeType.OTHER, Decimal(1), START, END),
    ]
    assert _refusal(lines) == {
        "lines[1].key": ["Another entry already uses this key."],
        "lines[2].key": ["Give a key."],
    }


def test_concession_percent_outside_0_to_100_dates_and_missing_charges_are_refused() -> None:
    concessions = [
        Concession("too-much", START, date(2026, 1, 31), Decimal(101)),
        Concession("parking", START, date(2026, 1, 31), charge_type=ChargeType.PARKING),
        Concession("after", date(2026, 12, 1), date(2027, 1, 31), Decimal(-1), ChargeType.OTHER),
    ]
    assert _refusal([RENT], concessions) == {
        "concessions[0].percent": ["Must lie between 0 and 100."],
        "concessions[1].charge_type": ["No charge line of this type overlaps the concession."],
        "concessions[2].percent": ["Must lie between 0 and 100."],
        "concessions[2].ends": ["Ends after the lease term."],
        "concessions[2].charge_type": ["No charge line of this type overlaps the concession."],
    }


def test_overlapping_concessions_on_the_same_charge_are_refused() -> None:
    concessions = [
        Concession("a", START, date(2026, 2, 28)),
        Concession("b", date(2026, 2, 1), date(2026, 3, 31), Decimal(50)),
    ]
    assert _refusal([RENT], concessions) == {
        "concessions[1].starts": ["Overlaps another entry of the same charge type."]
    }


@pytest.mark.parametrize(
    ("terms", "field", "message"),
    [
        (
            BillingTerms(Frequency.MONTHLY, Timing.PREPAID, DueRule(day_of_month=0)),
            "terms.due_rule",
            "The due day of the month must lie between 1 and 31.",
        ),
        (
            BillingTerms(Frequency.MONTHLY, Timing.PREPAID, DueRule(offset_days=-400)),
            "terms.due_rule",
            "The due offset must lie within a year of the period.",
        ),
        (
            BillingTerms(Frequency.MONTHLY, Timing.PREPAID, DueRule(day_of_month=5, offset_days=2)),
            "terms.due_rule",
            "Give a due day of the month or an offset in days, not both.",
        ),
        (
            BillingTerms(Frequency.MONTHLY, Timing.PREPAID, DueRule(), precision=Decimal("0.05")),
            "terms.precision",
            "Use a power of ten such as 0.01 or 1.",
        ),
        (
            BillingTerms(Frequency.MONTHLY, Timing.PREPAID, DueRule(), precision=Decimal(0)),
            "terms.precision",
            "Use a power of ten such as 0.01 or 1.",
        ),
    ],
)
def test_impossible_billing_terms_are_refused(terms: BillingTerms, field: str, message: str) -> None:
    assert _refusal([RENT], terms=terms) == {field: [message]}


def test_an_unknown_calendar_code_is_refused() -> None:
    with pytest.raises(ScheduleError) as refused:
        holiday_calendar("XX")
    assert refused.value.fields == {
        "calendar": ["Unknown holiday calendar; use an ISO country code such as CN."]
    }


def test_the_error_message_says_the_schedule_cannot_be_generated() -> None:
    with pytest.raises(ScheduleError, match="cannot be generated"):
        generate(START, END, TERMS, [], [], NO_HOLIDAYS)


def test_dates_beyond_the_reckoned_years_are_refused_instead_of_overflowing() -> None:
    far = ChargeLine("rent", ChargeType.RENT, Decimal(1), START, date(9999, 12, 31))
    assert _refusal([far], term=(START, date(9999, 12, 31))) == {
        "term_end": ["Use a date from 1900 to 2199."]
    }
