"""The four flags on hand-made signals: each raised by its evidence, quiet without it, measured against the
asset's own history, and not raised again for evidence a dismissal set aside."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from backend.iot.domain.flags import (
    AssetSignals,
    FlagKind,
    FlagState,
    Occupancy,
    detect,
    no_consumption,
    reconcile,
    summary,
    utilisation_drop,
    vacant_consumption,
    vacant_door,
)
from backend.iot.domain.signals import MeterKind, Series
from backend.org.domain.org import AssetKind, AssetStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 30)


def series(meter: MeterKind, first: date, last: date, amount: Callable[[date], Decimal]) -> Series:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return Series(meter, {d: amount(d) for d in days}, set(days), datetime.combine(last, time(12), UTC))


def signals(status: AssetStatus, spans: list[tuple[date, date, int]] = (), **values: Any) -> AssetSignals:  # type: ignore[assignment]
    base: dict[str, Any] = {
        "asset_id": 1,
        "kind": AssetKind.SPACE,
        "status": status,
        "area_m2": Decimal(120),
        "today": TODAY,
        "occupancy": Occupancy(tuple(spans)),
        "series": {},
        "zone_day": lambda at: at.astimezone(SHANGHAI).date(),
    }
    return AssetSignals(**(base | values))


def sublet_after(start: date) -> Callable[[date], Decimal]:
    """0.4 kWh a day standing empty, 25 a day from `start` (someone moved in)."""
    return lambda d: Decimal(25) if d >= start else Decimal("0.4")


def test_a_vacant_unit_using_power_like_an_occupied_one_is_flagged() -> None:
    """Empty since June at 0.4 kWh a day, then 25 a day for the last three weeks: flagged, with the
    standby baseline of the season and the days above the line as evidence."""
    electricity = series(
        MeterKind.ELECTRICITY, date(2026, 6, 1), TODAY - timedelta(days=1), sublet_after(date(2026, 11, 9))
    )
    found = vacant_consumption(
        signals(
            AssetStatus.VACANT,
            [(date(2025, 6, 1), date(2026, 5, 31), 7)],
            series={MeterKind.ELECTRICITY: electricity},
        )
    )
    assert found is not None
    assert (found.window_from, found.window_to) == (date(2026, 11, 16), date(2026, 11, 29))
    assert found.evidence["baseline"] == "0.40"
    assert found.evidence["baseline_source"] == "standby_season"
    assert (found.evidence["days"], found.evidence["days_above"]) == (14, 14)
    assert found.confidence >= Decimal("0.9")


def test_a_sub_let_going_on_for_weeks_does_not_become_its_own_baseline() -> None:
    """Empty since 20 September at 0.4 kWh a day, sub-let from 5 October at 25 a day: by the end of November
    most of the season's empty days are the sub-let's, yet the unit's standby is still 0.4: still flagged."""
    sublet = sublet_after(date(2026, 10, 5))
    electricity = series(
        MeterKind.ELECTRICITY,
        date(2026, 6, 1),
        TODAY - timedelta(days=1),
        lambda d: Decimal(18) if d < date(2026, 9, 20) else sublet(d),
    )
    found = vacant_consumption(
        signals(
            AssetStatus.VACANT,
            [(date(2025, 9, 20), date(2026, 9, 19), 7)],
            series={MeterKind.ELECTRICITY: electricity},
        )
    )
    assert found is not None
    assert (found.window_from, found.window_to) == (date(2026, 11, 16), date(2026, 11, 29))
    assert (found.evidence["baseline"], found.evidence["baseline_source"]) == ("0.40", "standby_season")
    assert (found.evidence["days"], found.evidence["days_above"]) == (14, 14)


def test_a_vacant_unit_at_its_standby_level_is_not_flagged() -> None:
    """Standby noise between 0.3 and 0.6 kWh a day raises nothing."""
    electricity = series(
        MeterKind.ELECTRICITY,
        date(2026, 6, 1),
        TODAY - timedelta(days=1),
        lambda d: Decimal("0.3") + Decimal(d.day % 4) / 10,
    )
    assert (
        vacant_consumption(signals(AssetStatus.VACANT, series={MeterKind.ELECTRICITY: electricity})) is None
    )


