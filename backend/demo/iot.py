"""A year of IoT signals for the demo portfolio, with planted anomalies and data faults (pure, deterministic).

Every space unit has an electricity meter and most a water meter, many offices and shops a door sensor, and
every equipment item an operating-hours meter. Consumption follows the unit's type and area, working days and
Chinese public holidays, the season and daily noise, and whether the demo leases occupy the unit that day: a
vacant unit only draws a small standby load. Door sensors open several times a day in occupied units and, in
vacant ones, only during viewing appointments.

Planted on top, each with its ground truth: anomalies (a sub-let in a unit listed as vacant or reserved, a
dead meter in a leased unit, leased equipment used far less than before), about half still running on the last
day, and data faults the ingest must answer (a skewed clock sending readings from the future, re-sent items, a
register reading below the one before). `batches` turns a year into ingest request bodies in the wire format.
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from backend.demo.generator import DemoAsset, DemoData, DemoProject
from backend.demo.leasing import DemoLease
from backend.iot.domain.signals import UNITS, DeviceKind, MeterKind, MeterMode
from backend.iot.domain.signals import DoorEventKind as DoorAction
from backend.leasing.domain.leases import LeaseStatus
from backend.org.domain.org import ASSET_TYPE_KIND, AssetKind, AssetStatus, AssetType

# Vocabulary -----------------------------------------------------------------------------------


class AnomalyKind(enum.StrEnum):
    """The anomalies planted; the flag kinds of the same names should find them."""

    VACANT_CONSUMPTION = "vacant_consumption"
    VACANT_DOOR = "vacant_door"
    NO_CONSUMPTION = "no_consumption"
    UTILISATION_DROP = "utilisation_drop"


class FaultKind(enum.StrEnum):
    """The data faults planted in what devices send."""

    CLOCK_SKEW = "clock_skew"
    DUPLICATE = "duplicate"
    BACKWARDS = "backwards"


# What the ingest answers a faulty item with: `duplicate` is the item's status, the others its rejection code.
FUTURE = "future"
DUPLICATE = "duplicate"
BACKWARDS = "backwards"

# Decimal places of each meter's values: kWh 0.01, m3 0.001, h 0.01.
PLACES = {MeterKind.ELECTRICITY: 2, MeterKind.WATER: 3, MeterKind.RUNTIME: 2}
DEVICE_PREFIX = {MeterKind.ELECTRICITY: "EM", MeterKind.WATER: "WM", MeterKind.RUNTIME: "RH"}
DOOR_PREFIX = "DS"

# How the portfolio is equipped.
WATER_METER_SHARE = 0.9  # of space units other than parking spaces
INTERVAL_METER_SHARE = 0.1  # of electricity and water meters; the others report their register
DOOR_SENSOR_SHARE = 0.6  # of offices and shops, about 30 % of all space units
DOOR_TYPES = frozenset({AssetType.OFFICE, AssetType.SHOP})
RUNTIME_INTERVAL_MINUTES = 24 * 60  # operating hours are reported once a day, whatever the cadence
# A vacant unit's standby load as a share of its occupied working-day use (electricity, then water).
STANDBY_SHARE = (0.02, 0.05)
WATER_STANDBY_SHARE = (0.0, 0.02)
# Equipment in use: hours on a working day.
RUNTIME_HOURS = (6.0, 10.0)

# Planted anomalies: durations in days, how much a sub-let uses against a tenant, how far use drops.
ANOMALY_RATE = 0.05  # of the assets that could carry each kind
SUBLET_DAYS = (20, 60)
DEAD_METER_DAYS = (30, 90)
DROP_DAYS = (21, 60)
SUBLET_LEVEL = (0.6, 1.0)
DROP_SHARE = (0.4, 0.7)
DEAD_ELECTRICITY_CHANCE = 0.75  # otherwise the water meter dies, where there is one
# A sub-let goes into a unit standing empty to be let. A unit under renovation or maintenance, or signed to
# its next tenant (pending delivery), has other reasons to draw power, and nobody reads its use as a sub-let.
SUBLET_STATUSES = frozenset({AssetStatus.VACANT, AssetStatus.RESERVED})
# Days of the normal state an anomaly needs before it (its baseline), and after it when it has ended.
LEAD_IN_DAYS = {
    AnomalyKind.VACANT_CONSUMPTION: 14,
    AnomalyKind.NO_CONSUMPTION: 14,
    AnomalyKind.UTILISATION_DROP: 28,
}
TAIL_DAYS = 7
# Faults: how many devices carry each (a share of the candidates, at least the minimum).
CLOCK_SKEW_SHARE, CLOCK_SKEW_MIN = 0.002, 2
CLOCK_SKEW_HOURS = (8, 8, 8, 2, 5, 11)  # mostly local time sent as UTC
DUPLICATE_SHARE, DUPLICATE_MIN = 0.005, 3
DUPLICATE_RUN = (1, 12)
BACKWARDS_SHARE, BACKWARDS_MIN = 0.002, 2
# Late data in `batches`: a share of devices goes offline for a few days and then sends what it kept.
LATE_SHARE = 0.01
LATE_DAYS = (1, 4)
RESEND_DELAY_S = (600, 6 * 3600)

_EVER_ACTIVE = frozenset(
    {LeaseStatus.ACTIVE, LeaseStatus.EXPIRING, LeaseStatus.RENEWED, LeaseStatus.TERMINATED, LeaseStatus.ENDED}
)
_ONE_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)


# Records --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Device:
    """A meter or door sensor fitted to an asset; `interval_minutes` only for interval meters."""

    code: str
    asset_code: str
    project_code: str
    kind: DeviceKind
    meter: MeterKind | None
    mode: MeterMode | None
    interval_minutes: int | None

    @property
    def unit(self) -> str | None:
        """kWh, m3 or h for a meter; None for a door sensor."""
        return None if self.meter is None else UNITS[self.meter]


@dataclass(frozen=True, slots=True)
class Reading:
    """A value as the device sends it (aware UTC time, skew included)."""

    device: str
    at: datetime
    value: Decimal


@dataclass(frozen=True, slots=True)
class DoorEvent:
    """A door opening or closing."""

    device: str
    at: datetime
    event: DoorAction


@dataclass(frozen=True, slots=True)
class Viewing:
    """A viewing appointment in a vacant unit (aware UTC times)."""

    asset_code: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A planted anomaly: the device showing it and its first and last day (project dates, inclusive)."""

    kind: AnomalyKind
    asset_code: str
    device: str
    first_day: date
    last_day: date


