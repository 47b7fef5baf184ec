"""Worked examples from real lease terms, with every amount and date written out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from backend.leasing.domain.codes import DEFAULT_ALIASES, parse_code
from backend.leasing.domain.schedule import (
    NO_HOLIDAYS,
    BillingTerms,
    BusinessDayRule,
    ChargeLine,
    ChargeType,
    Concession,
    DueRule,
    Escalation,
    EscalationKind,
    Frequency,
    Period,
    PeriodAnchor,
    ScheduleItem,
    ScheduleTotals,
    Timing,
    escalate,
    generate,
    holiday_calendar,
    periods,
    summary,
)

CN = holiday_calendar("CN")
RENT = ChargeType.RENT


def _rows(items: list[ScheduleItem]) -> list[tuple[str, date, date, date, str, str, bool]]:
    return [
        (
            item.line_key,
            item.period_start,
            item.period_end,
            item.due_date,
            str(item.months),
            str(item.amount),
            item.is_concession,
        )
        for item in items
    ]


def test_a_three_year_office_lease_with_three_free_months_and_a_yearly_five_percent_step_up() -> None:
    """30,000.00 a month from 2026-01-01, quarterly prepaid, due 15 days before each quarter, following."""
    terms = BillingTerms(
        Frequency.QUARTERLY, Timing.PREPAID, DueRule(offset_days=-15), BusinessDayRule.FOLLOWING
    )
    first = ChargeLine("rent", RENT, Decimal("30000.00"), date(2026, 1, 1), date(2028, 12, 31))
    lines = escalate(first, Escalation(EscalationKind.PERCENT, 12, Decimal(5)), date(2028, 12, 31))
    free = Concession("free-3m", date(2026, 1, 1), date(2026, 3, 31))
    items = generate(date(2026, 1, 1), date(2028, 12, 31), terms, lines, [free], CN)
    assert [(line.key, line.monthly_amount, line.starts, line.ends) for line in lines] == [
        ("rent", Decimal("30000.00"), date(2026, 1, 1), date(2026, 12, 31)),
        ("rent.2", Decimal("31500.00"), date(2027, 1, 1), date(2027, 12, 31)),
        ("rent.3", Decimal("33075.00"), date(2028, 1, 1), date(2028, 12, 31)),
    ]
    assert _rows(items) == [
        ("rent", date(2026, 1, 1), date(2026, 3, 31), date(2025, 12, 17), "3.000000", "90000.00", False),
        ("free-3m", date(2026, 1, 1), date(2026, 3, 31), date(2025, 12, 17), "3.000000", "-90000.00", True),
        ("rent", date(2026, 4, 1), date(2026, 6, 30), date(2026, 3, 17), "3.000000", "90000.00", False),
        ("rent", date(2026, 7, 1), date(2026, 9, 30), date(2026, 6, 16), "3.000000", "90000.00", False),
        ("rent", date(2026, 10, 1), date(2026, 12, 31), date(2026, 9, 16), "3.000000", "90000.00", False),
        ("rent.2", date(2027, 1, 1), date(2027, 3, 31), date(2026, 12, 17), "3.000000", "94500.00", False),
        ("rent.2", date(2027, 4, 1), date(2027, 6, 30), date(2027, 3, 17), "3.000000", "94500.00", False),
        ("rent.2", date(2027, 7, 1), date(2027, 9, 30), date(2027, 6, 16), "3.000000", "94500.00", False),
        ("rent.2", date(2027, 10, 1), date(2027, 12, 31), date(2027, 9, 16), "3.000000", "94500.00", False),
        ("rent.3", date(2028, 1, 1), date(2028, 3, 31), date(2027, 12, 17), "3.000000", "99225.00", False),
        ("rent.3", date(2028, 4, 1), date(2028, 6, 30), date(2028, 3, 17), "3.000000", "99225.00", False),
        ("rent.3", date(2028, 7, 1), date(2028, 9, 30), date(2028, 6, 16), "3.000000", "99225.00", False),
        # 16 September 2028 is a Saturday: following moves it to Monday the 18th.
        ("rent.3", date(2028, 10, 1), date(2028, 12, 31), date(2028, 9, 18), "3.000000", "99225.00", False),
    ]
    assert summary(items) == ScheduleTotals(
        gross=Decimal("1134900.00"), concessions=Decimal("90000.00"), net=Decimal("1044900.00")
    )


def test_free_months_that_extend_the_term_are_billed_and_waived_at_the_start() -> None:
    """Three free months before a one-year term: the term runs fifteen months, the first three waived."""
    terms = BillingTerms(Frequency.QUARTERLY, Timing.PREPAID, DueRule())
    line = ChargeLine("rent", RENT, Decimal("30000.00"), date(2026, 1, 1), date(2027, 3, 31))
    free = Concession("fit-out", date(2026, 1, 1), date(2026, 3, 31))
    items = generate(date(2026, 1, 1), date(2027, 3, 31), terms, [line], [free], NO_HOLIDAYS)
    assert len(items) == 6
    assert summary(items) == ScheduleTotals(
        gross=Decimal("450000.00"), concessions=Decimal("90000.00"), net=Decimal("360000.00")
    )


def test_a_bimonthly_warehouse_lease_entered_as_two_months_once() -> None:
    """12,000.00 a month from 2026-03-16 for a year, billed 两月一次 by calendar month, due at the start."""
    frequency = parse_code("frequency", "两月一次", Frequency, DEFAULT_ALIASES["frequency"])
    assert frequency is Frequency.BIMONTHLY
    terms = BillingTerms(
        frequency,
        Timing.PREPAID,
        DueRule(),
        BusinessDayRule.FOLLOWING,
        anchor=PeriodAnchor.CALENDAR,
    )
    line = ChargeLine("warehouse", RENT, Decimal("12000.00"), date(2026, 3, 16), date(2027, 3, 15))
    items = generate(date(2026, 3, 16), date(2027, 3, 15), terms, [line], [], CN)
    assert _rows(items) == [
        # 16 March–30 April: 16 of March's 31 days plus April = 1 16/31 months.
        ("warehouse", date(2026, 3, 16), date(2026, 4, 30), date(2026, 3, 16), "1.516129", "18193.55", False),
        # 1 May is Labour Day; 2–5 May are off too (weekend, observed, 调休): due Wednesday the 6th.
        ("warehouse", date(2026, 5, 1), date(2026, 6, 30), date(2026, 5, 6), "2.000000", "24000.00", False),
        ("warehouse", date(2026, 7, 1), date(2026, 8, 31), date(2026, 7, 1), "2.000000", "24000.00", False),
        ("warehouse", date(2026, 9, 1), date(2026, 10, 31), date(2026, 9, 1), "2.000000", "24000.00", False),
        # 1 November 2026 is a Sunday.
        (
            "warehouse",
            date(2026, 11, 1),
            date(2026, 12, 31),
            date(2026, 11, 2),
            "2.000000",
            "24000.00",
            False,
        ),
        # New Year's Day 2027 is a Friday, then a weekend.
        ("warehouse", date(2027, 1, 1), date(2027, 2, 28), date(2027, 1, 4), "2.000000", "24000.00", False),
        # 1–15 March: 15/31 of a month.
        ("warehouse", date(2027, 3, 1), date(2027, 3, 15), date(2027, 3, 1), "0.483871", "5806.45", False),
    ]
    assert summary(items).net == Decimal("144000.00")


def test_an_equipment_lease_with_monthly_rent_in_arrears_due_on_the_fifth() -> None:
    """2,500.00 a month from 2026-01-10 for a year, calendar months, paid on the 5th of the next month."""
    terms = BillingTerms(
        Frequency.MONTHLY, Timing.ARREARS, DueRule(day_of_month=5), anchor=PeriodAnchor.CALENDAR
    )
    line = ChargeLine("forklift", RENT, Decimal("2500.00"), date(2026, 1, 10), date(2027, 1, 9))
    items = generate(date(2026, 1, 10), date(2027, 1, 9), terms, [line], [], NO_HOLIDAYS)
    assert [(item.period_start, item.period_end, item.due_date, str(item.amount)) for item in items] == [
        (date(2026, 1, 10), date(2026, 1, 31), date(2026, 2, 5), "1774.19"),  # 22/31 of a month
        (date(2026, 2, 1), date(2026, 2, 28), date(2026, 3, 5), "2500.00"),
        (date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 5), "2500.00"),
        (date(2026, 4, 1), date(2026, 4, 30), date(2026, 5, 5), "2500.00"),
        (date(2026, 5, 1), date(2026, 5, 31), date(2026, 6, 5), "2500.00"),
        (date(2026, 6, 1), date(2026, 6, 30), date(2026, 7, 5), "2500.00"),
        (date(2026, 7, 1), date(2026, 7, 31), date(2026, 8, 5), "2500.00"),
        (date(2026, 8, 1), date(2026, 8, 31), date(2026, 9, 5), "2500.00"),
        (date(2026, 9, 1), date(2026, 9, 30), date(2026, 10, 5), "2500.00"),
        (date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 5), "2500.00"),
        (date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 5), "2500.00"),
        (date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 5), "2500.00"),
        (date(2027, 1, 1), date(2027, 1, 9), date(2027, 2, 5), "725.81"),  # 9/31; not due before it ends
    ]
    assert summary(items).net == Decimal("30000.00")


def test_equipment_rent_in_arrears_due_five_days_after_each_period_moves_off_chinese_holidays() -> None:
    terms = BillingTerms(Frequency.MONTHLY, Timing.ARREARS, DueRule(offset_days=4), BusinessDayRule.FOLLOWING)
    line = ChargeLine("crane", RENT, Decimal("8000.00"), date(2026, 1, 12), date(2026, 3, 11))
    items = generate(date(2026, 1, 12), date(2026, 3, 11), terms, [line], [], CN)
    # 11 Feb + 1 day + 4 = 16 Feb, Spring Festival eve: off until the 23rd, due the 24th.
    assert [(item.period_end, item.due_date) for item in items] == [
        (date(2026, 2, 11), date(2026, 2, 24)),
        (date(2026, 3, 11), date(2026, 3, 16)),
    ]


def test_a_lease_starting_on_31_january_bills_on_the_last_day_of_short_months_then_returns_to_the_31st() -> (
    None
):
    """10,000.00 a month from 2026-01-31 to 2026-08-15, monthly prepaid on the period start."""
    terms = BillingTerms(Frequency.MONTHLY, Timing.PREPAID, DueRule())
    line = ChargeLine("rent", RENT, Decimal("10000.00"), date(2026, 1, 31), date(2026, 8, 15))
    items = generate(date(2026, 1, 31), date(2026, 8, 15), terms, [line], [], NO_HOLIDAYS)
    assert [(item.period_start, item.period_end, str(item.months), str(item.amount)) for item in items] == [
        (date(2026, 1, 31), date(2026, 2, 27), "1.000000", "10000.00"),
        (date(2026, 2, 28), date(2026, 3, 30), "1.000000", "10000.00"),
        (date(2026, 3, 31), date(2026, 4, 29), "1.000000", "10000.00"),
        (date(2026, 4, 30), date(2026, 5, 30), "1.000000", "10000.00"),
        (date(2026, 5, 31), date(2026, 6, 29), "1.000000", "10000.00"),
        (date(2026, 6, 30), date(2026, 7, 30), "1.000000", "10000.00"),
        # 31 July–15 August: 16 of the 31 days to 31 August.
        (date(2026, 7, 31), date(2026, 8, 15), "0.516129", "5161.29"),
    ]
    assert [item.due_date for item in items] == [item.period_start for item in items]


def test_a_lease_starting_on_31_january_of_a_leap_year_steps_through_29_february() -> None:
    terms = BillingTerms(Frequency.MONTHLY, Timing.PREPAID, DueRule())
    assert periods(date(2028, 1, 31), date(2028, 4, 29), terms) == [
        Period(date(2028, 1, 31), date(2028, 2, 28), Decimal("1.000000")),
        Period(date(2028, 2, 29), date(2028, 3, 30), Decimal("1.000000")),
        Period(date(2028, 3, 31), date(2028, 4, 29), Decimal("1.000000")),
    ]


def test_without_proration_a_stub_is_billed_as_a_full_period() -> None:
    terms = BillingTerms(
        Frequency.MONTHLY, Timing.PREPAID, DueRule(), anchor=PeriodAnchor.CALENDAR, prorate=False
    )
    line = ChargeLine("rent", RENT, Decimal("1000.00"), date(2026, 1, 20), date(2026, 2, 28))
    items = generate(date(2026, 1, 20), date(2026, 2, 28), terms, [line], [], NO_HOLIDAYS)
    assert [(item.period_start, str(item.amount)) for item in items] == [
        (date(2026, 1, 20), "1000.00"),
        (date(2026, 2, 1), "1000.00"),
    ]


def test_a_one_off_fee_and_monthly_parking_bill_beside_quarterly_rent() -> None:
    terms = BillingTerms(Frequency.QUARTERLY, Timing.PREPAID, DueRule(day_of_month=1))
    lines = [
        ChargeLine("rent", RENT, Decimal("9000.00"), date(2026, 1, 1), date(2026, 6, 30)),
        ChargeLine(
            "parking",
            ChargeType.PARKING,
            Decimal("600.00"),
            date(2026, 5, 1),
            date(2026, 6, 30),
            Frequency.MONTHLY,
        ),
        ChargeLine(
            "fit-out",
            ChargeType.OTHER,
            Decimal("5000.00"),
            date(2026, 1, 1),
            date(2026, 1, 1),
            Frequency.ONE_OFF,
        ),
    ]
    items = generate(date(2026, 1, 1), date(2026, 6, 30), terms, lines, [], NO_HOLIDAYS)
    assert [(item.line_key, item.period_start, item.due_date, str(item.amount)) for item in items] == [
        ("fit-out", date(2026, 1, 1), date(2026, 1, 1), "5000.00"),
        ("rent", date(2026, 1, 1), date(2026, 1, 1), "27000.00"),
        ("rent", date(2026, 4, 1), date(2026, 4, 1), "27000.00"),
        ("parking", date(2026, 5, 1), date(2026, 5, 1), "600.00"),
        ("parking", date(2026, 6, 1), date(2026, 6, 1), "600.00"),
    ]


def test_a_rent_change_mid_quarter_splits_the_quarter_by_days() -> None:
    """The new rate from 16 February: 1 Jan–15 Feb is 1 15/28 months, 16 Feb–31 Mar is 1 13/28."""
    terms = BillingTerms(Frequency.QUARTERLY, Timing.PREPAID, DueRule())
    lines = [
        ChargeLine("rent", RENT, Decimal("2800.00"), date(2026, 1, 1), date(2026, 2, 15)),
        ChargeLine("rent.2", RENT, Decimal("5600.00"), date(2026, 2, 16), date(2026, 3, 31)),
    ]
    items = generate(date(2026, 1, 1), date(2026, 3, 31), terms, lines, [], NO_HOLIDAYS)
    assert [(item.line_key, item.due_date, str(item.months), str(item.amount)) for item in items] == [
        ("rent", date(2026, 1, 1), "1.535714", "4300.00"),
        ("rent.2", date(2026, 1, 1), "1.464286", "8200.00"),
    ]


def test_a_half_month_fifty_percent_concession_is_its_own_negative_item() -> None:
    terms = BillingTerms(Frequency.MONTHLY, Timing.PREPAID, DueRule())
    line = ChargeLine("rent", RENT, Decimal("3000.00"), date(2026, 4, 1), date(2026, 4, 30))
    half = Concession("promo", date(2026, 4, 1), date(2026, 4, 15), Decimal(50))
    items = generate(date(2026, 4, 1), date(2026, 4, 30), terms, [line], [half], NO_HOLIDAYS)
    assert [(item.line_key, item.period_end, str(item.amount), item.is_concession) for item in items] == [
        ("rent", date(2026, 4, 30), "3000.00", False),
        ("promo", date(2026, 4, 15), "-750.00", True),
    ]
