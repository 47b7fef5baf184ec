"""A customer's credit profile from their own bills and conduct, and the chance their next bill is late.

The model is meant to be read, not trusted blindly. The probability that the next bill is paid late starts
from a population rate, moves to the customer's own late rate over their most recent bills (a Beta prior
worth `prior_strength` bills), then a few small logistic terms push it for how late they pay, broken promises,
disputes and slow answers. Each step is a reason with the feature's value and how far it moved the
probability; the steps add up to the distance from the population rate.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from backend.core.domain.errors import N_

ZERO = Decimal("0.00")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Bill:
    """One bill of the customer: when it fell due, how much, and the day it was fully settled (None: open)."""

    due_date: date
    amount: Decimal
    settled_on: date | None
    currency: str = "CNY"


@dataclass(frozen=True)
class Conduct:
    """What dunning knows of the customer: promises to pay broken, disputes raised, days taken to answer."""

    broken_promises: int = 0
    disputes: int = 0
    response_days: tuple[float, ...] = ()


NO_CONDUCT = Conduct()


@dataclass(frozen=True)
class Observation:
    """A bill as it was known at the start of a day: on time or late, by how many days, still open or not."""

    bill: Bill
    late: bool
    days_late: int
    still_open: bool


def known_at(bills: Iterable[Bill], day: date) -> tuple[Observation, ...]:
    """What the bills said at the start of `day` (nothing booked that day yet), oldest due first.

    The point-in-time rule: only bills due before `day` count, each settled if it was settled before `day`,
    else overdue (late by the days since it fell due). A bill paid early but due later is not yet evidence.
    """
    seen = []
    for bill in bills:
        if bill.due_date >= day:
            continue
        settled = bill.settled_on is not None and bill.settled_on < day
        if settled and bill.settled_on is not None:
            days = max(0, (bill.settled_on - bill.due_date).days)
        else:
            days = (day - bill.due_date).days
        seen.append(Observation(bill, late=days > 0, days_late=days, still_open=not settled))
    return tuple(sorted(seen, key=lambda o: o.bill.due_date))


def outcome(bill: Bill, day: date) -> bool | None:
    """Whether the bill was paid late, as known at the start of `day`; None while that is not known yet."""
    if bill.settled_on is not None and bill.settled_on < day:
        return bill.settled_on > bill.due_date
    if bill.due_date < day:
        return True
    return None


@dataclass(frozen=True)
class CreditFeatures:
    """The customer's record over every bill that has fallen due (rates and averages None without data)."""

    bills: int
    late_bills: int
    on_time_rate: float | None
    average_days_late: float | None
    open_overdue: Mapping[str, Decimal]
    broken_promises: int
    disputes: int
    average_response_days: float | None


def features_of(observations: Sequence[Observation], conduct: Conduct) -> CreditFeatures:
    """The record a history shows: on-time rate, average days late over late bills, what is overdue."""
    late = [o for o in observations if o.late]
    overdue: dict[str, Decimal] = {}
    for o in observations:
        if o.still_open:
            overdue[o.bill.currency] = overdue.get(o.bill.currency, ZERO) + o.bill.amount
    responses = conduct.response_days
    return CreditFeatures(
        bills=len(observations),
        late_bills=len(late),
        on_time_rate=1 - len(late) / len(observations) if observations else None,
        average_days_late=sum(o.days_late for o in late) / len(late) if late else None,
        open_overdue=dict(sorted(overdue.items())),
        broken_promises=conduct.broken_promises,
        disputes=conduct.disputes,
        average_response_days=sum(responses) / len(responses) if responses else None,
    )


@dataclass(frozen=True)
class CreditModel:
    """The model's settings, each a number a reader can check; logit weights are per unit stated."""

    population_late_rate: float = 0.25  # the prior: how often bills in general are paid late
    prior_strength: float = 4.0  # the prior counts as this many bills
    window: int = 12  # the most recent bills that make the customer's own rate
    days_late_weight: float = 1.0  # logit when every bill of the window is `days_late_cap` days late
    days_late_cap: int = 30
    broken_promise_weight: float = 0.4  # logit per broken promise, up to the cap
    broken_promise_cap: int = 3
    dispute_weight: float = 0.2  # logit per dispute, up to the cap
    dispute_cap: int = 3
    response_weight: float = 0.1  # logit per day of answering slower than the baseline, up to the cap
    response_baseline_days: float = 2.0
    response_cap_days: float = 10.0

    def __post_init__(self) -> None:
        if not 0 < self.population_late_rate < 1:
            raise ValueError("population_late_rate must lie strictly between 0 and 1")
        if self.prior_strength <= 0 or self.window < 1 or self.days_late_cap < 1:
            raise ValueError("prior_strength, window and days_late_cap must be positive")


DEFAULT_MODEL = CreditModel()


class ReasonCode(enum.StrEnum):
    """The reasons' machine names, in the order the model applies them."""

    LATE_RATE = "late_rate"
    DAYS_LATE = "days_late"
    BROKEN_PROMISES = "broken_promises"
    DISPUTES = "disputes"
    RESPONSE_TIME = "response_time"