@dataclass(frozen=True, slots=True)
class Fault:
    """An item the ingest must not store as sent: `expected_code` is `future`, `duplicate` or `backwards`."""

    kind: FaultKind
    device: str
    at: datetime
    expected_code: str


@dataclass(frozen=True, slots=True)
class ClockSkew:
    """A device whose clock runs `hours` ahead: every time it sends is that much late."""

    device: str
    hours: int


@dataclass(frozen=True)
class IotYear:
    """The signals of the simulated assets from `start` to `end` (project dates, inclusive).

    `now` is the end of `end` (the next local midnight, in UTC): the last reading of each meter is taken then,
    and the faults expecting `future` lie at least an hour after it. `readings` and `door_events` hold every
    item once, device by device, each device's in time order; `batches` gives the order on the wire and
    repeats the planted duplicates. `occupancy` lists each simulated asset's occupied spans (first and last
    day) and `timezones` each project's time zone.
    """

    seed: int
    start: date
    end: date
    now: datetime
    cadence_hours: int
    devices: tuple[Device, ...]
    readings: tuple[Reading, ...]
    door_events: tuple[DoorEvent, ...]
    viewings: tuple[Viewing, ...]
    anomalies: tuple[Anomaly, ...]
    faults: tuple[Fault, ...]
    clock_skews: tuple[ClockSkew, ...]
    occupancy: dict[str, tuple[tuple[date, date], ...]] = field(repr=False)
    timezones: dict[str, str] = field(repr=False)
    _index: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def occupied(self, asset_code: str, day: date) -> bool:
        """Whether a demo lease occupies the asset on `day`: a lease that was ever active holds its assets
        from its start to its close (or its end). A KeyError for an asset not simulated."""
        return any(first <= day <= last for first, last in self.occupancy[asset_code])

    def device(self, code: str) -> Device:
        """The device with this code."""
        return self._devices[code]

    def daily_amounts(self, device_code: str) -> dict[date, Decimal]:
        """What a meter measured per project day, from the readings the ingest is expected to store.

        An interval value counts for the day its interval ends in; a register's increase for the day of the
        later reading. A skewed clock shifts the days as the server would see them."""
        device = self._devices[device_code]
        zone = ZoneInfo(self.timezones[device.project_code])
        rejected = self._rejected
        amounts: dict[date, Decimal] = {}
        previous: Decimal | None = None
        for reading in self._readings_of(device_code):
            if (device_code, reading.at) in rejected:
                continue
            day = (reading.at - timedelta(seconds=1)).astimezone(zone).date()
            if device.mode is MeterMode.INTERVAL:
                amounts[day] = amounts.get(day, Decimal(0)) + reading.value
            else:
                if previous is not None:
                    amounts[day] = amounts.get(day, Decimal(0)) + reading.value - previous
                previous = reading.value
        return amounts

    def door_opens(self, device_code: str) -> dict[date, int]:
        """How many times a door sensor opened per project day."""
        zone = ZoneInfo(self.timezones[self._devices[device_code].project_code])
        opens: dict[date, int] = {}
        for event in self.door_events:
            if event.device == device_code and event.event is DoorAction.OPEN:
                day = event.at.astimezone(zone).date()
                opens[day] = opens.get(day, 0) + 1
        return opens

    @property
    def _devices(self) -> dict[str, Device]:
        found = self._index.get("devices")
        if found is None:
            found = self._index["devices"] = {device.code: device for device in self.devices}
        return found

    @property
    def _rejected(self) -> frozenset[tuple[str, datetime]]:
        found = self._index.get("rejected")
        if found is None:
            found = self._index["rejected"] = frozenset(
                (f.device, f.at) for f in self.faults if f.expected_code in (FUTURE, BACKWARDS)
            )
        return found

    def _readings_of(self, device_code: str) -> Sequence[Reading]:
        slices = self._index.get("slices")
        if slices is None:
            slices = self._index["slices"] = {}
            for index, reading in enumerate(self.readings):
                first, _ = slices.get(reading.device, (index, index))
                slices[reading.device] = (first, index + 1)
        first, last = slices.get(device_code, (0, 0))
        return self.readings[first:last]


# How assets use energy -----------------------------------------------------------------------


@dataclass(frozen=True)
class _DoorHabit:
    """How often a door opens in an occupied unit: opens on a working day, on a day off (and the chance of
    any at all), between two times of day (seconds after local midnight)."""

    working: tuple[int, int]
    day_off: tuple[int, int]
    day_off_chance: float
    opens_from: int
    opens_to: int


@dataclass(frozen=True)
class _Use:
    """A space type's use when occupied, per m² on a working day, and how days and seasons change it."""

    kwh_per_m2: tuple[float, float]
    m3_per_m2: tuple[float, float] | None
    day_off: float
    holiday: float
    spring_festival: float
    cooling: float
    heating: float
    hours: tuple[int, ...]  # the day's load shape: 24 hourly weights, local time
    door: _DoorHabit | None = None


_OFFICE_HOURS = (3, 3, 3, 3, 3, 3, 3, 6, 12, 16, 16, 16, 13, 16, 16, 16, 16, 16, 11, 7, 5, 3, 3, 3)
_SHOP_HOURS = (2, 2, 2, 2, 2, 2, 2, 2, 2, 8, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 10, 4, 2)
_HOME_HOURS = (4, 4, 4, 4, 4, 4, 8, 8, 8, 4, 4, 4, 4, 4, 4, 4, 4, 7, 12, 12, 12, 12, 12, 6)
_WAREHOUSE_HOURS = (3, 3, 3, 3, 3, 3, 3, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 4, 4, 4, 4, 4)
_PARKING_HOURS = (8, 8, 8, 8, 8, 8, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 6, 6, 6, 6, 6, 6)
_FLAT_HOURS = (1,) * 24

