"""Lease health per quarter against a threshold table, its recommended actions, and the renewal advice.

The signals are payment deviations (a bill paid more than five business days after its due date) counted per
quarter of the due date, change requests per calendar year, work orders on the lease's units per month and
contacts with the customer per month. Each row of the table turns the lease a colour when a count reaches it;
the worst colour wins and each breach is a reason, with the row's action.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from backend.collections.domain.credit import Bill, CreditProfile
from backend.core.domain.errors import N_

ONE_DAY = timedelta(days=1)
# A calendar without a working day in a year is broken; say so rather than loop.
_MAX_SEARCH_DAYS = 366

BusinessDay = Callable[[date], bool]


class Colour(enum.StrEnum):
    """How healthy a lease is, from green (nothing to do) to red."""

    GREEN = "green"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"

    @property
    def severity(self) -> int:
        """0 for green up to 3 for red: the worst colour wins."""
        return list(Colour).index(self)


class Signal(enum.StrEnum):
    """What is counted about a lease."""

    PAYMENT_DEVIATIONS = "payment_deviations"
    CHANGE_REQUESTS = "change_requests"
    WORK_ORDERS = "work_orders"
    CONTACTS = "contacts"


class Per(enum.StrEnum):
    """The period a count is taken over."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year, from its first day."""

    per: Per
    start: date

    @classmethod
    def containing(cls, per: Per, day: date) -> Period:
        """The period of this kind a day falls in."""
        if per is Per.YEAR:
            return cls(per, date(day.year, 1, 1))
        if per is Per.QUARTER:
            return cls(per, date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))
        return cls(per, date(day.year, day.month, 1))

    @property
    def end(self) -> date:
        """The first day after the period."""
        months = {Per.MONTH: 1, Per.QUARTER: 3, Per.YEAR: 12}[self.per]
        index = self.start.month - 1 + months
        return date(self.start.year + index // 12, index % 12 + 1, 1)

    @property
    def label(self) -> str:
        """2026, 2026-Q2 or 2026-04."""
        if self.per is Per.YEAR:
            return f"{self.start.year}"
        if self.per is Per.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    def previous(self) -> Period:
        """The period of this kind just before."""
        return Period.containing(self.per, self.start - ONE_DAY)


@dataclass(frozen=True)
class HealthRule:
    """A row of the threshold table: a signal counted per period, from `at_least` on, is this colour.

    The seed's "> 5 work orders a month" is `at_least=6`; "≥ 3 deviations a quarter" is `at_least=3`.
    """

    signal: Signal
    per: Per
    at_least: int
    colour: Colour
    action: str


DEFAULT_RULES = (
    HealthRule(
        Signal.PAYMENT_DEVIATIONS,
        Per.QUARTER,
        3,
        Colour.YELLOW,
        N_("Assign someone to call on the customer and find out what keeps them from paying."),
    ),
    HealthRule(
        Signal.WORK_ORDERS,
        Per.MONTH,
        6,
        Colour.ORANGE,
        N_("Send an engineer to survey on site whether the premises suit the tenant's use."),
    ),
    HealthRule(
        Signal.CHANGE_REQUESTS,
        Per.YEAR,
        3,
        Colour.RED,
        N_("Start a review meeting on the customer relationship."),
    ),
)

# Each signal is also shown counted per its usual period, whether or not a rule judges it.
COUNTED_PER = {
    Signal.PAYMENT_DEVIATIONS: Per.QUARTER,
    Signal.CHANGE_REQUESTS: Per.YEAR,
    Signal.WORK_ORDERS: Per.MONTH,
    Signal.CONTACTS: Per.MONTH,
}

_MESSAGES = {
    Signal.PAYMENT_DEVIATIONS: N_(
        "Bills due in %(period)s paid over %(days)s business days late: %(count)s (from %(at_least)s)."
    ),
    Signal.CHANGE_REQUESTS: N_("Change requests in %(period)s: %(count)s (from %(at_least)s)."),
    Signal.WORK_ORDERS: N_("Work orders on the leased units in %(period)s: %(count)s (from %(at_least)s)."),
    Signal.CONTACTS: N_("Contacts with the customer in %(period)s: %(count)s (from %(at_least)s)."),
}


@dataclass(frozen=True)
class HealthSettings:
    """The threshold table, what counts as a payment deviation, and how many quarters are shown."""

    rules: tuple[HealthRule, ...] = DEFAULT_RULES
    deviation_business_days: int = 5
    quarters: int = 4


DEFAULT_SETTINGS = HealthSettings()


@dataclass(frozen=True)
class LeaseFacts:
    """What is known of one lease, in days of its project's zone: bills, change requests, work, contacts."""

    bills: Sequence[Bill]
    change_requests: Sequence[date] = ()
    work_orders: Sequence[date] = ()
    contacts: Sequence[date] = ()


@dataclass(frozen=True)
class Count:
    """How often a signal happened in one period (a current period only up to the day judged)."""

    signal: Signal
    period: str
    count: int


@dataclass(frozen=True)
class HealthReason:
    """A row of the table a count reached: the count, the colour and action it brings, and why in words.

    `message` is an English msgid with %(name)s placeholders filled from `params`, translated where shown.
    """

    signal: Signal
    period: str
    count: int
    at_least: int
    colour: Colour
    action: str
    message: str
    params: Mapping[str, int | str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message in English with its values."""
        return self.message % self.params


@dataclass(frozen=True)
class QuarterHealth:
    """A lease's colour in one quarter, the reasons (worst first), their actions and every count judged."""

    quarter: str
    colour: Colour
    reasons: tuple[HealthReason, ...]
    actions: tuple[str, ...]
    counts: tuple[Count, ...]


@dataclass(frozen=True)
class LeaseHealth:
    """A lease's health over the last quarters up to `as_of`, oldest first; the last one is the current."""

    as_of: date
    quarters: tuple[QuarterHealth, ...]

    @property
    def current(self) -> QuarterHealth:
        """The quarter `as_of` falls in."""
        return self.quarters[-1]

    @property
    def colour(self) -> Colour:
        """The current quarter's colour."""
        return self.current.colour


def weekdays_except(holidays: Collection[date], working_days: Collection[date] = ()) -> BusinessDay:
    """Monday to Friday are business days except `holidays`; `working_days` are weekend days worked (调休)."""
    off, worked = frozenset(holidays), frozenset(working_days)

    def is_business_day(day: date) -> bool:
        if day in worked:
            return True
        return day.weekday() < 5 and day not in off

    return is_business_day


def business_days_after(day: date, count: int, is_business_day: BusinessDay) -> date:
    """The `count`-th business day after `day` (`day` itself never counts)."""
    current = day
    for _ in range(count):
        current = _next_business_day(current, is_business_day)
    return current


def _next_business_day(day: date, is_business_day: BusinessDay) -> date:
    for offset in range(1, _MAX_SEARCH_DAYS + 1):
        if is_business_day(day + timedelta(days=offset)):
            return day + timedelta(days=offset)
    raise ValueError("the calendar has no business day for a year")


def deviations(
    bills: Iterable[Bill], as_of: date, is_business_day: BusinessDay, business_days: int = 5
) -> list[date]:
    """Due dates of the bills known at the end of `as_of` to be settled more than `business_days` late.

    A bill still open at the end of its last allowed business day deviates already.
    """
    found = []
    for bill in bills:
        if bill.due_date > as_of:
            continue
        deadline = business_days_after(bill.due_date, business_days, is_business_day)
        settled = bill.settled_on if bill.settled_on is not None and bill.settled_on <= as_of else None
        if (settled is not None and settled > deadline) or (settled is None and as_of >= deadline):
            found.append(bill.due_date)
    return sorted(found)


def _count(days: Iterable[date], start: date, end: date) -> int:
    return sum(1 for day in days if start <= day < end)


def _periods_in(quarter: Period, per: Per, until: date) -> list[Period]:
    """The periods of a kind a quarter is judged on: its months, itself, or its year so far."""
    if per is Per.MONTH:
        months, current = [], Period(Per.MONTH, quarter.start)
        while current.start < quarter.end and current.start < until:
            months.append(current)
            current = Period(Per.MONTH, current.end)
        return months
    return [Period.containing(per, quarter.start)]


def _judge_quarter(
    quarter: Period, events: Mapping[Signal, Sequence[date]], as_of: date, settings: HealthSettings
) -> QuarterHealth:
    until = min(quarter.end, as_of + ONE_DAY)

    def counted(signal: Signal, period: Period) -> int:
        # A year is judged so far: up to the quarter's end (or today), never ahead of the quarter.
        return _count(events[signal], period.start, min(period.end, until))

    reasons = []
    for rule in settings.rules:
        for period in _periods_in(quarter, rule.per, until):
            count = counted(rule.signal, period)
            if count < rule.at_least:
                continue
            params: dict[str, int | str] = {"period": period.label, "count": count, "at_least": rule.at_least}
            if rule.signal is Signal.PAYMENT_DEVIATIONS:
                params["days"] = settings.deviation_business_days
            reasons.append(
                HealthReason(
                    rule.signal,
                    period.label,
                    count,
                    rule.at_least,
                    rule.colour,
                    rule.action,
                    _MESSAGES[rule.signal],
                    params,
                )
            )
    reasons.sort(key=lambda r: -r.colour.severity)
    counts = tuple(
        Count(signal, period.label, counted(signal, period))
        for signal, per in COUNTED_PER.items()
        for period in _periods_in(quarter, per, until)
    )
    return QuarterHealth(
        quarter=quarter.label,
        colour=reasons[0].colour if reasons else Colour.GREEN,
        reasons=tuple(reasons),
        actions=tuple(dict.fromkeys(r.action for r in reasons)),
        counts=counts,
    )


def lease_health(
    facts: LeaseFacts, as_of: date, is_business_day: BusinessDay, settings: HealthSettings = DEFAULT_SETTINGS
) -> LeaseHealth:
    """The lease's colour in each of the last `settings.quarters` quarters up to the end of `as_of`."""
    events: dict[Signal, Sequence[date]] = {
        Signal.PAYMENT_DEVIATIONS: deviations(
            facts.bills, as_of, is_business_day, settings.deviation_business_days
        ),
        Signal.CHANGE_REQUESTS: [d for d in facts.change_requests if d <= as_of],
        Signal.WORK_ORDERS: [d for d in facts.work_orders if d <= as_of],
        Signal.CONTACTS: [d for d in facts.contacts if d <= as_of],
    }
    quarters = [Period.containing(Per.QUARTER, as_of)]
    while len(quarters) < settings.quarters:
        quarters.append(quarters[-1].previous())
    return LeaseHealth(
        as_of=as_of,
        quarters=tuple(_judge_quarter(q, events, as_of, settings) for q in reversed(quarters)),
    )


def first_day_shown(as_of: date, settings: HealthSettings = DEFAULT_SETTINGS) -> date:
    """The earliest day whose events a health report to `as_of` counts (the year of its oldest quarter)."""
    quarter = Period.containing(Per.QUARTER, as_of)
    for _ in range(settings.quarters - 1):
        quarter = quarter.previous()
    return Period.containing(Per.YEAR, quarter.start).start


class Renewal(enum.StrEnum):
    """What to do about a lease coming up for renewal."""

    RETAIN = "retain"
    NORMAL_FOLLOW_UP = "normal_follow_up"
    PREPARE_TO_RELEASE = "prepare_to_release"


@dataclass(frozen=True)
class RenewalPolicy:
    """When a lease is worth keeping and when to get ready to let the space to someone else."""

    retain_below: float = 0.2  # chance of a late bill under which a healthy lease is retained
    release_from: float = 0.6  # chance of a late bill from which the space is prepared for release
    retain_colours: frozenset[Colour] = frozenset({Colour.GREEN})
    release_colours: frozenset[Colour] = frozenset({Colour.RED})


DEFAULT_POLICY = RenewalPolicy()


@dataclass(frozen=True)
class Finding:
    """One thing the advice rests on, with an English msgid and its %(name)s params."""

    code: str
    message: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message in English with its values."""
        return self.message % self.params if self.params else self.message


@dataclass(frozen=True)
class RenewalAdvice:
    """Retain, follow up as usual or prepare to release, and why."""

    recommendation: Renewal
    reasons: tuple[Finding, ...]


_HEALTH_FINDINGS = {
    Colour.GREEN: N_("The lease is in good health this quarter."),
    Colour.YELLOW: N_("The lease is on a yellow warning this quarter."),
    Colour.ORANGE: N_("The lease is on an orange warning this quarter."),
    Colour.RED: N_("The lease is on a red warning this quarter."),
}


def _percent(p: float) -> str:
    return f"{100 * p:.1f}%"


def recommend_renewal(
    credit: CreditProfile, health: LeaseHealth, policy: RenewalPolicy = DEFAULT_POLICY
) -> RenewalAdvice:
    """Prepare to release on a high chance of late bills or a release colour; retain when both are good."""
    p, colour = credit.probability_late, health.colour
    chance = {"probability": _percent(p)}
    if p >= policy.release_from:
        credit_finding = Finding(
            "late_probability_high",
            N_("The next bill is paid late with a chance of %(probability)s, %(threshold)s or more."),
            chance | {"threshold": _percent(policy.release_from)},
        )
    elif p < policy.retain_below:
        credit_finding = Finding(
            "late_probability_low",
            N_("The next bill is paid late with a chance of %(probability)s, under %(threshold)s."),
            chance | {"threshold": _percent(policy.retain_below)},
        )
    else:
        credit_finding = Finding(
            "late_probability_moderate",
            N_("The next bill is paid late with a chance of %(probability)s."),
            chance,
        )
    reasons = (credit_finding, Finding(f"health_{colour.value}", _HEALTH_FINDINGS[colour]))
    if p >= policy.release_from or colour in policy.release_colours:
        return RenewalAdvice(Renewal.PREPARE_TO_RELEASE, reasons)
    if p < policy.retain_below and colour in policy.retain_colours:
        return RenewalAdvice(Renewal.RETAIN, reasons)
    return RenewalAdvice(Renewal.NORMAL_FOLLOW_UP, reasons)
