"""Escalation: a charge steps every N months by percent, fixed amount or CPI, one new version per step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from backend.core.domain.errors import N_
from backend.leasing.domain.schedule.periods import ONE_DAY, round_exact
from backend.leasing.domain.schedule.terms import ChargeLine, RoundingMode, ScheduleError
from backend.leasing.domain.schedule.validation import (
    MAX_AMOUNT,
    Problems,
    check_amount,
    check_precision,
    check_year,
)

IndexSeries = Mapping[date, Decimal]
"""A price index by month: the first of the month → the index value."""

MAX_STEP_MONTHS = 120
PUBLICATION_LAG_DAYS = 45
"""How long after a CPI step its index month may still be unpublished before someone is alerted (the
National Bureau of Statistics publishes a month's CPI around the tenth of the next)."""


class EscalationKind(StrEnum):
    """How each step changes the amount."""

    PERCENT = "percent"
    FIXED = "fixed"
    CPI = "cpi"


@dataclass(frozen=True)
class Escalation:
    """Step the amount every `every_months` months.

    PERCENT adds `value` % of the previous amount, FIXED adds `value`, CPI applies the change of the index
    between the month before this step and the month before the previous step (the line start for the first),
    clamped to `floor_percent`..`cap_percent`.
    """

    kind: EscalationKind
    every_months: int
    value: Decimal | None = None
    floor_percent: Decimal | None = None
    cap_percent: Decimal | None = None
    precision: Decimal = Decimal("0.01")
    rounding: RoundingMode = RoundingMode.HALF_UP


def escalate(
    first: ChargeLine,
    rule: Escalation,
    until: date,
    index: IndexSeries | None = None,
    anchor: date | None = None,
) -> list[ChargeLine]:
    """Consecutive versions of `first` from its start to `until`, a new one at each step.

    Steps fall every N months from `anchor` (default: the line start). A line that re-bases a chain (an
    amendment's new amount from its effective date) keeps the chain's anchor: its own amount holds until
    the chain's next step, and the steps go on from it. The first line's own end date is superseded by
    `until`. New versions are keyed "<key>.2", "<key>.3" …. A CPI step whose index month is missing is a
    `ScheduleError`; `escalate_known` stops there instead.
    """
    versions, awaited = escalate_known(first, rule, until, index, anchor)
    if awaited is not None:
        raise ScheduleError(
            {f"index[{awaited.isoformat()}]": [N_("No positive index value for this month.")]}
        )
    return versions


def escalate_known(
    first: ChargeLine,
    rule: Escalation,
    until: date,
    index: IndexSeries | None = None,
    anchor: date | None = None,
) -> tuple[list[ChargeLine], date | None]:
    """`escalate` as far as the index is published: the versions, and the index month awaited (or None).

    When a CPI step's index month has no value yet, the versions end the day before that step: the
    schedule is generated up to the last published month and extended when the value arrives.
    """
    _check(first, rule, until, index)
    anchor = min(anchor or first.starts, first.starts)
    steps = _step_dates(first.starts, anchor, rule.every_months, until)
    versions: list[ChargeLine] = []
    amount = first.monthly_amount
    awaited: date | None = None
    for number, starts in enumerate(steps):
        if number:
            previous = _previous_step(steps, number, anchor, rule.every_months)
            if rule.kind is EscalationKind.CPI:
                awaited = _missing_month(index or {}, previous, starts)
                if awaited is not None:
                    versions[-1] = replace(versions[-1], ends=starts - ONE_DAY)
                    break
            amount = _next_amount(amount, rule, previous, starts, index or {})
        ends = steps[number + 1] - ONE_DAY if number + 1 < len(steps) else until
        key = first.key if number == 0 else f"{first.key}.{number + 1}"
        versions.append(replace(first, key=key, monthly_amount=amount, starts=starts, ends=ends))
    return versions, awaited


def _step_dates(starts: date, anchor: date, every: int, until: date) -> list[date]:
    """The line start, then every step of the chain after it up to `until`."""
    dates = [starts]
    step = 1
    while (current := anchor + relativedelta(months=step * every)) <= until:
        if current > starts:
            dates.append(current)
        step += 1
    return dates


def _previous_step(steps: list[date], number: int, anchor: date, every: int) -> date:
    """The chain's step before `steps[number]`: the index base of a CPI step (the anchor for the first)."""
    if number > 1 or steps[0] == anchor:
        return steps[number - 1]
    months = 0
    while anchor + relativedelta(months=(months + 1) * every) < steps[number]:
        months += 1
    return anchor + relativedelta(months=months * every)


def _missing_month(index: IndexSeries, previous_step: date, step: date) -> date | None:
    for day in (previous_step, step):
        month = day.replace(day=1) - relativedelta(months=1)
        if month not in index:
            return month
    return None


def _next_amount(
    previous: Decimal, rule: Escalation, previous_step: date, step: date, index: IndexSeries
) -> Decimal:
    if rule.kind is EscalationKind.FIXED:
        change = Fraction(rule.value or 0)
    else:
        percent = (
            Fraction(rule.value or 0)
            if rule.kind is EscalationKind.PERCENT
            else _cpi(rule, previous_step, step, index)
        )
        change = Fraction(previous) * percent / 100
    amount = round_exact(Fraction(previous) + change, rule.precision, rule.rounding)
    if not 0 <= amount < MAX_AMOUNT:
        raise ScheduleError(
            {"rule.value": [N_("The escalation takes the amount below zero or past one trillion.")]}
        )
    return amount


def _cpi(rule: Escalation, previous_step: date, step: date, index: IndexSeries) -> Fraction:
    base, current = _index_value(index, previous_step), _index_value(index, step)
    percent = (current / base - 1) * 100
    if rule.floor_percent is not None:
        percent = max(percent, Fraction(rule.floor_percent))
    if rule.cap_percent is not None:
        percent = min(percent, Fraction(rule.cap_percent))
    return percent


def _index_value(index: IndexSeries, step: date) -> Fraction:
    month = step.replace(day=1) - relativedelta(months=1)
    value = index.get(month)
    if value is None or not value.is_finite() or value <= 0:
        raise ScheduleError({f"index[{month.isoformat()}]": [N_("No positive index value for this month.")]})
    return Fraction(value)


def _check(first: ChargeLine, rule: Escalation, until: date, index: IndexSeries | None) -> None:
    problems = Problems()
    if not 1 <= rule.every_months <= MAX_STEP_MONTHS:
        problems.add("rule.every_months", N_("Must lie between 1 and 120."))
    if rule.kind is EscalationKind.CPI:
        if index is None:
            problems.add("index", N_("A CPI escalation needs an index series."))
        if rule.value is not None:
            problems.add("rule.value", N_("A CPI escalation takes its change from the index, not a value."))
    elif rule.value is None or not rule.value.is_finite():
        problems.add("rule.value", N_("Give the step as a finite number."))
    elif rule.kind is EscalationKind.PERCENT and rule.value < -100:
        problems.add("rule.value", N_("A percentage step cannot fall below −100."))
    for name, bound in (("rule.floor_percent", rule.floor_percent), ("rule.cap_percent", rule.cap_percent)):
        if bound is not None and rule.kind is not EscalationKind.CPI:
            problems.add(name, N_("A floor or cap applies to CPI escalations only."))
        elif bound is not None and (not bound.is_finite() or bound < -100):
            problems.add(name, N_("A percentage step cannot fall below −100."))
    if (
        rule.floor_percent is not None
        and rule.cap_percent is not None
        and rule.floor_percent.is_finite()
        and rule.cap_percent.is_finite()
        and rule.floor_percent > rule.cap_percent
    ):
        problems.add("rule.cap_percent", N_("The cap is below the floor."))
    check_precision("rule.precision", rule.precision, problems)
    check_amount("first.monthly_amount", first.monthly_amount, problems)
    check_year("first.starts", first.starts, problems)
    check_year("until", until, problems)
    if until < first.starts:
        problems.add("until", N_("Ends before it starts."))
    problems.raise_if_any()
