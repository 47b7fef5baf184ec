"""A lease's critical dates: those its terms imply (end, notice date, rent reviews, deposit return) and those
entered by hand (insurance, break options, anything else, a termination notice received)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from backend.core.domain.errors import N_


class DateKind(enum.StrEnum):
    """What a critical date is; the first four follow from a lease's terms."""

    LEASE_END = "lease_end"
    RENEWAL_NOTICE = "renewal_notice"
    RENT_REVIEW = "rent_review"
    DEPOSIT_RETURN = "deposit_return"
    INSURANCE_EXPIRY = "insurance_expiry"
    BREAK_OPTION = "break_option"
    OTHER = "other"
    # A notice to terminate received from the tenant: it stops an automatic renewal; no reminder of its own.
    TERMINATION_NOTICE = "termination_notice"


DERIVED_KINDS = (DateKind.LEASE_END, DateKind.RENEWAL_NOTICE, DateKind.RENT_REVIEW, DateKind.DEPOSIT_RETURN)
MANUAL_KINDS = (DateKind.INSURANCE_EXPIRY, DateKind.BREAK_OPTION, DateKind.OTHER, DateKind.TERMINATION_NOTICE)
# The kinds reminders are sent for, in the order a reader meets them.
REMINDED_KINDS = (
    DateKind.LEASE_END,
    DateKind.RENEWAL_NOTICE,
    DateKind.RENT_REVIEW,
    DateKind.DEPOSIT_RETURN,
    DateKind.INSURANCE_EXPIRY,
    DateKind.BREAK_OPTION,
    DateKind.OTHER,
)
# The renewal reminders: what an authorised "no renewal" tag silences.
RENEWAL_KINDS = frozenset({DateKind.LEASE_END, DateKind.RENEWAL_NOTICE})

KIND_NAMES: dict[DateKind, str] = {
    DateKind.LEASE_END: N_("Lease end"),
    DateKind.RENEWAL_NOTICE: N_("Renewal notice date"),
    DateKind.RENT_REVIEW: N_("Rent review"),
    DateKind.DEPOSIT_RETURN: N_("Deposit return"),
    DateKind.INSURANCE_EXPIRY: N_("Insurance expiry"),
    DateKind.BREAK_OPTION: N_("Break option"),
    DateKind.OTHER: N_("Other date"),
    DateKind.TERMINATION_NOTICE: N_("Termination notice received"),
}

# Days after the end by which a deposit is due back, unless the installation says otherwise.
DEFAULT_DEPOSIT_RETURN_DAYS = 30


class Source(enum.StrEnum):
    """Where a critical date comes from."""

    DERIVED = "derived"
    MANUAL = "manual"


@dataclass(frozen=True)
class Step:
    """A charge line's escalation rule: every `every_months` from `anchor`, while the line runs."""

    anchor: date
    every_months: int
    until: date | None


@dataclass(frozen=True)
class LeaseTerms:
    """What the critical dates of one lease follow from."""

    lease_id: int
    starts_on: date | None
    ends_on: date | None
    notice_period_days: int | None
    deposit_amount: Decimal | None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class CriticalDate:
    """One date of one lease that someone must act before."""

    lease_id: int
    kind: DateKind
    on: date
    source: Source
    label: str | None = None
    manual_id: int | None = None


def derived_dates(
    terms: LeaseTerms, deposit_return_days: int = DEFAULT_DEPOSIT_RETURN_DAYS
) -> list[CriticalDate]:
    """The dates a lease's terms imply today: they follow every amendment, since they are read from the terms.

    - lease end: the last day of the term;
    - renewal notice: the end less the notice period (when the lease has one);
    - rent review: each escalation step inside the term (after its start);
    - deposit return: the end plus `deposit_return_days`, when a deposit is held.
    """
    if terms.ends_on is None:
        return []
    found = [CriticalDate(terms.lease_id, DateKind.LEASE_END, terms.ends_on, Source.DERIVED)]
    if terms.notice_period_days:
        notice_on = terms.ends_on - timedelta(days=terms.notice_period_days)
        if terms.starts_on is None or notice_on > terms.starts_on:
            found.append(CriticalDate(terms.lease_id, DateKind.RENEWAL_NOTICE, notice_on, Source.DERIVED))
    found += [
        CriticalDate(terms.lease_id, DateKind.RENT_REVIEW, on, Source.DERIVED)
        for on in review_dates(terms.steps, terms.starts_on, terms.ends_on)
    ]
    if terms.deposit_amount is not None and terms.deposit_amount > 0:
        back_on = terms.ends_on + timedelta(days=deposit_return_days)
        found.append(CriticalDate(terms.lease_id, DateKind.DEPOSIT_RETURN, back_on, Source.DERIVED))
    return found


def review_dates(steps: Iterable[Step], starts_on: date | None, ends_on: date) -> list[date]:
    """Every escalation step strictly after the lease's start and not after its end, once each."""
    found: set[date] = set()
    for step in steps:
        if step.every_months <= 0:
            continue
        last = min(ends_on, step.until) if step.until is not None else ends_on
        count = 1
        while (on := step.anchor + relativedelta(months=step.every_months * count)) <= last:
            if starts_on is None or on > starts_on:
                found.add(on)
            count += 1
    return sorted(found)


def manual_date(
    lease_id: int, kind: DateKind, on: date, label: str | None, manual_id: int | None
) -> CriticalDate:
    """A date entered by hand for a lease."""
    return CriticalDate(lease_id, kind, on, Source.MANUAL, label, manual_id)


def termination_noticed(dates: Sequence[CriticalDate], by: date) -> bool:
    """Whether a termination notice was recorded on or before a day."""
    return any(d.kind is DateKind.TERMINATION_NOTICE and d.on <= by for d in dates)
