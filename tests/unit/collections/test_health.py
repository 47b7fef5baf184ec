"""Lease health: payment deviations in business days, the threshold table, the worst colour, renewal."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.collections.domain.credit import Bill, CreditModel, profile
from backend.collections.domain.health import (
    Colour,
    HealthRule,
    HealthSettings,
    LeaseFacts,
    Per,
    Period,
    Renewal,
    Signal,
    business_days_after,
    deviations,
    first_day_shown,
    lease_health,
    recommend_renewal,
    weekdays_except,
)

RENT = Decimal("10000.00")
FEE = Decimal("1200.00")
# 9 February 2026 (a Monday) off; Saturday 7 February worked instead.
CALENDAR = weekdays_except({date(2026, 2, 9)}, {date(2026, 2, 7)})
PLAIN_WEEKS = weekdays_except(())
MAY_20 = date(2026, 5, 20)

BILLS = [
    # Due Mon 5 Jan; the fifth business day after is Mon 12 Jan: paid on the 13th, a deviation.
    Bill(date(2026, 1, 5), RENT, date(2026, 1, 13)),
    # Due Thu 5 Feb: Fri 6, Sat 7 (worked), Tue 10, Wed 11, Thu 12 (Mon 9 is off): paid the 13th, a deviation.
    Bill(date(2026, 2, 5), RENT, date(2026, 2, 13)),
    # Due Thu 5 Mar, paid 20 March: a deviation; its service fee paid 1 April, another.
    Bill(date(2026, 3, 5), RENT, date(2026, 3, 20)),
    Bill(date(2026, 3, 5), FEE, date(2026, 4, 1)),
    # Due Sun 5 Apr: Mon 6 … Fri 10 is the fifth business day; paid on the 10th, in time.
    Bill(date(2026, 4, 5), RENT, date(2026, 4, 10)),
    # Due Tue 5 May, still open on 20 May, past its fifth business day (Tue 12 May): a deviation already.
    Bill(date(2026, 5, 5), RENT, None),
    # Due 5 June: not judged on 20 May.
    Bill(date(2026, 6, 5), RENT, None),
]
FACTS = LeaseFacts(
    bills=BILLS,
    change_requests=[date(2025, 8, 1), date(2026, 1, 10), date(2026, 3, 1), date(2026, 5, 2)],
    work_orders=[date(2026, 4, d) for d in (1, 3, 8, 14, 22, 30)] + [date(2026, 5, 6), date(2026, 5, 19)],
    contacts=[date(2026, 5, 7), date(2026, 5, 8), date(2026, 6, 1)],
)


def test_business_days_skip_weekends_and_holidays_and_count_make_up_working_days() -> None:
    assert business_days_after(date(2026, 1, 5), 5, PLAIN_WEEKS) == date(2026, 1, 12)
    assert business_days_after(date(2026, 2, 5), 5, CALENDAR) == date(2026, 2, 12)
    assert business_days_after(date(2026, 2, 5), 5, weekdays_except({date(2026, 2, 9)})) == date(2026, 2, 13)
    assert business_days_after(date(2026, 4, 5), 0, PLAIN_WEEKS) == date(2026, 4, 5)


def test_a_bill_paid_more_than_five_business_days_late_or_still_open_after_them_deviates() -> None:
    found = deviations(BILLS, MAY_20, CALENDAR)

    assert found == [date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5), date(2026, 3, 5), date(2026, 5, 5)]
    # On 11 May May's bill still has a business day to go; a payment after 20 May is not known on 20 May.
    assert date(2026, 5, 5) not in deviations(BILLS, date(2026, 5, 11), CALENDAR)
    assert deviations([Bill(date(2026, 4, 5), RENT, date(2026, 5, 1))], date(2026, 4, 30), PLAIN_WEEKS) == [
        date(2026, 4, 5)
    ]


def test_health_is_judged_per_quarter_with_the_seed_thresholds_and_the_worst_colour_wins() -> None:
    health = lease_health(FACTS, MAY_20, CALENDAR)

    assert [(q.quarter, q.colour) for q in health.quarters] == [
        ("2025-Q3", Colour.GREEN),
        ("2025-Q4", Colour.GREEN),
        ("2026-Q1", Colour.YELLOW),  # four deviations (January, February, March's rent and fee)
        ("2026-Q2", Colour.RED),  # a third change request in 2026 on 2 May; six work orders in April
    ]
    assert health.colour is Colour.RED
    current = health.current
    assert [(r.signal, r.period, r.count, r.colour) for r in current.reasons] == [
        (Signal.CHANGE_REQUESTS, "2026", 3, Colour.RED),
        (Signal.WORK_ORDERS, "2026-04", 6, Colour.ORANGE),
    ]
    assert current.actions == (
        "Start a review meeting on the customer relationship.",
        "Send an engineer to survey on site whether the premises suit the tenant's use.",
    )
    first = health.quarters[2].reasons[0]
    assert first.text == "Bills due in 2026-Q1 paid over 5 business days late: 4 (from 3)."
    assert first.action == "Assign someone to call on the customer and find out what keeps them from paying."


def test_every_signal_is_counted_in_its_period_up_to_the_day_judged() -> None:
    counts = {(c.signal, c.period): c.count for c in lease_health(FACTS, MAY_20, CALENDAR).current.counts}

    assert counts == {
        (Signal.PAYMENT_DEVIATIONS, "2026-Q2"): 1,
        (Signal.CHANGE_REQUESTS, "2026"): 3,
        (Signal.WORK_ORDERS, "2026-04"): 6,
        (Signal.WORK_ORDERS, "2026-05"): 2,
        (Signal.CONTACTS, "2026-04"): 0,
        (Signal.CONTACTS, "2026-05"): 2,  # the contact of 1 June is not yet known on 20 May
    }


def test_a_year_is_judged_only_up_to_the_end_of_each_quarter() -> None:
    # Two change requests by the end of March, the third in May: the first quarter stays under the threshold.
    q1 = lease_health(FACTS, MAY_20, CALENDAR).quarters[2]

    assert {(c.signal, c.period): c.count for c in q1.counts}[(Signal.CHANGE_REQUESTS, "2026")] == 2
    assert all(r.signal is not Signal.CHANGE_REQUESTS for r in q1.reasons)


def test_counts_just_under_the_thresholds_leave_the_lease_green() -> None:
    facts = LeaseFacts(
        bills=BILLS[:2],  # two deviations in the first quarter
        change_requests=[date(2026, 1, 10), date(2026, 3, 1)],
        work_orders=[date(2026, 4, d) for d in (1, 3, 8, 14, 22)],
    )

    assert {q.colour for q in lease_health(facts, MAY_20, CALENDAR).quarters} == {Colour.GREEN}


def test_the_threshold_table_is_configurable_contacts_included() -> None:
    rules = (
        HealthRule(Signal.CONTACTS, Per.MONTH, 2, Colour.ORANGE, "Ask why the customer calls so often."),
    )

    health = lease_health(FACTS, MAY_20, CALENDAR, HealthSettings(rules=rules, quarters=1))

    assert [q.quarter for q in health.quarters] == ["2026-Q2"]
    (reason,) = health.current.reasons
    assert (reason.signal, reason.period, reason.count, reason.colour) == (
        Signal.CONTACTS,
        "2026-05",
        2,
        Colour.ORANGE,
    )


def test_periods_know_their_labels_ends_and_predecessors() -> None:
    quarter = Period.containing(Per.QUARTER, date(2026, 11, 22))

    assert (quarter.label, quarter.start, quarter.end) == ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1))
    assert quarter.previous().label == "2026-Q3"
    assert Period.containing(Per.MONTH, date(2026, 1, 31)).previous().label == "2025-12"
    # Four quarters back from the second quarter of 2026 start in the third of 2025, counted from 2025.
    assert first_day_shown(MAY_20) == date(2025, 1, 1)


def test_renewal_retains_a_good_payer_on_a_green_lease() -> None:
    green = lease_health(LeaseFacts(bills=[]), MAY_20, PLAIN_WEEKS)

    advice = recommend_renewal(profile([], MAY_20, model=CreditModel(population_late_rate=0.1)), green)

    assert advice.recommendation is Renewal.RETAIN
    assert [r.code for r in advice.reasons] == ["late_probability_low", "health_green"]
    assert advice.reasons[0].text == "The next bill is paid late with a chance of 10.0%, under 20.0%."


def test_renewal_prepares_to_release_on_a_red_lease_or_a_likely_late_payer() -> None:
    red = lease_health(FACTS, MAY_20, CALENDAR)
    green = lease_health(LeaseFacts(bills=[]), MAY_20, PLAIN_WEEKS)
    good, bad = (profile([], MAY_20, model=CreditModel(population_late_rate=p)) for p in (0.1, 0.7))

    assert recommend_renewal(good, red).recommendation is Renewal.PREPARE_TO_RELEASE
    advice = recommend_renewal(bad, green)
    assert advice.recommendation is Renewal.PREPARE_TO_RELEASE
    assert advice.reasons[0].code == "late_probability_high"


def test_renewal_follows_up_as_usual_in_between() -> None:
    yellow = lease_health(LeaseFacts(bills=BILLS[:4]), date(2026, 3, 31), CALENDAR)
    good = profile([], MAY_20, model=CreditModel(population_late_rate=0.1))
    middling = profile([], MAY_20, model=CreditModel(population_late_rate=0.3))
    green = lease_health(LeaseFacts(bills=[]), MAY_20, PLAIN_WEEKS)

    assert yellow.colour is Colour.YELLOW
    assert recommend_renewal(good, yellow).recommendation is Renewal.NORMAL_FOLLOW_UP
    advice = recommend_renewal(middling, green)
    assert advice.recommendation is Renewal.NORMAL_FOLLOW_UP
    assert advice.reasons[0].code == "late_probability_moderate"


days = st.dates(date(2025, 6, 1), date(2026, 5, 20))


@settings(max_examples=100, deadline=None)
@given(st.lists(days, max_size=12), st.lists(days, max_size=12), days)
def test_one_more_work_order_or_change_request_never_makes_a_quarter_greener(
    work: list[date], changes: list[date], extra: date
) -> None:
    before = lease_health(LeaseFacts([], changes, work), MAY_20, PLAIN_WEEKS)
    more_work = lease_health(LeaseFacts([], changes, [*work, extra]), MAY_20, PLAIN_WEEKS)
    more_changes = lease_health(LeaseFacts([], [*changes, extra], work), MAY_20, PLAIN_WEEKS)

    for old, *new in zip(before.quarters, more_work.quarters, more_changes.quarters, strict=True):
        assert all(n.colour.severity >= old.colour.severity for n in new)
        assert old.colour is max(
            (r.colour for r in old.reasons), key=lambda c: c.severity, default=Colour.GREEN
        )


def test_bills_due_on_a_friday_and_paid_the_monday_after_are_in_time() -> None:
    # Two bills due the same Friday, both paid the Monday after (one business day late): neither deviates.
    friday = date(2026, 5, 8)
    bills = [Bill(friday, RENT, friday + timedelta(days=3)), Bill(friday, FEE, friday + timedelta(days=3))]

    assert deviations(bills, MAY_20, PLAIN_WEEKS) == []