def test_a_let_unit_is_never_a_vacant_consumption() -> None:
    """The same 25 kWh a day in a unit under lease is simply its tenant."""
    electricity = series(
        MeterKind.ELECTRICITY, date(2026, 6, 1), TODAY - timedelta(days=1), sublet_after(date(2026, 11, 9))
    )
    let = signals(
        AssetStatus.LEASED,
        [(date(2026, 11, 1), date(2027, 10, 31), 9)],
        series={MeterKind.ELECTRICITY: electricity},
    )
    assert vacant_consumption(let) is None


def test_the_days_after_a_lease_ended_are_the_only_vacant_days_counted() -> None:
    """A tenant who left three days ago used 25 a day until then: three days are too few to say anything."""
    electricity = series(
        MeterKind.ELECTRICITY, date(2026, 6, 1), TODAY - timedelta(days=1), lambda d: Decimal(25)
    )
    left = signals(
        AssetStatus.VACANT,
        [(date(2025, 12, 1), TODAY - timedelta(days=4), 3)],
        series={MeterKind.ELECTRICITY: electricity},
    )
    assert vacant_consumption(left) is None


def test_a_dismissed_flag_does_not_come_back_for_the_same_evidence() -> None:
    """Dismissed with its window ending yesterday, the same days raise nothing; new days above do."""
    electricity = series(
        MeterKind.ELECTRICITY, date(2026, 6, 1), TODAY - timedelta(days=1), sublet_after(date(2026, 11, 9))
    )
    dismissed = signals(
        AssetStatus.VACANT,
        series={MeterKind.ELECTRICITY: electricity},
        dismissed_until={FlagKind.VACANT_CONSUMPTION: TODAY - timedelta(days=1)},
    )
    assert vacant_consumption(dismissed) is None
    a_week_ago = signals(
        AssetStatus.VACANT,
        series={MeterKind.ELECTRICITY: electricity},
        dismissed_until={FlagKind.VACANT_CONSUMPTION: TODAY - timedelta(days=8)},
    )
    found = vacant_consumption(a_week_ago)
    assert found is not None
    assert found.window_from == TODAY - timedelta(days=7)


def test_doors_opening_outside_viewings_in_a_vacant_unit() -> None:
    """Openings every evening for a week are flagged; those inside a booked viewing are expected."""
    viewing = (datetime(2026, 11, 20, 1, tzinfo=UTC), datetime(2026, 11, 20, 3, tzinfo=UTC))
    evenings = [
        datetime.combine(TODAY - timedelta(days=n), time(20), SHANGHAI).astimezone(UTC) for n in range(1, 8)
    ]
    found = vacant_door(
        signals(
            AssetStatus.VACANT,
            door_opens=[*evenings, viewing[0] + timedelta(minutes=30)],
            expected_visits=[viewing],
        )
    )
    assert found is not None
    assert (found.evidence["unexpected"], found.evidence["expected"], found.evidence["days"]) == (7, 1, 7)
    only_viewings = vacant_door(
        signals(
            AssetStatus.VACANT,
            door_opens=[viewing[0] + timedelta(minutes=m) for m in (1, 5, 9)],
            expected_visits=[viewing],
        )
    )
    assert only_viewings is None


def test_a_let_unit_whose_meter_stopped_is_flagged_after_thirty_quiet_days() -> None:
    """A tenant since March; the electricity register stopped moving on 20 October: 41 quiet days, the
    meter still reporting (a broken meter or an empty unit)."""
    electricity = series(
        MeterKind.ELECTRICITY,
        date(2026, 3, 1),
        TODAY - timedelta(days=1),
        lambda d: Decimal(30) if d < date(2026, 10, 20) else Decimal(0),
    )
    spans = [(date(2026, 3, 1), date(2027, 2, 28), 5)]
    found = no_consumption(signals(AssetStatus.LEASED, spans, series={MeterKind.ELECTRICITY: electricity}))
    assert found is not None
    assert found.evidence["quiet_days"] == 41
    assert found.evidence["last_use_day"] == "2026-10-19"
    assert found.evidence["reporting"] == "flat"
    assert found.lease_id == 5
    short = series(
        MeterKind.ELECTRICITY,
        date(2026, 3, 1),
        TODAY - timedelta(days=1),
        lambda d: Decimal(30) if d < date(2026, 11, 5) else Decimal(0),
    )
    assert no_consumption(signals(AssetStatus.LEASED, spans, series={MeterKind.ELECTRICITY: short})) is None


