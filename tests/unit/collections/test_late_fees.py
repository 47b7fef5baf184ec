"""Late fees: worked out by hand, and the same total however the days are split across runs."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.collections.domain.late_fees import (
    Accrued,
    LateFeeClause,
    RateBasis,
    Settlement,
    accrue,
    open_on,
)
from backend.core.domain.errors import ValidationFailed

DUE = date(2026, 3, 5)
AMOUNT = Decimal("10000.00")
DAILY = LateFeeClause(rate=Decimal("0.0005"), grace_days=3, article="第12条")


def test_a_bill_accrues_from_the_day_after_its_grace_days_on_what_is_still_open() -> None:
    # Due 5 March, 3 grace days: the first fee day is 9 March. Through 18 March that is 10 days.
    # 6,000 paid on 12 March: 9–11 March on 10,000 (3 × 5.00), 12–18 March on 4,000 (7 × 2.00) = 29.00.
    paid = [Settlement(date(2026, 3, 12), Decimal("6000.00"))]
    accrual = accrue(DAILY, DUE, AMOUNT, paid, Accrued(), date(2026, 3, 18))
    assert accrual is not None
    assert (accrual.start, accrual.end, accrual.days) == (date(2026, 3, 9), date(2026, 3, 18), 10)
    assert accrual.amount == Decimal("29.00")
    assert accrual.state.through == date(2026, 3, 18)


def test_nothing_accrues_within_the_grace_days_or_twice_for_a_day() -> None:
    assert accrue(DAILY, DUE, AMOUNT, [], Accrued(), date(2026, 3, 8)) is None
    first = accrue(DAILY, DUE, AMOUNT, [], Accrued(), date(2026, 3, 10))
    assert first is not None
    assert first.amount == Decimal("10.00")
    assert accrue(DAILY, DUE, AMOUNT, [], first.state, date(2026, 3, 10)) is None
    again = accrue(DAILY, DUE, AMOUNT, [], first.state, date(2026, 3, 11))
    assert again is not None
    assert (again.days, again.amount) == (1, Decimal("5.00"))


def test_a_monthly_rate_is_a_thirtieth_a_day_and_the_cap_bounds_the_total() -> None:
    # 1.5 % a month on 10,000 is 5.00 a day; capped at 2 % of the bill (200.00): reached on day 40.
    clause = LateFeeClause(rate=Decimal("0.015"), basis=RateBasis.PER_MONTH, cap_rate=Decimal("0.02"))
    thirty = accrue(clause, DUE, AMOUNT, [], Accrued(), DUE + timedelta(days=30))
    assert thirty is not None
    assert thirty.amount == Decimal("150.00")
    later = accrue(clause, DUE, AMOUNT, [], thirty.state, DUE + timedelta(days=90))
    assert later is not None
    assert later.amount == Decimal("50.00")
    assert later.state.posted == Decimal("200.00")


def test_days_under_an_open_dispute_accrue_nothing_but_move_the_watermark() -> None:
    # Disputed from 10 March, still open: only 9 March is charged.
    accrual = accrue(DAILY, DUE, AMOUNT, [], Accrued(), date(2026, 3, 20), [(date(2026, 3, 10), None)])
    assert accrual is not None
    assert accrual.amount == Decimal("5.00")
    assert accrual.state.through == date(2026, 3, 20)


def test_what_was_open_at_the_end_of_a_day_counts_payments_of_that_day() -> None:
    paid = [
        Settlement(date(2026, 3, 9), Decimal("2500.00")),
        Settlement(date(2026, 3, 10), Decimal("9000.00")),
    ]
    assert open_on(AMOUNT, paid, date(2026, 3, 8)) == AMOUNT
    assert open_on(AMOUNT, paid, date(2026, 3, 9)) == Decimal("7500.00")
    assert open_on(AMOUNT, paid, date(2026, 3, 10)) == Decimal("0.00")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"rate": Decimal("0")}, "late_fee_rate"),
        ({"rate": Decimal("0.02")}, "late_fee_rate"),
        ({"rate": Decimal("0.001"), "grace_days": -1}, "late_fee_grace_days"),
        ({"rate": Decimal("0.001"), "cap_rate": Decimal("1.5")}, "late_fee_cap_rate"),
    ],
)
def test_a_clause_out_of_bounds_is_refused_naming_its_field(values: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        LateFeeClause(**values)  # type: ignore[arg-type]
    assert field in refused.value.fields


@settings(max_examples=150, deadline=None)
@given(
    rate=st.sampled_from([Decimal("0.0003"), Decimal("0.0005"), Decimal("0.001")]),
    basis=st.sampled_from(list(RateBasis)),
    grace=st.integers(0, 10),
    cap=st.sampled_from([None, Decimal("0.01"), Decimal("0.05")]),
    payments=st.lists(st.tuples(st.integers(0, 80), st.integers(1, 400_000)), max_size=4),
    cuts=st.lists(st.integers(0, 90), max_size=12),
    reruns=st.lists(st.integers(0, 90), max_size=5),
)
def test_the_posted_total_is_the_same_whatever_runs_split_the_days_and_however_often_a_day_reruns(
    rate: Decimal,
    basis: RateBasis,
    grace: int,
    cap: Decimal | None,
    payments: list[tuple[int, int]],
    cuts: list[int],
    reruns: list[int],
) -> None:
    clause = LateFeeClause(rate=rate, basis=basis, grace_days=grace, cap_rate=cap)
    paid = [Settlement(DUE + timedelta(days=d), Decimal(c) / 100) for d, c in payments]
    end = DUE + timedelta(days=90)
    once = accrue(clause, DUE, AMOUNT, paid, Accrued(), end)
    expected = once.state.posted if once else Decimal("0.00")
    # Runs on the cut days in order, some days run more than once (a rerun after a crash), then the last day.
    days = [*sorted(cuts + reruns), 90]
    state, postings = Accrued(), []
    for offset in days:
        step = accrue(clause, DUE, AMOUNT, paid, state, DUE + timedelta(days=offset))
        if step is not None:
            state = step.state
            postings.append(step.amount)
    assert sum(postings, Decimal("0.00")) == expected
    assert all(amount >= 0 for amount in postings)
    # Day by day, by hand: each fee day once, on what was open at its end, within the cap.
    exact = sum(
        (
            open_on(AMOUNT, paid, day) * clause.daily_rate
            for day in (DUE + timedelta(days=n) for n in range(grace + 1, 91))
        ),
        Decimal(0),
    )
    capped = min(exact, clause.cap(AMOUNT)) if cap is not None else exact
    assert expected == capped.quantize(Decimal("0.01"), ROUND_HALF_UP)
