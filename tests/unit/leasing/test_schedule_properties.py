"""Schedule invariants, proved over generated leases: tiling, anchoring, totals, due dates, rebasing."""

from __future__ import annotations

import calendar
import itertools
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.leasing.domain.schedule import (
    NO_HOLIDAYS,
    BillingTerms,
    BusinessDayRule,
    ChargeLine,
    ChargeType,
    Concession,
    DueRule,
    Frequency,
    MonthGrid,
    PeriodAnchor,
    RoundingMode,
    ScheduleItem,
    Timing,
    generate,
    holiday_calendar,
    periods,
    rebase,
    shift,
)

CN = holiday_calendar("CN")
PERIODIC = [frequency for frequency in Frequency if frequency is not Frequency.ONE_OFF]
SHIFTING = [BusinessDayRule.FOLLOWING, BusinessDayRule.MODIFIED_FOLLOWING]
FAST = settings(max_examples=150, deadline=None)
SLOW = settings(max_examples=60, deadline=None)

starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
# Days near month ends are where anchoring goes wrong; weight them in.
month_end_starts = st.builds(
    lambda year, month, back: date(year, month, calendar.monthrange(year, month)[1]) - timedelta(days=back),
    st.integers(2024, 2028),
    st.integers(1, 12),
    st.integers(0, 3),
)
term_starts = st.one_of(starts, month_end_starts)
lengths = st.integers(min_value=0, max_value=5 * 366)
due_rules = st.one_of(
    st.builds(DueRule, day_of_month=st.integers(1, 31)),
    st.builds(DueRule, offset_days=st.integers(-40, 40)),
)
billing_terms = st.builds(
    BillingTerms,
    frequency=st.sampled_from(list(Frequency)),
    timing=st.sampled_from(list(Timing)),
    due_rule=due_rules,
    business_day_rule=st.sampled_from(list(BusinessDayRule)),
    anchor=st.sampled_from(list(PeriodAnchor)),
    prorate=st.booleans(),
    precision=st.sampled_from([Decimal("0.01"), Decimal(1), Decimal("0.1")]),
    rounding=st.sampled_from(list(RoundingMode)),
)
amounts = st.decimals(min_value=0, max_value=500_000, places=2)


@st.composite
def leases(
    draw: st.DrawFn, prorate: bool | None = None
) -> tuple[date, date, BillingTerms, list[ChargeLine], list[Concession]]:
    """A term, its terms, versioned lines of up to three charge types, and concessions inside the term."""
    term_start = draw(term_starts)
    term_end = term_start + timedelta(days=draw(lengths))
    terms = draw(billing_terms)
    if prorate is not None:
        terms = replace(terms, prorate=prorate)
    span = (term_end - term_start).days
    lines: list[ChargeLine] = []
    kinds = draw(st.lists(st.sampled_from(list(ChargeType)), min_size=1, max_size=3, unique=True))
    for kind in kinds:
        cuts = sorted(set(draw(st.lists(st.integers(0, span), max_size=3))))
        edges = (
            [term_start]
            + [term_start + timedelta(days=cut) for cut in cuts if cut > 0]
            + [term_end + timedelta(1)]
        )
        frequency = draw(st.sampled_from([None, None, *PERIODIC]))
        for number, (begin, after) in enumerate(itertools.pairwise(edges)):
            key = f"{kind.value}-{number}"
            lines.append(ChargeLine(key, kind, draw(amounts), begin, after - timedelta(1), frequency))
    concessions = []
    for number, kind in enumerate(draw(st.lists(st.sampled_from(kinds), max_size=2, unique=True))):
        first = draw(st.integers(0, span))
        last = draw(st.integers(first, span))
        percent = draw(st.decimals(min_value=0, max_value=100, places=1))
        concessions.append(
            Concession(
                f"free-{number}", term_start + timedelta(first), term_start + timedelta(last), percent, kind
            )
        )
    return term_start, term_end, terms, lines, concessions


@FAST
@given(term_starts, lengths, billing_terms)
def test_periods_tile_the_term_without_gap_or_overlap(
    term_start: date, length: int, terms: BillingTerms
) -> None:
    term_end = term_start + timedelta(days=length)
    result = periods(term_start, term_end, terms)
    assert result[0].start == term_start
    assert result[-1].end == term_end
    for period in result:
        assert period.start <= period.end
    for earlier, later in itertools.pairwise(result):
        assert later.start == earlier.end + timedelta(days=1)