def test_a_new_lease_is_not_quiet_for_the_days_before_it() -> None:
    """Empty (0 kWh) until a lease started ten days ago, in use since: nothing."""
    electricity = series(
        MeterKind.ELECTRICITY,
        date(2026, 3, 1),
        TODAY - timedelta(days=1),
        lambda d: Decimal(0) if d < TODAY - timedelta(days=10) else Decimal(5),
    )
    spans = [(TODAY - timedelta(days=10), date(2027, 11, 19), 5)]
    assert (
        no_consumption(signals(AssetStatus.LEASED, spans, series={MeterKind.ELECTRICITY: electricity}))
        is None
    )


def working(day: date) -> bool:
    return day.weekday() < 5


def test_a_machine_working_far_fewer_hours_is_flagged() -> None:
    """8 h a working day for months, 4.4 h over the last two weeks: down 45 %."""
    hours = series(
        MeterKind.RUNTIME,
        date(2026, 8, 1),
        TODAY - timedelta(days=1),
        lambda d: (
            (Decimal("4.4") if d >= TODAY - timedelta(days=14) else Decimal(8)) if working(d) else Decimal(0)
        ),
    )
    machine = signals(
        AssetStatus.LEASED,
        [(date(2026, 1, 1), date(2027, 12, 31), 11)],
        kind=AssetKind.EQUIPMENT,
        area_m2=None,
        series={MeterKind.RUNTIME: hours},
        working_day=working,
    )
    found = utilisation_drop(machine)
    assert found is not None
    assert found.evidence["drop"] == "0.45"
    assert (found.evidence["reference_hours"], found.evidence["recent_hours"]) == ("8.00", "4.40")
    assert summary(found.kind, found.evidence, str).endswith("down 45%")


def test_a_holiday_week_is_not_a_utilisation_drop() -> None:
    """Idle through a week the calendar marks as holidays, at work otherwise: no flag, as only working days
    are compared."""
    holiday = {TODAY - timedelta(days=n) for n in range(1, 8)}

    def calendar(day: date) -> bool:
        return working(day) and day not in holiday

    hours = series(
        MeterKind.RUNTIME,
        date(2026, 8, 1),
        TODAY - timedelta(days=1),
        lambda d: Decimal(8) if calendar(d) else Decimal(0),
    )
    machine = signals(
        AssetStatus.LEASED,
        [(date(2026, 1, 1), date(2027, 12, 31), 11)],
        kind=AssetKind.EQUIPMENT,
        series={MeterKind.RUNTIME: hours},
        working_day=calendar,
    )
    assert utilisation_drop(machine) is None


def test_reconcile_raises_updates_and_resolves() -> None:
    """A finding without an open flag raises one, with one updates it, an open flag without one resolves."""
    electricity = series(
        MeterKind.ELECTRICITY, date(2026, 6, 1), TODAY - timedelta(days=1), sublet_after(date(2026, 11, 9))
    )
    findings = detect(signals(AssetStatus.VACANT, series={MeterKind.ELECTRICITY: electricity}))
    assert [f.kind for f in findings] == [FlagKind.VACANT_CONSUMPTION]
    assert [(c.kind, c.action) for c in reconcile({}, findings)] == [(FlagKind.VACANT_CONSUMPTION, "raise")]
    open_flags = {FlagKind.VACANT_CONSUMPTION: FlagState.OPEN, FlagKind.VACANT_DOOR: FlagState.ANSWERED}
    assert sorted((c.kind.value, c.action) for c in reconcile(open_flags, findings)) == [
        ("vacant_consumption", "update"),
        ("vacant_door", "resolve"),
    ]
