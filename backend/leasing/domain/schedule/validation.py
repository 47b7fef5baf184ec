"""Checks of schedule input; every problem is collected so one error names all offending fields."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from backend.core.domain.errors import N_
from backend.leasing.domain.schedule.terms import BillingTerms, ChargeLine, Concession, ScheduleError

ENDS_BEFORE_START = N_("Ends before it starts.")
BEFORE_TERM = N_("Starts before the lease term.")
AFTER_TERM = N_("Ends after the lease term.")
MAX_AMOUNT = Decimal(10) ** 12
MAX_OFFSET_DAYS = 366
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


class Problems:
    """Messages collected by field; `raise_if_any` turns them into one `ScheduleError`."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = defaultdict(list)

    def add(self, field: str, message: str) -> None:
        """Record a problem with `field`."""
        if message not in self.fields[field]:
            self.fields[field].append(message)

    def raise_if_any(self) -> None:
        """Raise the collected problems, if there are any."""
        if self.fields:
            raise ScheduleError(dict(self.fields))


def check_term(term_start: date, term_end: date, problems: Problems) -> None:
    """The term ends on or after its start, both within the years dates are reckoned in."""
    check_year("term_start", term_start, problems)
    check_year("term_end", term_end, problems)
    if term_end < term_start:
        problems.add("term_end", ENDS_BEFORE_START)


def check_year(field: str, day: date, problems: Problems) -> None:
    """A date from 1900 to 2199: far enough for any lease, near enough for month arithmetic and calendars."""
    if not FIRST_DAY <= day <= LAST_DAY:
        problems.add(field, N_("Use a date from 1900 to 2199."))


def check_terms(terms: BillingTerms, problems: Problems) -> None:
    """Precision is a power of ten; the due rule names a real day or a bounded offset."""
    check_precision("terms.precision", terms.precision, problems)
    day = terms.due_rule.day_of_month
    if day is not None and not 1 <= day <= 31:
        problems.add("terms.due_rule", N_("The due day of the month must lie between 1 and 31."))
    if abs(terms.due_rule.offset_days) > MAX_OFFSET_DAYS:
        problems.add("terms.due_rule", N_("The due offset must lie within a year of the period."))
    if day is not None and terms.due_rule.offset_days:
        problems.add("terms.due_rule", N_("Give a due day of the month or an offset in days, not both."))


def check_precision(field: str, precision: Decimal, problems: Problems) -> None:
    """A rounding precision is a power of ten from 0.000001 to 100."""
    power_of_ten = precision.is_finite() and precision > 0 and precision.normalize().as_tuple().digits == (1,)
    if not power_of_ten or not Decimal("0.000001") <= precision <= Decimal(100):
        problems.add(field, N_("Use a power of ten such as 0.01 or 1."))


def check_amount(field: str, amount: Decimal, problems: Problems) -> None:
    """An amount is finite, not negative and below a trillion."""
    if not amount.is_finite() or not 0 <= amount < MAX_AMOUNT:
        problems.add(field, N_("Must be a finite amount, zero or more and below one trillion."))


def check_dates(name: str, starts: date, ends: date, term: tuple[date, date], problems: Problems) -> None:
    """Dates run forwards and lie inside the term."""
    if ends < starts:
        problems.add(f"{name}.ends", ENDS_BEFORE_START)
    if starts < term[0]:
        problems.add(f"{name}.starts", BEFORE_TERM)
    if ends > term[1]:
        problems.add(f"{name}.ends", AFTER_TERM)


def check_lines(lines: Sequence[ChargeLine], term: tuple[date, date], problems: Problems) -> None:
    """At least one line; unique keys; sane amounts; dates inside the term; no overlapping versions."""
    if not lines:
        problems.add("lines", N_("Give at least one charge line."))
    seen: set[str] = set()
    for number, line in enumerate(lines):
        name = f"lines[{number}]"
        _check_key(name, line.key, seen, problems)
        check_amount(f"{name}.monthly_amount", line.monthly_amount, problems)
        check_dates(name, line.starts, line.ends, term, problems)
    _check_overlaps("lines", [(line.charge_type, line.starts, line.ends) for line in lines], problems)


def check_concessions(
    concessions: Sequence[Concession],
    lines: Sequence[ChargeLine],
    term: tuple[date, date],
    problems: Problems,
) -> None:
    """Unique keys; percent 0–100; dates inside the term; each meets a charge of its type; none overlap."""
    seen: set[str] = set()
    for number, concession in enumerate(concessions):
        name = f"concessions[{number}]"
        _check_key(name, concession.key, seen, problems)
        if not concession.percent.is_finite() or not 0 <= concession.percent <= 100:
            problems.add(f"{name}.percent", N_("Must lie between 0 and 100."))
        check_dates(name, concession.starts, concession.ends, term, problems)
        if not any(
            line.charge_type is concession.charge_type
            and line.starts <= concession.ends
            and concession.starts <= line.ends
            for line in lines
        ):
            problems.add(f"{name}.charge_type", N_("No charge line of this type overlaps the concession."))
    spans = [(concession.charge_type, concession.starts, concession.ends) for concession in concessions]
    _check_overlaps("concessions", spans, problems)


def _check_key(name: str, key: str, seen: set[str], problems: Problems) -> None:
    if not key.strip():
        problems.add(f"{name}.key", N_("Give a key."))
    elif key in seen:
        problems.add(f"{name}.key", N_("Another entry already uses this key."))
    seen.add(key)


def _check_overlaps(name: str, spans: Sequence[tuple[object, date, date]], problems: Problems) -> None:
    for later, (kind, starts, ends) in enumerate(spans):
        for earlier_kind, earlier_starts, earlier_ends in spans[:later]:
            if kind == earlier_kind and starts <= earlier_ends and earlier_starts <= ends:
                problems.add(f"{name}[{later}].starts", N_("Overlaps another entry of the same charge type."))