@FAST
@given(term_starts, lengths, st.sampled_from(PERIODIC), st.sampled_from(list(PeriodAnchor)))
def test_full_periods_count_their_months_exactly_and_stubs_count_less(
    term_start: date, length: int, frequency: Frequency, anchor: PeriodAnchor
) -> None:
    term_end = term_start + timedelta(days=length)
    terms = BillingTerms(frequency, Timing.PREPAID, DueRule(), anchor=anchor)
    step = frequency.months
    assert step is not None
    grid = MonthGrid(term_start, anchor)
    for period in periods(term_start, term_end, terms):
        full = grid.boundary(grid.index(period.start) + step) - timedelta(days=1) == period.end
        if full and grid.boundary(grid.index(period.start)) == period.start:
            assert period.months == step
        else:
            assert 0 < period.months < step
    unprorated = BillingTerms(frequency, Timing.PREPAID, DueRule(), anchor=anchor, prorate=False)
    assert {period.months for period in periods(term_start, term_end, unprorated)} == {step}


@FAST
@given(month_end_starts, st.integers(1, 40))
def test_monthly_periods_stay_anchored_to_the_start_day_through_short_months(
    term_start: date, count: int
) -> None:
    term_end = term_start + relativedelta(months=count) - timedelta(days=1)
    terms = BillingTerms(Frequency.MONTHLY, Timing.PREPAID, DueRule())
    result = periods(term_start, term_end, terms)
    assert len(result) == count
    for number, period in enumerate(result):
        month = term_start + relativedelta(months=number)
        last_day = calendar.monthrange(month.year, month.month)[1]
        assert period.start == month.replace(day=min(term_start.day, last_day))
        assert period.months == 1


@FAST
@given(term_starts, lengths, st.sampled_from(PERIODIC))
def test_calendar_anchored_periods_start_on_calendar_boundaries_after_the_first(
    term_start: date, length: int, frequency: Frequency
) -> None:
    terms = BillingTerms(frequency, Timing.PREPAID, DueRule(), anchor=PeriodAnchor.CALENDAR)
    step = frequency.months
    assert step is not None
    for period in periods(term_start, term_start + timedelta(days=length), terms)[1:]:
        assert period.start.day == 1
        assert (period.start.month - 1) % step == 0


def _exact_expectation(
    term_start: date, terms: BillingTerms, lines: list[ChargeLine], concessions: list[Concession]
) -> Fraction:
    """Σ(line monthly × prorated months) − Σ concessions, straight from the month grid."""
    grid = MonthGrid(term_start, terms.anchor)
    total = Fraction(0)
    for line in lines:
        months = grid.months(line.starts, line.ends)
        total += Fraction(line.monthly_amount) * months
        for concession in concessions:
            start, end = max(line.starts, concession.starts), min(line.ends, concession.ends)
            if concession.charge_type is line.charge_type and start <= end:
                share = grid.months(start, end)
                total -= Fraction(line.monthly_amount) * share * Fraction(concession.percent) / 100
    return total


@SLOW
@given(leases(prorate=True))
def test_billed_amounts_add_up_to_charges_times_prorated_months_less_concessions(
    lease: tuple[date, date, BillingTerms, list[ChargeLine], list[Concession]],
) -> None:
    term_start, term_end, terms, lines, concessions = lease
    periodic = [line for line in lines if (line.frequency or terms.frequency) is not Frequency.ONE_OFF]
    one_off = [line for line in lines if line not in periodic]
    items = generate(term_start, term_end, terms, lines, concessions, NO_HOLIDAYS)
    exact = sum((item.exact_amount or Fraction(0) for item in items), Fraction(0))
    expected = _exact_expectation(term_start, terms, periodic, concessions)
    expected += sum((Fraction(line.monthly_amount) for line in one_off), Fraction(0))
    for line in one_off:
        grid = MonthGrid(term_start, terms.anchor)
        for concession in concessions:
            start, end = max(line.starts, concession.starts), min(line.ends, concession.ends)
            if concession.charge_type is line.charge_type and start <= end:
                share = grid.months(start, end) / grid.months(line.starts, line.ends)
                expected -= Fraction(line.monthly_amount) * share * Fraction(concession.percent) / 100
    assert exact == expected
    unit = Fraction(terms.precision)
    bound = unit if terms.rounding in {RoundingMode.UP, RoundingMode.DOWN} else unit / 2
    assert abs(Fraction(sum((item.amount for item in items), Decimal(0))) - exact) <= len(items) * bound


