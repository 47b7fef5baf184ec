"""The monthly rent a lease export shows: rent lines in force on a day inside the term."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from backend.leasing.domain.lease_export import monthly_rent_on, rent_day
from backend.leasing.domain.schedule import ChargeType, Frequency


def line(
    amount: str, starts: date | None = None, ends: date | None = None, **values: object
) -> SimpleNamespace:
    fields = {"charge_type": ChargeType.RENT, "frequency": None} | values
    return SimpleNamespace(monthly_amount=Decimal(amount), starts_on=starts, ends_on=ends, **fields)


def test_the_rent_day_is_today_kept_inside_the_term() -> None:
    today = date(2027, 3, 15)
    assert rent_day(today, date(2029, 1, 1), date(2030, 12, 31)) == date(2029, 1, 1)
    assert rent_day(today, date(2020, 1, 1), date(2021, 12, 31)) == date(2021, 12, 31)
    assert rent_day(today, date(2027, 1, 1), date(2027, 12, 31)) == today
    assert rent_day(today, None, None) == today


def test_each_escalation_step_counts_only_in_its_own_dates() -> None:
    steps = [
        line("30000.00", date(2026, 1, 1), date(2026, 12, 31)),
        line("31500.00", date(2027, 1, 1), date(2027, 12, 31)),
        line("33075.00", date(2028, 1, 1), date(2028, 12, 31)),
    ]
    assert monthly_rent_on(steps, date(2026, 12, 31), date(2026, 1, 1), None) == Decimal("30000.00")
    assert monthly_rent_on(steps, date(2027, 1, 1), date(2026, 1, 1), None) == Decimal("31500.00")


def test_lines_without_dates_run_the_lease_term_and_other_charges_are_no_rent() -> None:
    lines = [
        line("12000.00"),
        line("3000.00"),
        line("800.00", charge_type=ChargeType.PARKING),
        line("4500.00", charge_type=ChargeType.SERVICE_FEE),
        line("50000.00", frequency=Frequency.ONE_OFF),
    ]
    start, end = date(2026, 7, 1), date(2027, 4, 10)
    assert monthly_rent_on(lines, date(2027, 3, 15), start, end) == Decimal("15000.00")
    assert monthly_rent_on(lines, date(2027, 4, 11), start, end) == Decimal(0)