@dataclass(frozen=True)
class Reason:
    """One step of the model: the feature, its value, how far it moved the probability, and why in words.

    `message` is an English msgid with %(name)s placeholders filled from `params`, translated where shown.
    """

    code: ReasonCode
    value: float | None
    effect: float
    message: str
    params: Mapping[str, int | float | str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message in English with its values."""
        return self.message % self.params if self.params else self.message


@dataclass(frozen=True)
class CreditProfile:
    """A customer's record, a score 0–100 (higher is better) and the chance the next bill is paid late."""

    as_of: date
    features: CreditFeatures
    probability_late: float
    score: int
    reasons: tuple[Reason, ...]


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _percent(p: float) -> str:
    return f"{100 * p:.1f}%"


def profile(
    bills: Iterable[Bill], as_of: date, conduct: Conduct = NO_CONDUCT, model: CreditModel = DEFAULT_MODEL
) -> CreditProfile:
    """The customer's profile at the end of `as_of`: what every bill due by then says, and the conduct."""
    return profile_at(bills, as_of + ONE_DAY, conduct, model)


def profile_at(
    bills: Iterable[Bill], day: date, conduct: Conduct = NO_CONDUCT, model: CreditModel = DEFAULT_MODEL
) -> CreditProfile:
    """The profile as known at the start of `day` (a prediction for a bill due that day uses only this)."""
    observations = known_at(bills, day)
    features = features_of(observations, conduct)
    recent = observations[-model.window :]
    prior = model.population_late_rate
    reasons = []

    late = sum(1 for o in recent if o.late)
    p = (late + model.prior_strength * prior) / (len(recent) + model.prior_strength)
    reasons.append(
        Reason(
            ReasonCode.LATE_RATE,
            late / len(recent) if recent else None,
            p - prior,
            N_("Paid late: %(late)s of the last %(bills)s bills (bills in general: %(prior)s).")
            if recent
            else N_("No bill has fallen due yet; bills in general are paid late at %(prior)s."),
            {"late": late, "bills": len(recent), "prior": _percent(prior)},
        )
    )

    def push(code: ReasonCode, value: float | None, logit: float, text: str, **params: float | str) -> None:
        nonlocal p
        moved = _sigmoid(_logit(p) + logit)
        reasons.append(Reason(code, value, moved - p, text, params))
        p = moved

    late_recent = [o for o in recent if o.late]
    severity = sum(min(o.days_late, model.days_late_cap) for o in recent) / model.days_late_cap
    average = sum(o.days_late for o in late_recent) / len(late_recent) if late_recent else None
    push(
        ReasonCode.DAYS_LATE,
        average,
        model.days_late_weight * severity / len(recent) if recent else 0.0,
        N_("Days late on average over the late bills: %(days)s.") if late_recent else N_("No bill was late."),
        days=round(average or 0, 1),
    )
    push(
        ReasonCode.BROKEN_PROMISES,
        conduct.broken_promises,
        model.broken_promise_weight * min(conduct.broken_promises, model.broken_promise_cap),
        N_("Promises to pay broken: %(count)s."),
        count=conduct.broken_promises,
    )
    push(
        ReasonCode.DISPUTES,
        conduct.disputes,
        model.dispute_weight * min(conduct.disputes, model.dispute_cap),
        N_("Disputes raised: %(count)s."),
        count=conduct.disputes,
    )
    slower = 0.0
    if features.average_response_days is not None:
        slower = min(
            max(features.average_response_days - model.response_baseline_days, 0.0), model.response_cap_days
        )
    push(
        ReasonCode.RESPONSE_TIME,
        features.average_response_days,
        model.response_weight * slower,
        N_("Days taken to answer a reminder, on average: %(days)s.")
        if features.average_response_days is not None
        else N_("No reminder was answered yet."),
        days=round(features.average_response_days or 0, 1),
    )
    return CreditProfile(
        as_of=day - ONE_DAY,
        features=features,
        probability_late=p,
        score=round(100 * (1 - p)),
        reasons=tuple(reasons),
    )


@dataclass(frozen=True)
class Prediction:
    """A bill's chance of being paid late as predicted on its due date, and whether it was."""

    bill: Bill
    probability_late: float
    late: bool


def point_in_time(
    bills: Sequence[Bill],
    as_of: date,
    model: CreditModel = DEFAULT_MODEL,
    conduct_on: Callable[[date], Conduct] = lambda _day: NO_CONDUCT,
) -> list[Prediction]:
    """Each bill due by `as_of` (its outcome known then), predicted on its due date from earlier bills alone.

    `conduct_on(day)` must answer what dunning knew on that day; without it conduct is left out.
    """
    found = []
    for bill in sorted(bills, key=lambda b: b.due_date):
        late = outcome(bill, as_of + ONE_DAY)
        if late is None or bill.due_date > as_of:
            continue
        predicted = profile_at(bills, bill.due_date, conduct_on(bill.due_date), model)
        found.append(Prediction(bill, predicted.probability_late, late))
    return found


@dataclass(frozen=True)
class CalibrationBin:
    """Predictions that fell in one tenth of the probability range, and how often they came true."""

    lower: float
    upper: float
    count: int
    mean_predicted: float | None
    observed_rate: float | None


def calibration(pairs: Iterable[tuple[float, bool]], bins: int = 10) -> tuple[CalibrationBin, ...]:
    """Predictions grouped by decile of the predicted probability ([0, 0.1), …, [0.9, 1.0])."""
    grouped: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for predicted, happened in pairs:
        grouped[min(int(predicted * bins), bins - 1)].append((predicted, happened))
    table = []
    for index, group in enumerate(grouped):
        count = len(group)
        table.append(
            CalibrationBin(
                lower=index / bins,
                upper=(index + 1) / bins,
                count=count,
                mean_predicted=sum(p for p, _ in group) / count if count else None,
                observed_rate=sum(1 for _, h in group if h) / count if count else None,
            )
        )
    return tuple(table)


def brier_score(pairs: Iterable[tuple[float, bool]]) -> float:
    """The mean squared distance between predicted probabilities and what happened (0 is perfect)."""
    squares = [(predicted - (1.0 if happened else 0.0)) ** 2 for predicted, happened in pairs]
    if not squares:
        raise ValueError("a Brier score needs at least one prediction")
    return sum(squares) / len(squares)
