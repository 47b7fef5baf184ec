"""The schedule engine: charge lines and concessions over a term become dated, rounded receivable items."""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from backend.leasing.domain.schedule.calendars import WorkingCalendar, shift
from backend.leasing.domain.schedule.periods import (
    ONE_DAY,
    MonthGrid,
    Slot,
    billing_slots,
    round_exact,
    shown_months,
)
from backend.leasing.domain.schedule.terms import (
    BillingTerms,
    ChargeLine,
    Concession,
    Frequency,
    Period,
    ScheduleItem,
    ScheduleTotals,
    Timing,
)
from backend.leasing.domain.schedule.validation import (
    Problems,
    check_concessions,
    check_lines,
    check_term,
    check_terms,
)


def periods(term_start: date, term_end: date, terms: BillingTerms) -> list[Period]:
    """The billing periods of the lease's own frequency, tiling the term."""
    problems = Problems()
    check_term(term_start, term_end, problems)
    check_terms(terms, problems)
    problems.raise_if_any()
    grid = MonthGrid(term_start, terms.anchor)
    return [
        slot.as_period() for slot in billing_slots(term_start, term_end, terms.frequency, grid, terms.prorate)
    ]


def due_date(period_start: date, period_end: date, terms: BillingTerms, calendar: WorkingCalendar) -> date:
    """When a billing period falls due under the terms' due rule and business-day rule."""
    reference = period_start if terms.timing is Timing.PREPAID else period_end + ONE_DAY
    day = terms.due_rule.day_of_month
    if day is None:
        due = reference + timedelta(days=terms.due_rule.offset_days)
    else:
        due = _day_of_month(reference, day)
        if terms.timing is Timing.ARREARS and due < reference:
            # A stub ending mid-month: rent in arrears cannot fall due before its period is over.
            due = _day_of_month(reference.replace(day=1) + relativedelta(months=1), day)
    return shift(due, terms.business_day_rule, calendar)


def _day_of_month(month: date, day: int) -> date:
    return month.replace(day=min(day, month_calendar.monthrange(month.year, month.month)[1]))


def generate(
    term_start: date,
    term_end: date,
    terms: BillingTerms,
    lines: Sequence[ChargeLine],
    concessions: Sequence[Concession],
    calendar: WorkingCalendar,
) -> list[ScheduleItem]:
    """The whole schedule, or a `ScheduleError` naming every offending input; never a partial schedule.

    Each line is billed per billing period of its frequency (the lease's unless it overrides it) for the dates
    it covers; within a period a line version gets the period's months in proportion to the days it covers,
    so versions split a period exactly. Each concession adds a negative item per charge item it overlaps.
    """
    problems = Problems()
    check_term(term_start, term_end, problems)
    check_terms(terms, problems)
    term = (term_start, term_end)
    check_lines(lines, term, problems)
    check_concessions(concessions, lines, term, problems)
    problems.raise_if_any()

    grid = MonthGrid(term_start, terms.anchor)
    slots: dict[Frequency, list[Slot]] = {}
    charges: list[tuple[ChargeLine, Slot, Slot]] = []
    for line in lines:
        frequency = line.frequency or terms.frequency
        if frequency is Frequency.ONE_OFF:
            whole = Slot(line.starts, line.ends, Fraction(1))
            charges.append((line, whole, whole))
            continue
        if frequency not in slots:
            slots[frequency] = billing_slots(term_start, term_end, frequency, grid, terms.prorate)
        charges.extend((line, slot, covered) for slot, covered in _covered(slots[frequency], line, grid))

    items = []
    # Lines share billing periods, and most items are a whole month at a line's one amount: due dates,
    # exact amounts and roundings are each worked out once per schedule.
    dues: dict[tuple[date, date], date] = {}
    monthly: dict[Decimal, Fraction] = {}
    values: _Values = {}
    for line, slot, covered in charges:
        due = dues.get((slot.start, slot.end))
        if due is None:
            due = dues[slot.start, slot.end] = due_date(slot.start, slot.end, terms, calendar)
        amount = monthly.get(line.monthly_amount)
        if amount is None:
            amount = monthly[line.monthly_amount] = Fraction(line.monthly_amount)
        items.append(_item(line.key, line, covered, due, amount, terms, False, values))
        for concession in concessions:
            if concession.charge_type is line.charge_type:
                part = _part(covered, concession.starts, concession.ends, grid)
                if part is not None:
                    amount = -Fraction(line.monthly_amount) * Fraction(concession.percent) / 100
                    items.append(_item(concession.key, line, part, due, amount, terms, True, values))
    return sorted(items, key=sort_key)


def sort_key(item: ScheduleItem) -> tuple[date, str, bool, str]:
    """The schedule's order: period start, charge type, charges before concessions, line key."""
    return (item.period_start, item.charge_type.value, item.is_concession, item.line_key)


def _covered(slots: Sequence[Slot], line: ChargeLine, grid: MonthGrid) -> Iterable[tuple[Slot, Slot]]:
    for slot in slots:
        part = _part(slot, line.starts, line.ends, grid)
        if part is not None:
            yield slot, part


def _part(whole: Slot, starts: date, ends: date, grid: MonthGrid) -> Slot | None:
    """The part of `whole` within [starts, ends], with its share of the months by prorated days."""
    start, end = max(whole.start, starts), min(whole.end, ends)
    if start > end:
        return None
    if (start, end) == (whole.start, whole.end):
        return whole
    share = grid.months(start, end) / grid.months(whole.start, whole.end)
    return Slot(start, end, whole.months * share)


def _item(
    key: str,
    line: ChargeLine,
    part: Slot,
    due: date,
    monthly: Fraction,
    terms: BillingTerms,
    is_concession: bool,
    values: _Values,
) -> ScheduleItem:
    months = part.months
    key_of_values = (monthly.numerator, monthly.denominator, months.numerator, months.denominator)
    known = values.get(key_of_values)
    if known is None:
        exact = monthly * months
        known = values[key_of_values] = (
            exact,
            shown_months(months),
            round_exact(exact, terms.precision, terms.rounding),
        )
    exact, shown, amount = known
    return ScheduleItem(
        line_key=key,
        charge_type=line.charge_type,
        period_start=part.start,
        period_end=part.end,
        due_date=due,
        months=shown,
        amount=amount,
        is_concession=is_concession,
        exact_amount=exact,
    )


# (monthly amount, months) as integer pairs → exact amount, months shown, rounded amount; per schedule.
_Values = dict[tuple[int, int, int, int], tuple[Fraction, Decimal, Decimal]]


def summary(items: Iterable[ScheduleItem]) -> ScheduleTotals:
    """Gross charges, concessions (a positive amount waived) and net, from the rounded amounts."""
    gross = concessions = Decimal(0)
    for item in items:
        if item.is_concession:
            concessions -= item.amount
        else:
            gross += item.amount
    return ScheduleTotals(gross=gross, concessions=concessions, net=gross - concessions)