AT = AssetType
_SPACE_USE: dict[AssetType, _Use] = {
    AT.OFFICE: _Use((0.22, 0.36), (0.004, 0.007), 0.3, 0.25, 0.15, 0.6, 0.4, _OFFICE_HOURS,
                    _DoorHabit((1, 4), (1, 1), 0.25, 8 * 3600, 19 * 3600 + 1800)),
    AT.SHOP: _Use((0.45, 0.9), (0.004, 0.02), 1.15, 1.1, 0.55, 0.55, 0.35, _SHOP_HOURS,
                  _DoorHabit((2, 4), (2, 4), 1.0, 9 * 3600, 21 * 3600 + 1800)),
    AT.APARTMENT: _Use((0.10, 0.17), (0.0022, 0.0035), 1.12, 1.1, 0.45, 0.7, 0.6, _HOME_HOURS),
    AT.WAREHOUSE_UNIT: _Use((0.03, 0.08), (0.0002, 0.0005), 0.45, 0.4, 0.2, 0.12, 0.08, _WAREHOUSE_HOURS),
    AT.PARKING_SPACE: _Use((0.015, 0.05), None, 0.9, 0.9, 0.7, 0.0, 0.0, _PARKING_HOURS),
}  # fmt: skip
# Equipment: the share of a working day's hours it runs on a day off (a range per item).
_DAY_OFF_RUNTIME = {
    AT.MACHINERY: (0.2, 0.6),
    AT.VEHICLE: (0.3, 0.7),
    AT.MEDICAL_EQUIPMENT: (0.4, 0.9),
    AT.IT_EQUIPMENT: (0.0, 0.3),
}
_SPRING_FESTIVAL_RUNTIME = 0.1
# Climate: how strongly a region cools in summer and heats with electricity in winter (the north has
# district heating).
_CLIMATE = {"SOUTH": (1.0, 0.1), "EAST": (0.85, 0.6), "NORTH": (0.75, 0.3)}
_COOLING_PEAK_DOY, _COOLING_WIDTH = 212, 38.0  # the end of July
_HEATING_PEAK_DOY, _HEATING_WIDTH = 15, 40.0  # the middle of January
_WATER_SUMMER = 0.15
_NOISE = 0.16  # day to day, relative, occupied
_STANDBY_NOISE = 0.4
_RUNTIME_NOISE = 0.3


# Calendar -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Calendar:
    """The simulated days of one time zone and holiday calendar."""

    days: tuple[date, ...]
    working: tuple[bool, ...]
    holiday: tuple[bool, ...]
    spring_festival: tuple[bool, ...]
    midnights: tuple[datetime, ...]  # each day's local start in UTC, then the end of the last day
    cooling: tuple[float, ...]
    heating: tuple[float, ...]

    def factors(self, use: _Use, region: str) -> tuple[list[float], list[float]]:
        """Each day's electricity and water use against a working day without cooling or heating."""
        climate_cooling, climate_heating = _CLIMATE[region]
        cooling, heating = use.cooling * climate_cooling, use.heating * climate_heating
        electricity, water = [], []
        for index in range(len(self.days)):
            if self.spring_festival[index]:
                day = use.spring_festival
            elif self.holiday[index]:
                day = use.holiday
            elif not self.working[index]:
                day = use.day_off
            else:
                day = 1.0
            electricity.append(day * (1 + cooling * self.cooling[index] + heating * self.heating[index]))
            water.append(day * (1 + _WATER_SUMMER * self.cooling[index]))
        return electricity, water


def _calendar(start: date, end: date, timezone: str, country: str) -> _Calendar:
    zone = ZoneInfo(timezone)
    days = tuple(start + timedelta(days=n) for n in range((end - start).days + 1))
    official = holidays.country_holidays(country, years=range(start.year, end.year + 1))
    spring = _spring_festival(official, days)
    midnights = tuple(datetime.combine(day, time(), zone).astimezone(UTC) for day in (*days, end + _ONE_DAY))
    return _Calendar(
        days=days,
        working=tuple(bool(official.is_working_day(day)) for day in days),
        holiday=tuple(day in official for day in days),
        spring_festival=tuple(day in spring for day in days),
        midnights=midnights,
        cooling=tuple(_bump(day, _COOLING_PEAK_DOY, _COOLING_WIDTH) for day in days),
        heating=tuple(_bump(day, _HEATING_PEAK_DOY, _HEATING_WIDTH) for day in days),
    )


def _spring_festival(official: holidays.HolidayBase, days: Sequence[date]) -> frozenset[date]:
    """The days off of the Spring Festival break: from a few days before New Year's Eve to a week after."""
    new_years = [day for day, name in official.items() if "Chinese New Year" in name]
    found: set[date] = set()
    for year in {day.year for day in new_years}:
        those = [day for day in new_years if day.year == year]
        first, last = min(those) - timedelta(days=3), max(those) + timedelta(days=7)
        found.update(day for day in days if first <= day <= last and not official.is_working_day(day))
    return frozenset(found)


def _bump(day: date, peak: int, width: float) -> float:
    """A seasonal weight, 1 on the peak day of the year, fading over `width` days (wrapping the year)."""
    distance = abs(day.timetuple().tm_yday - peak)
    distance = min(distance, 365 - distance)
    return math.exp(-((distance / width) ** 2))


# Occupancy ------------------------------------------------------------------------------------


def occupancy_of(leases: Iterable[DemoLease]) -> dict[str, tuple[tuple[date, date], ...]]:
    """The days each asset is occupied: a lease that was ever active (active, expiring, renewed, terminated,
    ended) holds its assets from its start to its close, or its end while it runs."""
    found: dict[str, list[tuple[date, date]]] = {}
    for lease in leases:
        if lease.status in _EVER_ACTIVE:
            span = (lease.starts_on, lease.closed_on or lease.ends_on)
            for code in lease.asset_codes:
                found.setdefault(code, []).append(span)
    return {code: tuple(sorted(spans)) for code, spans in found.items()}