@SLOW
@given(leases())
def test_every_item_lies_inside_its_line_and_rounds_its_own_exact_amount(
    lease: tuple[date, date, BillingTerms, list[ChargeLine], list[Concession]],
) -> None:
    term_start, term_end, terms, lines, concessions = lease
    items = generate(term_start, term_end, terms, lines, concessions, CN)
    assert items == sorted(
        items, key=lambda item: (item.period_start, item.charge_type, item.is_concession, item.line_key)
    )
    unit = Fraction(terms.precision)
    for item in items:
        assert term_start <= item.period_start <= item.period_end <= term_end
        assert item.amount <= 0 if item.is_concession else item.amount >= 0
        assert item.exact_amount is not None
        assert abs(Fraction(item.amount) - item.exact_amount) <= unit
        assert item.amount == item.amount.quantize(terms.precision)


@SLOW
@given(leases(), st.sampled_from(SHIFTING))
def test_no_due_date_falls_on_a_chinese_non_working_day_under_a_business_day_rule(
    lease: tuple[date, date, BillingTerms, list[ChargeLine], list[Concession]], rule: BusinessDayRule
) -> None:
    term_start, term_end, terms, lines, concessions = lease
    terms = replace(terms, business_day_rule=rule)
    for item in generate(term_start, term_end, terms, lines, concessions, CN):
        assert CN.is_working_day(item.due_date)


@FAST
@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
def test_following_moves_forward_to_the_first_working_day(day: date) -> None:
    moved = shift(day, BusinessDayRule.FOLLOWING, CN)
    assert moved >= day
    assert CN.is_working_day(moved)
    assert all(not CN.is_working_day(day + timedelta(days=n)) for n in range((moved - day).days))


@FAST
@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
def test_modified_following_never_leaves_the_month(day: date) -> None:
    moved = shift(day, BusinessDayRule.MODIFIED_FOLLOWING, CN)
    assert (moved.year, moved.month) == (day.year, day.month)
    assert CN.is_working_day(moved)
    if moved < day:
        assert not CN.is_working_day(day)
        assert shift(day, BusinessDayRule.FOLLOWING, CN).month != day.month


@SLOW
@given(leases(), st.data())
def test_rebasing_after_an_amendment_never_changes_a_billed_item(
    lease: tuple[date, date, BillingTerms, list[ChargeLine], list[Concession]], data: st.DataObject
) -> None:
    term_start, term_end, terms, lines, concessions = lease
    before = generate(term_start, term_end, terms, lines, concessions, CN)
    billed = before[: data.draw(st.integers(0, len(before)))]
    amended_lines = [
        ChargeLine(
            line.key, line.charge_type, line.monthly_amount * 2 + 1, line.starts, line.ends, line.frequency
        )
        for line in lines
    ]
    amended_concessions = [Concession("amendment", term_start, term_end, Decimal(10), lines[0].charge_type)]
    fresh = generate(term_start, term_end, terms, amended_lines, amended_concessions, CN)
    result = rebase(billed, fresh)
    kept: list[ScheduleItem] = [item for item in result if any(item is bill for bill in billed)]
    assert len(kept) == len(billed)
    for item in result:
        if not any(item is bill for bill in billed):
            assert item in fresh
            assert not any(
                bill.charge_type is item.charge_type
                and bill.period_start <= item.period_end
                and item.period_start <= bill.period_end
                for bill in billed
            )
    billed_or_overlapping = sum(
        1
        for item in fresh
        if any(
            bill.charge_type is item.charge_type
            and bill.period_start <= item.period_end
            and item.period_start <= bill.period_end
            for bill in billed
        )
    )
    assert len(result) == len(billed) + len(fresh) - billed_or_overlapping
