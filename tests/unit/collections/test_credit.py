"""The credit profile: what a history shows, the model's steps and reasons, no look-ahead, calibration."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.collections.domain.credit import (
    Bill,
    Conduct,
    CreditModel,
    ReasonCode,
    brier_score,
    calibration,
    known_at,
    outcome,
    point_in_time,
    profile,
    profile_at,
)

RENT = Decimal("10000.00")


def monthly(*settled: date | None, year: int = 2026) -> list[Bill]:
    """Bills of 10,000.00 due on the 5th of January, February, … settled on the days given."""
    return [Bill(date(year, 1 + n, 5), RENT, day) for n, day in enumerate(settled)]


# January on time, February 15 days late, March a day early, April open; May paid early on 10 April.
HISTORY = monthly(date(2026, 1, 5), date(2026, 2, 20), date(2026, 3, 4), None, date(2026, 4, 10))
APRIL_15 = date(2026, 4, 15)


def test_the_history_at_the_end_of_a_day_counts_bills_due_by_then_and_an_open_overdue_bill_as_late() -> None:
    seen = known_at(HISTORY, APRIL_15 + timedelta(days=1))

    # May's bill is paid but not due yet: no evidence. April's is open 11 days at the start of 16 April.
    assert [(o.bill.due_date.month, o.late, o.days_late, o.still_open) for o in seen] == [
        (1, False, 0, False),
        (2, True, 15, False),
        (3, False, 0, False),
        (4, True, 11, True),
    ]


def test_the_profile_counts_on_time_rate_days_late_over_late_bills_and_what_is_overdue() -> None:
    features = profile(HISTORY, APRIL_15, Conduct(broken_promises=1, response_days=(3.0, 5.0))).features

    assert (features.bills, features.late_bills, features.on_time_rate) == (4, 2, 0.5)
    assert features.average_days_late == 13.0  # (15 + 11) / 2
    assert features.open_overdue == {"CNY": RENT}
    assert (features.broken_promises, features.disputes, features.average_response_days) == (1, 0, 4.0)


def test_each_step_of_the_model_is_a_reason_and_the_steps_add_up_from_the_population_rate() -> None:
    result = profile(HISTORY, APRIL_15, Conduct(broken_promises=1, response_days=(3.0, 5.0)))

    # Beta: (2 late + 4 × 0.25) / (4 bills + 4) = 3/8 = 0.375, 0.125 above the prior 0.25.
    # Days late: min(d, 30) per bill = 0 + 15 + 0 + 11 = 26; 1.0 × 26/30 / 4 bills = 0.21667 on the logit.
    # logit(0.375) = ln 0.6 = -0.51083 → -0.29416 → p 0.42699; a broken promise +0.4 → 0.10584 → 0.52644;
    # no dispute; answers in 4 days, 2 over the baseline of 2: +0.2 → 0.30584 → 0.57587.
    steps = {r.code: r for r in result.reasons}
    assert list(steps) == list(ReasonCode)
    assert steps[ReasonCode.LATE_RATE].value == 0.5
    assert steps[ReasonCode.LATE_RATE].effect == pytest.approx(0.125)
    assert 0.375 + steps[ReasonCode.DAYS_LATE].effect == pytest.approx(0.42699, abs=1e-5)
    assert steps[ReasonCode.BROKEN_PROMISES].value == 1
    assert steps[ReasonCode.DISPUTES].effect == 0
    assert steps[ReasonCode.RESPONSE_TIME].value == 4.0
    assert result.probability_late == pytest.approx(0.57587, abs=1e-5)
    assert sum(r.effect for r in result.reasons) == pytest.approx(result.probability_late - 0.25)
    assert result.score == 42  # 100 × (1 − 0.57587), rounded


def test_reasons_are_msgids_with_named_params_that_read_as_english() -> None:
    reasons = profile(HISTORY, APRIL_15).reasons

    assert (
        reasons[0].message == "Paid late: %(late)s of the last %(bills)s bills (bills in general: %(prior)s)."
    )
    assert reasons[0].params == {"late": 2, "bills": 4, "prior": "25.0%"}
    assert reasons[0].text == "Paid late: 2 of the last 4 bills (bills in general: 25.0%)."
    assert reasons[1].text == "Days late on average over the late bills: 13.0."
    assert reasons[4].text == "No reminder was answered yet."


def test_a_customer_without_bills_gets_the_population_rate() -> None:
    result = profile([], APRIL_15, model=CreditModel(population_late_rate=0.3))

    assert result.probability_late == pytest.approx(0.3)
    assert result.score == 70
    assert result.features.on_time_rate is None
    assert result.reasons[0].text == "No bill has fallen due yet; bills in general are paid late at 30.0%."


def test_only_the_most_recent_bills_of_the_window_make_the_customer_rate() -> None:
    # Twelve late bills in 2025 (30 days each), then twelve on time in 2026: a window of 12 sees only 2026.
    late_year = [Bill(date(2025, m, 5), RENT, date(2025, m, 5) + timedelta(days=30)) for m in range(1, 13)]
    on_time_year = monthly(*(date(2026, m, 5) for m in range(1, 13)))

    result = profile(late_year + on_time_year, date(2026, 12, 31))

    # (0 + 4 × 0.25) / (12 + 4) = 0.0625; nothing else moves it.
    assert result.probability_late == pytest.approx(0.0625)
    assert result.features.bills == 24


def test_a_prediction_for_a_bill_uses_only_bills_due_before_it_as_they_stood_that_day() -> None:
    predictions = point_in_time(HISTORY, APRIL_15)

    # May is not due by 15 April: not predicted. February, predicted on 5 February, sees January on time:
    # (0 + 1) / (1 + 4) = 0.2. April, on 5 April, sees February 15 days late, not yet April's own fate.
    assert [(p.bill.due_date.month, p.late) for p in predictions] == [
        (1, False),
        (2, True),
        (3, False),
        (4, True),
    ]
    assert predictions[0].probability_late == pytest.approx(0.25)
    assert predictions[1].probability_late == pytest.approx(0.2)
    # April: (1 + 1) / (3 + 4) = 2/7; logit ln 0.4 = -0.91629 plus 1.0 × 15/30 / 3 = 0.16667 → 0.32091.
    assert predictions[3].probability_late == pytest.approx(0.32091, abs=1e-5)


def test_a_prediction_does_not_see_a_bill_settled_after_its_day() -> None:
    # February's bill is paid on 10 March, after March's bill fell due.
    history = monthly(date(2026, 1, 5), date(2026, 3, 10), None)
    on_march_5 = profile_at(history, date(2026, 3, 5))

    # On 5 March February's bill is still open (28 days late so far), whatever happened on 10 March.
    assert [(o.days_late, o.still_open) for o in known_at(history, date(2026, 3, 5))] == [
        (0, False),
        (28, True),
    ]
    assert on_march_5.features.open_overdue == {"CNY": RENT}


def test_the_outcome_of_a_bill_is_known_once_paid_or_once_its_due_date_has_passed() -> None:
    bill = Bill(date(2026, 4, 5), RENT, date(2026, 4, 8))

    assert outcome(bill, date(2026, 4, 5)) is None  # due today, not paid: not known yet
    assert outcome(bill, date(2026, 4, 6)) is True  # unpaid past its due date
    assert outcome(Bill(date(2026, 4, 5), RENT, date(2026, 4, 1)), date(2026, 4, 2)) is False


def test_calibration_groups_predictions_by_decile_with_mean_predicted_and_observed_rate() -> None:
    pairs = [(0.05, False), (0.15, False), (0.15, True), (0.95, True), (1.0, True)]

    table = calibration(pairs)

    assert len(table) == 10
    assert (table[0].count, table[0].mean_predicted, table[0].observed_rate) == (1, 0.05, 0.0)
    assert (table[1].count, table[1].mean_predicted, table[1].observed_rate) == (2, 0.15, 0.5)
    assert (table[2].count, table[2].mean_predicted, table[2].observed_rate) == (0, None, None)
    assert (table[9].count, table[9].observed_rate) == (2, 1.0)  # 1.0 belongs to the last decile
    assert table[9].mean_predicted == pytest.approx(0.975)


def test_the_brier_score_is_the_mean_squared_error_of_the_probabilities() -> None:
    # (0.2 − 0)² + (0.7 − 1)² = 0.04 + 0.09 = 0.13, over 2.
    assert brier_score([(0.2, False), (0.7, True)]) == pytest.approx(0.065)
    with pytest.raises(ValueError, match="at least one"):
        brier_score([])


def test_a_population_rate_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="population_late_rate"):
        CreditModel(population_late_rate=1.0)


days_late = st.lists(st.one_of(st.none(), st.integers(-5, 120)), min_size=0, max_size=30)
conduct = st.builds(
    Conduct,
    broken_promises=st.integers(0, 20),
    disputes=st.integers(0, 20),
    response_days=st.lists(st.floats(0, 90), max_size=5).map(tuple),
)


def _bills(delays: list[int | None]) -> list[Bill]:
    """Bills due every 30 days from 2024-01-05, settled `delay` days after their due date (None: open)."""
    start = date(2024, 1, 5)
    return [
        Bill(start + timedelta(days=30 * n), RENT, None if d is None else start + timedelta(days=30 * n + d))
        for n, d in enumerate(delays)
    ]


AS_OF = date(2027, 1, 1)


@settings(max_examples=200, deadline=None)
@given(days_late, conduct)
def test_the_probability_stays_within_zero_and_one_and_the_score_within_0_and_100(
    delays: list[int | None], signals: Conduct
) -> None:
    result = profile(_bills(delays), AS_OF, signals)

    assert 0 < result.probability_late < 1
    assert 0 <= result.score <= 100
    assert math.isclose(sum(r.effect for r in result.reasons), result.probability_late - 0.25, abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(days_late, st.data())
def test_a_bill_paid_late_instead_of_on_time_never_lowers_the_probability(
    delays: list[int | None], data: st.DataObject
) -> None:
    at = data.draw(st.integers(0, len(delays)))
    with_on_time = [*delays[:at], data.draw(st.integers(-5, 0)), *delays[at:]]
    flipped = [*delays[:at], data.draw(st.integers(1, 120)), *delays[at:]]

    before = profile(_bills(with_on_time), AS_OF).probability_late
    after = profile(_bills(flipped), AS_OF).probability_late

    assert after >= before