def _occupied_days(spans: Sequence[tuple[date, date]], days: Sequence[date]) -> list[bool]:
    return [any(first <= day <= last for first, last in spans) for day in days]


def _runs(flags: Sequence[bool], wanted: bool) -> list[tuple[int, int]]:
    """Maximal runs of days with the flag `wanted`, as (first, last) indices."""
    runs: list[tuple[int, int]] = []
    first: int | None = None
    for index, flag in enumerate(flags):
        if flag == wanted and first is None:
            first = index
        elif flag != wanted and first is not None:
            runs.append((first, index - 1))
            first = None
    if first is not None:
        runs.append((first, len(flags) - 1))
    return runs


# Assets and their devices ---------------------------------------------------------------------


@dataclass
class _Asset:
    """An asset being simulated: its devices, its occupancy and what is planted on it."""

    asset: DemoAsset
    project: DemoProject
    occupied: list[bool]
    electricity: Device | None = None
    water: Device | None = None
    door: Device | None = None
    runtime: Device | None = None
    sublet: dict[int, float] = field(default_factory=dict)  # day index → use against a tenant
    dead: dict[str, tuple[int, int]] = field(default_factory=dict)  # device → first and last day index
    drop: tuple[int, int, float] | None = None  # first and last day index, share of the hours kept
    anomalous: bool = False

    @property
    def code(self) -> str:
        return self.asset.code

    @property
    def is_space(self) -> bool:
        return ASSET_TYPE_KIND[self.asset.asset_type] is AssetKind.SPACE

    @property
    def devices(self) -> list[Device]:
        return [d for d in (self.electricity, self.water, self.door, self.runtime) if d is not None]


def _rng(seed: int, *parts: object) -> random.Random:
    """An independent random stream per purpose and asset, so one asset's signals never shift another's."""
    return random.Random("/".join(str(part) for part in (seed, "iot", *parts)))  # noqa: S311 - demo data


def _fit_devices(item: _Asset, seed: int, cadence_hours: int) -> None:
    """The devices an asset carries, the same for an asset whatever else is simulated."""
    asset = item.asset
    rng = _rng(seed, "devices", asset.code)

    def meter(kind: MeterKind) -> Device:
        interval = kind is MeterKind.RUNTIME or rng.random() < INTERVAL_METER_SHARE
        minutes = RUNTIME_INTERVAL_MINUTES if kind is MeterKind.RUNTIME else cadence_hours * 60
        return Device(
            code=f"{DEVICE_PREFIX[kind]}-{asset.code}",
            asset_code=asset.code,
            project_code=asset.project_code,
            kind=DeviceKind.METER,
            meter=kind,
            mode=MeterMode.INTERVAL if interval else MeterMode.CUMULATIVE,
            interval_minutes=minutes if interval else None,
        )

    if not item.is_space:
        item.runtime = meter(MeterKind.RUNTIME)
        return
    item.electricity = meter(MeterKind.ELECTRICITY)
    if _SPACE_USE[asset.asset_type].m3_per_m2 is not None and rng.random() < WATER_METER_SHARE:
        item.water = meter(MeterKind.WATER)
    if asset.asset_type in DOOR_TYPES and rng.random() < DOOR_SENSOR_SHARE:
        item.door = Device(
            f"{DOOR_PREFIX}-{asset.code}", asset.code, asset.project_code, DeviceKind.DOOR, None, None, None
        )


# Planting anomalies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Window:
    """Where an anomaly may go on one asset: the run of days in the right state, and whether it runs on."""

    item: _Asset
    first: int
    last: int
    running: bool


def _windows(
    items: Sequence[_Asset], kind: AnomalyKind, days: int, least: int
) -> tuple[list[_Window], list[_Window]]:
    """Assets that can carry `kind` for at least `least` days after its lead-in: still running on the last
    day, and over before it."""
    running: list[_Window] = []
    ended: list[_Window] = []
    lead = LEAD_IN_DAYS[kind]
    for item in items:
        if not _can_carry(item, kind):
            continue
        runs = _runs(item.occupied, kind is not AnomalyKind.VACANT_CONSUMPTION)
        for first, last in runs:
            if last == days - 1 and last - first + 1 >= lead + least:
                running.append(_Window(item, first + lead, last, running=True))
                break
        for first, last in runs:
            last_end = min(last, days - 1 - TAIL_DAYS)
            if last_end - (first + lead) + 1 >= least:
                ended.append(_Window(item, first + lead, last_end, running=False))
                break
    return running, ended


def _can_carry(item: _Asset, kind: AnomalyKind) -> bool:
    if kind is AnomalyKind.UTILISATION_DROP:
        return item.runtime is not None
    if item.electricity is None or item.asset.asset_type is AssetType.PARKING_SPACE:
        return False
    return kind is not AnomalyKind.VACANT_CONSUMPTION or item.asset.status in SUBLET_STATUSES


