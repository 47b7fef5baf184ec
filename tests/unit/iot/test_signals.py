"""Daily use from readings (cumulative spread over the time between readings, interval over its width), the
days readings cover, and the checks a reading must pass."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from backend.iot.domain.signals import (
    DeviceHistory,
    MeterKind,
    MeterMode,
    Point,
    RejectCode,
    asset_series,
    cumulative_problem,
    daily_use,
    opens_per_day,
    time_problem,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI).astimezone(UTC)


def test_a_cumulative_difference_is_spread_over_the_days_between_readings() -> None:
    """Read at 18:00 on 1 Nov and 06:00 on 3 Nov (36 h, 36 kWh): 6 on the 1st, 24 on the 2nd, 6 on the 3rd."""
    points = [Point(at(date(2026, 11, 1), 18), Decimal(100)), Point(at(date(2026, 11, 3), 6), Decimal(136))]
    used, covered = daily_use(points, MeterMode.CUMULATIVE, None, SHANGHAI)
    assert used == {
        date(2026, 11, 1): Decimal(6),
        date(2026, 11, 2): Decimal(24),
        date(2026, 11, 3): Decimal(6),
    }
    assert covered == {date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)}


def test_days_are_the_projects_days_not_utc() -> None:
    """Two readings at Shanghai midnights: the whole difference is the Shanghai day between them, although
    in UTC it straddles two dates."""
    points = [Point(at(date(2026, 11, 1), 0), Decimal(0)), Point(at(date(2026, 11, 2), 0), Decimal(48))]
    used, covered = daily_use(points, MeterMode.CUMULATIVE, None, SHANGHAI)
    assert used == {date(2026, 11, 1): Decimal(48)}
    assert covered == {date(2026, 11, 1)}


def test_an_interval_value_covers_the_width_before_its_time() -> None:
    """A daily interval meter reporting at 06:00: 18 h of its value fall on the day before."""
    points = [Point(at(date(2026, 11, 2), 6), Decimal(24))]
    used, covered = daily_use(points, MeterMode.INTERVAL, 1440, SHANGHAI)
    assert used == {date(2026, 11, 1): Decimal(18), date(2026, 11, 2): Decimal(6)}
    assert covered == {date(2026, 11, 1), date(2026, 11, 2)}


def test_a_day_no_reading_covers_is_unknown_not_zero() -> None:
    """A gap of days in an interval meter's data leaves those days out of the covered days."""
    points = [Point(at(date(2026, 11, d), 23), Decimal(5)) for d in (1, 2, 5)]
    series = asset_series([DeviceHistory(MeterKind.RUNTIME, MeterMode.INTERVAL, 60, points)], SHANGHAI)
    runtime = series[MeterKind.RUNTIME]
    assert runtime.on(date(2026, 11, 2)) == Decimal(5)
    assert runtime.on(date(2026, 11, 3)) is None
    assert runtime.last_reading_at == at(date(2026, 11, 5), 23)


def test_two_meters_of_one_kind_add_up() -> None:
    """Two electricity meters on one unit: their use is the unit's."""
    day = date(2026, 11, 1)
    first = [Point(at(day, 0), Decimal(0)), Point(at(day + timedelta(days=1), 0), Decimal(10))]
    second = [Point(at(day, 0), Decimal(500)), Point(at(day + timedelta(days=1), 0), Decimal("503.5"))]
    series = asset_series(
        [DeviceHistory(MeterKind.ELECTRICITY, MeterMode.CUMULATIVE, None, p) for p in (first, second)],
        SHANGHAI,
    )
    assert series[MeterKind.ELECTRICITY].on(day) == Decimal("13.5")


def test_a_cumulative_value_must_fit_between_its_neighbours() -> None:
    """Below the reading before it or above the one after it, a register value went backwards."""
    before = Point(at(date(2026, 11, 1), 0), Decimal(100))
    after = Point(at(date(2026, 11, 3), 0), Decimal(120))
    assert cumulative_problem(Decimal(110), before, after) is None
    assert cumulative_problem(Decimal(99), before, after) is RejectCode.BACKWARDS
    assert cumulative_problem(Decimal(121), before, after) is RejectCode.BACKWARDS
    assert cumulative_problem(Decimal(-1), None, None) is RejectCode.NEGATIVE


def test_times_too_far_ahead_or_behind_are_refused() -> None:
    """Five minutes ahead of the server is clock drift; more is the future. 800 days back is too old."""
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert time_problem(now + timedelta(minutes=4), now) is None
    assert time_problem(now + timedelta(minutes=6), now) is RejectCode.FUTURE
    assert time_problem(now - timedelta(days=801), now) is RejectCode.TOO_OLD


def test_door_opens_count_per_project_day() -> None:
    """An opening at 23:30 UTC is the next day in Shanghai."""
    times = [datetime(2026, 11, 1, 23, 30, tzinfo=UTC), datetime(2026, 11, 2, 1, tzinfo=UTC)]
    assert opens_per_day(times, SHANGHAI) == {date(2026, 11, 2): 2}
