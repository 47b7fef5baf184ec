"""What an asset's signals say against its letting status: four flags, each with evidence and a confidence.

Every figure is the asset's own: a vacant unit is measured against the low end of what it used standing empty
in the same season (its standby baseline), a machine against its own recent weeks. A flag looks only at
days after the last dismissal of its kind on the asset, so a dismissed flag does not come back for the same
evidence.
"""

from __future__ import annotations

import enum
import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.core.domain.errors import N_
from backend.iot.domain.signals import UNITS, MeterKind, Series, quantised
from backend.org.domain.org import AssetKind, AssetStatus


class FlagKind(enum.StrEnum):
    """What a flag suspects."""

    VACANT_CONSUMPTION = "vacant_consumption"  # possible unauthorised use or sub-letting
    VACANT_DOOR = "vacant_door"  # doors opening in a vacant unit outside viewings
    NO_CONSUMPTION = "no_consumption"  # a leased unit that uses nothing: empty but paying, or a dead meter
    UTILISATION_DROP = "utilisation_drop"  # a leased machine working much less than it did


KIND_NAMES: dict[FlagKind, str] = {
    FlagKind.VACANT_CONSUMPTION: N_("Consumption in a vacant unit"),
    FlagKind.VACANT_DOOR: N_("Doors opening in a vacant unit"),
    FlagKind.NO_CONSUMPTION: N_("No consumption in a leased unit"),
    FlagKind.UTILISATION_DROP: N_("Equipment utilisation dropped"),
}


class FlagState(enum.StrEnum):
    """open -> answered (an inspection looked) -> dismissed (with a reason) or resolved (evidence stopped)."""

    OPEN = "open"
    ANSWERED = "answered"
    DISMISSED = "dismissed"
    RESOLVED = "resolved"


OPEN_STATES = frozenset({FlagState.OPEN, FlagState.ANSWERED})
STATE_NAMES: dict[FlagState, str] = {
    FlagState.OPEN: N_("To look into"),
    FlagState.ANSWERED: N_("Answered by an inspection"),
    FlagState.DISMISSED: N_("Dismissed"),
    FlagState.RESOLVED: N_("Resolved: the evidence stopped"),
}
UNOCCUPIED_STATUSES = frozenset({AssetStatus.VACANT, AssetStatus.RESERVED})
SPACE_METERS = (MeterKind.ELECTRICITY, MeterKind.WATER)


@dataclass(frozen=True)
class FlagPolicy:
    """The thresholds, one place; the defaults are documented in docs/iot.md."""

    window_days: int = 14
    min_covered_days: int = 5
    standby_factor: Decimal = Decimal(3)
    # A unit's standby is the low end of what it used standing empty: the share of those days it used at most.
    # Not their median: a sub-let going on for weeks would be most of them, and so its own baseline.
    standby_share: Decimal = Decimal("0.2")
    # Added to a near-zero standby so noise on an empty unit is not "three times nothing".
    standby_margin: Mapping[MeterKind, Decimal] = field(
        default_factory=lambda: {MeterKind.ELECTRICITY: Decimal("1.5"), MeterKind.WATER: Decimal("0.05")}
    )
    # Without any history of its own a unit may use this much per m² per day standing empty.
    standby_per_m2: Mapping[MeterKind, Decimal] = field(
        default_factory=lambda: {MeterKind.ELECTRICITY: Decimal("0.02"), MeterKind.WATER: Decimal("0.0005")}
    )
    share_above: Decimal = Decimal("0.6")
    door_min_opens: int = 3
    door_min_days: int = 2
    silent_days: int = 30
    drop_share: Decimal = Decimal("0.4")
    drop_window_days: int = 14
    drop_reference_days: int = 56
    min_reference_hours: Decimal = Decimal(1)
    min_drop_days: int = 6
    history_days: int = 400


DEFAULT_POLICY = FlagPolicy()
_EPSILON = Decimal("0.0005")
_MAX_CONFIDENCE = Decimal("0.99")


def season(day: date) -> str:
    """The season a day's consumption is compared within (heating and cooling change it most)."""
    return {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
            6: "summer", 7: "summer", 8: "summer"}.get(day.month, "autumn")  # fmt: skip


@dataclass(frozen=True)
class Occupancy:
    """The spans an asset was let (first and last day included), with the lease of each."""

    spans: Sequence[tuple[date, date, int]]

    def lease_on(self, day: date) -> int | None:
        """The lease letting the asset that day."""
        for first, last, lease_id in self.spans:
            if first <= day <= last:
                return lease_id
        return None

    def occupied(self, day: date) -> bool:
        """Whether a lease let the asset that day."""
        return self.lease_on(day) is not None

    def span_start(self, day: date) -> date | None:
        """The first day of the unbroken letting that covers a day."""
        merged: list[tuple[date, date]] = []
        for first, last, _ in sorted(self.spans):
            if merged and first <= merged[-1][1] + timedelta(days=1):
                merged[-1] = (merged[-1][0], max(merged[-1][1], last))
            else:
                merged.append((first, last))
        return next((first for first, last in merged if first <= day <= last), None)

    def last_occupied_before(self, day: date) -> date | None:
        """The last let day before a day."""
        ends = [min(last, day - timedelta(days=1)) for first, last, _ in self.spans if first < day]
        return max(ends) if ends else None