def _plant(items: Sequence[_Asset], calendar: _Calendar, rate: float, rng: random.Random) -> list[Anomaly]:
    """Anomalies on distinct assets, about half of each kind still running on the last day."""
    days = len(calendar.days)
    anomalies: list[Anomaly] = []
    spans = {
        AnomalyKind.UTILISATION_DROP: DROP_DAYS,
        AnomalyKind.NO_CONSUMPTION: DEAD_METER_DAYS,
        AnomalyKind.VACANT_CONSUMPTION: SUBLET_DAYS,
    }
    for kind, (least, most) in spans.items():
        running, ended = _windows(items, kind, days, least)
        eligible = {w.item.code for w in running} | {w.item.code for w in ended}
        wanted = min(len(eligible), math.ceil(rate * len(eligible))) if rate > 0 else 0
        chosen: list[_Window] = []
        # Half still running where the assets allow, the rest over; either kind fills what the other lacks.
        for pool, upto in ((running, (wanted + 1) // 2), (ended, wanted), (running, wanted)):
            free = [w for w in pool if not w.item.anomalous]
            for window in rng.sample(free, max(0, min(len(free), upto - len(chosen)))):
                window.item.anomalous = True
                chosen.append(window)
        for window in chosen:
            anomalies += _apply(kind, window, least, most, calendar, rng)
    return anomalies


def _apply(
    kind: AnomalyKind, window: _Window, least: int, most: int, calendar: _Calendar, rng: random.Random
) -> list[Anomaly]:
    """Put an anomaly of `kind` in a window and say where it is."""
    length = rng.randint(least, min(most, window.last - window.first + 1))
    first = (
        window.last - length + 1 if window.running else rng.randint(window.first, window.last - length + 1)
    )
    last = first + length - 1
    item = window.item

    def found(kind: AnomalyKind, device: Device) -> Anomaly:
        return Anomaly(kind, item.code, device.code, calendar.days[first], calendar.days[last])

    if kind is AnomalyKind.UTILISATION_DROP:
        assert item.runtime is not None
        item.drop = (first, last, 1 - rng.uniform(*DROP_SHARE))
        return [found(kind, item.runtime)]
    assert item.electricity is not None
    if kind is AnomalyKind.NO_CONSUMPTION:
        dead = item.electricity
        if item.water is not None and rng.random() >= DEAD_ELECTRICITY_CHANCE:
            dead = item.water
        item.dead[dead.code] = (first, last)
        return [found(kind, dead)]
    level = rng.uniform(*SUBLET_LEVEL)
    item.sublet = dict.fromkeys(range(first, last + 1), level)
    planted = [found(kind, item.electricity)]
    if item.door is not None:
        planted.append(found(AnomalyKind.VACANT_DOOR, item.door))
    return planted


# Signals --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clock:
    """The instants readings are taken at: every cadence slot's end, and the start of the window."""

    calendar: _Calendar
    slots: int  # readings a day
    ticks: tuple[datetime, ...]  # the end of each slot, day by day

    @classmethod
    def of(cls, calendar: _Calendar, cadence_hours: int) -> _Clock:
        slots = 24 // cadence_hours
        step = timedelta(hours=cadence_hours)
        ticks: list[datetime] = []
        for index in range(len(calendar.days)):
            ticks += [calendar.midnights[index] + step * (slot + 1) for slot in range(slots - 1)]
            ticks.append(calendar.midnights[index + 1])
        return cls(calendar, slots, tuple(ticks))


@cache
def _slot_weights(hours: tuple[int, ...], slots: int) -> tuple[int, ...]:
    """Cumulative weights of a load shape at each slot boundary (0 first, the day's total last)."""
    per_slot = 24 // slots
    bounds = [0]
    for slot in range(slots):
        bounds.append(bounds[-1] + sum(hours[slot * per_slot : (slot + 1) * per_slot]))
    return tuple(bounds)


def _split(amount: int, weights: tuple[int, ...]) -> list[int]:
    """A day's amount shared over its slots by cumulative weights, adding up exactly."""
    total = weights[-1]
    cut = [amount * weight // total for weight in weights]
    return [cut[slot + 1] - cut[slot] for slot in range(len(weights) - 1)]


def _space_amounts(
    item: _Asset, kind: MeterKind, calendar: _Calendar, factors: Sequence[float], rng: random.Random
) -> list[int]:
    """A space meter's daily amounts in its smallest unit: occupied (or sub-let) use, else standby."""
    use = _SPACE_USE[item.asset.asset_type]
    area = float(item.asset.area_m2 or 0)
    per_m2 = use.kwh_per_m2 if kind is MeterKind.ELECTRICITY else use.m3_per_m2
    assert per_m2 is not None
    base = area * rng.uniform(*per_m2) * 10 ** PLACES[kind]
    standby_share = STANDBY_SHARE if kind is MeterKind.ELECTRICITY else WATER_STANDBY_SHARE
    standby = base * rng.uniform(*standby_share)
    occupied, sublet = item.occupied, item.sublet
    amounts = []
    random_ = rng.random
    for index in range(len(calendar.days)):
        wobble = random_() + random_() - 1
        level = 1.0 if occupied[index] else sublet.get(index, 0.0)
        if level:
            amount = base * level * factors[index] * (1 + _NOISE * wobble)
        else:
            amount = standby * (1 + _STANDBY_NOISE * wobble)
        amounts.append(int(amount + 0.5))
    device = item.electricity if kind is MeterKind.ELECTRICITY else item.water
    dead = None if device is None else item.dead.get(device.code)
    if dead is not None:
        amounts[dead[0] : dead[1] + 1] = [0] * (dead[1] - dead[0] + 1)
    return amounts


def _runtime_amounts(item: _Asset, calendar: _Calendar, rng: random.Random) -> list[int]:
    """Operating hours per day in hundredths: 6–10 h on a working day when leased, 0 when not."""
    hours = rng.uniform(*RUNTIME_HOURS) * 100
    day_off = rng.uniform(*_DAY_OFF_RUNTIME[item.asset.asset_type])
    first, last, kept = item.drop or (-1, -1, 1.0)
    amounts = []
    random_ = rng.random
    for index in range(len(calendar.days)):
        wobble = random_() + random_() - 1
        if not item.occupied[index]:
            amounts.append(0)
            continue
        share = 1.0 if calendar.working[index] else day_off
        if calendar.spring_festival[index]:
            share = _SPRING_FESTIVAL_RUNTIME
        if first <= index <= last:
            share *= kept
        amounts.append(min(2400, int(hours * share * (1 + _RUNTIME_NOISE * wobble / 2) + 0.5)))
    return amounts


def _readings(
    device: Device,
    amounts: Sequence[int],
    clock: _Clock,
    shape: Sequence[tuple[int, ...]],
    initial: int,
    skew: timedelta | None,
) -> list[Reading]:
    """A meter's readings from its daily amounts: its register (from `initial`, read at the window's start
    too) or each interval's use; `shape` gives each day's cumulative slot weights."""
    assert device.meter is not None
    code, scale = device.code, -PLACES[device.meter]
    runtime = device.meter is MeterKind.RUNTIME
    slots = 1 if runtime else clock.slots
    if slots == 1:
        per_slot: Sequence[int] = amounts
        ticks: Sequence[datetime] = clock.calendar.midnights[1:] if runtime else clock.ticks
    else:
        per_slot = [part for index, amount in enumerate(amounts) for part in _split(amount, shape[index])]
        ticks = clock.ticks
    if skew is not None:
        ticks = [tick + skew for tick in ticks]
    if device.mode is MeterMode.INTERVAL:
        return [Reading(code, at, Decimal(v).scaleb(scale)) for at, v in zip(ticks, per_slot, strict=True)]
    first_at = clock.calendar.midnights[0] + (skew or timedelta())
    out = [Reading(code, first_at, Decimal(initial).scaleb(scale))]
    register = initial
    for at, amount in zip(ticks, per_slot, strict=True):
        register += amount
        out.append(Reading(code, at, Decimal(register).scaleb(scale)))
    return out


def _viewings(item: _Asset, calendar: _Calendar, rng: random.Random) -> list[tuple[int, int, int]]:
    """Viewing appointments in a vacant unit: a few a month, as (day index, start, end in seconds after local
    midnight). None on days a sub-let is using the unit."""
    free = [
        index for index, occupied in enumerate(item.occupied) if not occupied and index not in item.sublet
    ]
    found: list[tuple[int, int, int]] = []
    for block in range(0, len(free), 30):
        days = free[block : block + 30]
        count = min(len(days), round(rng.randint(1, 4) * len(days) / 30))
        for index in sorted(rng.sample(days, count)):
            starts = (9 * 60 + 30 + 15 * rng.randint(0, 30)) * 60
            found.append((index, starts, starts + rng.choice((30, 45, 60)) * 60))
    return found


def _door_events(
    item: _Asset,
    calendar: _Calendar,
    viewings: Sequence[tuple[int, int, int]],
    rng: random.Random,
) -> list[DoorEvent]:
    """Opens and closes: the tenant's habit on occupied (and sub-let) days, a few during each viewing."""
    assert item.door is not None
    habit = _SPACE_USE[item.asset.asset_type].door
    assert habit is not None
    code = item.door.code
    by_day = {index: (starts, ends) for index, starts, ends in viewings}
    events: list[DoorEvent] = []
    for index in range(len(calendar.days)):
        if item.occupied[index] or index in item.sublet:
            seconds = _habit_opens(habit, calendar, index, rng)
        elif index in by_day:
            seconds = _viewing_opens(*by_day[index], rng)
        else:
            continue
        midnight = calendar.midnights[index]
        for position, second in enumerate(seconds):
            action = DoorAction.OPEN if position % 2 == 0 else DoorAction.CLOSE
            events.append(DoorEvent(code, midnight + timedelta(seconds=second), action))
    return events


def _habit_opens(habit: _DoorHabit, calendar: _Calendar, index: int, rng: random.Random) -> list[int]:
    """Open and close times (seconds after local midnight, alternating, increasing) of an occupied day."""
    if calendar.working[index] and not calendar.spring_festival[index]:
        count = rng.randint(*habit.working)
    else:
        chance = habit.day_off_chance * (0.4 if calendar.spring_festival[index] else 1.0)
        count = rng.randint(*habit.day_off) if rng.random() < chance else 0
    if not count:
        return []
    segment = (habit.opens_to - habit.opens_from) // count
    seconds: list[int] = []
    for position in range(count):
        opens = habit.opens_from + position * segment + rng.randint(0, segment * 6 // 10)
        seconds += [opens, opens + rng.randint(30, max(30, min(1200, segment * 3 // 10)))]
    return seconds


def _viewing_opens(starts: int, ends: int, rng: random.Random) -> list[int]:
    """The door during a viewing: usually opened once or twice inside it; sometimes nobody came."""
    if rng.random() < 0.1:
        return []
    opens = starts + rng.randint(60, 600)
    closes = opens + rng.randint(120, 900)
    seconds = [opens, closes]
    again = closes + rng.randint(60, 300)
    if rng.random() < 0.5 and again + 180 < ends:
        seconds += [again, again + rng.randint(60, min(600, ends - 60 - again))]
    return seconds


# Faults ---------------------------------------------------------------------------------------


def _count(share: float, least: int, candidates: int) -> int:
    return min(candidates, max(least, round(share * candidates)))


@dataclass
class _FaultPlan:
    skews: dict[str, int]
    backwards: set[str]
    duplicates: set[str]


def _plan_faults(items: Sequence[_Asset], rng: random.Random) -> _FaultPlan:
    """Devices of assets without anomalies that get a skewed clock, a register glitch or a re-sent run."""
    normal = [d for item in items if not item.anomalous for d in item.devices]
    meters = [d for d in normal if d.kind is DeviceKind.METER]
    skewed = rng.sample(meters, _count(CLOCK_SKEW_SHARE, CLOCK_SKEW_MIN, len(meters)))
    skews = {device.code: rng.choice(CLOCK_SKEW_HOURS) for device in skewed}
    registers = [d for d in meters if d.mode is MeterMode.CUMULATIVE and d.code not in skews]
    backwards = rng.sample(registers, _count(BACKWARDS_SHARE, BACKWARDS_MIN, len(registers)))
    taken = set(skews) | {d.code for d in backwards}
    rest = [d for d in normal if d.code not in taken]
    duplicates = rng.sample(rest, _count(DUPLICATE_SHARE, DUPLICATE_MIN, len(rest)))
    return _FaultPlan(skews, {d.code for d in backwards}, {d.code for d in duplicates})


def _glitch(readings: list[Reading], places: int, rng: random.Random) -> Fault:
    """Replace one register reading by a value below the one before it (a misread)."""
    index = rng.randint(max(1, len(readings) // 3), len(readings) - 2)
    before = int(readings[index - 1].value.scaleb(places))
    value = before - rng.randint(1, max(1, before // 50))
    glitch = readings[index]
    readings[index] = Reading(glitch.device, glitch.at, Decimal(value).scaleb(-places))
    return Fault(FaultKind.BACKWARDS, glitch.device, glitch.at, BACKWARDS)


def _resent(items: Sequence[Reading] | Sequence[DoorEvent], rng: random.Random) -> list[Fault]:
    """A run of consecutive items a gateway sends a second time."""
    if not items:
        return []
    length = min(len(items), rng.randint(*DUPLICATE_RUN))
    first = rng.randint(0, len(items) - length)
    return [Fault(FaultKind.DUPLICATE, i.device, i.at, DUPLICATE) for i in items[first : first + length]]


# Entry points ---------------------------------------------------------------------------------


def simulate(
    data: DemoData,
    *,
    start: date,
    end: date,
    seed: int | None = None,
    cadence_hours: int = 24,
    asset_codes: Collection[str] | None = None,
    anomaly_rate: float = ANOMALY_RATE,
) -> IotYear:
    """The signals of the demo assets (or of `asset_codes` only) from `start` to `end`, project days.

    Retired assets carry no devices. Meters read every `cadence_hours` (a divisor of 24), operating hours
    once a day. `seed` defaults to the data's; the same arguments always give the same year, and an asset's
    devices and normal signals do not depend on which other assets are simulated. `anomaly_rate` is the share
    of the assets that could carry each anomaly kind that do (at least one where any can, unless 0)."""
    if end < start:
        raise ValueError("end must not be before start")
    if cadence_hours < 1 or 24 % cadence_hours:
        raise ValueError("cadence_hours must divide 24")
    if not 0 <= anomaly_rate <= 1:
        raise ValueError("anomaly_rate must lie between 0 and 1")
    seed = data.seed if seed is None else seed
    wanted = None if asset_codes is None else set(asset_codes)
    assets = [a for a in data.assets() if wanted is None or a.code in wanted]
    if wanted is not None and len(assets) < len(wanted):
        unknown = sorted(wanted - {a.code for a in assets})
        raise ValueError(f"unknown assets: {', '.join(unknown[:5])}")
    codes = {a.code for a in assets}
    leased = occupancy_of(lease for lease in data.leases() if codes.intersection(lease.asset_codes))
    occupancy = {code: leased.get(code, ()) for code in sorted(codes)}
    projects = {p.code: p for p in data.projects}
    calendars: dict[tuple[str, str], _Calendar] = {}
    items: list[_Asset] = []
    for asset in assets:
        project = projects[asset.project_code]
        key = (project.timezone, project.holiday_calendar)
        if key not in calendars:
            calendars[key] = _calendar(start, end, *key)
        item = _Asset(asset, project, _occupied_days(occupancy[asset.code], calendars[key].days))
        if asset.status is not AssetStatus.RETIRED:
            _fit_devices(item, seed, cadence_hours)
        items.append(item)
    if not calendars:
        calendars[("Asia/Shanghai", "CN")] = _calendar(start, end, "Asia/Shanghai", "CN")
    anomalies: list[Anomaly] = []
    for key, calendar in calendars.items():
        local = [item for item in items if (item.project.timezone, item.project.holiday_calendar) == key]
        anomalies += _plant(local, calendar, anomaly_rate, _rng(seed, "anomalies", *key))
    faults = _plan_faults(items, _rng(seed, "faults"))
    signals = _Signals(seed, faults)
    clocks = {key: _Clock.of(calendar, cadence_hours) for key, calendar in calendars.items()}
    for item in items:
        key = (item.project.timezone, item.project.holiday_calendar)
        signals.add(item, calendars[key], clocks[key])
    return IotYear(
        seed=seed,
        start=start,
        end=end,
        now=min(calendar.midnights[-1] for calendar in calendars.values()),
        cadence_hours=cadence_hours,
        devices=tuple(d for item in items for d in item.devices),
        readings=tuple(signals.readings),
        door_events=tuple(signals.door_events),
        viewings=tuple(signals.viewings),
        anomalies=tuple(sorted(anomalies, key=lambda a: (a.kind, a.asset_code, a.device))),
        faults=tuple(signals.faults),
        clock_skews=tuple(ClockSkew(code, hours) for code, hours in sorted(faults.skews.items())),
        occupancy=occupancy,
        timezones={p.code: p.timezone for p in data.projects},
    )


class _Signals:
    """Collects every asset's readings, door events, viewings and fault records."""

    def __init__(self, seed: int, faults: _FaultPlan) -> None:
        self.seed = seed
        self.plan = faults
        self.readings: list[Reading] = []
        self.door_events: list[DoorEvent] = []
        self.viewings: list[Viewing] = []
        self.faults: list[Fault] = []
        self._factors: dict[tuple[int, AssetType, str], tuple[list[float], list[float]]] = {}

    def add(self, item: _Asset, calendar: _Calendar, clock: _Clock) -> None:
        seed, code = self.seed, item.code
        if item.runtime is not None:
            amounts = _runtime_amounts(item, calendar, _rng(seed, "runtime", code))
            self._meter(item.runtime, amounts, clock, (), _rng(seed, "faults", item.runtime.code))
            return
        if not item.is_space or item.electricity is None:
            return
        use = _SPACE_USE[item.asset.asset_type]
        key = (id(calendar), item.asset.asset_type, item.project.region_code)
        if key not in self._factors:
            self._factors[key] = calendar.factors(use, item.project.region_code)
        electricity, water = self._factors[key]
        shape = self._shape(item, use, clock)
        for device, factors in ((item.electricity, electricity), (item.water, water)):
            if device is not None:
                assert device.meter is not None
                rng = _rng(seed, "meter", device.code)
                amounts = _space_amounts(item, device.meter, calendar, factors, rng)
                self._meter(device, amounts, clock, shape, rng)
        if item.asset.asset_type is AssetType.PARKING_SPACE:
            return
        viewings = _viewings(item, calendar, _rng(seed, "viewings", code))
        self.viewings += [
            Viewing(
                code,
                calendar.midnights[i] + timedelta(seconds=s),
                calendar.midnights[i] + timedelta(seconds=e),
            )
            for i, s, e in viewings
        ]
        if item.door is not None:
            events = _door_events(item, calendar, viewings, _rng(seed, "door", code))
            if item.door.code in self.plan.duplicates:
                self.faults += _resent(events, _rng(seed, "faults", item.door.code))
            self.door_events += events

    def _shape(self, item: _Asset, use: _Use, clock: _Clock) -> list[tuple[int, ...]]:
        if clock.slots == 1:
            return []
        busy, idle = _slot_weights(use.hours, clock.slots), _slot_weights(_FLAT_HOURS, clock.slots)
        return [busy if on or i in item.sublet else idle for i, on in enumerate(item.occupied)]

    def _meter(
        self,
        device: Device,
        amounts: list[int],
        clock: _Clock,
        shape: Sequence[tuple[int, ...]],
        rng: random.Random,
    ) -> None:
        assert device.meter is not None
        places = PLACES[device.meter]
        initial = rng.randint(1_000, 80_000) * 10**places if device.meter is not MeterKind.RUNTIME else 0
        hours = self.plan.skews.get(device.code)
        skew = None if hours is None else timedelta(hours=hours)
        readings = _readings(device, amounts, clock, shape, initial, skew)
        if skew is not None:
            now = clock.calendar.midnights[-1]
            self.faults += [
                Fault(FaultKind.CLOCK_SKEW, r.device, r.at, FUTURE) for r in readings if r.at > now
            ]
        if device.code in self.plan.backwards and len(readings) >= 3:
            self.faults.append(_glitch(readings, places, rng))
        if device.code in self.plan.duplicates:
            self.faults += _resent(readings, rng)
        self.readings += readings


def batches(year: IotYear, size: int = 1000) -> Iterator[dict[str, list[dict[str, str]]]]:
    """Ingest request bodies, `{"readings": [...], "door_events": [...]}`, at most `size` items each.

    Items go out about when they were taken, so mostly in time order; a few devices go offline for some days
    and then send what they kept (late, out of order against the others, in order for themselves), and the
    planted duplicates are sent again a while after the originals, never in the same body."""
    if size < 1:
        raise ValueError("size must be at least 1")
    order = _wire_order(year)
    readings, doors = year.readings, year.door_events
    count = len(readings)
    body: dict[str, list[dict[str, str]]] = {"readings": [], "door_events": []}
    in_body: set[int] = set()
    items = 0
    iso: dict[datetime, str] = {}  # readings share their instants: format each once
    for index in order:
        if items >= size or index in in_body:
            yield body
            body, in_body, items = {"readings": [], "door_events": []}, set(), 0
        in_body.add(index)
        items += 1
        if index < count:
            reading = readings[index]
            at = iso.get(reading.at)
            if at is None:
                at = iso[reading.at] = _iso(reading.at)
            body["readings"].append({"device": reading.device, "at": at, "value": str(reading.value)})
        else:
            event = doors[index - count]
            body["door_events"].append(
                {"device": event.device, "at": _iso(event.at), "event": event.event.value}
            )
    if items:
        yield body


def _iso(at: datetime) -> str:
    """ISO 8601 in UTC with `Z`, to the second."""
    return at.isoformat(timespec="seconds").removesuffix("+00:00") + "Z"


def _wire_order(year: IotYear) -> list[int]:
    """Every item's index (readings first, then door events) in the order sent, duplicates repeated."""
    rng = _rng(year.seed, "wire")
    skews = {skew.device: timedelta(hours=skew.hours) for skew in year.clock_skews}
    items: list[Reading | DoorEvent] = [*year.readings, *year.door_events]
    sent = [int((item.at - skews.get(item.device, timedelta())).timestamp()) for item in items]
    _delay_outages(year, items, sent, rng)
    bits = max(1, (len(items) * 2).bit_length())
    keys = [(moment << bits) | index for index, moment in enumerate(sent)]
    duplicated = {f.device for f in year.faults if f.expected_code == DUPLICATE}
    position = {
        (item.device, item.at): index for index, item in enumerate(items) if item.device in duplicated
    }
    delay_of: dict[str, int] = {}
    for fault in year.faults:
        if fault.expected_code == DUPLICATE:
            index = position[(fault.device, fault.at)]
            delay = delay_of.setdefault(fault.device, rng.randint(*RESEND_DELAY_S))
            keys.append(((sent[index] + delay) << bits) | (len(items) + index))
    keys.sort()
    mask = (1 << bits) - 1
    return [(key & mask) % len(items) for key in keys]


def _delay_outages(
    year: IotYear, items: Sequence[Reading | DoorEvent], sent: list[int], rng: random.Random
) -> None:
    """Hold back a few devices' items over an outage of some days; they go out with the first item after it
    (or at the end), keeping the device's own order."""
    by_device: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        by_device.setdefault(item.device, []).append(index)
    codes = sorted(by_device)
    now = int(year.now.timestamp())
    for code in rng.sample(codes, min(len(codes), max(1, round(LATE_SHARE * len(codes))))):
        indices = by_device[code]
        begins = sent[indices[0]] + rng.random() * max(0, sent[indices[-1]] - sent[indices[0]])
        ends = begins + rng.randint(*LATE_DAYS) * 86_400
        held = [index for index in indices if begins <= sent[index] < ends]
        later = [index for index in indices if sent[index] >= ends]
        release = sent[later[0]] if later else now
        for index in held:
            sent[index] = release


def describe(year: IotYear) -> dict[str, Any]:
    """Counts of what a year holds, for logs and benchmarks."""
    return {
        "devices": len(year.devices),
        "readings": len(year.readings),
        "door_events": len(year.door_events),
        "viewings": len(year.viewings),
        "anomalies": {kind.value: sum(a.kind is kind for a in year.anomalies) for kind in AnomalyKind},
        "running_at_end": sum(a.last_day == year.end for a in year.anomalies),
        "faults": {
            code: sum(f.expected_code == code for f in year.faults) for code in (FUTURE, DUPLICATE, BACKWARDS)
        },
    }
