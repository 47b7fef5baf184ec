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
    first: ChargeLine, rule: Escalation, until: date, index: IndexSeries | None = None
) -> list[ChargeLine]:
    """Consecutive versions of `first` from its start to `until`, a new one every N months from its start.

    The first line's own end date is superseded by `until`. New versions are keyed "<key>.2", "<key>.3" ….
    """
    _check(first, rule, until, index)
    steps = _step_dates(first.starts, rule.every_months, until)
    versions = []
    amount = first.monthly_amount
    for number, starts in enumerate(steps):
        if number:
            amount = _next_amount(amount, rule, steps[number - 1], starts, index or {})
        ends = steps[number + 1] - ONE_DAY if number + 1 < len(steps) else until
        key = first.key if number == 0 else f"{first.key}.{number + 1}"
        versions.append(replace(first, key=key, monthly_amount=amount, starts=starts, ends=ends))
    return versions


def _step_dates(starts: date, every: int, until: date) -> list[date]:
    dates = []
    step = 0
    while (current := starts + relativedelta(months=step * every)) <= until:
        dates.append(current)
        step += 1
    return dates


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
