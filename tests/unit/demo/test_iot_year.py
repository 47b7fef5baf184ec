"""The IoT year simulator: deterministic, realistic by occupancy, with anomalies and faults where it says."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from statistics import mean, median
from zoneinfo import ZoneInfo

import holidays
import pytest

from backend.demo.generator import DemoAsset, DemoData, generate
from backend.demo.iot import (
    BACKWARDS,
    DEAD_METER_DAYS,
    DROP_DAYS,
    DUPLICATE,
    FUTURE,
    LEAD_IN_DAYS,
    PLACES,
    SUBLET_DAYS,
    Anomaly,
    AnomalyKind,
    DeviceKind,
    DoorAction,
    DoorEvent,
    IotYear,
    MeterKind,
    MeterMode,
    Reading,
    batches,
    simulate,
)
from backend.leasing.domain.leases import LeaseStatus
from backend.org.domain.org import ASSET_TYPE_KIND, AssetKind, AssetStatus, AssetType

ZONE = ZoneInfo("Asia/Shanghai")
DAYS = 120
RATE = 0.2  # more anomalies than the default, so a small sample carries every kind


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate(1, 42)


@pytest.fixture(scope="module")
def codes(data: DemoData) -> list[str]:
    return [asset.code for asset in data.assets()][::17]


@pytest.fixture(scope="module")
def window(data: DemoData) -> tuple[date, date]:
    end = data.today - timedelta(days=1)
    return end - timedelta(days=DAYS - 1), end


@pytest.fixture(scope="module")
def year(data: DemoData, codes: list[str], window: tuple[date, date]) -> IotYear:
    start, end = window
    return simulate(data, start=start, end=end, asset_codes=codes, anomaly_rate=RATE)


@pytest.fixture(scope="module")
def assets(data: DemoData) -> dict[str, DemoAsset]:
    return {asset.code: asset for asset in data.assets()}


def days_of(year: IotYear) -> list[date]:
    return [year.start + timedelta(days=n) for n in range((year.end - year.start).days + 1)]


def span_of(anomaly: Anomaly) -> list[date]:
    return [
        anomaly.first_day + timedelta(days=n) for n in range((anomaly.last_day - anomaly.first_day).days + 1)
    ]


def faulted(year: IotYear) -> set[str]:
    return {fault.device for fault in year.faults} | {skew.device for skew in year.clock_skews}


def anomaly_days(year: IotYear, *kinds: AnomalyKind) -> dict[str, set[date]]:
    found: dict[str, set[date]] = {}
    for anomaly in year.anomalies:
        if anomaly.kind in kinds:
            found.setdefault(anomaly.asset_code, set()).update(span_of(anomaly))
    return found


# Determinism and shape --------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_year_and_the_same_wire(
    data: DemoData, codes: list[str], window: tuple[date, date], year: IotYear
) -> None:
    again = simulate(data, start=window[0], end=window[1], asset_codes=codes, anomaly_rate=RATE)
    assert again == year
    assert list(batches(again, 300)) == list(batches(year, 300))
    other = simulate(data, start=window[0], end=window[1], asset_codes=codes, anomaly_rate=RATE, seed=7)
    assert [r.value for r in other.readings] != [r.value for r in year.readings]


def test_every_space_unit_has_an_electricity_meter_and_every_equipment_item_an_hours_meter(
    year: IotYear, codes: list[str], assets: dict[str, DemoAsset]
) -> None:
    by_asset: dict[str, list[str]] = {}
    for device in year.devices:
        by_asset.setdefault(device.asset_code, []).append(device.meter or device.kind)
    assert len({device.code for device in year.devices}) == len(year.devices)
    for code in codes:
        asset = assets[code]
        fitted = by_asset.get(code, [])
        if asset.status is AssetStatus.RETIRED:
            assert not fitted
        elif ASSET_TYPE_KIND[asset.asset_type] is AssetKind.EQUIPMENT:
            assert fitted == [MeterKind.RUNTIME]
        else:
            assert MeterKind.ELECTRICITY in fitted
            assert MeterKind.RUNTIME not in fitted
            if asset.asset_type is AssetType.PARKING_SPACE:
                assert fitted == [MeterKind.ELECTRICITY]
            if DeviceKind.DOOR in fitted:
                assert asset.asset_type in {AssetType.OFFICE, AssetType.SHOP}
    kinds = Counter((d.meter, d.mode) for d in year.devices)
    assert kinds[(MeterKind.WATER, MeterMode.CUMULATIVE)] > kinds[(MeterKind.WATER, MeterMode.INTERVAL)] > 0
    assert (
        kinds[(MeterKind.ELECTRICITY, MeterMode.CUMULATIVE)]
        > kinds[(MeterKind.ELECTRICITY, MeterMode.INTERVAL)]
    )
    assert sum(d.kind is DeviceKind.DOOR for d in year.devices) > 5
    for device in year.devices:
        if device.meter is MeterKind.RUNTIME:
            assert (device.mode, device.interval_minutes) == (MeterMode.INTERVAL, 1440)
        elif device.mode is MeterMode.INTERVAL:
            assert device.interval_minutes == 24 * 60
        else:
            assert device.interval_minutes is None


def test_values_are_quantised_decimals_at_aware_utc_times(year: IotYear) -> None:
    meters = {device.code: device.meter for device in year.devices}
    for reading in year.readings:
        assert isinstance(reading.value, Decimal)
        meter = meters[reading.device]
        assert meter is not None
        assert reading.value.as_tuple().exponent == -PLACES[meter]
        assert reading.value >= 0
        assert reading.at.utcoffset() == timedelta(0)
    assert all(event.at.utcoffset() == timedelta(0) for event in year.door_events)


def test_each_meter_reads_once_a_day_at_local_midnight_and_registers_at_the_start_too(year: IotYear) -> None:
    per_device = Counter(reading.device for reading in year.readings)
    skewed = {skew.device for skew in year.clock_skews}
    for device in year.devices:
        if device.kind is DeviceKind.DOOR:
            continue
        expected = DAYS + (device.mode is MeterMode.CUMULATIVE)
        assert per_device[device.code] == expected, device.code
    for reading in year.readings:
        if reading.device not in skewed:
            assert reading.at.astimezone(ZONE).time() == datetime.min.time()
    assert year.now == datetime(2026, 11, 21, 16, tzinfo=UTC)


def test_occupancy_follows_the_leases_that_were_ever_active(data: DemoData, year: IotYear) -> None:
    checked: Counter[LeaseStatus] = Counter()
    for lease in data.leases():
        for code in lease.asset_codes:
            if code not in year.occupancy:
                continue
            inside = lease.starts_on + timedelta(days=1)
            before = lease.starts_on - timedelta(days=1)
            if lease.status in {LeaseStatus.ACTIVE, LeaseStatus.EXPIRING}:
                assert year.occupied(code, inside)
                assert not year.occupied(code, before)
            elif lease.status is LeaseStatus.ENDED:
                assert lease.closed_on is not None
                assert year.occupied(code, lease.closed_on)
                assert not year.occupied(code, lease.closed_on + timedelta(days=1))
            else:
                assert not year.occupied(code, inside)
            checked[lease.status] += 1
    assert {LeaseStatus.ACTIVE, LeaseStatus.ENDED, LeaseStatus.SIGNED} <= set(checked)


# Realism ------------------------------------------------------------------------------------------


def test_registers_never_go_backwards_except_at_the_planted_glitches(year: IotYear) -> None:
    glitches = {(f.device, f.at) for f in year.faults if f.expected_code == BACKWARDS}
    registers = {d.code for d in year.devices if d.mode is MeterMode.CUMULATIVE}
    previous: dict[str, tuple[datetime, Decimal]] = {}
    found = set()
    for reading in year.readings:
        if reading.device not in registers:
            continue
        if reading.device in previous:
            at, value = previous[reading.device]
            assert reading.at > at
            if reading.value < value:
                found.add((reading.device, reading.at))
                continue  # the next reading is compared with the last good one
        previous[reading.device] = (reading.at, reading.value)
    assert found == glitches
    assert glitches


def test_vacant_units_stay_near_standby_except_the_planted_sub_lets(
    year: IotYear, assets: dict[str, DemoAsset]
) -> None:
    sublets = anomaly_days(year, AnomalyKind.VACANT_CONSUMPTION)
    dead = anomaly_days(year, AnomalyKind.NO_CONSUMPTION)
    skip = faulted(year)
    compared = 0
    for device in year.devices:
        if device.meter not in {MeterKind.ELECTRICITY, MeterKind.WATER} or device.code in skip:
            continue
        code = device.asset_code
        amounts = year.daily_amounts(device.code)
        assert set(amounts) == set(days_of(year))
        occupied = [v for d, v in amounts.items() if year.occupied(code, d) and d not in dead.get(code, ())]
        vacant = [
            v for d, v in amounts.items() if not year.occupied(code, d) and d not in sublets.get(code, ())
        ]
        if occupied:
            assert min(occupied) > 0, device.code
        if occupied and vacant and median(occupied) > 1:
            assert max(vacant) <= Decimal("0.12") * median(occupied), device.code
            compared += 1
        if device.meter is MeterKind.ELECTRICITY and vacant:
            area = assets[code].area_m2
            assert area is not None
            assert mean(vacant) / area < Decimal("0.05")  # kWh per m² a day: a few % of an occupied unit
    assert compared > 10


def test_equipment_runs_six_to_ten_hours_on_working_days_when_leased_and_not_at_all_otherwise(
    year: IotYear,
) -> None:
    drops = anomaly_days(year, AnomalyKind.UTILISATION_DROP)
    working = holidays.country_holidays("CN", years=[year.start.year, year.end.year])
    skip = faulted(year)
    means = []
    for device in year.devices:
        if device.meter is not MeterKind.RUNTIME or device.code in skip:
            continue
        code = device.asset_code
        for day, hours in year.daily_amounts(device.code).items():
            if not year.occupied(code, day):
                assert hours == 0
        busy = [
            hours
            for day, hours in year.daily_amounts(device.code).items()
            if year.occupied(code, day) and working.is_working_day(day) and day not in drops.get(code, ())
        ]
        if len(busy) > 20:
            means.append(mean(busy))
    assert means
    assert all(Decimal(5) < m < Decimal(11) for m in means)


def test_door_opens_in_vacant_units_only_inside_viewings_or_planted_anomalies(year: IotYear) -> None:
    viewings: dict[str, list[tuple[datetime, datetime]]] = {}
    for viewing in year.viewings:
        assert viewing.starts_at < viewing.ends_at
        assert not year.occupied(viewing.asset_code, viewing.starts_at.astimezone(ZONE).date())
        viewings.setdefault(viewing.asset_code, []).append((viewing.starts_at, viewing.ends_at))
    planted = anomaly_days(year, AnomalyKind.VACANT_DOOR)
    doors = {d.code: d.asset_code for d in year.devices if d.kind is DeviceKind.DOOR}
    in_viewings = occupied_opens = 0
    previous: dict[str, datetime] = {}
    for event in year.door_events:
        assert event.at > previous.get(event.device, datetime.min.replace(tzinfo=UTC))
        previous[event.device] = event.at
        code, day = doors[event.device], event.at.astimezone(ZONE).date()
        if event.event is not DoorAction.OPEN:
            continue
        if year.occupied(code, day):
            occupied_opens += 1
        elif day not in planted.get(code, ()):
            assert any(s <= event.at <= e for s, e in viewings.get(code, ())), event
            in_viewings += 1
    assert in_viewings > 0
    assert occupied_opens > in_viewings


def test_a_few_viewings_a_month_in_vacant_units(year: IotYear) -> None:
    per_asset = Counter(viewing.asset_code for viewing in year.viewings)
    for code, count in per_asset.items():
        vacant = sum(not year.occupied(code, day) for day in days_of(year))
        assert count <= vacant
        assert count <= 5 * vacant / 30 + 1


# Anomalies ----------------------------------------------------------------------------------------


def test_every_kind_is_planted_on_distinct_assets_about_half_still_running(year: IotYear) -> None:
    kinds = Counter(a.kind for a in year.anomalies)
    assert set(kinds) == set(AnomalyKind)
    main = [a for a in year.anomalies if a.kind is not AnomalyKind.VACANT_DOOR]
    assert len({a.asset_code for a in main}) == len(main)
    running = sum(a.last_day == year.end for a in main)
    assert len(main) / 3 <= running <= 2 * len(main) / 3
    assert not faulted(year) & {d.code for d in year.devices if d.asset_code in {a.asset_code for a in main}}


def test_a_sub_let_uses_like_a_tenant_in_a_unit_no_lease_occupies(
    year: IotYear, assets: dict[str, DemoAsset]
) -> None:
    doors = {a.asset_code: a for a in year.anomalies if a.kind is AnomalyKind.VACANT_DOOR}
    door_devices = {d.asset_code: d.code for d in year.devices if d.kind is DeviceKind.DOOR}
    for anomaly in year.anomalies:
        if anomaly.kind is not AnomalyKind.VACANT_CONSUMPTION:
            continue
        # Only a unit standing empty to be let is sub-let: not one under works, nor one signed to a tenant.
        assert assets[anomaly.asset_code].status in {AssetStatus.VACANT, AssetStatus.RESERVED}
        span = span_of(anomaly)
        low, high = SUBLET_DAYS
        assert low <= len(span) <= high
        assert not any(year.occupied(anomaly.asset_code, day) for day in span)
        lead = [anomaly.first_day - timedelta(days=n) for n in range(1, LEAD_IN_DAYS[anomaly.kind] + 1)]
        assert lead[-1] >= year.start
        assert not any(year.occupied(anomaly.asset_code, day) for day in lead)
        amounts = year.daily_amounts(anomaly.device)
        assert mean(amounts[d] for d in span) > 5 * mean(amounts[d] for d in lead)
        if anomaly.asset_code in door_devices:
            door = doors[anomaly.asset_code]
            assert (door.device, door.first_day, door.last_day) == (
                door_devices[anomaly.asset_code],
                anomaly.first_day,
                anomaly.last_day,
            )
            opens = year.door_opens(door.device)
            assert sum(opens.get(day, 0) for day in span) >= len(span) // 2
        else:
            assert anomaly.asset_code not in doors


def test_a_dead_meter_reads_nothing_for_a_month_or_more_in_a_leased_unit(year: IotYear) -> None:
    dead = [a for a in year.anomalies if a.kind is AnomalyKind.NO_CONSUMPTION]
    assert dead
    for anomaly in dead:
        span = span_of(anomaly)
        assert DEAD_METER_DAYS[0] <= len(span) <= DEAD_METER_DAYS[1]
        assert all(year.occupied(anomaly.asset_code, day) for day in span)
        amounts = year.daily_amounts(anomaly.device)
        assert all(amounts[day] == 0 for day in span)
        before = anomaly.first_day - timedelta(days=1)
        assert year.occupied(anomaly.asset_code, before)
        assert amounts[before] > 0


def test_a_utilisation_drop_cuts_hours_by_forty_to_seventy_percent_for_three_weeks_or_more(
    year: IotYear,
) -> None:
    drops = [a for a in year.anomalies if a.kind is AnomalyKind.UTILISATION_DROP]
    assert drops
    for anomaly in drops:
        span = span_of(anomaly)
        assert DROP_DAYS[0] <= len(span) <= DROP_DAYS[1]
        lead = [anomaly.first_day - timedelta(days=n) for n in range(1, LEAD_IN_DAYS[anomaly.kind] + 1)]
        assert all(year.occupied(anomaly.asset_code, day) for day in span + lead)
        hours = year.daily_amounts(anomaly.device)
        ratio = mean(hours[d] for d in span) / mean(hours[d] for d in lead)
        assert Decimal("0.2") < ratio < Decimal("0.75")


# Faults and the wire -----------------------------------------------------------------------------


def test_faults_set_up_what_the_ingest_must_answer(year: IotYear) -> None:
    codes = Counter(fault.expected_code for fault in year.faults)
    assert set(codes) == {FUTURE, DUPLICATE, BACKWARDS}
    items: list[Reading | DoorEvent] = [*year.readings, *year.door_events]
    keys = Counter((item.device, item.at) for item in items)
    assert max(keys.values()) == 1
    future = {(f.device, f.at) for f in year.faults if f.expected_code == FUTURE}
    skewed = {skew.device for skew in year.clock_skews}
    for item in items:
        if (item.device, item.at) in future:
            assert item.device in skewed
            assert item.at >= year.now + timedelta(hours=1)
        else:
            assert item.at <= year.now
    readings = list(year.readings)
    for fault in year.faults:
        assert (fault.device, fault.at) in keys
        if fault.expected_code == BACKWARDS:
            index = next(i for i, r in enumerate(readings) if (r.device, r.at) == (fault.device, fault.at))
            before, glitch, after = readings[index - 1 : index + 2]
            assert before.device == glitch.device == after.device
            assert glitch.value < before.value <= after.value


def test_batches_carry_every_item_once_plus_the_duplicates_within_the_size(year: IotYear) -> None:
    sent: Counter[tuple[str, str, str]] = Counter()
    first_body: dict[tuple[str, str, str], int] = {}
    last_at: dict[str, str] = {}
    out_of_order = 0
    latest = ""
    bodies = list(batches(year, size=250))
    for number, body in enumerate(bodies):
        assert set(body) == {"readings", "door_events"}
        assert 0 < len(body["readings"]) + len(body["door_events"]) <= 250
        keys = [(i["device"], i["at"], i["value"]) for i in body["readings"]]
        keys += [(i["device"], i["at"], i["event"]) for i in body["door_events"]]
        assert len(set(keys)) == len(keys)  # never an item twice in one body
        for key in keys:
            if key in first_body:
                assert first_body[key] < number
                continue
            first_body[key] = number
            device, at, _ = key
            assert at.endswith("Z")
            assert last_at.get(device, "") < at  # a device's own items go out in order
            last_at[device] = at
            out_of_order += at < latest
            latest = max(latest, at)
        sent.update(keys)
    expected: Counter[tuple[str, str, str]] = Counter(
        (r.device, r.at.strftime("%Y-%m-%dT%H:%M:%SZ"), str(r.value)) for r in year.readings
    )
    expected.update((e.device, e.at.strftime("%Y-%m-%dT%H:%M:%SZ"), e.event.value) for e in year.door_events)
    values = {(k[0], k[1]): k for k in expected}
    expected.update(
        values[(f.device, f.at.strftime("%Y-%m-%dT%H:%M:%SZ"))]
        for f in year.faults
        if f.expected_code == DUPLICATE
    )
    assert sent == expected
    assert out_of_order > 0
    assert all(Decimal(k[2]) >= 0 for k in expected if k[0] in {d.code for d in year.devices if d.meter})


def test_a_finer_cadence_splits_the_same_daily_amounts(
    data: DemoData, codes: list[str], window: tuple[date, date], year: IotYear
) -> None:
    fine = simulate(
        data, start=window[0], end=window[1], asset_codes=codes, anomaly_rate=RATE, cadence_hours=6
    )
    assert fine.anomalies == year.anomalies
    per_device = Counter(r.device for r in fine.readings)
    skip = faulted(year) | faulted(fine)
    compared = 0
    for device in fine.devices:
        if device.kind is DeviceKind.DOOR:
            continue
        if device.meter is MeterKind.RUNTIME:
            assert per_device[device.code] == DAYS
        else:
            assert per_device[device.code] == 4 * DAYS + (device.mode is MeterMode.CUMULATIVE)
            assert device.interval_minutes in {None, 360}
        if device.code not in skip:
            assert fine.daily_amounts(device.code) == year.daily_amounts(device.code)
            compared += 1
    assert compared > 100


def test_an_assets_signals_do_not_depend_on_the_others_simulated(
    data: DemoData, codes: list[str], window: tuple[date, date], year: IotYear
) -> None:
    few = simulate(data, start=window[0], end=window[1], asset_codes=codes[:30], anomaly_rate=0)
    assert {d.asset_code for d in few.devices} <= set(codes[:30])
    assert few.devices == tuple(d for d in year.devices if d.asset_code in set(codes[:30]))
    planted = {a.asset_code for a in year.anomalies}
    skip = faulted(year) | faulted(few)
    compared = 0
    for device in few.devices:
        if device.meter and device.code not in skip and device.asset_code not in planted:
            assert few.daily_amounts(device.code) == year.daily_amounts(device.code)
            compared += 1
    assert compared > 10


def test_the_whole_portfolio_is_simulated_when_no_assets_are_named(data: DemoData) -> None:
    end = data.today - timedelta(days=1)
    short = simulate(data, start=end - timedelta(days=2), end=end)
    assert {d.asset_code for d in short.devices} == {
        a.code for a in data.assets() if a.status is not AssetStatus.RETIRED
    }
    assert len(short.occupancy) == data.asset_count


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"cadence_hours": 5}, "cadence"),
        ({"cadence_hours": 0}, "cadence"),
        ({"anomaly_rate": 1.5}, "anomaly_rate"),
        ({"asset_codes": ["NOPE-1"]}, "unknown"),
        ({"start": date(2026, 2, 1), "end": date(2026, 1, 1)}, "end"),
    ],
)
def test_wrong_arguments_are_refused(data: DemoData, arguments: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"start": date(2026, 1, 1), "end": date(2026, 1, 10), **arguments}
    with pytest.raises(ValueError, match=message):
        simulate(data, **values)  # type: ignore[arg-type]


def test_a_batch_size_below_one_is_refused(year: IotYear) -> None:
    with pytest.raises(ValueError, match="size"):
        next(batches(year, 0))