@dataclass(frozen=True)
class AssetSignals:
    """Everything the flags of one asset read, as of a project day."""

    asset_id: int
    kind: AssetKind
    status: AssetStatus
    area_m2: Decimal | None
    today: date
    occupancy: Occupancy
    series: Mapping[MeterKind, Series]
    door_opens: Sequence[datetime] = ()
    # Times someone was expected at the door: viewings, work orders, inspections (start, end, UTC).
    expected_visits: Sequence[tuple[datetime, datetime]] = ()
    zone_day: Callable[[datetime], date] = lambda at: at.date()
    working_day: Callable[[date], bool] = lambda day: day.weekday() < 5
    dismissed_until: Mapping[FlagKind, date] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A flag the signals raise today: its window, confidence and evidence (plain JSON values)."""

    kind: FlagKind
    window_from: date
    window_to: date
    confidence: Decimal
    evidence: dict[str, Any]
    lease_id: int | None = None


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)] if first <= last else []


def _confidence(value: Decimal) -> Decimal:
    return min(_MAX_CONFIDENCE, max(Decimal(0), value)).quantize(Decimal("0.01"))


def _after_dismissal(signals: AssetSignals, kind: FlagKind, first: date) -> date:
    dismissed = signals.dismissed_until.get(kind)
    return max(first, dismissed + timedelta(days=1)) if dismissed else first


def _vacant_window(signals: AssetSignals, policy: FlagPolicy, kind: FlagKind) -> tuple[date, date] | None:
    """The recent days the unit stood empty, or None when it is let (or not meant to be empty)."""
    if signals.status not in UNOCCUPIED_STATUSES or signals.occupancy.occupied(signals.today):
        return None
    last = signals.today - timedelta(days=1)
    first = last - timedelta(days=policy.window_days - 1)
    vacated = signals.occupancy.last_occupied_before(signals.today)
    if vacated is not None:
        first = max(first, vacated + timedelta(days=1))
    first = _after_dismissal(signals, kind, first)
    return (first, last) if first <= last else None


def low_end(amounts: Sequence[Decimal], share: Decimal) -> Decimal:
    """The amount that `share` of the days stayed at or under (nearest rank)."""
    ordered = sorted(amounts)
    rank = math.ceil(share * len(ordered))
    return ordered[max(rank, 1) - 1]


def standby(
    series: Series, signals: AssetSignals, policy: FlagPolicy, window: tuple[date, date]
) -> tuple[Decimal, str]:
    """What the unit uses standing empty in this season, from its own history, and where that came from."""
    first_history = signals.today - timedelta(days=policy.history_days)
    empty: list[tuple[date, Decimal]] = []
    let: list[Decimal] = []
    for day in series.covered:
        if day < first_history or window[0] <= day <= window[1] or day >= signals.today:
            continue
        amount = series.used.get(day, Decimal(0))
        if signals.occupancy.occupied(day):
            let.append(amount)
        else:
            empty.append((day, amount))
    current = season(window[1])
    same_season = [amount for day, amount in empty if season(day) == current]
    if len(same_season) >= policy.window_days:
        return low_end(same_season, policy.standby_share), "standby_season"
    if len(empty) >= policy.window_days // 2:
        return low_end([amount for _, amount in empty], policy.standby_share), "standby"
    if len(let) >= policy.window_days:
        return Decimal(statistics.median(let)) / 10, "occupied"
    area = signals.area_m2 or Decimal(0)
    return area * policy.standby_per_m2.get(series.meter, Decimal(0)), "area"


def vacant_consumption(signals: AssetSignals, policy: FlagPolicy = DEFAULT_POLICY) -> Finding | None:
    """An empty unit using clearly more than it does standing empty: someone is using it."""
    window = _vacant_window(signals, policy, FlagKind.VACANT_CONSUMPTION)
    if window is None:
        return None
    best: Finding | None = None
    for meter in SPACE_METERS:
        series = signals.series.get(meter)
        if series is None:
            continue
        amounts = [a for day in _days(*window) if (a := series.on(day)) is not None]
        if len(amounts) < policy.min_covered_days:
            continue
        baseline, source = standby(series, signals, policy, window)
        threshold = max(
            baseline * policy.standby_factor, baseline + policy.standby_margin.get(meter, Decimal(0))
        )
        above = sum(1 for amount in amounts if amount > threshold)
        share = Decimal(above) / len(amounts)
        mean = sum(amounts, Decimal(0)) / len(amounts)
        if share < policy.share_above or mean <= threshold:
            continue
        confidence = _confidence(share * (1 - threshold / mean))
        finding = Finding(
            FlagKind.VACANT_CONSUMPTION, window[0], window[1], confidence,
            {
                "meter": meter.value, "unit": UNITS[meter], "days": len(amounts), "days_above": above,
                "mean": str(quantised(mean, meter)), "baseline": str(quantised(baseline, meter)),
                "baseline_source": source, "season": season(window[1]),
                "threshold": str(quantised(threshold, meter)),
            },
        )  # fmt: skip
        if best is None or finding.confidence > best.confidence:
            best = finding
    return best


def vacant_door(signals: AssetSignals, policy: FlagPolicy = DEFAULT_POLICY) -> Finding | None:
    """Doors opening in an empty unit when nobody was expected there."""
    window = _vacant_window(signals, policy, FlagKind.VACANT_DOOR)
    if window is None or not signals.door_opens:
        return None
    inside = [at for at in signals.door_opens if window[0] <= signals.zone_day(at) <= window[1]]
    unexpected = [at for at in inside if not any(s <= at <= e for s, e in signals.expected_visits)]
    days = sorted({signals.zone_day(at) for at in unexpected})
    if len(unexpected) < policy.door_min_opens or len(days) < policy.door_min_days:
        return None
    confidence = _confidence(Decimal(len(days)) / min(policy.window_days, 7))
    return Finding(
        FlagKind.VACANT_DOOR, window[0], window[1], confidence,
        {
            "opens": len(inside), "unexpected": len(unexpected), "days": len(days),
            "expected": len(inside) - len(unexpected),
            "first": min(unexpected).isoformat(), "last": max(unexpected).isoformat(),
        },
    )  # fmt: skip


def no_consumption(signals: AssetSignals, policy: FlagPolicy = DEFAULT_POLICY) -> Finding | None:
    """A let unit whose meter has not moved for weeks: nobody there, or the meter is dead."""
    if signals.kind is not AssetKind.SPACE or signals.status is not AssetStatus.LEASED:
        return None
    lease_id = signals.occupancy.lease_on(signals.today)
    let_since = signals.occupancy.span_start(signals.today)
    if lease_id is None or let_since is None:
        return None
    best: Finding | None = None
    for meter in SPACE_METERS:
        series = signals.series.get(meter)
        if series is None or not series.covered:
            continue
        start = _after_dismissal(signals, FlagKind.NO_CONSUMPTION, max(let_since, min(series.covered)))
        used_days = [
            d for d, amount in series.used.items() if amount > _EPSILON and start <= d < signals.today
        ]
        quiet_from = max(used_days) + timedelta(days=1) if used_days else start
        quiet_days = (signals.today - quiet_from).days
        if quiet_days < policy.silent_days:
            continue
        last_at = series.last_reading_at
        reporting = last_at is not None and signals.zone_day(last_at) >= signals.today - timedelta(days=2)
        confidence = _confidence(
            Decimal("0.5") + Decimal(quiet_days - policy.silent_days) / (2 * policy.silent_days)
        )
        finding = Finding(
            FlagKind.NO_CONSUMPTION, quiet_from, signals.today - timedelta(days=1), confidence,
            {
                "meter": meter.value, "unit": UNITS[meter], "quiet_days": quiet_days,
                "last_use_day": max(used_days).isoformat() if used_days else None,
                "reporting": "flat" if reporting else "silent",
                "last_reading_at": last_at.isoformat() if last_at else None,
            },
            lease_id,
        )  # fmt: skip
        if best is None or finding.confidence > best.confidence:
            best = finding
    return best


def utilisation_drop(signals: AssetSignals, policy: FlagPolicy = DEFAULT_POLICY) -> Finding | None:
    """A let machine working far fewer hours a working day than in its own previous weeks."""
    series = signals.series.get(MeterKind.RUNTIME)
    lease_id = signals.occupancy.lease_on(signals.today)
    if signals.kind is not AssetKind.EQUIPMENT or series is None or lease_id is None:
        return None
    last = signals.today - timedelta(days=1)
    first = last - timedelta(days=policy.drop_window_days - 1)
    recent_first = _after_dismissal(signals, FlagKind.UTILISATION_DROP, first)
    reference_first = first - timedelta(days=policy.drop_reference_days)

    def hours(days: list[date]) -> list[Decimal]:
        return [
            amount
            for day in days
            if signals.working_day(day)
            and signals.occupancy.occupied(day)
            and (amount := series.on(day)) is not None
        ]

    recent = hours(_days(recent_first, last))
    reference = hours(_days(reference_first, first - timedelta(days=1)))
    if len(recent) < policy.min_drop_days or len(reference) < 2 * policy.min_drop_days:
        return None
    reference_avg = sum(reference, Decimal(0)) / len(reference)
    recent_avg = sum(recent, Decimal(0)) / len(recent)
    if reference_avg < policy.min_reference_hours:
        return None
    drop = 1 - recent_avg / reference_avg
    if drop < policy.drop_share:
        return None
    confidence = _confidence(Decimal("0.25") + drop / (2 * policy.drop_share) * Decimal("0.75"))
    return Finding(
        FlagKind.UTILISATION_DROP, recent_first, last, confidence,
        {
            "reference_hours": str(quantised(reference_avg, MeterKind.RUNTIME)),
            "recent_hours": str(quantised(recent_avg, MeterKind.RUNTIME)),
            "drop": str(drop.quantize(Decimal("0.01"))), "recent_days": len(recent),
            "reference_days": len(reference),
        },
        lease_id,
    )  # fmt: skip


DETECTORS: dict[FlagKind, Callable[[AssetSignals, FlagPolicy], Finding | None]] = {
    FlagKind.VACANT_CONSUMPTION: vacant_consumption,
    FlagKind.VACANT_DOOR: vacant_door,
    FlagKind.NO_CONSUMPTION: no_consumption,
    FlagKind.UTILISATION_DROP: utilisation_drop,
}


METER_NAMES: dict[str, str] = {
    MeterKind.ELECTRICITY.value: N_("electricity"),
    MeterKind.WATER.value: N_("water"),
    MeterKind.RUNTIME.value: N_("operating hours"),
}
UNIT_NAMES: dict[str, str] = {"kWh": N_("kWh"), "m3": N_("m³"), "h": N_("h")}
SUMMARIES: dict[str, str] = {
    FlagKind.VACANT_CONSUMPTION.value: N_(
        "%(meter)s: %(mean)s %(unit)s a day over %(days)s days, against %(baseline)s %(unit)s standing empty "
        "(%(days_above)s days above %(threshold)s %(unit)s)"
    ),
    FlagKind.VACANT_DOOR.value: N_(
        "Doors opened %(unexpected)s times on %(days)s days with no viewing or visit expected"
    ),
    "no_consumption.flat": N_(
        "%(meter)s: nothing used for %(quiet_days)s days while leased; the meter still reports"
    ),
    "no_consumption.silent": N_(
        "%(meter)s: nothing used for %(quiet_days)s days while leased; the meter is silent"
    ),
    FlagKind.UTILISATION_DROP.value: N_(
        "%(recent_hours)s h a working day over the last %(recent_days)s working days, against "
        "%(reference_hours)s h before: down %(drop)s"
    ),
}


def summary(kind: FlagKind, evidence: Mapping[str, Any], translate: Callable[[str], str]) -> str:
    """A flag's evidence in one sentence of the reader's language."""
    key = f"{kind.value}.{evidence.get('reporting')}" if kind is FlagKind.NO_CONSUMPTION else kind.value
    params = dict(evidence)
    if "meter" in params:
        params["meter"] = translate(METER_NAMES.get(str(params["meter"]), str(params["meter"])))
    if "unit" in params:
        params["unit"] = translate(UNIT_NAMES.get(str(params["unit"]), str(params["unit"])))
    if "drop" in params:
        params["drop"] = f"{int(Decimal(str(params['drop'])) * 100)}%"
    try:
        return translate(SUMMARIES[key]) % params
    except (KeyError, ValueError, TypeError):
        return translate(KIND_NAMES[kind])


def detect(signals: AssetSignals, policy: FlagPolicy = DEFAULT_POLICY) -> list[Finding]:
    """Every flag an asset's signals raise today."""
    found = (detector(signals, policy) for detector in DETECTORS.values())
    return [finding for finding in found if finding is not None]


@dataclass(frozen=True)
class FlagChange:
    """What a recomputation does to an asset's flag of one kind."""

    kind: FlagKind
    action: str  # "raise", "update", "resolve" or "keep"
    finding: Finding | None


def reconcile(open_kinds: Mapping[FlagKind, FlagState], findings: Sequence[Finding]) -> list[FlagChange]:
    """Turn today's findings into changes of the asset's open flags: raise new ones, update those still
    supported, resolve those whose evidence stopped."""
    found = {finding.kind: finding for finding in findings}
    changes = [
        FlagChange(kind, "update" if kind in open_kinds else "raise", finding)
        for kind, finding in found.items()
    ]
    changes += [FlagChange(kind, "resolve", None) for kind in open_kinds if kind not in found]
    return changes
