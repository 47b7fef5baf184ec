"""The lease list as a spreadsheet: its columns, its size limit, and the monthly rent a row shows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from backend.core.domain.errors import N_, DomainError
from backend.leasing.domain.leases import LeaseStatus
from backend.leasing.domain.schedule.terms import ChargeType, Frequency

# Rows one export holds at most; a wider filter is refused rather than cut short.
EXPORT_LIMIT = 50_000
# Rents are kept in one currency.
CURRENCY = "CNY"

COLUMNS = (
    N_("Number"),
    N_("Customer"),
    N_("Project"),
    N_("Asset codes"),
    N_("Template"),
    N_("Status"),
    N_("Start"),
    N_("End"),
    N_("Monthly rent"),
    N_("Currency"),
    N_("Account manager"),
)

STATUS_LABELS = {
    LeaseStatus.DRAFT: N_("Draft"),
    LeaseStatus.SIGNED: N_("Signed"),
    LeaseStatus.ACTIVE: N_("Active"),
    LeaseStatus.EXPIRING: N_("Expiring"),
    LeaseStatus.RENEWED: N_("Renewed"),
    LeaseStatus.TERMINATED: N_("Terminated"),
    LeaseStatus.ENDED: N_("Ended"),
}


class ExportTooLarge(DomainError):
    """A filter matching more leases than one export holds."""

    status = 422


def too_large(count: int, limit: int) -> ExportTooLarge:
    """The refusal of an export whose filter matches `count` leases, more than `limit`."""
    return ExportTooLarge(
        N_("The filter matches %(count)s leases; an export holds at most %(limit)s. Narrow the filter."),
        count=count,
        limit=limit,
    )


def rent_day(today: date, starts_on: date | None, last_day: date | None) -> date:
    """The day a lease's monthly rent is read on: today, kept inside the term (its start before it begins,
    its last day once it is over)."""
    if starts_on is not None and today < starts_on:
        return starts_on
    if last_day is not None and today > last_day:
        return last_day
    return today


def monthly_rent_on(lines: Iterable[Any], day: date, starts_on: date | None, ends_on: date | None) -> Decimal:
    """The monthly amounts of the recurring rent lines in force on the day, added up.

    `lines` are the versions in force (not replaced by an amendment) with charge_type, monthly_amount,
    starts_on, ends_on and frequency; a version without dates runs from the lease's start to its end, and an
    escalation's versions follow one another, so each series counts once.
    """
    total = Decimal(0)
    for line in lines:
        if line.charge_type != ChargeType.RENT or line.frequency == Frequency.ONE_OFF:
            continue
        first = line.starts_on or starts_on
        last = line.ends_on or ends_on
        if (first is None or first <= day) and (last is None or day <= last):
            total += line.monthly_amount
    return total
