"""The reminders' rules without storage: a lease's dates, a tier's business day, tiers entered, tags."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.core.domain.errors import ValidationFailed
from backend.leasing.domain.schedule.calendars import holiday_calendar
from backend.leasing.domain.tags import changed, is_no_renewal
from backend.reminders.domain.dates import (
    DateKind,
    LeaseTerms,
    Source,
    Step,
    derived_dates,
    first_review_from,
    review_dates,
)
from backend.reminders.domain.plan import LeaseState, Reason, blockers, plan, previous_business_day
from backend.reminders.domain.rules import DEFAULT_TIERS, parse_tiers

CN = holiday_calendar("CN")


def test_a_lease_implies_its_end_notice_date_reviews_and_deposit_return() -> None:
    terms = LeaseTerms(
        7,
        date(2025, 1, 1),
        date(2027, 12, 31),
        notice_period_days=90,
        deposit_amount=Decimal("25600.00"),
        steps=(Step(date(2025, 1, 1), 12, None),),
    )

    found = {(d.kind, d.on) for d in derived_dates(terms)}

    # 2027-12-31 − 90 days = 2027-10-02; deposit back 30 days after the end = 2028-01-30.
    assert found == {
        (DateKind.LEASE_END, date(2027, 12, 31)),
        (DateKind.RENEWAL_NOTICE, date(2027, 10, 2)),
        (DateKind.RENT_REVIEW, date(2026, 1, 1)),
        (DateKind.RENT_REVIEW, date(2027, 1, 1)),
        (DateKind.DEPOSIT_RETURN, date(2028, 1, 30)),
    }
    assert all(d.source is Source.DERIVED and d.lease_id == 7 for d in derived_dates(terms))


def test_without_a_deposit_or_notice_period_there_is_no_such_date() -> None:
    terms = LeaseTerms(1, date(2026, 3, 1), date(2027, 2, 28), None, Decimal(0))

    assert [(d.kind, d.on) for d in derived_dates(terms)] == [(DateKind.LEASE_END, date(2027, 2, 28))]


def test_review_dates_stop_at_the_end_and_at_a_line_replaced_before_it() -> None:
    steps = [Step(date(2026, 1, 31), 6, None), Step(date(2026, 1, 31), 12, date(2027, 6, 30))]

    # Six-monthly from 31 Jan: 31 Jul, 31 Jan, 31 Jul (end of month kept); the yearly one adds nothing new.
    assert review_dates(steps, date(2026, 1, 31), date(2027, 8, 15)) == [
        date(2026, 7, 31),
        date(2027, 1, 31),
        date(2027, 7, 31),
    ]


def test_a_reminder_on_a_holiday_or_weekend_moves_to_the_business_day_before() -> None:
    # Mid-Autumn Festival, Friday 25 September 2026: the day before.
    assert previous_business_day(date(2026, 9, 25), CN.is_working_day) == date(2026, 9, 24)
    # Saturday 3 October 2026, inside the National Day week (1–7 October): Wednesday 30 September.
    assert previous_business_day(date(2026, 10, 3), CN.is_working_day) == date(2026, 9, 30)
    # An ordinary Sunday: the Friday.
    assert previous_business_day(date(2026, 11, 29), CN.is_working_day) == date(2026, 11, 27)
    # A working day stays.
    assert previous_business_day(date(2025, 12, 2), CN.is_working_day) == date(2025, 12, 2)


def test_the_default_lease_end_tiers_fire_on_rolled_days_and_fall_due_at_the_next_tier() -> None:
    terms = LeaseTerms(3, date(2025, 11, 1), date(2026, 11, 1), None, None)
    lease_end = derived_dates(terms)[0]

    tiers = plan(lease_end, DEFAULT_TIERS[DateKind.LEASE_END], CN.is_working_day)

    # 30 days before 1 Nov 2026 is Friday 2 Oct (National Day week) → Wednesday 30 Sep; 15 days before is
    # Saturday 17 Oct → Friday 16 Oct; 7 days before is Sunday 25 Oct → Friday 23 Oct.
    assert [(p.tier.number, p.nominal_on, p.fire_on) for p in tiers] == [
        (1, date(2026, 10, 2), date(2026, 9, 30)),
        (2, date(2026, 10, 17), date(2026, 10, 16)),
        (3, date(2026, 10, 25), date(2026, 10, 23)),
    ]
    assert [p.due_on for p in tiers] == [date(2026, 10, 16), date(2026, 10, 23), date(2026, 11, 1)]
    assert [p.tier.roles for p in tiers] == [("account_manager",), ("legal", "finance"), ("director",)]
    assert tiers[0].is_due(date(2026, 10, 1))
    assert not tiers[1].is_due(date(2026, 10, 15))
    assert tiers[2].missed(date(2026, 11, 2))


def test_what_stops_a_dates_tiers() -> None:
    live = LeaseState("active", True, False, None)
    silenced = LeaseState("active", True, False, "no renewal", "王总")
    ended = LeaseState("ended", False, False, None)
    renewed = LeaseState("renewed", False, True, None)

    assert blockers(DateKind.LEASE_END, live) == []
    assert blockers(DateKind.LEASE_END, silenced) == [Reason.NO_RENEWAL_TAG]
    assert blockers(DateKind.RENEWAL_NOTICE, silenced) == [Reason.NO_RENEWAL_TAG]
    assert blockers(DateKind.RENT_REVIEW, silenced) == []
    assert blockers(DateKind.LEASE_END, ended) == [Reason.LEASE_NOT_LIVE]
    assert blockers(DateKind.DEPOSIT_RETURN, ended) == []
    assert blockers(DateKind.LEASE_END, renewed) == [Reason.RENEWED]


def test_tiers_entered_are_numbered_from_the_earliest_and_refused_field_by_field() -> None:
    tiers = parse_tiers(
        [
            {"days_before": 7, "roles": ["director"], "channels": ["wecom"], "ack_required": True},
            {"days_before": 45, "roles": ["account_manager", "account_manager"], "channels": []},
        ]
    )
    assert [(t.number, t.days_before, t.roles, t.ack_required) for t in tiers] == [
        (1, 45, ("account_manager",), False),
        (2, 7, ("director",), True),
    ]

    with pytest.raises(ValidationFailed) as refused:
        parse_tiers(
            [
                {"days_before": 800, "roles": ["director"]},
                {"days_before": 10, "roles": [], "channels": ["fax"]},
                {"days_before": 10, "roles": ["cleaner"]},
            ]
        )
    fields = refused.value.fields
    assert set(fields) == {
        "tiers.0.days_before",
        "tiers.1.roles",
        "tiers.1.channels",
        "tiers.2.days_before",
        "tiers.2.roles",
    }
    assert "0 to 730" in fields["tiers.0.days_before"][0]
    assert "fax" in fields["tiers.1.channels"][0]
    with pytest.raises(ValidationFailed) as empty:
        parse_tiers([])
    assert set(empty.value.fields) == {"tiers"}


@pytest.mark.parametrize(
    ("tag", "says_no_renewal"),
    [
        ("no renewal", True),
        ("No-Renewal", True),
        ("NO_RENEWAL", True),
        ("不续约", True),
        ("无需续约", True),
        ("non-renewal", True),
        ("重点客户", False),
        ("renewal", False),
    ],
)
def test_the_spellings_of_no_renewal(tag: str, says_no_renewal: bool) -> None:
    assert is_no_renewal(tag) is says_no_renewal


def test_tags_added_and_removed() -> None:
    assert changed(["重点客户", "no renewal"], ["no renewal", "VIP", "VIP"]) == (["VIP"], ["重点客户"])


def test_the_first_review_from_a_day_is_found_without_listing_them_all() -> None:
    yearly = Step(date(2024, 3, 15), 12, None)
    assert first_review_from(yearly, date(2026, 3, 15)) == date(2026, 3, 15)
    assert first_review_from(yearly, date(2026, 3, 16)) == date(2027, 3, 15)
    assert first_review_from(yearly, date(2024, 1, 1)) == date(2025, 3, 15)
    ending = Step(date(2026, 1, 31), 6, date(2026, 12, 31))
    assert first_review_from(ending, date(2026, 2, 1)) == date(2026, 7, 31)
    assert first_review_from(ending, date(2026, 8, 1)) is None
    for step in (yearly, ending):
        for day in (date(2025, 5, 9), date(2026, 7, 31), date(2026, 11, 30)):
            listed = [on for on in review_dates([step], None, date(2030, 1, 1)) if on >= day]
            assert first_review_from(step, day) == (
                listed[0] if listed and (step.until is None or listed[0] <= step.until) else None
            )
