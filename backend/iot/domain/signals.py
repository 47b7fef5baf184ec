"""Meters and door sensors, what a reading must satisfy, and the daily use their readings add up to.

A cumulative meter reports its register; what was used between two readings is their difference, spread evenly
over the time between them (so a reading every six hours and one a day add up the same way). An interval meter
reports what was used in the `interval_minutes` ending at the reading's time. Days are the project's days.
"""

from __future__ import annotations

import enum
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from backend.core.domain.errors import N_

# A batch from a gateway holds at most this many readings and door events together.
MAX_BATCH_ITEMS = 1000
# A reading may be stamped a little ahead of the server's clock (gateway clocks drift); more is refused.
FUTURE_TOLERANCE = timedelta(minutes=5)
# Older than this is not a late reading but a mistake (or a device whose clock was never set).
MAX_AGE = timedelta(days=800)


class DeviceKind(enum.StrEnum):
    """A meter reports amounts; a door sensor reports openings."""

    METER = "meter"
    DOOR = "door"


class MeterKind(enum.StrEnum):
    """What a meter measures."""

    ELECTRICITY = "electricity"
    WATER = "water"
    RUNTIME = "runtime"  # an equipment item's operating hours


UNITS: dict[MeterKind, str] = {
    MeterKind.ELECTRICITY: "kWh",
    MeterKind.WATER: "m3",
    MeterKind.RUNTIME: "h",
}
# The unit a work order's meter reading may be written in, and the meter it is of.
UNIT_METERS: dict[str, MeterKind] = {
    "kwh": MeterKind.ELECTRICITY,
    "m3": MeterKind.WATER,
    "m³": MeterKind.WATER,
    "h": MeterKind.RUNTIME,
}
QUANTUM: dict[MeterKind, Decimal] = {
    MeterKind.ELECTRICITY: Decimal("0.01"),
    MeterKind.WATER: Decimal("0.001"),
    MeterKind.RUNTIME: Decimal("0.01"),
}


class MeterMode(enum.StrEnum):
    """How a meter's value reads."""

    CUMULATIVE = "cumulative"
    INTERVAL = "interval"


class DoorEventKind(enum.StrEnum):
    """What a door sensor saw."""

    OPEN = "open"
    CLOSE = "close"


class ReadingSource(enum.StrEnum):
    """Where a reading came from."""

    GATEWAY = "gateway"
    IMPORT = "import"
    WORK_ORDER = "work_order"


class ItemOutcome(enum.StrEnum):
    """What became of one item of a batch."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class RejectCode(enum.StrEnum):
    """Why an item was refused; each has a sentence for the gateway's log (REJECT_MESSAGES)."""

    UNKNOWN_DEVICE = "unknown_device"
    INACTIVE_DEVICE = "inactive_device"
    ASSET_NOT_LINKED = "asset_not_linked"
    WRONG_KIND = "wrong_kind"
    BACKWARDS = "backwards"
    FUTURE = "future"
    TOO_OLD = "too_old"
    CONFLICT = "conflict"
    NEGATIVE = "negative"


REJECT_MESSAGES: dict[RejectCode, str] = {
    RejectCode.UNKNOWN_DEVICE: N_("No device with this code belongs to this gateway."),
    RejectCode.INACTIVE_DEVICE: N_("This device is switched off; switch it on to accept its data."),
    RejectCode.ASSET_NOT_LINKED: N_("This device is not linked to an asset yet; link it first."),
    RejectCode.WRONG_KIND: N_("A meter sends readings and a door sensor sends door events, not the other."),
    RejectCode.BACKWARDS: N_("A cumulative meter cannot go backwards: this value is below an earlier reading "
                             "or above a later one."),
    RejectCode.FUTURE: N_("This time is in the future by the server's clock; check the gateway's clock."),
    RejectCode.TOO_OLD: N_("This time is more than 800 days ago; check the gateway's clock."),
    RejectCode.CONFLICT: N_("A different value was already stored for this device at this time."),
    RejectCode.NEGATIVE: N_("A reading cannot be negative."),
}  # fmt: skip


@dataclass(frozen=True)
class Point:
    """One stored reading of a device."""

    at: datetime
    value: Decimal


