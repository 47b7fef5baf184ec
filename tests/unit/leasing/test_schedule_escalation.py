"""Escalation: versions every N months by percent, fixed amount or CPI with floor and cap."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.leasing.domain.schedule import (
    ChargeLine,
    ChargeType,
    Escalation,
    EscalationKind,
    RoundingMode,
    ScheduleError,
    escalate,
)

FIRST = ChargeLine("rent", ChargeType.RENT, Decimal("10000.00"), date(2026, 1, 1), date(2026, 12, 31))
CPI = {
    date(2025, 12, 1): Decimal("100.0"),
    date(2026, 12, 1): Decimal("102.5"),  # +2.5 %
    date(2027, 12, 1): Decimal("109.675"),  # +7 %
    date(2028, 12, 1): Decimal("109.127625"),  # −0.5 %
}


@settings(max_examples=150, deadline=None)
@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(0, 3000),
    st.integers(1, 36),
    st.sampled_from(list(EscalationKind)),
)
def test_escalation_versions_are_contiguous_and_never_overlap(
    starts: date, length: int, every: int, kind: EscalationKind
) -> None:
    first = ChargeLine("rent", ChargeType.RENT, Decimal("8000.00"), starts, starts)
    until = starts + timedelta(days=length)
    value = None if kind is EscalationKind.CPI else Decimal(3)
    index = {starts.replace(day=1) + relativedelta(months=n): Decimal(100 + n % 7) for n in range(-1, 110)}
    versions = escalate(first, Escalation(kind, every, value), until, index)
    assert versions[0].starts == starts
    assert versions[-1].ends == until
    for step, version in enumerate(versions):
        # Steps count from the line start, so a 31 January start steps on 28/29 February, then 31 March.
        assert version.starts == starts + relativedelta(months=step * every)
        assert version.starts <= version.ends
    for earlier, later in itertools.pairwise(versions):
        assert later.starts == earlier.ends + timedelta(days=1)
    assert [version.key for version in versions] == ["rent"] + [
        f"rent.{n}" for n in range(2, len(versions) + 1)
    ]


def test_a_fixed_step_adds_the_same_amount_every_two_years() -> None:
    versions = escalate(FIRST, Escalation(EscalationKind.FIXED, 24, Decimal("500.00")), date(2031, 6, 30))
    assert [(version.starts, version.ends, version.monthly_amount) for version in versions] == [
        (date(2026, 1, 1), date(2027, 12, 31), Decimal("10000.00")),
        (date(2028, 1, 1), date(2029, 12, 31), Decimal("10500.00")),
        (date(2030, 1, 1), date(2031, 6, 30), Decimal("11000.00")),
    ]


def test_a_percent_step_compounds_and_rounds_per_the_rule() -> None:
    rule = Escalation(
        EscalationKind.PERCENT, 12, Decimal("3.3"), precision=Decimal(1), rounding=RoundingMode.DOWN
    )
    versions = escalate(FIRST, rule, date(2028, 12, 31))
    # 10,000 × 1.033 = 10,330; 10,330 × 1.033 = 10,670.89, rounded down to 10,670.
    assert [version.monthly_amount for version in versions] == [
        Decimal("10000.00"),
        Decimal(10330),
        Decimal(10670),
    ]


def test_a_cpi_step_follows_the_index_clamped_to_its_floor_and_cap() -> None:
    rule = Escalation(EscalationKind.CPI, 12, floor_percent=Decimal(0), cap_percent=Decimal(5))
    versions = escalate(FIRST, rule, date(2029, 12, 31), CPI)
    # +2.5 % as indexed; +7 % capped at 5 %; −0.5 % floored at 0 %.
    assert [(version.starts, version.monthly_amount) for version in versions] == [
        (date(2026, 1, 1), Decimal("10000.00")),
        (date(2027, 1, 1), Decimal("10250.00")),
        (date(2028, 1, 1), Decimal("10762.50")),
        (date(2029, 1, 1), Decimal("10762.50")),
    ]


def test_a_missing_index_month_is_named() -> None:
    index = {month: value for month, value in CPI.items() if month != date(2027, 12, 1)}
    with pytest.raises(ScheduleError) as refused:
        escalate(FIRST, Escalation(EscalationKind.CPI, 12), date(2029, 12, 31), index)
    assert refused.value.fields == {"index[2027-12-01]": ["No positive index value for this month."]}


def test_a_cpi_escalation_without_an_index_is_refused() -> None:
    with pytest.raises(ScheduleError) as refused:
        escalate(FIRST, Escalation(EscalationKind.CPI, 12), date(2029, 12, 31))
    assert refused.value.fields == {"index": ["A CPI escalation needs an index series."]}


@pytest.mark.parametrize(
    ("rule", "until", "fields"),
    [
        (Escalation(EscalationKind.PERCENT, 0, Decimal(5)), date(2030, 1, 1), {"rule.every_months"}),
        (Escalation(EscalationKind.PERCENT, 12), date(2030, 1, 1), {"rule.value"}),
        (Escalation(EscalationKind.PERCENT, 12, Decimal(-101)), date(2030, 1, 1), {"rule.value"}),
        (Escalation(EscalationKind.FIXED, 12, Decimal("Infinity")), date(2030, 1, 1), {"rule.value"}),
        (
            Escalation(EscalationKind.CPI, 12, floor_percent=Decimal(3), cap_percent=Decimal(2)),
            date(2030, 1, 1),
            {"rule.cap_percent"},
        ),
        (
            Escalation(EscalationKind.PERCENT, 12, Decimal(5), precision=Decimal("0.3")),
            date(2030, 1, 1),
            {"rule.precision"},
        ),
        (Escalation(EscalationKind.PERCENT, 12, Decimal(5)), date(2025, 1, 1), {"until"}),
        (Escalation(EscalationKind.PERCENT, 12, Decimal(5)), date(9999, 1, 1), {"until"}),
        (
            Escalation(EscalationKind.PERCENT, 12, Decimal(5), floor_percent=Decimal(1)),
            date(2030, 1, 1),
            {"rule.floor_percent"},
        ),
    ],
)
def test_impossible_escalation_rules_are_refused_naming_the_field(
    rule: Escalation, until: date, fields: set[str]
) -> None:
    with pytest.raises(ScheduleError) as refused:
        escalate(FIRST, rule, until, CPI)
    assert set(refused.value.fields) == fields


def test_a_fixed_step_that_would_take_the_amount_below_zero_is_refused() -> None:
    with pytest.raises(ScheduleError) as refused:
        escalate(FIRST, Escalation(EscalationKind.FIXED, 12, Decimal("-6000")), date(2028, 12, 31))
    assert list(refused.value.fields) == ["rule.value"]