def time_problem(at: datetime, now: datetime) -> RejectCode | None:
    """A time the server refuses: ahead of its clock, or absurdly old."""
    if at > now + FUTURE_TOLERANCE:
        return RejectCode.FUTURE
    if at < now - MAX_AGE:
        return RejectCode.TOO_OLD
    return None


def cumulative_problem(value: Decimal, before: Point | None, after: Point | None) -> RejectCode | None:
    """A register value that does not fit between its stored neighbours."""
    if value < 0:
        return RejectCode.NEGATIVE
    if before is not None and value < before.value:
        return RejectCode.BACKWARDS
    if after is not None and value > after.value:
        return RejectCode.BACKWARDS
    return None


# --- daily use -------------------------------------------------------------------------------------------


def _spread(
    start: datetime, end: datetime, amount: Decimal, zone: ZoneInfo, into: dict[date, Decimal]
) -> None:
    """Add an amount used evenly between two instants to the project days it covers."""
    if end <= start:
        return
    total = Decimal((end - start).total_seconds())
    cursor, given = start, Decimal(0)
    while cursor < end:
        local = cursor.astimezone(zone)
        next_midnight = datetime.combine(local.date() + timedelta(days=1), time(0), zone)
        stop = min(end, next_midnight)
        # The last part takes what is left, so the parts add up to the amount exactly.
        part = amount - given if stop == end else amount * Decimal((stop - cursor).total_seconds()) / total
        into[local.date()] += part
        given += part
        cursor = stop


def daily_use(
    points: Sequence[Point],
    mode: MeterMode,
    interval_minutes: int | None,
    zone: ZoneInfo,
) -> tuple[dict[date, Decimal], set[date]]:
    """One device's use per project day, and the days its readings cover (a day without any covering reading
    is unknown, not zero). Points are sorted by time."""
    used: dict[date, Decimal] = defaultdict(Decimal)
    covered: set[date] = set()
    if mode is MeterMode.CUMULATIVE:
        for previous, current in itertools.pairwise(points):
            _spread(previous.at, current.at, current.value - previous.value, zone, used)
            _cover(previous.at, current.at, zone, covered)
    else:
        width = timedelta(minutes=interval_minutes or 1440)
        for point in points:
            _spread(point.at - width, point.at, point.value, zone, used)
            _cover(point.at - width, point.at, zone, covered)
    return dict(used), covered


def _cover(start: datetime, end: datetime, zone: ZoneInfo, into: set[date]) -> None:
    """Mark the days a span touches (a span ending at 00:00 does not cover the next day)."""
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    day = first
    while day <= last:
        into.add(day)
        day += timedelta(days=1)


@dataclass
class Series:
    """An asset's daily use of one meter kind, all its devices added up, and the days known."""

    meter: MeterKind
    used: dict[date, Decimal]
    covered: set[date]
    last_reading_at: datetime | None = None

    def on(self, day: date) -> Decimal | None:
        """The day's use; None when no reading covers it."""
        if day not in self.covered:
            return None
        return self.used.get(day, Decimal(0))


@dataclass(frozen=True)
class DeviceHistory:
    """What daily use needs to know of a device, with its readings sorted by time."""

    meter: MeterKind
    mode: MeterMode
    interval_minutes: int | None
    points: Sequence[Point]


def asset_series(devices: Iterable[DeviceHistory], zone: ZoneInfo) -> dict[MeterKind, Series]:
    """An asset's daily use per meter kind from all its devices."""
    series: dict[MeterKind, Series] = {}
    for device in devices:
        used, covered = daily_use(device.points, device.mode, device.interval_minutes, zone)
        current = series.setdefault(device.meter, Series(device.meter, defaultdict(Decimal), set()))
        for day, amount in used.items():
            current.used[day] += amount
        current.covered |= covered
        if device.points:
            last = device.points[-1].at
            if current.last_reading_at is None or last > current.last_reading_at:
                current.last_reading_at = last
    for current in series.values():
        current.used = dict(current.used)
    return series


def quantised(amount: Decimal, meter: MeterKind) -> Decimal:
    """An amount at its meter's precision."""
    return amount.quantize(QUANTUM[meter])


def opens_per_day(times: Iterable[datetime], zone: ZoneInfo) -> Mapping[date, int]:
    """How often a door opened on each project day."""
    counts: dict[date, int] = defaultdict(int)
    for at in times:
        counts[at.astimezone(zone).date()] += 1
    return dict(counts)
